"""Dates read dd.mm.åååå in an English browser too, and the calendar button fills the field so."""
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from hjelpemiddel.core.text import local_today

from .conftest import login_as

pytestmark = pytest.mark.browser


def test_a_date_field_shows_and_takes_dd_mm_yyyy_in_an_english_browser(new_page, live_server):
    page = new_page(locale="en-US")
    day = local_today() + timedelta(days=2)
    login_as(page, live_server, "lager", next_path=f"/lager/runder?dato={day.isoformat()}")
    field = page.locator("input[name=dato]")
    expect(field).to_have_value(f"{day:%d.%m.%Y}")
    expect(page.get_by_role("button", name="Velg dato i kalender")).to_be_visible()
    # What the browser's own picker hands back (ISO) is written into the field as people read it.
    page.locator(".date-picker").evaluate("(p, iso) => { p.value = iso; p.dispatchEvent(new Event('change')); }",
                                          (day + timedelta(days=1)).isoformat())
    expect(field).to_have_value(f"{day + timedelta(days=1):%d.%m.%Y}")
    field.fill(f"{day + timedelta(days=5):%d.%m.%Y}")
    field.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Kjørerunder {day + timedelta(days=5):%d.%m.%Y}")
