"""The forecast (prognose) in a real browser: the depot worker picks a product with the type-ahead and
sees the day a waiting need goes short, with the need linked to the queue."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from .conftest import login_as
from .depot_helpers import DESKTOP, Arranger, assert_plain_bokmal
from .test_register_device_browser import choose

pytestmark = pytest.mark.browser


def test_pick_a_product_by_type_ahead_and_see_the_flagged_day_with_its_need(new_page, live_server):
    needed_by = date.today() + timedelta(days=2)
    with Arranger(live_server) as depot:
        lift = depot.product("Prognoseløfter")
        depot.reserved_unit(depot.citizen("Ola Prognose", "Prognoseveien 1"), lift, needed_by)
        waiting = depot.approved_need(depot.citizen("Kari Prognose", "Prognoseveien 2"), lift, needed_by)
        name = depot.product_name(lift)
    page = new_page(**DESKTOP)
    login_as(page, live_server, "lager")
    page.goto("/lager/prognose")
    choose(page, "product-picker", "Prognoseløfter", name)
    with page.expect_navigation():
        page.get_by_role("button", name="Vis prognose").click()
    flagged = page.get_by_test_id(f"shortfall-{needed_by.isoformat()}")
    expect(flagged).to_be_visible()
    expect(flagged).to_contain_text("Mangel")
    link = flagged.get_by_test_id("affected-need")
    expect(link).to_have_attribute("href", re.compile(f"#behov-{waiting}$"))
    expect(page.get_by_test_id("chosen")).to_contain_text(name)
    assert_plain_bokmal(page)
