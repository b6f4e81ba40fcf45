"""«Skann med kamera» in real Chromium with a fake camera that films the app's own label PDF: the
phone reads the label and the page acts on the unit as if a keyboard-wedge scanner had typed it.

Headless Chromium on Linux has no ``BarcodeDetector``, so these tests run the vendored ZXing library
(the path every browser without the detector takes); where a Chromium has the detector, the library
test removes it and a second test runs the detector itself.
"""
from __future__ import annotations

import re
import time
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from .conftest import login_as
from .depot_helpers import PHONE, Arranger, flash
from .fake_camera import blank_video, label_video, symbol_pdf
from .test_pages_under_csp_browser import REPORT_VIOLATIONS, Watch

pytestmark = pytest.mark.browser

# A day no other browser test plans.
CAMERA_DAY = date.today() + timedelta(days=17)
# Every camera stream the page opened, kept by the test, so it can check that each one was stopped.
KEEP_STREAMS = """
window.cameraStreams = [];
const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
navigator.mediaDevices.getUserMedia = async (constraints) => {
  const stream = await getUserMedia(constraints);
  window.cameraStreams.push(stream);
  return stream;
};
"""
STREAM_OFF = """() => window.cameraStreams.length > 0
  && window.cameraStreams.every((stream) => stream.getTracks().every((track) => track.readyState === "ended"))"""
NO_DETECTOR = "delete window.BarcodeDetector;"
SCREENSHOT = "/tmp/camera-dialog.png"  # the open dialog at phone size, to look at


def label_pdf(page, live_server, barcode: str) -> bytes:
    """The unit's roll label as the depot prints it, fetched through the app by a logged-in depot worker."""
    login_as(page, live_server, "lager")
    answer = page.request.get(f"/api/v1/devices/{barcode}/label.pdf?layout=roll-57x32")
    assert answer.ok and answer.headers["content-type"] == "application/pdf", answer.status
    return answer.body()


def watch(page) -> Watch:
    """CSP violations, refusals in the console and script errors while the camera works."""
    seen = Watch()
    page.context.expose_function("reportCspViolation", lambda report: seen.violations.append(report))
    page.context.add_init_script(REPORT_VIOLATIONS)
    page.on("console", lambda message: seen.console.append(message.text)
            if re.search(r"Content Security Policy|Refused to", message.text) else None)
    page.on("pageerror", lambda error: seen.errors.append(str(error)))
    return seen


def scan_with_camera(page) -> float:
    """Tap «Skann med kamera»; seconds until the dialog closed again after a read."""
    button = page.get_by_role("button", name="Skann med kamera")
    expect(button).to_be_visible()
    # A code read in the first frame closes the dialog before a visibility poll could see it open,
    # so the page itself notes that it opened.
    page.evaluate("""() => {
      const showModal = HTMLDialogElement.prototype.showModal;
      HTMLDialogElement.prototype.showModal = function () { window.cameraDialogOpened = true; return showModal.call(this); };
    }""")
    started = time.monotonic()
    button.click()
    page.wait_for_function("() => window.cameraDialogOpened === true")
    expect(page.get_by_test_id("camera-dialog")).to_be_hidden(timeout=20_000)
    return time.monotonic() - started


def test_without_a_camera_the_button_stays_hidden_and_the_library_is_not_downloaded(page, live_server):
    login_as(page, live_server, "lager", next_path="/skann")
    expect(page.get_by_test_id("scan-status")).to_have_text("Klar til skanning.")
    page.wait_for_load_state("networkidle")
    expect(page.locator("[data-camera-scan]")).to_be_hidden()
    assert page.evaluate("() => typeof window.ZXing") == "undefined"


@pytest.mark.parametrize("detector", ["library", "native"])
def test_a_label_filmed_by_the_phone_shows_its_unit_on_the_scan_station(detector, page, camera_page, live_server, tmp_path):
    barcode = live_server.make_device()
    video = label_video(label_pdf(page, live_server, barcode), tmp_path)
    phone = camera_page(video, **PHONE)
    problems = watch(phone)
    phone.context.add_init_script(KEEP_STREAMS + (NO_DETECTOR if detector == "library" else ""))
    login_as(phone, live_server, "lager", next_path="/skann")
    expect(phone.get_by_test_id("scan-status")).to_have_text("Klar til skanning.")
    if detector == "native" and not phone.evaluate("() => 'BarcodeDetector' in window"):
        pytest.skip("this Chromium has no BarcodeDetector: the library test covers it")

    seconds = scan_with_camera(phone)

    expect(phone.get_by_test_id("scan-status")).to_have_text(f"{barcode} funnet.")
    expect(phone.get_by_test_id("scan-result").get_by_role("heading", level=2).first).to_have_text(f"Sykeseng Opus 4 {barcode}")
    expect(phone.get_by_test_id("device-card")).to_contain_text("Kommunen")
    phone.wait_for_function(STREAM_OFF)
    assert phone.evaluate("() => document.activeElement.id") == "scan-input"
    assert phone.evaluate("() => typeof window.ZXing") == ("object" if detector == "library" else "undefined")
    assert problems.problems() == []
    print(f"camera read {barcode} with the {detector} in {seconds:.1f} s")


@pytest.mark.parametrize("symbology", ["QR", "ECC200DataMatrix"])
def test_a_qr_or_datamatrix_code_is_read_as_well(symbology, camera_page, live_server, tmp_path):
    barcode = live_server.make_device()
    phone = camera_page(label_video(symbol_pdf(symbology, barcode), tmp_path, width=360), **PHONE)
    phone.context.add_init_script(NO_DETECTOR)
    login_as(phone, live_server, "lager", next_path="/skann")

    scan_with_camera(phone)

    expect(phone.get_by_test_id("scan-status")).to_have_text(f"{barcode} funnet.")


def test_the_pick_page_ticks_the_unit_whose_label_the_camera_reads(page, camera_page, live_server, tmp_path):
    with Arranger(live_server) as depot:
        depot.sweep_open_stops()
        product = depot.product("Rollator kamera")
        citizen = depot.citizen("Astrid Kamera", "Storgata 17")
        barcode = depot.reserved_unit(citizen, product, CAMERA_DAY)
        run_id = depot.planned_run(CAMERA_DAY)
    phone = camera_page(label_video(label_pdf(page, live_server, barcode), tmp_path), **PHONE)
    phone.context.add_init_script(NO_DETECTOR)
    login_as(phone, live_server, "lager", next_path=f"/runder/{run_id}/plukk")

    scan_with_camera(phone)

    expect(phone.get_by_test_id("pick-status")).to_have_text(f"{barcode} plukket. Alt er plukket.")
    expect(phone.locator(f'tr[data-barcode="{barcode}"]')).to_have_class(re.compile(r"\bpicked\b"))


def test_a_return_over_the_counter_is_received_when_the_camera_reads_its_label(page, camera_page, live_server, tmp_path):
    with Arranger(live_server) as depot:
        product = depot.product("Dusjkrakk kamera", iso_class="093303")
        citizen = depot.citizen("Bjørn Kamera", "Fjordgata 3")
        barcode = depot.unit_on_loan(citizen, product, date.today() + timedelta(days=1))
    phone = camera_page(label_video(label_pdf(page, live_server, barcode), tmp_path), **PHONE)
    phone.context.add_init_script(NO_DETECTOR)
    login_as(phone, live_server, "lager", next_path="/lager/utlan")
    receive_form = phone.locator("form", has=phone.get_by_role("heading", name="Ta imot retur"))

    with phone.expect_navigation():
        receive_form.get_by_role("button", name="Skann med kamera").click()

    expect(flash(phone)).to_contain_text(barcode)
    assert live_server.device(barcode).state == "cleaning"  # on the receiving place, waiting to be washed


def test_on_the_quarantine_form_the_code_is_filled_in_and_the_reason_is_asked_for(page, camera_page, live_server, tmp_path):
    barcode = live_server.make_device()
    state_before = live_server.device(barcode).state
    phone = camera_page(label_video(label_pdf(page, live_server, barcode), tmp_path), **PHONE)
    phone.context.add_init_script(NO_DETECTOR)
    login_as(phone, live_server, "lager", next_path="/lager/karantene")

    scan_with_camera(phone)

    form = phone.get_by_test_id("quarantine-form")
    expect(form.get_by_label("Skann hjelpemiddelet")).to_have_value(barcode)
    expect(form.get_by_label("Årsak")).to_be_focused()
    assert live_server.device(barcode).state == state_before  # nothing sent before the reason is chosen


def test_closing_the_dialog_with_esc_or_the_button_turns_the_camera_off(camera_page, live_server, tmp_path):
    phone = camera_page(blank_video(tmp_path), **PHONE)
    phone.context.add_init_script(KEEP_STREAMS + NO_DETECTOR)
    login_as(phone, live_server, "lager", next_path="/skann")
    dialog = phone.get_by_role("dialog", name="Skann med kamera")

    for close in (lambda: phone.keyboard.press("Escape"),
                  lambda: dialog.get_by_role("button", name="Lukk kameraet").click()):
        phone.get_by_role("button", name="Skann med kamera").click()
        expect(dialog.get_by_role("status")).to_have_text("Hold strekkoden inne i bildet.")
        expect(dialog.get_by_role("button", name="Lukk kameraet")).to_be_focused()
        phone.screenshot(path=SCREENSHOT)
        close()
        expect(dialog).to_be_hidden()
        phone.wait_for_function(STREAM_OFF)
        expect(phone.get_by_test_id("scan-status")).to_have_text("Klar til skanning.")
    assert phone.evaluate("() => window.cameraStreams.length") == 2


def test_when_the_reader_cannot_be_downloaded_the_dialog_says_so_and_the_next_try_downloads_it_again(
        page, camera_page, live_server, tmp_path):
    barcode = live_server.make_device()
    phone = camera_page(label_video(label_pdf(page, live_server, barcode), tmp_path), **PHONE)
    phone.context.add_init_script(KEEP_STREAMS + NO_DETECTOR)
    login_as(phone, live_server, "lager", next_path="/skann")
    phone.route("**/vendor/zxing-library.min.js", lambda route: route.abort())
    dialog = phone.get_by_role("dialog", name="Skann med kamera")

    phone.get_by_role("button", name="Skann med kamera").click()
    expect(dialog.get_by_role("status")).to_have_text(
        "Strekkodeleseren kunne ikke lastes ned. Sjekk nettverket og prøv igjen.")
    dialog.get_by_role("button", name="Lukk kameraet").click()
    phone.wait_for_function(STREAM_OFF)

    phone.unroute("**/vendor/zxing-library.min.js")
    scan_with_camera(phone)
    expect(phone.get_by_test_id("scan-status")).to_have_text(f"{barcode} funnet.")


def test_the_driver_films_a_unit_on_the_run_and_its_stop_is_marked_with_its_buttons_ready(page, camera_page,
                                                                                         live_server, tmp_path):
    with Arranger(live_server) as depot:
        depot.sweep_open_stops()
        chair = depot.product("Dusjstol Kamera", "093303")
        citizen = depot.citizen("Aud Kamera", "Kamerasvingen 2")
        barcode = depot.reserved_unit(citizen, chair, CAMERA_DAY + timedelta(days=1))
        run_id = depot.planned_run(CAMERA_DAY + timedelta(days=1))
    video = label_video(label_pdf(page, live_server, barcode), tmp_path)
    phone = camera_page(video, **PHONE)
    problems = watch(phone)
    phone.context.add_init_script(NO_DETECTOR)
    login_as(phone, live_server, "sjafor", next_path=f"/sjafor/runde/{run_id}")
    field = phone.get_by_label("Skann et hjelpemiddel på runden")
    expect(field).not_to_be_focused()  # a phone's keyboard stays down until the driver wants it
    scan_with_camera(phone)
    expect(phone.get_by_test_id("unit-scan-status")).to_contain_text(f"{barcode}: 1. Levering, Aud Kamera.")
    expect(phone.locator(f'li[data-unit="{barcode}"]')).to_have_class(re.compile(r"\bunit-scanned\b"))
    # A unit not on this run gets a clear refusal, typed as a scanner would.
    other = live_server.make_device()
    field.fill(other)
    field.press("Enter")
    expect(phone.get_by_test_id("unit-scan-status")).to_contain_text(f"{other} (Sykeseng Opus 4) er ikke med på "
                                                                      "denne runden.")
    field.fill("A-01-1")
    field.press("Enter")
    expect(phone.get_by_test_id("unit-scan-status")).to_have_class(re.compile(r"\bbad\b"))
    assert problems.problems() == []


def test_a_unit_scanned_on_the_service_page_opens_its_own_service_page(page, live_server):
    first, second = live_server.make_device(), live_server.make_device()
    login_as(page, live_server, "sjafor", next_path=f"/service/{first}")
    field = page.get_by_label("Skann et annet hjelpemiddel for å åpne dets service")
    field.fill(second.lower())
    with page.expect_navigation(url=re.compile(f"/service/{second}$")):
        field.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text(second)
