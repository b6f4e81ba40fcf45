"""An incident (uhell) in a real browser: a sling's seam tears during a lift. The depot worker scans
the sling at the scan station on a phone, reports it from the unit's card (the form fits 390 px),
the unit is in quarantine at once and its scan says «Uhell»; the serious injury shows on the start
page with its deadline until the report is marked sent from the list's detail page."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import login_as
from .depot_helpers import PHONE, assert_plain_bokmal, flash, submit

pytestmark = pytest.mark.browser


def test_report_from_the_scan_station_quarantines_the_unit_lists_it_and_marks_it_sent(new_page, live_server):
    barcode = live_server.make_device("rollator", location_code="A-01-1")
    page = new_page(**PHONE)
    login_as(page, live_server, "lager", next_path="/skann")
    expect(page.get_by_test_id("scan-status")).to_have_text("Klar til skanning.")
    page.get_by_test_id("scan-input").fill(barcode)
    page.get_by_test_id("scan-input").press("Enter")
    with page.expect_navigation():
        page.get_by_test_id("report-incident").tap()

    form = page.get_by_test_id("incident-form")
    expect(form.get_by_label("Hjelpemiddel (strekkode)")).to_have_value(barcode)
    expect(page.get_by_test_id("incident-device")).to_contain_text("Rollator Topro Olympos M")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    form.get_by_label("Hvor skjedde det?").fill("Hjemme hos bruker, soverom")
    form.get_by_label("Hva skjedde?").fill("Bremsen slapp under forflytning, bruker falt")
    form.get_by_label("Alvorlig skade").check()
    assert submit(page, form.get_by_role("button", name="Meld uhell og sett i karantene")) == 302
    expect(flash(page)).to_have_text(f"Uhellet er meldt, og {barcode} er satt i karantene.")
    assert live_server.device(barcode).state == "quarantined"
    expect(page.get_by_test_id("deadline")).to_contain_text("Skal meldes innen")
    assert_plain_bokmal(page)

    page.goto("/skann")
    page.get_by_test_id("scan-input").fill(barcode)
    page.get_by_test_id("scan-input").press("Enter")
    expect(page.get_by_test_id("device-incident")).to_have_text("Alvorlig skade. Bremsen slapp under forflytning, bruker falt")

    page.goto("/start")
    expect(page.get_by_test_id("incidents-to-send")).to_contain_text(barcode)

    page.goto(f"/lager/uhell?q={barcode}&ikke_sendt=ja")
    row = page.get_by_test_id(f"incident-{barcode}")
    expect(row).to_contain_text("Alvorlig skade")
    with page.expect_navigation():
        row.get_by_role("link").first.tap()
    page.get_by_label("Referanse (valgfri)").fill("HDIR-2026-7")
    assert submit(page, page.get_by_role("button", name="Marker som sendt til myndighetene")) == 302
    expect(page.get_by_test_id("sent")).to_contain_text("HDIR-2026-7")
    page.goto("/start")
    expect(page.get_by_test_id("todays-work")).to_be_visible()
    expect(page.get_by_text(barcode)).to_have_count(0)
