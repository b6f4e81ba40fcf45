"""The depot's digital twin in a real browser, as the warehouse worker starts the day: the map of
the depot, a search that lights the bins holding free shower chairs (picked through the type-ahead),
a click on a lit bin to see its units, the same places as a table, and a look back at a zone
before anything was in it."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import login_as
from .depot_helpers import DESKTOP, assert_plain_bokmal

pytestmark = pytest.mark.browser


def test_the_map_finds_free_units_of_a_product_and_opens_the_bin_holding_them(new_page, live_server):
    page = new_page(**DESKTOP)
    login_as(page, live_server, "lager", "/lager/tvilling")
    map_ = page.get_by_test_id("twin-svg")
    expect(map_).to_be_visible()
    expect(map_.locator('a[data-code="A-01-2"] rect')).to_have_count(1)

    search = page.get_by_test_id("twin-product")
    search.fill("Dusjstol")
    page.get_by_role("option", name=re.compile("^Dusjstol Etac Swift")).click()
    page.get_by_test_id("twin-search").get_by_role("button", name="Finn").click()

    hits = page.get_by_test_id("hits")
    expect(hits).to_contain_text("nærmest døren først")
    expect(hits.get_by_role("link", name="A-01-2")).to_be_visible()
    lit = map_.locator('a[data-code="A-01-2"] rect.hit')
    expect(lit).to_have_count(1)
    expect(page.get_by_test_id("places-table").locator("tr.hit-row")).to_contain_text("A-01-2")
    assert_plain_bokmal(page)

    # The seeded bins stand closer than their drawn size, so the bin is opened from the keyboard.
    map_.locator('a[data-code="A-01-2"]').focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/lager/tvilling/plass/A-01-2"))
    units = page.get_by_test_id("place-units")
    expect(units).to_contain_text("Dusjstol Etac Swift")
    expect(units).to_contain_text("Ledig på lager")
    assert_plain_bokmal(page)

    page.goto("/lager/tvilling")
    travel = page.get_by_test_id("time-travel")
    travel.get_by_label("Sone").select_option("A")
    travel.get_by_test_id("moment-date").fill("01.01.2020")
    travel.get_by_role("button", name="Vis").click()
    expect(page.locator("main")).to_contain_text("slik det var 01.01.2020")
    expect(page.get_by_test_id("twin-svg").locator("rect.place.empty").first).to_be_visible()
    expect(page.get_by_test_id("twin-svg").locator("rect.g-available")).to_have_count(0)
