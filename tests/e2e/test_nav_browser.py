"""Scenario 2, «The NAV bed arrives», in a real browser: the therapist sent Astrid's application for a
bed to NAV; NAV approves it and ships an Opus 90EW. The depot sees it coming on /lager/nav after
«Hent fra NAV nå», receives it by typing HMS-nr and serial number, and gets its label at once — the
bed is NAV's, reserved for Astrid's need. A unit nobody ordered goes on the list of unmatched
arrivals and is settled by hand; a mistyped HMS-nr is a friendly error, never a 500.

The app here talks to the fake NAV server over real HTTP (``NAV_BASE_URL`` + ``NAV_TOKEN``), so it
runs on a live server of its own rather than the shared one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from cryptography.fernet import Fernet
from playwright.sync_api import expect

from hjelpemiddel.catalog.services import create_product
from hjelpemiddel.citizens.services import register_citizen
from hjelpemiddel.core.auth import create_user
from hjelpemiddel.core.db import get_session
from hjelpemiddel.core.fnr import make_fnr
from hjelpemiddel.lending import services as lending
from hjelpemiddel.nav import services as nav
from hjelpemiddel.stock import services as stock
from integrations.nav.fake_server import DEFAULT_TOKEN

from ..support import decoded_codes, serving
from .conftest import DEFAULT_TIMEOUT_MS, PASSWORD, login

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
BED, BED_HMS_NR, BED_ISO, BED_SERIAL = "Seng Opus 90EW", "291003", "18121501", "687273"
STRAY_SERIAL = "999999"
RECEIVING = "MOTTAK"
CITIZEN = "Astrid Olsen"
LAGER, THERAPIST = "nav-lager", "nav-terapeut"


@dataclass(frozen=True)
class NavDepot:
    app: object
    url: str
    fnr: str
    citizen_id: int
    need_id: int


def _fnr() -> str:
    """Born 12.06.1941; not any other browser test's birth date."""
    return next(fnr for fnr in (make_fnr("120641", f"{n:03d}") for n in range(300, 500)) if fnr)


@pytest.fixture(scope="module")
def nav_depot(browser, fake_nav_server):
    """A live server wired to the fake NAV, with a depot, a lager user, a therapist, Astrid and her
    long-term need for the bed, already sent to NAV — committed, so the server reads it."""
    keys = {"FNR_ENCRYPTION_KEYS": Fernet.generate_key().decode(), "FNR_HASH_KEY": "e2e-nav-hash-key"}
    with serving("browser_nav", NAV_BASE_URL=fake_nav_server.base, NAV_TOKEN=DEFAULT_TOKEN, NAV_RETRIES=1,
                 **keys) as (app, url):
        with app.app_context():
            session = get_session()
            create_user(session, LAGER, "lager", PASSWORD, "NAV Lager")
            therapist = create_user(session, THERAPIST, "terapeut", PASSWORD, "NAV Terapeut")
            stock.create_location(session, "HL", "depot", "Hjelpemiddellageret", x=0, y=0)
            stock.create_location(session, RECEIVING, "zone", "Varemottak", parent_code="HL", x=0, y=0)
            stock.create_location(session, "B", "zone", "Sone B", parent_code="HL", x=2, y=0)
            bed = create_product(session, hms_nr=BED_HMS_NR, name=BED, iso_class=BED_ISO, supplier="Invacare",
                                 individually_tracked=True, inspection_interval_days=365)
            fnr = _fnr()
            citizen = register_citizen(session, app.extensions["fnr_vault"], therapist.id, fnr, CITIZEN,
                                       "Fosnagata 12", "6509", "1505", city="Kristiansund N", phone="71 55 00 00")
            need = lending.register_need(session, therapist.id, "terapeut", citizen.id,
                                         date.today() + timedelta(days=21), "normal", "long_term",
                                         product_id=bed.id, notes="Trenger seng med høy/lav-funksjon")
            lending.decide_need(session, therapist.id, "terapeut", need.id, "send_to_nav")
            session.commit()
            yield NavDepot(app=app, url=url, fnr=fnr, citizen_id=citizen.id, need_id=need.id)


@pytest.fixture
def depot_page(browser, nav_depot):
    context = browser.new_context(base_url=nav_depot.url, locale="nb-NO", viewport=DESKTOP)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


# --- what the database says -------------------------------------------------------------------------

def device_now(nav_depot: NavDepot, barcode: str) -> dict:
    with nav_depot.app.app_context():
        device = stock.get_device(get_session(), barcode)
        return dict(state=device.state, owner=device.owner, hms_nr=device.nav_hms_nr, serial=device.nav_serial,
                    location=device.location.code if device.location else None)


def need_now(nav_depot: NavDepot) -> tuple[str, str]:
    with nav_depot.app.app_context():
        need = lending.get_need(get_session(), nav_depot.need_id)
        return need.status, need.nav_status


def arrivals_now(nav_depot: NavDepot, status: str) -> list[tuple[str, str, str]]:
    with nav_depot.app.app_context():
        return [(a.hms_nr, a.serial, a.resolution) for a in nav.list_arrivals(get_session(), status=status)]


def count_nav_devices(nav_depot: NavDepot) -> int:
    with nav_depot.app.app_context():
        return sum(d.owner == "nav" for d in stock.list_devices(get_session(), limit=10_000))


# --- what the depot does ----------------------------------------------------------------------------

def press(page, scope, button: str):
    """Click a form's button; the answer to its POST (before any redirect), once the new page is in."""
    with page.expect_navigation(), page.expect_response(lambda r: r.request.method == "POST") as posted:
        scope.get_by_role("button", name=button).click()
    return posted.value


def receive(page, hms_nr: str, serial: str, location: str = RECEIVING):
    form = page.get_by_test_id("receive-form")
    form.get_by_label("HMS-nr").fill(hms_nr)
    form.get_by_label("Serienummer").fill(serial)
    form.get_by_label("Sett på").fill(location)
    return press(page, form, "Motta og skriv ut etikett")


# --- the scenario -----------------------------------------------------------------------------------

def test_the_depot_sees_the_nav_bed_coming_receives_it_by_typing_hmsnr_and_serial_and_gets_its_label_at_once(
        depot_page, nav_depot, fake_nav_server, tmp_path):
    page = depot_page
    assert need_now(nav_depot) == ("sent_to_nav", "sent")

    # NAV approves Astrid's bed and books it for shipping to the municipality's depot.
    fake_nav_server.control("/reset")
    approved = fake_nav_server.approve(nav_depot.fnr, BED_HMS_NR, BED, category_num=BED_ISO, serienr=BED_SERIAL)
    line = approved["ordrelinje"]
    row_id = f"line-{line['OrdreNumber']}-{line['LineNumber']}"

    # The depot asks NAV now rather than waiting for the schedule: the bed is on its way, for «Astrid O.».
    login(page, LAGER, next_path="/lager/nav")
    assert page.url.endswith("/lager/nav")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hjelpemidler fra NAV")
    upcoming = page.get_by_test_id("upcoming")
    expect(upcoming).to_contain_text("Ingen leveranser ventes fra NAV.")
    assert press(page, page.get_by_test_id("sync"), "Hent fra NAV nå").status == 302
    expect(page.get_by_test_id("message")).to_have_text(
        "Hentet fra NAV: 1 nye og 0 endrede ordrelinjer (0 uendret), 1 koblet til behov.")
    expect(upcoming.get_by_role("heading")).to_have_text("Kommende leveranser fra NAV (1)")
    bed_row = upcoming.get_by_test_id(row_id)
    for cell in (BED, BED_HMS_NR, BED_SERIAL, "Astrid O. – koblet til behovet"):
        expect(bed_row).to_contain_text(cell)
    assert "Olsen" not in upcoming.inner_text() and nav_depot.fnr not in page.content()
    assert need_now(nav_depot) == ("sent_to_nav", "delivery_expected")

    # The bed is unpacked at the receiving point: HMS-nr and serial typed, «Motta og skriv ut etikett».
    assert receive(page, BED_HMS_NR, BED_SERIAL).status == 302
    match = re.search(r"/hjelpemidler/(HJM\d{8})\?etikett=1$", page.url)
    assert match, page.url
    barcode = match.group(1)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{BED} {barcode}")
    facts = page.locator("dl.facts")
    expect(facts.locator("dt:has-text('Status') + dd")).to_have_text("Reservert")
    expect(facts.locator("dt:has-text('Eier') + dd")).to_have_text("NAV")
    expect(facts.locator("dt:has-text('HMS-nr / NAV-serienr') + dd")).to_have_text(f"{BED_HMS_NR} / {BED_SERIAL}")
    expect(facts.locator("dt:has-text('Lokasjon') + dd")).to_contain_text(RECEIVING)
    frame = page.locator("iframe#label-frame")
    expect(frame).to_be_visible()
    label_url = frame.get_attribute("src")
    assert label_url == f"/api/v1/devices/{barcode}/label.pdf"
    label = page.request.get(label_url)  # with the page's own login
    assert label.status == 200 and label.headers["content-type"] == "application/pdf", (label.status, label.headers)
    assert decoded_codes(label.body(), tmp_path) == [barcode]
    assert device_now(nav_depot, barcode) == dict(state="reserved", owner="nav", hms_nr=BED_HMS_NR,
                                                  serial=BED_SERIAL, location=RECEIVING)
    assert need_now(nav_depot) == ("reserved", "received")

    # Nothing more is expected from NAV.
    page.goto("/lager/nav")
    expect(upcoming).to_contain_text("Ingen leveranser ventes fra NAV.")
    expect(upcoming).to_contain_text("Mottatt 1")

    # A second bed nobody here ordered: it goes on the list of unmatched arrivals …
    assert receive(page, BED_HMS_NR, STRAY_SERIAL).status == 302
    assert page.url.split("?")[0].endswith("/lager/nav")
    expect(page.get_by_test_id("message")).to_have_text(
        "Fant ingen ventet ordrelinje fra NAV; hjelpemiddelet er lagt på listen over umatchede mottak.")
    arrivals = page.get_by_test_id("arrivals")
    expect(arrivals.get_by_role("heading")).to_have_text("Mottak uten ordrelinje (1)")
    stray = arrivals.locator("tbody tr")
    expect(stray).to_have_count(1)
    expect(stray).to_contain_text(BED_HMS_NR)
    expect(stray).to_contain_text(STRAY_SERIAL)
    assert count_nav_devices(nav_depot) == 1

    # … and is settled by hand: sent back, no order line.
    stray.get_by_label("Ordrelinje").select_option(label="Ingen ordrelinje (bare lukk)")
    stray.get_by_label("Hva ble gjort").fill("Feilsendt, returneres til NAV")
    assert press(page, stray, "Avklar").status == 302
    expect(page.get_by_test_id("message")).to_have_text("Mottaket er avklart.")
    expect(arrivals.get_by_role("heading")).to_have_text("Mottak uten ordrelinje (0)")
    expect(arrivals).to_contain_text("Alt som er mottatt er avklart.")
    assert arrivals_now(nav_depot, "open") == []
    assert arrivals_now(nav_depot, "resolved") == [(BED_HMS_NR, STRAY_SERIAL, "Feilsendt, returneres til NAV")]

    # A mistyped HMS-nr: the field named, what was typed kept, nothing registered — 422, not 500.
    response = receive(page, "12345", "123456")
    assert response.status == 422
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("HMS-nr")
    expect(alert).to_contain_text("HMS-nr må være nøyaktig 6 siffer.")
    form = page.get_by_test_id("receive-form")
    expect(form.get_by_label("HMS-nr")).to_have_value("12345")
    expect(form.get_by_label("Serienummer")).to_have_value("123456")
    expect(form.get_by_label("Sett på")).to_have_value(RECEIVING)
    assert count_nav_devices(nav_depot) == 1
    assert arrivals_now(nav_depot, "open") == []
