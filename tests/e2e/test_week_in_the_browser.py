"""A week at the depot (SCENARIOS.md 1–4) walked through the pages only, in one continuous test:
the therapist (Tone), the depot (Lise) and the driver/technician (Sindre, on a 390×844 phone) each
in their own browser context, against one app wired to the fake NAV over HTTP.

Nothing is done behind the pages but what no page is for: the depot's starting stock and users,
NAV's own side (its clock decides and ships), and the screenshots. Each step saves a full-page
screenshot to ``$ARTIFACTS_DIR`` (default ``test-artifacts/week/``), numbered in order.

1. Friday discharge: Astrid is registered, her needs in one basket (a discharge with date and
   time), the bed to NAV; the depot approves; plans the day; picks by scan (a shelf label refused,
   a shower chair swapped); the driver departs with the odometer and delivers («Levert», received
   by her daughter).
2. The NAV bed: the sync sends the application, NAV decides and ships, the depot receives it by
   HMS-nr and serial; one visit delivers it and collects the short-term bed, which is received,
   washed and inspected.
3. A wheel breaks: Ole's NAV wheelchair, registered from NAV's loan list; a repair at home with two
   tyres ordered from NAV on the service page; the parts come, the visit, «Reparert».
4. Return, clean, inspect, lend again: the rollator is collected, received, washed, inspected and
   put away by scanning a bin at the scan station; it goes to the need waiting in the queue.
"""
from __future__ import annotations

import os
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from playwright.sync_api import expect

from hjelpemiddel.catalog.services import create_product
from hjelpemiddel.core.auth import create_user
from hjelpemiddel.core.db import get_session
from hjelpemiddel.core.fnr import make_fnr
from hjelpemiddel.logistics.models import DeliveryRun
from hjelpemiddel.stock import services as stock
from integrations.nav.fake_server import DEFAULT_TOKEN

from ..support import serving
from .conftest import DEFAULT_TIMEOUT_MS, PASSWORD, login
from .depot_helpers import DESKTOP, PHONE

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
TODAY = date.today()
DAY_1, DAY_2, DAY_3, DAY_4 = (TODAY + timedelta(days=n) for n in (29, 30, 31, 32))
BARCODE = re.compile(r"HJM\d{8}")


def fnr(birth6: str) -> str:
    return next(f for n in range(500, 999) if (f := make_fnr(birth6, f"{n:03d}")))


def ddmmyyyy(day: date) -> str:
    return day.strftime("%d.%m.%Y")


class Walk:
    """The three people's pages, the screenshots, and what the database says when a step needs it."""

    def __init__(self, app, browser, url: str, nav, folder: Path) -> None:
        self.app, self.nav, self.folder, self.step = app, nav, folder, 0
        self.pages = {}
        for who, username, size in (("tone", "tone", DESKTOP), ("lise", "lise", DESKTOP), ("sindre", "sindre", PHONE)):
            context = browser.new_context(base_url=url, locale="nb-NO", **size)
            context.set_default_timeout(DEFAULT_TIMEOUT_MS * 2)
            page = context.new_page()
            login(page, username)
            self.pages[who] = page

    def shot(self, who: str, what: str) -> None:
        self.step += 1
        self.pages[who].screenshot(path=self.folder / f"{self.step:02d}-{who}-{what}.png", full_page=True)

    def submit(self, who: str, button) -> int:
        """Click a form's button; the status of its POST, once the next page is in."""
        page = self.pages[who]
        with page.expect_response(lambda r: r.request.method == "POST") as posted:
            button.click()
        page.wait_for_load_state()
        return posted.value.status

    def flash(self, who: str):
        return self.pages[who].locator(".flash").first

    def run_on(self, day: date) -> int:
        with self.app.app_context():
            return get_session().query(DeliveryRun.id).filter(DeliveryRun.run_date == day).scalar()

    def device(self, barcode: str):
        with self.app.app_context():
            unit = stock.get_device(get_session(), barcode)
            return unit.state, (unit.location.code if unit.location else None)

    def close(self) -> None:
        for page in self.pages.values():
            page.context.close()


@pytest.fixture(scope="module")
def walk(browser, fake_nav_server):
    folder = Path(os.environ.get("ARTIFACTS_DIR", ROOT / "test-artifacts")) / "week"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    fake_nav_server.control("/reset")
    keys = {"FNR_ENCRYPTION_KEYS": Fernet.generate_key().decode(), "FNR_HASH_KEY": "e2e-week-hash-key"}
    with serving("browser_week", NAV_BASE_URL=fake_nav_server.base, NAV_TOKEN=DEFAULT_TOKEN, NAV_RETRIES=1,
                 RECEIVING_LOCATION="MOTTAK", **keys) as (app, url):
        units = {}
        with app.app_context():
            session = get_session()
            for username, role, name in (("tone", "terapeut", "Tone Ergoterapeut"), ("lise", "lager", "Lise Lager"),
                                         ("sindre", "sjafor", "Sindre Sjåfør")):
                create_user(session, username, role, PASSWORD, name)
            stock.create_location(session, "HML", "depot", "Hjelpemiddellageret", x=0, y=0)
            stock.create_location(session, "MOTTAK", "zone", "Mottak", parent_code="HML", x=0, y=1)
            stock.create_location(session, "BIL1", "van", "Varebil 1", parent_code="HML")
            stock.create_location(session, "A", "zone", "Sone A", parent_code="HML", x=1, y=0)
            stock.create_location(session, "A-01", "rack", "Reol A-01", parent_code="A", x=1, y=0)
            for number in (1, 2, 3):
                stock.create_location(session, f"A-01-{number}", "bin", f"Hylle {number}", parent_code="A-01",
                                      x=1, y=number / 2)
            stock.create_location(session, "B", "zone", "Sone B", parent_code="HML", x=2, y=0)
            stock.create_location(session, "B-01", "rack", "Reol B-01", parent_code="B", x=2, y=0)
            stock.create_location(session, "B-01-1", "bin", "Sengeplass 1", parent_code="B-01", x=2, y=0.5)
            products = {
                "rollator": create_product(session, hms_nr="214372", name="Rollator Topro Olympos M",
                                           iso_class="120606", supplier="Topro"),
                "toalett": create_product(session, name="Toalettforhøyer Etac Hi-Loo", iso_class="091212",
                                          supplier="Etac"),
                "dusjstol": create_product(session, name="Dusjstol Etac Swift", iso_class="093303", supplier="Etac"),
                "seng": create_product(session, name="Elektrisk seng Invacare Medley Ergo", iso_class="181210",
                                       supplier="Invacare", inspection_interval_days=365),
                "nav_seng": create_product(session, hms_nr="291003", name="Seng Opus 90EW", iso_class="18121501",
                                           supplier="NAV"),
            }
            for name, product, shelf in (("R1", "rollator", "A-01-1"), ("T1", "toalett", "A-01-3"),
                                         ("S1", "dusjstol", "A-01-2"), ("S2", "dusjstol", "A-01-2"),
                                         ("B1", "seng", "B-01-1")):
                units[name] = stock.register_device(session, None, products[product].id, location_code=shelf,
                                                    serial_number=f"{name}-2026").barcode
            session.commit()
        walk = Walk(app, browser, url, fake_nav_server, folder)
        walk.units = units
        try:
            yield walk
        finally:
            walk.close()


# --- the people's steps -----------------------------------------------------------------------------

def register_citizen(walk: Walk, name: str, birth6: str, street: str) -> None:
    tone = walk.pages["tone"]
    tone.goto("/terapeut")
    tone.get_by_role("link", name="Registrer ny innbygger").click()
    form = tone.get_by_test_id("citizen-form")
    form.get_by_label("Fødselsnummer").fill(fnr(birth6))
    form.get_by_label("Navn").fill(name)
    form.get_by_label("Adresse", exact=True).fill(street)
    form.get_by_label("Postnummer").fill("6509")
    form.get_by_label("Poststed").fill("Kristiansund N")
    form.get_by_label("Kommunenummer").fill("1505")
    form.get_by_label("Telefon", exact=True).fill("99 88 77 66")
    form.get_by_label("Adkomst for sjåfør").fill("Nøkkelboks 1234")
    form.get_by_label("Kontaktperson", exact=True).fill("Liv (datter)")
    assert walk.submit("tone", form.get_by_role("button", name="Registrer")) == 302
    expect(tone.get_by_role("heading", level=1)).to_contain_text(name)


def open_citizen(walk: Walk, name: str) -> None:
    tone = walk.pages["tone"]
    tone.goto("/terapeut")
    tone.get_by_role("searchbox", name="Søk etter innbygger").fill(name.split()[0])
    tone.get_by_test_id("citizen-search").get_by_role("button", name="Søk").click()
    tone.get_by_test_id("citizen-results").get_by_role("link", name=name).click()
    expect(tone.get_by_role("heading", level=1)).to_contain_text(name)


def basket(walk: Walk, products: list[str], *, urgency: str, needed_by: date, long_term: bool = False,
           discharge: date | None = None) -> None:
    """The citizen page's need form with one row per product, chosen with the type-ahead."""
    tone = walk.pages["tone"]
    form = tone.get_by_test_id("need-form")
    for row, product in enumerate(products):
        if row:
            form.get_by_role("button", name="Legg til produkt").click()
        field = tone.get_by_test_id(f"basket-row-{row}").get_by_role("combobox", name=f"Produkt {row + 1}")
        field.click()
        field.press_sequentially(" ".join(product.split()[:2]), delay=15)
        option = tone.get_by_role("option", name=re.compile("^" + re.escape(product)))
        expect(option).to_be_visible()
        option.click()
        expect(field).to_have_value(product)
    form.get_by_label("Hastegrad").select_option(label=urgency)
    if discharge:
        form.get_by_label("Utskrivningsdato").fill(ddmmyyyy(discharge))
        form.get_by_label("Klokkeslett for utskrivning").fill("12:00")
    form.get_by_label("Trengs innen").fill(ddmmyyyy(needed_by))
    form.get_by_label("Søknad").select_option(value="long_term" if long_term else "short_term")
    form.get_by_label("Meldt av").fill("sykepleier på ortopedisk")
    assert walk.submit("tone", form.get_by_role("button", name="Registrer behov")) == 302
    expect(tone.get_by_test_id("flash")).to_contain_text(f"Registrert {len(products)} behov")


def approve_all(walk: Walk) -> None:
    lise = walk.pages["lise"]
    lise.goto("/lager/utlan")
    rows = lise.get_by_test_id("undecided").locator("tr[data-testid^='undecided-']")
    for _ in range(rows.count()):
        assert walk.submit("lise", rows.first.get_by_role("button", name="Innvilg")) == 302


def plan_day(walk: Walk, day: date) -> int:
    lise = walk.pages["lise"]
    lise.goto(f"/lager/runder?dato={day.isoformat()}")
    plan = lise.get_by_test_id("plan-form")
    plan.get_by_label("Sjåfør").first.select_option(label="Sindre Sjåfør")
    plan.get_by_label("Bil").first.select_option(value="BIL1")
    assert walk.submit("lise", plan.get_by_role("button", name=f"Planlegg {day:%d.%m.%Y}")) == 302
    return walk.run_on(day)


def pick(walk: Walk, run_id: int, code: str):
    lise = walk.pages["lise"]
    field = lise.get_by_test_id("pick-input")
    with lise.expect_response(lambda r: r.request.method == "POST" and "/pick" in r.url) as answer:
        field.fill(code)
        field.press("Enter")
    return answer.value


def pick_all(walk: Walk, run_id: int) -> list[str]:
    lise = walk.pages["lise"]
    lise.goto(f"/runder/{run_id}/plukk")
    planned = lise.locator("tr[data-barcode]").evaluate_all("rows => rows.map(r => r.dataset.barcode)")
    for barcode in planned:
        assert pick(walk, run_id, barcode).status == 200
    expect(lise.get_by_test_id("pick-status")).to_contain_text("Alt er plukket")
    return planned


def drive(walk: Walk, run_id: int, odometer: int) -> None:
    sindre = walk.pages["sindre"]
    sindre.goto("/sjafor")
    sindre.get_by_test_id(f"run-link-{run_id}").click()
    start = sindre.get_by_test_id("start-form")
    start.get_by_label("Kilometerstand ved start").fill(str(odometer))
    assert walk.submit("sindre", start.get_by_role("button", name="Kjør ut")) == 302


def stop_card(walk: Walk, citizen: str):
    return walk.pages["sindre"].locator("section.stop", has_text=citizen)


def finish(walk: Walk, odometer: int) -> None:
    form = walk.pages["sindre"].get_by_test_id("finish-form")
    form.get_by_label("Kilometerstand ved retur").fill(str(odometer))
    assert walk.submit("sindre", form.get_by_role("button", name="Avslutt runden")) == 302


def receive_wash_inspect(walk: Walk, barcode: str, shelf: str) -> None:
    lise = walk.pages["lise"]
    lise.goto("/lager/utlan")
    form = lise.locator("form", has=lise.get_by_role("heading", name="Ta imot retur"))
    form.get_by_label("Skann hjelpemiddelet").fill(barcode)
    assert walk.submit("lise", form.get_by_role("button", name="Motta")) == 302
    expect(walk.flash("lise")).to_contain_text(f"{barcode} er mottatt")
    row = lise.get_by_test_id("maintenance").locator("tr", has_text=barcode)
    row.get_by_label("Vaskemetode").select_option(index=0)
    assert walk.submit("lise", row.get_by_role("button", name="Vasket")) == 302
    expect(walk.flash("lise")).to_contain_text("vasket og venter på kontroll")
    row = lise.get_by_test_id("maintenance").locator("tr", has_text=barcode)
    with lise.expect_navigation():
        row.get_by_role("link", name="Kontroller").click()
    lise.get_by_role("button", name="Alle punkter OK").click()
    lise.get_by_label("Sett på plass").fill(shelf)
    assert walk.submit("lise", lise.get_by_role("button", name="Lagre kontroll")) == 302
    expect(walk.flash("lise")).to_contain_text("kontroll godkjent")


def sync(walk: Walk) -> None:
    lise = walk.pages["lise"]
    lise.goto("/lager/nav")
    assert walk.submit("lise", lise.get_by_test_id("sync-button")) == 302


# --- the week ---------------------------------------------------------------------------------------

def test_a_week_at_the_depot_walked_through_the_pages(walk):
    tone, lise, sindre = walk.pages["tone"], walk.pages["lise"], walk.pages["sindre"]
    units = walk.units

    # 1. Friday discharge. Tone registers Astrid and what she needs, in one basket.
    register_citizen(walk, "Astrid Olsen", "150342", "Storgata 1")
    walk.shot("tone", "astrid-registrert")
    basket(walk, ["Rollator Topro Olympos M", "Toalettforhøyer Etac Hi-Loo", "Dusjstol Etac Swift",
                  "Elektrisk seng Invacare Medley Ergo"], urgency="Utskrivning fra sykehus", needed_by=DAY_1,
           discharge=DAY_1)
    basket(walk, ["Seng Opus 90EW"], urgency="Normal", needed_by=DAY_1 + timedelta(days=14), long_term=True)
    nav_row = tone.get_by_test_id("needs").locator("tr", has_text="Seng Opus 90EW")
    assert walk.submit("tone", nav_row.get_by_role("button", name="Send til NAV")) == 302
    expect(tone.get_by_test_id("needs").locator("tr", has_text="Seng Opus 90EW")).to_contain_text("NAV")
    walk.shot("tone", "behov-registrert")

    # Lise approves the short-term needs: free units are reserved at once.
    approve_all(walk)
    expect(lise.get_by_test_id("ready")).to_contain_text("Astrid")
    walk.shot("lise", "behov-godkjent")

    # She plans the day, opens the pick list and picks by scanning.
    run_1 = plan_day(walk, DAY_1)
    expect(lise.get_by_test_id(f"run-{run_1}")).to_contain_text("Astrid Olsen")
    walk.shot("lise", "runde-planlagt")
    lise.goto(f"/runder/{run_1}/plukk")
    planned = lise.locator("tr[data-barcode]").evaluate_all("rows => rows.map(r => r.dataset.barcode)")
    assert sorted(planned) == sorted([units["R1"], units["T1"], units["S1"], units["B1"]])
    # A shelf's label is not a unit; the other shower chair is taken instead of the planned one.
    with lise.expect_response(lambda r: r.request.method == "POST") as refused:
        field = lise.get_by_test_id("pick-input")
        field.fill("A-01-2")
        field.press("Enter")
    assert refused.value.status in (404, 409, 422)
    expect(lise.get_by_test_id("pick-status")).to_contain_text("A-01-2")
    assert pick(walk, run_1, units["S2"]).status == 200
    expect(lise.get_by_test_id("pick-status")).to_contain_text(units["S2"])
    for barcode in (units["R1"], units["T1"], units["B1"]):
        assert pick(walk, run_1, barcode).status == 200
    expect(lise.get_by_test_id("pick-status")).to_contain_text("Alt er plukket")
    walk.shot("lise", "plukket")

    # Sindre drives: the odometer, the stop with its map link, «Levert» to the daughter.
    drive(walk, run_1, 12000)
    card = stop_card(walk, "Astrid Olsen")
    expect(card.get_by_role("link", name=re.compile("Åpne i kart"))).to_be_visible()
    walk.shot("sindre", "runde-startet")
    card.get_by_label("Mottatt av (navn)").first.fill("Liv (datter)")
    assert walk.submit("sindre", card.get_by_role("button", name="Levert", exact=True).first) == 302
    expect(stop_card(walk, "Astrid Olsen")).to_contain_text("mottatt av Liv (datter)")
    finish(walk, 12031)
    walk.shot("sindre", "runde-avsluttet")
    assert walk.device(units["S2"])[0] == "on_loan" and walk.device(units["S1"])[0] == "available"

    # 2. The NAV bed. The sync sends the application; NAV decides, then ships.
    sync(walk)
    walk.nav.control("/clock", advance_minutes=3)
    sync(walk)
    walk.nav.control("/clock", advance_minutes=60)
    sync(walk)
    upcoming = lise.get_by_test_id("upcoming")
    expect(upcoming).to_contain_text("291003")
    walk.shot("lise", "nav-leveranse-ventet")
    serial = re.search(r"\b(\d{6})\b", upcoming.locator("tbody tr").first.inner_text().replace("291003", ""))
    assert serial, upcoming.inner_text()
    form = lise.get_by_test_id("receive-form")
    form.get_by_label("HMS-nr").fill("291003")
    form.get_by_label("Serienummer").fill(serial.group(1))
    form.get_by_label("Sett på").fill("MOTTAK")
    assert walk.submit("lise", form.get_by_role("button", name="Motta og skriv ut etikett")) == 302
    # Matched to Astrid's need: the unit's page opens with its label to print.
    nav_bed = BARCODE.search(lise.url).group(0)
    expect(lise.get_by_role("heading", level=1)).to_contain_text(nav_bed)
    expect(lise.locator("iframe#label-frame")).to_be_visible()
    assert walk.device(nav_bed) == ("reserved", "MOTTAK")
    walk.shot("lise", "nav-seng-mottatt")

    # Tone asks for the short-term bed back; one visit delivers the NAV bed and collects it.
    open_citizen(walk, "Astrid Olsen")
    loan = tone.locator("tr[data-testid^='loan-']", has_text=units["B1"])
    loan.locator("summary").click()
    assert walk.submit("tone", loan.get_by_role("button", name="Bestill retur")) == 302
    walk.shot("tone", "retur-bestilt")
    run_2 = plan_day(walk, DAY_2)
    assert pick_all(walk, run_2) == [nav_bed]
    drive(walk, run_2, 12031)
    card = stop_card(walk, "Astrid Olsen")
    expect(card).to_contain_text("Levering og henting")
    card.get_by_label("Mottatt av (navn)").first.fill("Astrid")
    assert walk.submit("sindre", card.get_by_role("button", name="Levert", exact=True).first) == 302
    assert walk.submit("sindre", stop_card(walk, "Astrid Olsen").get_by_role("button", name="Hentet",
                                                                             exact=True).first) == 302
    walk.shot("sindre", "bytte-utfort")
    finish(walk, 12050)
    assert walk.device(units["B1"]) == ("returned", "BIL1")
    receive_wash_inspect(walk, units["B1"], "B-01-1")
    walk.shot("lise", "seng-klar-igjen")
    assert walk.device(units["B1"]) == ("available", "B-01-1")

    # 3. A wheel breaks: Ole's NAV wheelchair, registered from NAV's list of his loans.
    register_citizen(walk, "Ole Johansen", "030331", "Fosnagata 20")
    walk.nav.control("/loans", fnr=fnr("030331"), loans=[{
        "artikkelNr": "236958", "artikkelBeskrivelse": "Panthera U3 Light rullestol", "serieNr": "512345",
        "kategoriNummer": "12220301", "kategori": "Manuelle rullestoler", "datoUtsendelse": "2025-05-10 10:00:00"}])
    lise.goto("/lager/nav")
    imports = lise.get_by_test_id("import-loans")
    imports.get_by_label("Finn innbygger (navn eller adresse)").fill("Ole")
    with lise.expect_navigation():
        imports.get_by_role("button", name="Søk").click()
    who = lise.get_by_test_id("import-loans").get_by_role("combobox", name=re.compile("^Innbygger"))
    who.select_option(who.locator("option", has_text="Ole Johansen").get_attribute("value"))
    assert walk.submit("lise", lise.get_by_test_id("import-loans").get_by_role(
        "button", name="Hent fra NAV og registrer")) == 302
    # Registered as NAV's, on loan to Ole: the labels page opens with its label, for the next visit.
    chair = BARCODE.search(lise.url).group(0)
    expect(lise.get_by_role("heading", level=1)).to_contain_text("etiketter")
    assert walk.device(chair) == ("on_loan", None)
    walk.shot("lise", "nav-rullestol-registrert")

    # Sindre opens the chair's service page: a repair at home, two tyres ordered from NAV.
    sindre.goto(f"/service/{chair}")
    repair = sindre.locator("form", has=sindre.get_by_role("button", name="Ny reparasjon"))
    repair.get_by_label("Hva er galt").fill("Slitt dekk bak")
    repair.get_by_label("Hvor").select_option("home")
    assert walk.submit("sindre", repair.get_by_role("button", name="Ny reparasjon")) == 302
    order = sindre.get_by_test_id("part-order-form")
    order.get_by_label("HMS-nr").first.fill("150817")
    order.get_by_label("Navn").first.fill('Dekk 24"')
    order.get_by_label("Kategori").first.fill("Dekk")
    order.get_by_label("Antall").first.fill("2")
    assert walk.submit("sindre", order.get_by_role("button", name="Bestill deler")) == 302
    walk.shot("sindre", "deler-bestilt")

    # A day later NAV has shipped; the sync matches the parts and the visit goes on the parts' day.
    walk.nav.control("/clock", advance_minutes=25 * 60)
    sync(walk)
    run_3 = plan_day(walk, DAY_3)
    expect(lise.get_by_test_id(f"run-{run_3}")).to_contain_text("Ole Johansen")
    drive(walk, run_3, 12050)
    assert walk.submit("sindre", stop_card(walk, "Ole Johansen").get_by_role("button", name="Reparert",
                                                                             exact=True).first) == 302
    finish(walk, 12064)
    walk.shot("sindre", "reparert")

    # 4. Return, clean, inspect, lend again. Kari waits for a rollator; Astrid's goes back.
    register_citizen(walk, "Kari Nilsen", "240551", "Langveien 12")
    basket(walk, ["Rollator Topro Olympos M"], urgency="Haster", needed_by=DAY_4 + timedelta(days=3))
    approve_all(walk)
    expect(lise.get_by_test_id("queue")).to_contain_text("Kari")
    open_citizen(walk, "Astrid Olsen")
    loan = tone.locator("tr[data-testid^='loan-']", has_text=units["R1"])
    loan.locator("summary").click()
    assert walk.submit("tone", loan.get_by_role("button", name="Bestill retur")) == 302
    run_4 = plan_day(walk, DAY_4)
    drive(walk, run_4, 12064)
    assert walk.submit("sindre", stop_card(walk, "Astrid Olsen").get_by_role("button", name="Hentet",
                                                                             exact=True).first) == 302
    finish(walk, 12080)
    # Received and washed; inspected with everything OK it is put away by scanning a bin.
    receive_wash_inspect(walk, units["R1"], "A-01-1")
    walk.shot("lise", "rollator-kontrollert")
    lise.goto("/lager/utlan")
    expect(lise.get_by_test_id("ready").locator("tr", has_text=units["R1"])).to_contain_text("Kari")
    walk.shot("lise", "rollator-reservert-for-kari")
    assert walk.device(units["R1"])[0] == "reserved"
    assert len(list(walk.folder.glob("*.png"))) == walk.step
