"""Registering a device through the form at /hjelpemidler/ny in a real browser."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import login_as
from .test_scan_station_browser import goto_station, scan_and_wait

pytestmark = pytest.mark.browser

BARCODE_RE = re.compile(r"^HJM\d{8}$")


def open_form(page, live_server):
    login_as(page, live_server, "lager", next_path="/hjelpemidler/ny")
    expect(page.get_by_role("heading", name="Registrer hjelpemiddel")).to_be_visible()


def submit(page):
    """Click «Registrer»; returns the response to the form's POST."""
    with page.expect_response(lambda r: r.request.method == "POST" and "/hjelpemidler/ny" in r.url) as posted:
        page.get_by_role("button", name="Registrer").click()
    page.wait_for_load_state()
    return posted.value


def choose(page, picker: str, typed: str, option: str) -> None:
    """Type into a type-ahead and choose an option with the keyboard alone."""
    field = page.get_by_test_id(picker)
    field.click()
    field.press_sequentially(typed, delay=20)
    wanted = page.get_by_role("option", name=re.compile("^" + re.escape(option)))
    expect(wanted).to_be_visible()
    while wanted.get_attribute("aria-selected") != "true":
        field.press("ArrowDown")
    field.press("Enter")
    expect(field).to_have_attribute("aria-expanded", "false")


def test_a_lager_user_registers_a_device_and_lands_on_its_page_with_barcode_image_and_label(page, live_server):
    open_form(page, live_server)
    choose(page, "product-picker", "olympos", "Rollator Topro Olympos M")
    expect(page.get_by_test_id("product-picker")).to_have_value("Rollator Topro Olympos M")
    page.get_by_label("Serienummer", exact=True).fill("REG-E2E-1")
    page.get_by_label("Tilstand").select_option(label="Ny")
    choose(page, "location-picker", "hylle 2", "A-01-2")
    expect(page.get_by_test_id("location-picker")).to_have_value("A-01-2")
    page.get_by_label("Merknad").fill("Mottatt fra leverandør")
    expect(page.get_by_label("Skriv ut etikett med en gang")).to_be_checked()

    response = submit(page)

    assert response.status == 302
    match = re.search(r"/hjelpemidler/(HJM\d{8})\?etikett=1$", page.url)
    assert match, page.url
    barcode = match.group(1)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rollator Topro Olympos M")
    expect(page.get_by_role("heading", level=1)).to_contain_text(barcode)
    expect(page.locator(".flash.ok")).to_contain_text(f"Registrert med strekkode {barcode}")
    svg = page.get_by_test_id("barcode-image").locator("svg")
    expect(svg).to_be_visible()
    assert svg.bounding_box()["width"] > 100
    frame = page.locator("iframe#label-frame")
    expect(frame).to_be_visible()
    label_url = frame.get_attribute("src")
    assert label_url == f"/api/v1/devices/{barcode}/label.pdf"
    label = page.request.get(label_url)  # same cookies as the page
    assert label.status == 200 and label.headers["content-type"] == "application/pdf"
    assert label.body().startswith(b"%PDF")
    expect(page.get_by_test_id("history")).to_contain_text("Registrert")
    expect(page.get_by_test_id("history")).to_contain_text("Mottatt fra leverandør")

    device = live_server.device(barcode)
    assert BARCODE_RE.match(device.barcode)
    assert (device.serial_number, device.owner, device.state, device.location_code) == \
        ("REG-E2E-1", "kommune", "available", "A-01-2")
    assert device.product_id == live_server.seed.products["rollator"]
    assert device.history[-1].actor == live_server.seed.users["lager"]

    # The new label scans at the scan station straight away.
    goto_station(page)
    scan_and_wait(page, barcode, f"{barcode} funnet.")
    expect(page.get_by_test_id("device-card")).to_contain_text("REG-E2E-1")
    expect(page.get_by_test_id("device-card")).to_contain_text("A-01-2")


def test_registering_without_printing_a_label_shows_no_label_frame(page, live_server):
    open_form(page, live_server)
    page.get_by_label("Produkt").fill("Sykeseng Opus 4")  # typed whole, not chosen: the server finds it
    page.get_by_label("Skriv ut etikett med en gang").uncheck()

    assert submit(page).status == 302

    assert re.search(r"/hjelpemidler/HJM\d{8}$", page.url), page.url
    expect(page.get_by_test_id("barcode-image").locator("svg")).to_be_visible()
    expect(page.locator("iframe#label-frame")).to_have_count(0)


def test_a_bad_nav_hmsnr_shows_the_field_error_with_status_422_and_creates_nothing(page, live_server):
    before = live_server.count_devices()
    open_form(page, live_server)
    page.get_by_label("Produkt").fill("123456")  # an HMS-nr names one product
    page.get_by_label("Eier").select_option("nav")
    page.get_by_label("HMS-nr (NAV)").fill("12345")
    page.get_by_label("NAV-serienummer").fill("NAV-77")

    response = submit(page)

    assert response.status == 422
    assert page.url.endswith("/hjelpemidler/ny")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("HMS-nr (NAV)")
    expect(alert).to_contain_text("HMS-nr må være nøyaktig 6 siffer.")
    # What was typed is still there to correct.
    expect(page.get_by_label("HMS-nr (NAV)")).to_have_value("12345")
    expect(page.get_by_label("NAV-serienummer")).to_have_value("NAV-77")
    expect(page.get_by_label("Eier")).to_have_value("nav")
    expect(page.get_by_label("Produkt")).to_have_value("123456")
    assert live_server.count_devices() == before


def test_a_product_text_that_names_nothing_or_several_is_refused_by_the_field(page, live_server):
    before = live_server.count_devices()
    open_form(page, live_server)
    page.get_by_label("Produkt").fill("Finnes ikke")
    assert submit(page).status == 422
    expect(page.get_by_role("alert")).to_contain_text("Fant ikke noe produkt som passer «Finnes ikke».")
    page.get_by_label("Produkt").fill("o")  # in every name here
    assert submit(page).status == 422
    expect(page.get_by_role("alert")).to_contain_text("Flere produkter passer «o»: velg ett i listen.")
    assert live_server.count_devices() == before


def test_the_registered_device_is_found_by_its_serial_number_at_the_scan_station(page, live_server):
    open_form(page, live_server)
    page.get_by_label("Produkt").fill("Sykeseng Opus 4")  # typed whole, not chosen: the server finds it
    page.get_by_label("Serienummer", exact=True).fill("SENG-SERIE-9")
    page.get_by_label("Skriv ut etikett med en gang").uncheck()
    assert submit(page).status == 302
    barcode = page.url.rsplit("/", 1)[1]

    goto_station(page)
    scan_and_wait(page, "SENG-SERIE-9", f"{barcode} funnet.")
