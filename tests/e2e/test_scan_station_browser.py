"""The scan station (/skann) in a real browser: focus, keyboard-wedge scans, move mode."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import login_as

pytestmark = pytest.mark.browser

SCREENSHOT = "/tmp/scan-station.png"
# A function, not an expression: Playwright evaluates a function's source once and polls the result,
# while an expression is eval'ed on every poll, which the page's CSP (no 'unsafe-eval') refuses.
FOCUSED = "() => document.activeElement && document.activeElement.id === 'scan-input'"


def open_station(page, live_server, role: str = "lager"):
    """Log in through the form and land on the scan station, ready to scan."""
    login_as(page, live_server, role, next_path="/skann")
    assert page.url.endswith("/skann"), page.url
    expect(page.get_by_test_id("scan-status")).to_have_text("Klar til skanning.")
    return page


def goto_station(page):
    """The scan station for a page that is already logged in."""
    page.goto("/skann")
    expect(page.get_by_test_id("scan-status")).to_have_text("Klar til skanning.")
    return page


def scan(page, code: str) -> None:
    """What a keyboard-wedge scanner does: characters in quick succession, then Enter."""
    page.keyboard.type(code, delay=2)
    page.keyboard.press("Enter")


def scan_and_wait(page, code: str, expected_status: str | re.Pattern) -> None:
    scan(page, code)
    expect(page.get_by_test_id("scan-status")).to_have_text(expected_status)


def assert_focused(page) -> None:
    # keepFocus() runs in a setTimeout after a blur or click, so give it a moment before asserting.
    page.wait_for_function(FOCUSED, timeout=2_000)
    assert page.evaluate("document.activeElement.id") == "scan-input"


def test_scan_input_has_focus_on_load_after_a_device_scan_and_after_clicking_elsewhere(page, live_server):
    barcode = live_server.make_device()
    open_station(page, live_server)
    assert_focused(page)

    scan_and_wait(page, barcode, f"{barcode} funnet.")
    assert_focused(page)

    page.get_by_role("heading", name="Skannestasjon").click()
    assert_focused(page)
    page.get_by_test_id("device-card").click()
    assert_focused(page)
    page.mouse.click(5, 800)  # empty page margin
    assert_focused(page)


def test_a_keyboard_wedge_scan_shows_the_device_card_and_its_history(page, live_server):
    barcode = live_server.make_device("seng", location_code="A-01-1")
    open_station(page, live_server)

    scan_and_wait(page, barcode, f"{barcode} funnet.")

    result = page.get_by_test_id("scan-result")
    expect(result).to_be_visible()
    expect(result.get_by_role("heading").first).to_contain_text("Sykeseng Opus 4")
    expect(result.get_by_role("link", name=barcode)).to_have_attribute("href", f"/hjelpemidler/{barcode}")
    card = page.get_by_test_id("device-card")
    expect(card).to_contain_text("Ledig på lager")
    expect(card).to_contain_text("A-01-1 (HL / A / A-01)")
    expect(card).to_contain_text("Kommunen")
    history_rows = result.locator("table tr")
    expect(history_rows).to_have_count(2)  # header + "registered"
    expect(history_rows.nth(1)).to_contain_text("A-01-1")
    expect(page.get_by_test_id("scan-input")).to_have_value("")

    page.screenshot(path=SCREENSHOT, full_page=True)


def test_an_unknown_code_turns_the_status_red_names_the_code_and_flashes_the_page(page, live_server):
    open_station(page, live_server)

    scan(page, "XYZ-404")

    status = page.get_by_test_id("scan-status")
    expect(status).to_have_class(re.compile(r"\bbad\b"))
    expect(status).to_contain_text("XYZ-404")
    expect(page.locator("body")).to_have_class(re.compile(r"\bflash-red\b"))
    expect(page.get_by_test_id("scan-input")).to_have_value("")
    assert_focused(page)
    expect(page.get_by_test_id("scan-result")).to_be_hidden()


def test_a_mistyped_check_digit_is_refused_as_such(page, live_server):
    barcode = live_server.make_device()
    wrong = barcode[:-1] + str((int(barcode[-1]) + 1) % 10)
    open_station(page, live_server)

    scan(page, wrong)

    status = page.get_by_test_id("scan-status")
    expect(status).to_have_class(re.compile(r"\bbad\b"))
    expect(status).to_contain_text("Kontrollsifferet")
    expect(status).to_contain_text(wrong)


def test_a_location_scan_then_two_device_scans_move_both_there_and_a_second_location_scan_ends_move_mode(
        page, live_server):
    target = "A-01-2"
    target_barcode = live_server.seed.location_barcodes[target]
    unplaced = live_server.make_device()                             # registered: first put-away
    placed = live_server.make_device(location_code="A-01-1")         # available on A-01-1: a move
    bystander = live_server.make_device()
    open_station(page, live_server)
    move_box = page.get_by_test_id("move-mode")
    moved_list = page.get_by_test_id("moved-list")
    expect(move_box).to_be_hidden()

    scan_and_wait(page, target_barcode, f"Lokasjon {target} valgt. Skann hjelpemidlene.")
    expect(move_box).to_be_visible()
    expect(move_box).to_contain_text("Flytter til A-01-2 (Hylle 2)")

    scan_and_wait(page, unplaced, f"{unplaced} flyttet til {target}.")
    scan_and_wait(page, placed, f"{placed} flyttet til {target}.")
    expect(moved_list.locator("li")).to_have_count(2)
    expect(moved_list.locator("li").nth(0)).to_contain_text(f"{placed} Sykeseng Opus 4 → {target}")
    expect(moved_list.locator("li").nth(1)).to_contain_text(f"{unplaced} Sykeseng Opus 4 → {target}")
    expect(page.get_by_test_id("device-card")).to_contain_text(target)

    # Scanning the same device again is harmless: it already stands there.
    scan_and_wait(page, placed, f"{placed} står allerede på {target}.")
    expect(moved_list.locator("li").nth(0)).to_contain_text("(stod der allerede)")

    scan_and_wait(page, target, f"Flytting til {target} avsluttet.")  # typed code works like the barcode
    expect(move_box).to_be_hidden()
    assert_focused(page)
    scan_and_wait(page, bystander, f"{bystander} funnet.")

    for barcode, kind, state in ((unplaced, "putaway", "available"), (placed, "moved", "available")):
        device = live_server.device(barcode)
        assert device.location_code == target
        assert device.state == state
        assert device.history[-1].kind == kind and device.history[-1].to_location == target
        assert device.history[-1].actor == live_server.seed.users["lager"]
    bystander_now = live_server.device(bystander)
    assert bystander_now.location_code is None, "a scan after move mode ended must not move the device"
    assert [event.kind for event in bystander_now.history] == ["registered"]


def test_scanning_a_device_into_a_full_location_is_refused_in_red_and_the_device_stays(page, live_server):
    barcode = live_server.make_device(location_code="A-01-1")
    open_station(page, live_server)

    scan_and_wait(page, live_server.seed.location_barcodes["A-01-F"], re.compile("Lokasjon A-01-F valgt"))
    scan(page, barcode)

    status = page.get_by_test_id("scan-status")
    expect(status).to_have_class(re.compile(r"\bbad\b"))
    expect(status).to_contain_text("A-01-F er full")
    expect(page.locator("body")).to_have_class(re.compile(r"\bflash-red\b"))
    expect(page.get_by_test_id("moved-list").locator("li")).to_have_count(0)
    expect(page.get_by_test_id("device-card")).to_contain_text("A-01-1")
    assert_focused(page)

    device = live_server.device(barcode)
    assert device.location_code == "A-01-1"
    assert [event.kind for event in device.history] == ["registered"]


def test_nav_hmsnr_and_serienr_typed_with_a_space_find_the_nav_device(page, live_server):
    open_station(page, live_server)

    scan(page, "123456 654321")

    barcode = live_server.seed.devices["nav_rollator"]
    expect(page.get_by_test_id("scan-status")).to_have_text(f"{barcode} funnet.")
    card = page.get_by_test_id("device-card")
    expect(card).to_contain_text("NAV")
    expect(card).to_contain_text("123456 / 654321")
    expect(page.get_by_test_id("scan-result").get_by_role("heading").first).to_contain_text("Rollator Topro Olympos M")


PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def assert_fits_the_screen(locator, width: int = 390, height: int = 844) -> None:
    box = locator.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, box
    assert box["y"] + box["height"] <= height, f"below the fold: {box}"


def test_the_scan_station_works_at_a_phone_sized_viewport(new_page, live_server):
    page = new_page(**PHONE)
    barcode = live_server.make_device()
    open_station(page, live_server)
    scan_input = page.get_by_test_id("scan-input")

    expect(scan_input).to_be_visible()
    assert_focused(page)
    assert_fits_the_screen(scan_input)

    scan_and_wait(page, barcode, f"{barcode} funnet.")
    expect(page.get_by_test_id("device-card")).to_be_visible()
    assert_focused(page)
    assert_fits_the_screen(scan_input)
    assert_fits_the_screen(page.get_by_test_id("scan-status"))


def test_the_scan_result_does_not_make_the_page_scroll_sideways_on_a_phone(new_page, live_server):
    page = new_page(**PHONE)
    barcode = live_server.make_device(location_code="A-01-1")
    open_station(page, live_server)
    scan_and_wait(page, barcode, f"{barcode} funnet.")
    expect(page.get_by_test_id("device-card")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
