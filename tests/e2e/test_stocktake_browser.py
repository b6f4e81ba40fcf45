"""A stocktake (varetelling) in a real browser: the depot worker counts a zone of their own by scanning
(bin label, then the units standing there), finds one unit missing, one that should not be there
at all and one on the wrong bin, approves the missing one by itself and the rest at once, and
downloads the result."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from hjelpemiddel.stock import services as stock

from ..support import pdf_text
from .conftest import login_as
from .depot_helpers import DESKTOP, Arranger, assert_plain_bokmal, download, flash, submit

pytestmark = pytest.mark.browser


def scan(page, code: str, expected_words: str) -> None:
    with page.expect_response(lambda r: r.url.endswith("/scans")):
        page.keyboard.type(code, delay=5)
        page.keyboard.press("Enter")
    expect(page.get_by_test_id("scan-status")).to_contain_text(expected_words)


def test_a_zone_is_counted_by_scanning_and_its_adjustments_are_approved(new_page, live_server, tmp_path):
    with Arranger(live_server) as depot:
        stock.create_location(depot.session, "VT", "zone", "Varetellingssonen", parent_code="HL")
        stock.create_location(depot.session, "VT-01", "rack", "Reol VT-01", parent_code="VT")
        bins = {code: stock.create_location(depot.session, code, "bin", "Hylle", parent_code="VT-01").barcode
                for code in ("VT-01-1", "VT-01-2")}
        bed = depot.product("Sykeseng Varetelling", iso_class="181210")
        found, missing = depot.unit(bed, "VT-01-1"), depot.unit(bed, "VT-01-1")
        misplaced = depot.unit(bed, "VT-01-2")
        unexpected = depot.unit(bed, "A-01-2")

    page = new_page(**DESKTOP)
    login_as(page, live_server, "lager", next_path="/lager/varetelling")
    form = page.get_by_test_id("start-stocktake")
    form.get_by_label("Sted (kode eller strekkode)").fill("VT")
    expect(form.get_by_label("Blind telling", exact=False)).to_be_checked()
    assert submit(page, form.get_by_role("button", name="Start tellingen")) == 302
    expect(page.get_by_role("heading", level=1)).to_contain_text("VT – Varetellingssonen")
    assert found not in page.content()  # blind: the counter is not shown what is expected

    scan(page, found, "Skann etiketten på hylla først")
    scan(page, bins["VT-01-1"], "Teller VT-01-1")
    expect(page.get_by_test_id("current-bin")).to_have_text("VT-01-1")
    for barcode in (found, misplaced, unexpected):
        scan(page, barcode, f"Telt: {barcode}")
    scan(page, found, "allerede telt")
    scan(page, "HJM12345678", "Kontrollsifferet i «HJM12345678» stemmer ikke")
    expect(page.get_by_test_id("units-counted")).to_have_text("3")
    expect(page.get_by_test_id("bins-done")).to_have_text("1")
    scan(page, bins["VT-01-2"], "Teller VT-01-2")

    assert submit(page, page.get_by_test_id("close-stocktake")) == 302
    for key, label in (("missing", "Mangler (1)"), ("unexpected", "Uventet (1)"), ("misplaced", "Feil plass (1)"),
                       ("found", "Funnet på riktig plass (1)")):
        expect(page.get_by_test_id(f"filter-{key}")).to_have_text(label)
    assert_plain_bokmal(page)

    page.get_by_test_id("filter-missing").click()
    row = page.get_by_test_id(f"line-{missing}")
    expect(row).to_contain_text("VT-01-1")
    assert submit(page, row.get_by_role("button", name=f"Godkjenn justeringen for {missing}")) == 302
    expect(flash(page)).to_contain_text("Justeringen er godkjent")
    expect(page.get_by_test_id(f"line-{missing}")).to_contain_text("Godkjent")

    page.get_by_role("link", name="Alle", exact=True).click()
    assert submit(page, page.get_by_test_id("approve-all")) == 302
    expect(flash(page)).to_contain_text("2 justeringer er godkjent")
    expect(page.get_by_test_id("nothing-pending")).to_be_visible()

    assert live_server.device(misplaced).location_code == "VT-01-1"
    assert live_server.device(unexpected).location_code == "VT-01-1"
    assert live_server.device(found).location_code == "VT-01-1"
    for barcode, kind in ((misplaced, "moved"), (unexpected, "moved"), (missing, "stocktake_missing")):
        last = live_server.device(barcode).history[-1]
        assert last.kind == kind and "Varetelling nr." in last.note
    text = pdf_text(download(page, "Last ned som PDF"), tmp_path)
    assert all(barcode in text for barcode in (found, missing, misplaced, unexpected))
