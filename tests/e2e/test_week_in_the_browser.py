"""A week at the depot (SCENARIOS.md 1–4) walked through the pages only, in one Chromium: the
therapist (tone), the depot (lise) and the driver/technician on a phone (sindre, 390×844), each in a
browser context of their own. What people do is clicking, typing and scanning (a keyboard-wedge
scanner types the code and Enter). Outside the pages: the starting depot (users, places, products,
units on the shelves), NAV's own side (the fake NAV deciding and shipping, its clock), nothing else.

Every step saves a full-page screenshot, numbered, in ARTIFACTS_DIR (default test-artifacts/week/),
and checks what the person sees, in bokmål.
"""
from __future__ import annotations

import itertools
import os
import re
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from hjelpemiddel.catalog.services import create_product
from hjelpemiddel.core.auth import create_user
from hjelpemiddel.core.db import get_session
from hjelpemiddel.core.fnr import make_fnr
from hjelpemiddel.core.text import local_today
from hjelpemiddel.stock import services as stock
from integrations.nav.fake_server import DEFAULT_TOKEN, FakeClock, create_fake_nav

from ..conftest import TEST_FNR_KEYS, FakeNav
from ..support import serve_wsgi, serving
from .conftest import DEFAULT_TIMEOUT_MS, PASSWORD, login
from .depot_helpers import DESKTOP, PHONE, assert_plain_bokmal, submit

pytestmark = pytest.mark.browser

TODAY = local_today()
DISCHARGE_DAY, EXCHANGE_DAY, PICKUP_DAY = (TODAY + timedelta(days=n) for n in (29, 30, 31))
ARTIFACTS = Path(os.environ.get("ARTIFACTS_DIR") or Path(__file__).resolve().parents[2] / "test-artifacts" / "week")
WAITS_FOR_WASH = "Den venter på vask og kontroll før den kan lånes ut igjen."

PRODUCTS = {
    "rollator": dict(hms_nr="214372", name="Rollator Topro Olympos M", iso_class="120606", supplier="Topro"),
    "toalettforhoyer": dict(name="Toalettforhøyer Etac Hi-Loo", iso_class="091212", supplier="Etac"),
    "dusjstol": dict(name="Dusjstol Etac Swift", iso_class="093303", supplier="Etac"),
    "seng": dict(name="Elektrisk seng Invacare Medley Ergo", iso_class="181210", supplier="Invacare",
                 inspection_interval_days=365),
    "nav_seng": dict(hms_nr="291003", name="Seng Opus 90EW", iso_class="18121501", supplier="NAV"),
}
# The shelves: name -> (product, bin). R2 is the rollator held for Per at the counter.
UNITS = {"R1": ("rollator", "A-01-1"), "R2": ("rollator", "A-01-1"), "T1": ("toalettforhoyer", "A-01-3"),
         "S1": ("dusjstol", "A-01-2"), "S2": ("dusjstol", "A-01-2"), "B1": ("seng", "B-01-1")}


def fnr(birth6: str) -> str:
    return next(f for n in range(100, 999) if (f := make_fnr(birth6, f"{n:03d}")))


def ddmmyyyy(day: date) -> str:
    return day.strftime("%d.%m.%Y")


class Steps:
    """Numbered full-page screenshots, one per step."""

    def __init__(self, folder: Path):
        self.folder, self.numbers = folder, itertools.count(1)
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.png"):
            old.unlink()

    def __call__(self, page, name: str) -> None:
        page.screenshot(path=str(self.folder / f"{next(self.numbers):02d}-{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def week(browser):
    nav_app = create_fake_nav(seed=1, clock=FakeClock(datetime.combine(TODAY, time(8, 0))), seed_data=False)
    with serve_wsgi(nav_app, name="walk-fake-nav") as nav_base:
        nav = FakeNav(nav_base, nav_app)
        with serving("week_in_the_browser", NAV_BASE_URL=nav_base, NAV_TOKEN=DEFAULT_TOKEN, NAV_RETRIES=1,
                     **TEST_FNR_KEYS) as (app, base):
            units = {}
            with app.app_context():
                session = get_session()
                for name, role, full_name in (("tone", "terapeut", "Tone Ergoterapeut"),
                                              ("lise", "lager", "Lise Lager"), ("sindre", "sjafor", "Sindre Sjåfør")):
                    create_user(session, name, role, PASSWORD, full_name)
                stock.create_location(session, "HML", "depot", "Hjelpemiddellageret", x=0, y=0)
                stock.create_location(session, "MOTTAK", "zone", "Mottak", parent_code="HML", x=0, y=1)
                stock.create_location(session, "BIL1", "van", "Varebil 1", parent_code="HML")
                stock.create_location(session, "A", "zone", "Sone A", parent_code="HML", x=1, y=0)
                stock.create_location(session, "A-01", "rack", "Reol A-01", parent_code="A", x=1, y=0)
                for number, y in ((1, 0.5), (2, 1.0), (3, 1.5)):
                    stock.create_location(session, f"A-01-{number}", "bin", f"Hylle {number}", parent_code="A-01",
                                          x=1, y=y)
                stock.create_location(session, "B", "zone", "Sone B", parent_code="HML", x=2, y=0)
                stock.create_location(session, "B-01", "rack", "Reol B-01", parent_code="B", x=2, y=0)
                stock.create_location(session, "B-01-1", "bin", "Sengeplass 1", parent_code="B-01", x=2, y=0.5)
                products = {key: create_product(session, **values).id for key, values in PRODUCTS.items()}
                for name, (product, shelf) in UNITS.items():
                    units[name] = stock.register_device(session, None, products[product], serial_number=f"SN-{name}",
                                                        location_code=shelf).barcode
                bins = {loc.code: loc.barcode for loc in stock.list_locations(session)}
                session.commit()
            yield dict(app=app, base=base, nav=nav, units=units, bins=bins)


@pytest.fixture(scope="module")
def people(browser, week):
    contexts = []

    def person(username: str, start: str, **options):
        context = browser.new_context(base_url=week["base"], locale="nb-NO", **options)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        login(page, username, next_path=start)
        return page

    yield dict(tone=person("tone", "/terapeut", **DESKTOP), lise=person("lise", "/lager/utlan", **DESKTOP),
               sindre=person("sindre", "/sjafor", **PHONE))
    for context in contexts:
        context.close()


# --- what people do ---------------------------------------------------------------------------------

def scan_into(page, field, code: str) -> None:
    """A keyboard-wedge scanner: the field has focus, the characters come, then Enter."""
    field.click()
    page.keyboard.type(code, delay=2)
    page.keyboard.press("Enter")


def register_citizen(tone, name: str, birth6: str, street: str, postcode: str) -> None:
    tone.goto("/terapeut")
    tone.get_by_role("link", name="Registrer ny innbygger").click()
    form = tone.get_by_test_id("citizen-form")
    form.get_by_label("Fødselsnummer").fill(fnr(birth6))
    form.get_by_label("Navn").fill(name)
    form.get_by_label("Adresse", exact=True).fill(street)
    form.get_by_label("Postnummer").fill(postcode)
    form.get_by_label("Poststed").fill("Kristiansund N")
    form.get_by_label("Kommunenummer").fill("1505")
    form.get_by_label("Telefon", exact=True).fill("99 88 77 66")
    form.get_by_label("Kontaktperson", exact=True).fill("Liv (datter)")
    assert submit(tone, form.get_by_role("button", name="Registrer innbygger")) == 302
    expect(tone.get_by_role("heading", level=1)).to_contain_text(name)


def pick_product(page, row: int, product: str) -> None:
    field = page.get_by_test_id(f"basket-row-{row}").get_by_role("combobox", name=f"Produkt {row + 1}")
    field.click()
    field.press_sequentially(" ".join(product.split()[:2]), delay=10)
    page.get_by_role("option", name=re.compile("^" + re.escape(product))).click()
    expect(field).to_have_value(product)
    expect(field).to_have_attribute("aria-expanded", "false")


def basket(tone, products: list[str], needed_by: date, long_term: bool = False, notes: str = "") -> None:
    for row, product in enumerate(products):
        if row:
            tone.get_by_role("button", name="Legg til produkt").click()
        pick_product(tone, row, product)
    form = tone.get_by_test_id("need-form")
    form.get_by_label("Hastegrad").select_option(label="Utskrivning fra sykehus")
    form.get_by_label("Utskrivningsdato").fill(ddmmyyyy(needed_by))
    form.get_by_label("Klokkeslett for utskrivning").fill("12:00")
    form.get_by_label("Trengs innen").fill(ddmmyyyy(needed_by))
    form.get_by_label("Søknad").select_option(
        label="Langtidslån via NAV" if long_term else "Korttidslån fra kommunens lager")
    form.get_by_label("Meldt av").fill("Sykepleier, ortopedisk post")
    form.get_by_label("Merknad").fill(notes)
    assert submit(tone, form.get_by_role("button", name="Registrer behov")) == 302
    expect(tone.get_by_test_id("flash")).to_contain_text(f"Registrert {len(products)} behov")


def ask_back(tone, barcode: str, note: str) -> None:
    """«Bestill retur» on a loan of the citizen's page."""
    row = tone.get_by_test_id("loans").locator("tr", has_text=barcode)
    row.get_by_text("Bestill retur / forleng").click()
    row.get_by_label("Merknad").fill(note)
    assert submit(tone, row.get_by_role("button", name="Bestill retur")) == 302


def need_row(tone, product: str):
    return tone.get_by_test_id("needs").locator("tr[data-testid^='need-']", has_text=product)


def approve(lise, citizen: str, product: str) -> None:
    lise.goto("/lager/utlan")
    row = lise.get_by_test_id("undecided").locator("tr", has_text=citizen).filter(has_text=product).first
    assert submit(lise, row.get_by_role("button", name="Innvilg")) == 302


def plan(lise, day: date) -> int:
    lise.goto("/lager/runder")
    lise.get_by_role("textbox", name=re.compile("^Dato")).fill(ddmmyyyy(day))
    with lise.expect_navigation():
        lise.get_by_role("button", name="Vis").click()
    form = lise.get_by_test_id("plan-form")
    form.get_by_label("Sjåfør").first.select_option(label="Sindre Sjåfør")
    form.get_by_label("Bil").first.select_option(value="BIL1")
    assert submit(lise, form.get_by_role("button", name=f"Planlegg {ddmmyyyy(day)}")) == 302
    section = lise.locator("section[data-testid^='run-']").last
    expect(section.get_by_role("heading").first).to_contain_text("Sindre Sjåfør · BIL1 · Planlagt")
    return int(section.get_attribute("data-testid").removeprefix("run-"))


def pick(lise, code: str):
    with lise.expect_response(lambda r: r.url.endswith("/pick")) as answered:
        scan_into(lise, lise.get_by_test_id("pick-input"), code)
    return answered.value


def depart(sindre, run_id: int, odometer: int) -> None:
    sindre.goto("/sjafor")
    with sindre.expect_navigation():
        sindre.get_by_test_id(f"run-link-{run_id}").tap()
    start = sindre.get_by_test_id("start-form")
    start.get_by_label("Kilometerstand ved start").fill(str(odometer))
    assert submit(sindre, start.get_by_role("button", name="Kjør ut")) == 302
    expect(sindre.locator("main p.muted").first).to_contain_text("Underveis")


def finish(sindre, odometer: int) -> None:
    form = sindre.get_by_test_id("finish-form")
    form.get_by_label("Kilometerstand ved retur").fill(str(odometer))
    assert submit(sindre, form.get_by_role("button", name="Avslutt runden")) == 302
    expect(sindre.locator("main p.muted").first).to_contain_text("Ferdig")


def stop_card(sindre, citizen: str):
    return sindre.locator("section.stop", has_text=citizen)


def receive_form(lise):
    return lise.locator("form", has=lise.get_by_role("heading", name="Ta imot retur"))


def maintenance_row(lise, barcode: str):
    return lise.get_by_test_id("maintenance").locator("tr", has_text=barcode)


def receive_wash_inspect(lise, barcode: str, method: str, shelf: str = "") -> None:
    """At the depot: scanned in off the van, washed, every checklist point OK."""
    lise.goto("/lager/utlan")
    form = receive_form(lise)
    with lise.expect_navigation():
        scan_into(lise, form.get_by_label("Skann hjelpemiddelet"), barcode)
    expect(lise.locator("main .flash").first).to_have_text(f"{barcode} er mottatt på MOTTAK. {WAITS_FOR_WASH}")
    row = maintenance_row(lise, barcode)
    expect(row).to_contain_text("Mottatt, venter på vask")
    row.get_by_label("Vaskemetode").select_option(label=method)
    assert submit(lise, row.get_by_role("button", name="Vasket")) == 302
    expect(lise.locator("main .flash").first).to_have_text(f"{barcode} er vasket og venter på kontroll.")
    with lise.expect_navigation():
        maintenance_row(lise, barcode).get_by_role("link", name="Kontroller").click()
    expect(lise.get_by_role("heading", level=1)).to_contain_text(barcode)
    lise.get_by_role("button", name="Alle punkter OK").click()
    if shelf:
        lise.get_by_label("Sett på plass").fill(shelf)
    assert submit(lise, lise.get_by_role("button", name="Lagre kontroll")) == 302
    expect(lise.locator("main .flash").first).to_contain_text(f"{barcode}: kontroll godkjent.")


# --- the week ----------------------------------------------------------------------------------------

def test_a_week_at_the_depot_walked_through_the_pages(week, people):
    tone, lise, sindre, nav, units = people["tone"], people["lise"], people["sindre"], week["nav"], week["units"]
    step = Steps(ARTIFACTS)
    names = {key: values["name"] for key, values in PRODUCTS.items()}

    # === 1. Friday discharge ===========================================================================
    register_citizen(tone, "Astrid Olsen", "150342", "Storgata 1", "6509")
    step(tone, "terapeut-ny-innbygger")
    basket(tone, [names["rollator"], names["toalettforhoyer"], names["dusjstol"], names["seng"]], DISCHARGE_DAY,
           notes="Til NAV-sengen kommer")
    step(tone, "terapeut-kurv-korttid")
    basket(tone, [names["nav_seng"]], DISCHARGE_DAY, long_term=True, notes="Trykkavlastende madrass")
    nav_row = need_row(tone, names["nav_seng"])
    assert submit(tone, nav_row.get_by_role("button", name="Send til NAV")) == 302
    expect(need_row(tone, names["nav_seng"]).locator(".state").first).to_contain_text("NAV")
    step(tone, "terapeut-seng-til-nav")
    assert_plain_bokmal(tone)

    for product in ("rollator", "toalettforhoyer", "dusjstol", "seng"):
        approve(lise, "Astrid Olsen", names[product])
        expect(lise.get_by_role("status")).to_contain_text("er reservert for Astrid Olsen")
    expect(lise.get_by_test_id("ready")).to_contain_text(units["R1"])
    step(lise, "lager-innvilget")

    run1 = plan(lise, DISCHARGE_DAY)
    run_section = lise.get_by_test_id(f"run-{run1}")
    expect(run_section.locator("tbody tr").first).to_contain_text("Astrid Olsen")
    expect(run_section.locator("tbody tr").first).to_contain_text("Utskrivning")
    step(lise, "lager-runde-planlagt")

    # Wednesday morning Per's son will fetch a rollator at the counter: R2 is held for him.
    register_citizen(tone, "Per Hansen", "110738", "Øvre Enggate 3", "6511")
    basket(tone, [names["rollator"]], TODAY)
    approve(lise, "Per Hansen", names["rollator"])
    expect(lise.get_by_role("status")).to_contain_text(f"{units['R2']} ({names['rollator']}) er reservert for Per")

    lise.goto(f"/lager/runder?dato={DISCHARGE_DAY.isoformat()}")
    picklist = lise.request.get(run_section.get_by_role("link", name="Plukkliste (PDF)").get_attribute("href"))
    assert picklist.ok and picklist.headers["content-type"] == "application/pdf"
    with lise.expect_navigation():
        run_section.get_by_role("link", name="Plukk ved skanning").click()
    status = lise.get_by_test_id("pick-status")
    step(lise, "lager-plukkliste")
    assert pick(lise, units["R1"]).status == 200
    expect(status).to_contain_text(f"{units['R1']} plukket.")
    assert pick(lise, units["R2"]).status == 409
    expect(status).to_have_text(f"{units['R2']} er reservert for noen andre.")
    step(lise, "lager-plukk-feil-rollator")
    assert pick(lise, units["T1"]).status == 200
    assert pick(lise, units["S2"]).status == 200
    expect(status).to_contain_text(f"{units['S2']} plukket. Erstatter {units['S1']}.")
    assert pick(lise, units["B1"]).status == 200
    expect(status).to_contain_text("Alt er plukket.")
    step(lise, "lager-plukk-ferdig")

    # Per's rollator goes over the counter.
    lise.goto("/lager/utlan")
    counter = lise.locator("form", has=lise.get_by_role("heading", name="Utlevering på lageret"))
    counter.get_by_label("Hentet av").fill("Per (sønnen)")
    scan_into(lise, counter.get_by_label("Skann hjelpemiddelet"), units["R2"])
    assert submit(lise, counter.get_by_role("button", name="Start utlån")) == 302
    expect(lise.get_by_role("status")).to_have_text(f"{units['R2']} er utlånt.")

    depart(sindre, run1, 12000)
    step(sindre, "sjafor-kjort-ut")
    card = stop_card(sindre, "Astrid Olsen")
    expect(card).to_contain_text("UTSKRIVNING")
    card.get_by_label("Mottatt av").fill("datter")
    assert submit(sindre, card.get_by_role("button", name="Levert", exact=True)) == 302
    expect(stop_card(sindre, "Astrid Olsen")).to_contain_text("mottatt av datter")
    step(sindre, "sjafor-levert")
    finish(sindre, 12031)
    step(sindre, "sjafor-runde-ferdig")
    assert_plain_bokmal(sindre)

    tone.goto("/terapeut")
    tone.get_by_role("searchbox", name="Søk etter innbygger").fill("Astrid")
    tone.get_by_test_id("citizen-search").get_by_role("button", name="Søk").click()
    with tone.expect_navigation():
        tone.get_by_test_id("citizen-results").get_by_role("link", name="Astrid Olsen").click()
    for product in ("rollator", "toalettforhoyer", "dusjstol", "seng"):
        row = need_row(tone, names[product])
        expect(row.locator(".state").first).to_have_text("Utlånt")
        expect(row).to_contain_text("Levert etter")
    step(tone, "terapeut-alt-utlant")
    assert_plain_bokmal(tone)

    # === 2. The NAV bed arrives ======================================================================
    nav.control("/clock", advance_minutes=3)
    lise.goto("/lager/nav")
    assert submit(lise, lise.get_by_test_id("sync").get_by_role("button", name="Hent fra NAV nå")) == 302
    nav.control("/clock", advance_minutes=60)
    assert submit(lise, lise.get_by_test_id("sync").get_by_role("button", name="Hent fra NAV nå")) == 302
    line = lise.get_by_test_id("upcoming").locator("tbody tr", has_text="291003")
    expect(line).to_contain_text("Astrid O. – koblet til behovet")
    step(lise, "lager-nav-kommende")
    serial = re.search(r"\b(\d{6})\b", line.inner_text().replace("291003", "")).group(1)
    form = lise.get_by_test_id("receive-form")
    form.get_by_label("HMS-nr").fill("291003")
    form.get_by_label("Serienummer").fill(serial)
    form.get_by_label("Sett på").fill("MOTTAK")
    assert submit(lise, form.get_by_role("button", name="Motta og skriv ut etikett")) == 302
    nav_bed = re.search(r"/hjelpemidler/(HJM\d{8})", lise.url).group(1)
    expect(lise.locator("iframe#label-frame")).to_be_visible()
    expect(lise.locator("dl.facts dt:has-text('Eier') + dd")).to_have_text("NAV")
    step(lise, "lager-nav-seng-mottatt")

    tone.reload()
    ask_back(tone, units["B1"], "NAV-sengen er kommet")
    step(tone, "terapeut-retur-korttidsseng")

    run2 = plan(lise, EXCHANGE_DAY)
    expect(lise.get_by_test_id(f"run-{run2}").locator("tbody tr")).to_contain_text("Levering og henting")
    with lise.expect_navigation():
        lise.get_by_test_id(f"run-{run2}").get_by_role("link", name="Plukk ved skanning").click()
    assert pick(lise, nav_bed).status == 200
    step(lise, "lager-plukk-nav-seng")

    depart(sindre, run2, 12031)
    card = stop_card(sindre, "Astrid Olsen")
    card.get_by_label("Mottatt av").fill("datter")
    assert submit(sindre, card.locator("fieldset", has_text="Levering").get_by_role("button", name="Levert")) == 302
    assert submit(sindre, stop_card(sindre, "Astrid Olsen").get_by_role("button", name="Hentet", exact=True)) == 302
    expect(stop_card(sindre, "Astrid Olsen")).to_contain_text("Levert · Hentet")
    step(sindre, "sjafor-bytte")
    finish(sindre, 12050)

    receive_wash_inspect(lise, units["B1"], "Manuell vask og desinfeksjon", shelf="B-01-1")
    step(lise, "lager-seng-kontrollert")

    # === 3. A wheel breaks ============================================================================
    register_citizen(tone, "Ole Johansen", "030331", "Fosnagata 20", "6508")
    nav.control("/loans", fnr=fnr("030331"), loans=[{
        "artikkelNr": "236958", "artikkelBeskrivelse": "Panthera U3 Light rullestol", "serieNr": "512345",
        "kategoriNummer": "12220301", "kategori": "Manuelle rullestoler", "datoUtsendelse": "2025-05-10 10:00:00"}])
    lise.goto("/lager/nav")
    imports = lise.get_by_test_id("import-loans")
    imports.get_by_label("Finn innbygger (navn eller adresse)").fill("Ole")
    with lise.expect_navigation():
        imports.get_by_role("button", name="Søk").click()
    imports.locator("select[name=citizen_id]").select_option(
        imports.locator("option", has_text="Ole Johansen").get_attribute("value"))
    assert submit(lise, imports.get_by_role("button", name="Hent fra NAV og registrer")) == 302
    step(lise, "lager-nav-utlan-hentet")
    expect(lise.get_by_role("heading", level=1)).to_have_text("Skriv ut etiketter")
    chair = re.fullmatch(r"HJM\d{8}", lise.locator("textarea").input_value().strip()).group(0)

    sindre.goto(f"/service/{chair}")
    sindre.get_by_label("Hva er galt").fill("Slitt dekk bak")
    sindre.get_by_label("Hvor").select_option(label="Hos bruker")
    assert submit(sindre, sindre.get_by_role("button", name="Ny reparasjon")) == 302
    nav.control(fail_every=1)
    order = sindre.get_by_test_id("part-order-form")
    order.get_by_label("HMS-nr").first.fill("150817")
    order.get_by_label("Navn").first.fill('Dekk 24"')
    order.get_by_label("Kategori").first.fill("Dekk")
    order.get_by_label("Antall").first.fill("2")
    assert submit(sindre, order.get_by_role("button", name="Bestill deler")) == 302
    expect(sindre.get_by_test_id("part-orders")).to_contain_text("Venter")
    step(sindre, "tekniker-delbestilling-nav-nede")

    nav.control(fail_every=0)
    lise.goto("/lager/nav")
    assert submit(lise, lise.get_by_test_id("sync").get_by_role("button", name="Hent fra NAV nå")) == 302
    nav.control("/clock", advance_minutes=25 * 60)
    assert submit(lise, lise.get_by_test_id("sync").get_by_role("button", name="Hent fra NAV nå")) == 302
    sindre.reload()
    expect(sindre.get_by_test_id("part-orders")).to_contain_text("Sendt fra NAV")
    step(sindre, "tekniker-deler-sendt")
    expected = re.search(r"ventet (\d\d\.\d\d\.\d{4})", sindre.get_by_test_id("part-orders").inner_text()).group(1)
    parts_day = datetime.strptime(expected, "%d.%m.%Y").date()

    run3 = plan(lise, parts_day)
    expect(lise.get_by_test_id(f"run-{run3}").locator("tbody tr")).to_contain_text("Ole Johansen")
    depart(sindre, run3, 12072)
    card = stop_card(sindre, "Ole Johansen")
    assert submit(sindre, card.get_by_role("button", name="Reparert", exact=True)) == 302
    expect(stop_card(sindre, "Ole Johansen")).to_contain_text("Reparert")
    finish(sindre, 12094)
    sindre.goto(f"/service/{chair}")
    repair = sindre.get_by_test_id("repairs")
    repair.get_by_label("Hva ble gjort").fill("Byttet begge dekk bak")
    repair.get_by_label("Tidsbruk (minutter)").fill("25")
    repair.get_by_label("Del brukt 1").fill('Dekk 24"')
    repair.get_by_label("HMS-nr for del 1").fill("150817")
    repair.get_by_label("Antall av del 1").fill("2")
    assert submit(sindre, repair.get_by_role("button", name="Reparasjon ferdig")) == 302
    expect(sindre.get_by_test_id("repairs")).to_contain_text("Byttet begge dekk bak (25 min)")
    step(sindre, "tekniker-reparert")
    assert_plain_bokmal(sindre)

    # === 4. Return, clean, inspect, lend again =======================================================
    register_citizen(tone, "Ingrid Lie", "170947", "Skolegata 4", "6510")
    basket(tone, [names["rollator"]], TODAY + timedelta(days=14))
    approve(lise, "Ingrid Lie", names["rollator"])
    expect(lise.get_by_test_id("queue")).to_contain_text("Ingrid Lie")
    step(lise, "lager-ingrid-i-ko")

    tone.goto("/terapeut")
    tone.get_by_role("searchbox", name="Søk etter innbygger").fill("Astrid")
    tone.get_by_test_id("citizen-search").get_by_role("button", name="Søk").click()
    with tone.expect_navigation():
        tone.get_by_test_id("citizen-results").get_by_role("link", name="Astrid Olsen").click()
    for unit in ("R1", "S2"):
        ask_back(tone, units[unit], "Datteren ringte")
    step(tone, "terapeut-retur-bestilt")

    run4 = plan(lise, PICKUP_DAY)
    expect(lise.get_by_test_id(f"run-{run4}").locator("tbody tr")).to_contain_text("Henting")
    depart(sindre, run4, 12094)
    assert submit(sindre, stop_card(sindre, "Astrid Olsen").get_by_role("button", name="Hentet", exact=True)) == 302
    expect(stop_card(sindre, "Astrid Olsen")).to_contain_text("Hentet")
    step(sindre, "sjafor-hentet")
    finish(sindre, 12113)

    for unit, method in (("R1", "Vaskemaskin/dekontaminator"), ("S2", "Manuell vask og desinfeksjon")):
        receive_wash_inspect(lise, units[unit], method)
    step(lise, "lager-kontroll-godkjent")

    # Put away by scanning the bin, then the units (move mode on the scan station).
    lise.goto("/skann")
    scan_status = lise.get_by_test_id("scan-status")
    expect(scan_status).to_have_text("Klar til skanning.")
    for unit, shelf in (("R1", "A-01-1"), ("S2", "A-01-2")):
        scan_into(lise, lise.locator("#scan-input"), week["bins"][shelf])
        expect(scan_status).to_contain_text(f"Lokasjon {shelf} valgt.")
        scan_into(lise, lise.locator("#scan-input"), units[unit])
        expect(scan_status).to_contain_text(shelf)
    step(lise, "lager-satt-pa-plass")

    lise.goto("/lager/utlan")
    expect(lise.get_by_test_id("ready").locator("tr", has_text=units["R1"])).to_contain_text("Ingrid Lie")
    expect(lise.get_by_test_id("queue")).not_to_contain_text("Ingrid Lie")
    step(lise, "lager-rollator-til-ingrid")
    assert_plain_bokmal(lise)
