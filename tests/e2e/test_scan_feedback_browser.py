"""Scanning pages in a real browser: the same answer for the same code on the scan station and the
pick page, success and refusal feedback (counted by scanner.js, since a test cannot hear), and the
«Flytt likevel» warning when a unit goes to a place that does not fit it."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from hjelpemiddel.logistics import services as logistics
from hjelpemiddel.stock import services as stock

from .conftest import login_as
from .depot_helpers import VAN, Arranger
from .test_scan_station_browser import assert_focused, open_station, scan, scan_and_wait

pytestmark = pytest.mark.browser

_bins = iter(range(10, 100))


def feedback(page) -> tuple[int, int]:
    """(successes, refusals) scanner.js has sounded on this page so far."""
    counts = page.evaluate("() => [document.documentElement.dataset.scanOk, document.documentElement.dataset.scanError]")
    return tuple(int(n or 0) for n in counts)


def wrong_digit(code: str) -> str:
    return code[:-1] + str((int(code[-1]) + 1) % 10)


def empty_run(live_server) -> int:
    with Arranger(live_server) as arrange:
        return logistics.create_run(arrange.session, arrange.ids["lager"], date.today() + timedelta(days=45),
                                    van=VAN).id


def open_pick_page(page, live_server, run_id: int):
    login_as(page, live_server, "lager", next_path=f"/runder/{run_id}/plukk")
    status = page.get_by_test_id("pick-status")
    expect(status).to_have_text("Klar til plukking.")
    return status


def test_a_wrong_check_digit_gets_the_same_words_on_the_scan_station_and_the_pick_page(new_page, live_server):
    wrong = wrong_digit(live_server.make_device())
    station = new_page()
    open_station(station, live_server)
    scan(station, wrong)
    station_status = station.get_by_test_id("scan-status")
    expect(station_status).to_have_class(re.compile(r"\bbad\b"))
    said_at_station = station_status.inner_text()
    assert said_at_station.startswith(f"Kontrollsifferet i «{wrong}» stemmer ikke")
    assert feedback(station) == (0, 1)

    pick = new_page()
    pick_status = open_pick_page(pick, live_server, empty_run(live_server))
    scan(pick, wrong)
    expect(pick_status).to_have_class(re.compile(r"\bbad\b"))
    expect(pick_status).to_have_text(said_at_station)
    assert feedback(pick) == (0, 1)


def test_a_shelf_label_on_the_pick_page_is_named_as_a_shelf_label_not_an_unknown_code(page, live_server):
    status = open_pick_page(page, live_server, empty_run(live_server))
    shelf = live_server.seed.location_barcodes["A-01-2"]

    scan(page, shelf)

    expect(status).to_have_text(f"«{shelf}» er etiketten til lokasjonen A-01-2, ikke et hjelpemiddel. "
                                "Skann strekkoden på hjelpemiddelet.")
    expect(page.locator("body")).to_have_class(re.compile(r"\bflash-red\b"))
    assert feedback(page) == (0, 1)
    scan(page, "a-01-2")  # the location's code typed by hand: the same answer
    page.wait_for_function("() => document.documentElement.dataset.scanError === '2'")
    expect(status).to_have_text("«A-01-2» er etiketten til lokasjonen A-01-2, ikke et hjelpemiddel. "
                                "Skann strekkoden på hjelpemiddelet.")
    assert feedback(page) == (0, 2)


def test_a_found_unit_sounds_the_success_tone_and_camera_codes_go_through_the_same_handling(page, live_server):
    barcode = live_server.make_device()
    open_station(page, live_server)
    scan_and_wait(page, barcode, f"{barcode} funnet.")
    assert feedback(page) == (1, 0)

    page.evaluate("code => window.hjmScan.submit(code)", barcode.lower())
    expect(page.get_by_test_id("scan-status")).to_have_text(f"{barcode} funnet.")
    page.wait_for_function("() => document.documentElement.dataset.scanOk === '2'")
    assert feedback(page) == (2, 0)


def _mismatch_setup(live_server) -> tuple[str, list[str]]:
    """A bin of its own holding a rollator ready to lend, and three rollators in repair elsewhere."""
    with Arranger(live_server) as arrange:
        code = f"A-01-R{next(_bins)}"
        stock.create_location(arrange.session, code, "bin", "Rollatorhylle", parent_code="A-01", x=1, y=2)
        rollator = arrange.product("Rollator Jazz")
        arrange.unit(rollator, code)
        broken = []
        for _ in range(3):
            device = stock.get_device(arrange.session, arrange.unit(rollator, "A-01-1"))
            stock.change_state(arrange.session, device, "in_repair", arrange.ids["lager"])
            broken.append(device.barcode)
        return code, broken


def test_a_unit_in_repair_moved_onto_a_shelf_of_ready_units_is_warned_and_moves_only_when_confirmed(
        page, live_server):
    bin_code, (by_button, by_escape, by_rescan) = _mismatch_setup(live_server)
    open_station(page, live_server)
    status, confirm = page.get_by_test_id("scan-status"), page.get_by_test_id("move-confirm")
    scan_and_wait(page, bin_code, f"Lokasjon {bin_code} valgt. Skann hjelpemidlene.")

    scan(page, by_button)
    expect(status).to_have_class(re.compile(r"\bwarn\b"))
    expect(status).to_contain_text(f"{by_button} er «Til reparasjon», men på {bin_code} står hjelpemidler som er "
                                   "klare til utlån.")
    expect(confirm).to_be_visible()
    expect(confirm).to_contain_text(f"Skann {by_button} en gang til")
    assert feedback(page) == (1, 1)
    assert live_server.device(by_button).location_code == "A-01-1"
    assert_focused(page)
    page.get_by_test_id("move-force").click()
    expect(status).to_have_text(f"{by_button} flyttet til {bin_code}.")
    expect(confirm).to_be_hidden()
    assert live_server.device(by_button).location_code == bin_code

    scan(page, by_escape)
    expect(confirm).to_be_visible()
    page.keyboard.press("Escape")
    expect(status).to_have_text(f"{by_escape} ble ikke flyttet.")
    expect(confirm).to_be_hidden()
    expect(page.get_by_test_id("move-mode")).to_be_visible()  # Esc let go of the warning, not of move mode
    assert live_server.device(by_escape).location_code == "A-01-1"

    scan(page, by_rescan)
    expect(confirm).to_be_visible()
    scan_and_wait(page, by_rescan, f"{by_rescan} flyttet til {bin_code}.")  # keyboard alone: scan it again
    assert live_server.device(by_rescan).location_code == bin_code
    assert [e.kind for e in live_server.device(by_rescan).history][-1] == "moved"
    assert_focused(page)
