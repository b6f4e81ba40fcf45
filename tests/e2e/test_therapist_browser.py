"""Scenario 1, «Friday discharge», in real browsers: the therapist's pages (/terapeut: search, the
citizen's page with its basket) and the depot's lending page (/lager/utlan), each user in their own
browser context.

Astrid (84) is to be discharged after a hip fracture. Her occupational therapist registers her and
a rollator need; the depot approves the application, which reserves a free rollator at once, and
hands it over at the counter; the therapist follows every step on her own page.
"""
from __future__ import annotations

import itertools
import re
from datetime import date, datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from hjelpemiddel.citizens.models import Citizen
from hjelpemiddel.core.db import get_session
from hjelpemiddel.core.fnr import make_fnr
from hjelpemiddel.core.text import local_today
from hjelpemiddel.lending.models import Need

from .conftest import login_as

pytestmark = pytest.mark.browser

SCREENSHOT = "/tmp/therapist.png"
DESKTOP = {"viewport": {"width": 1920, "height": 1080}}
LAPTOP = {"viewport": {"width": 1366, "height": 768}}
JAZZ = "Rollator Dolomite Jazz 510"
TOPRO = "Rollator Topro Olympos M"
LOAN_DAYS = 90

# Born 12.03.1942; individual numbers 000–499 belong to the 1900s. Not every number has a check digit.
_fnrs = (fnr for fnr in (make_fnr("120342", f"{n:03d}") for n in itertools.count(100)) if fnr)


def new_fnr() -> str:
    return next(_fnrs)


def with_wrong_check_digit(fnr: str) -> str:
    return fnr[:-1] + str((int(fnr[-1]) + 1) % 10)


def ddmmyyyy(day: date) -> str:
    return day.strftime("%d.%m.%Y")


# --- what the users do --------------------------------------------------------------------------

def fill_citizen_form(page, fnr: str, name: str) -> None:
    form = page.get_by_test_id("citizen-form")
    form.get_by_label("Fødselsnummer").fill(fnr)
    form.get_by_label("Navn").fill(name)
    form.get_by_label("Adresse", exact=True).fill("Storgata 12")
    form.get_by_label("Postnummer").fill("6509")
    form.get_by_label("Poststed").fill("Kristiansund N")
    form.get_by_label("Kommunenummer").fill("1505")
    form.get_by_label("Telefon", exact=True).fill("71 23 45 67")
    form.get_by_label("Adkomst for sjåfør").fill("Nøkkelboks ved inngangen, kode 4321")
    form.get_by_label("Kontaktperson", exact=True).fill("Ingrid (datter)")


def submit(page, form_test_id: str, button: str):
    """Click a form's button; the answer to the POST (before any redirect is followed)."""
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_test_id(form_test_id).get_by_role("button", name=button).click()
    page.wait_for_load_state()
    return posted.value


def open_new_citizen_form(page) -> None:
    page.goto("/terapeut")
    page.get_by_role("link", name="Registrer ny innbygger").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ny innbygger")


def register_citizen(page, fnr: str, name: str) -> None:
    """From the start page: the new citizen's form, then their own page."""
    open_new_citizen_form(page)
    fill_citizen_form(page, fnr, name)
    assert submit(page, "citizen-form", "Registrer innbygger").status == 302
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)


def find_citizen(page, query: str, name: str) -> None:
    """The two clicks from the start page: search, then the citizen's name."""
    page.goto("/terapeut")
    page.get_by_role("searchbox", name="Søk etter innbygger").fill(query)
    page.get_by_test_id("citizen-search").get_by_role("button", name="Søk").click()
    page.get_by_test_id("citizen-results").get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)


def pick_product(page, row: int, typed: str, product: str, keyboard: bool = False) -> None:
    """Type part of a name into a basket row and choose from the type-ahead's list."""
    field = page.get_by_test_id(f"basket-row-{row}").get_by_role("combobox", name=f"Produkt {row + 1}")
    field.click()
    field.press_sequentially(typed, delay=20)
    option = page.get_by_role("option", name=re.compile("^" + re.escape(product)))
    expect(option).to_be_visible()
    if keyboard:
        while option.get_attribute("aria-selected") != "true":
            field.press("ArrowDown")
        field.press("Enter")
    else:
        option.click()
    expect(field).to_have_value(product)
    expect(field).to_have_attribute("aria-expanded", "false")


def register_discharge_need(page, citizen: str, product: str, discharge: date, needed_by: date) -> int:
    """The «Nytt behov» form on the citizen's page: a short-term loan for a hospital discharge.
    Returns the need's id."""
    expect(page.get_by_role("heading", level=1)).to_contain_text(citizen)
    before = set(need_ids(page))
    pick_product(page, 0, " ".join(product.split()[:2]), product)
    form = page.get_by_test_id("need-form")
    form.get_by_label("Hastegrad").select_option(label="Utskrivning fra sykehus")
    form.get_by_label("Utskrivningsdato").fill(ddmmyyyy(discharge))
    form.get_by_label("Klokkeslett for utskrivning").fill("12:00")
    form.get_by_label("Trengs innen").fill(ddmmyyyy(needed_by))
    form.get_by_label("Søknad").select_option(label="Korttidslån fra kommunens lager")
    form.get_by_label("Meldt av").fill("sykepleier på ortopedisk")
    assert submit(page, "need-form", "Registrer behov").status == 302
    expect(page.get_by_test_id("flash")).to_have_text(f"Registrert 1 behov: {product} × 1.")
    [new] = set(need_ids(page)) - before
    return new


def need_ids(page) -> list[int]:
    rows = page.get_by_test_id("needs").locator("tr[data-testid^='need-']")
    return [int(testid.removeprefix("need-")) for testid in
            rows.evaluate_all("rows => rows.map(r => r.dataset.testid)")]


def open_depot(page, live_server):
    login_as(page, live_server, "lager", next_path="/lager/utlan")
    assert page.url.endswith("/lager/utlan"), page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("Utlån og retur")
    return page


def decide(page, need_id: int, button: str, reason: str = ""):
    row = page.get_by_test_id(f"undecided-{need_id}")
    row.get_by_placeholder("Begrunnelse").fill(reason)
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        row.get_by_role("button", name=button).click()
    page.wait_for_load_state()
    return posted.value


def hand_over_at_the_counter(page, barcode: str, received_by: str):
    form = page.locator("form").filter(has=page.get_by_role("heading", name="Utlevering på lageret"))
    form.get_by_label("Hentet av").fill(received_by)
    form.get_by_label("Skann hjelpemiddelet").click()
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.keyboard.type(barcode, delay=2)  # a keyboard-wedge scan: the characters, then Enter
        page.keyboard.press("Enter")
    page.wait_for_load_state()
    return posted.value


# --- what the database says ---------------------------------------------------------------------

def citizens_named(live_server, name: str) -> list[Citizen]:
    with live_server.app.app_context():
        session = get_session()
        citizens = list(session.scalars(select(Citizen).where(Citizen.name == name)))
        session.expunge_all()
        return citizens


def need_status(live_server, need_id: int) -> str:
    with live_server.app.app_context():
        return get_session().get(Need, need_id).status


def citizen_count(live_server) -> int:
    with live_server.app.app_context():
        return get_session().scalar(select(func.count()).select_from(Citizen))


# --- the scenario ---------------------------------------------------------------------------------

@pytest.mark.parametrize("screen", [DESKTOP, LAPTOP], ids=["desktop", "laptop"])
def test_a_therapist_registers_astrid_and_her_discharge_rollator_and_follows_it_through_approval_to_loan(
        new_page, live_server, screen):
    width = screen["viewport"]["width"]
    rollator = live_server.make_device("rollator_jazz", location_code="A-01-2")
    astrid, fnr = f"Astrid Hansen {width}", new_fnr()
    today = local_today()
    discharge, needed_by = today + timedelta(days=2), today + timedelta(days=2)

    # Monday 09:10: the therapist registers Astrid; her fnr is shown masked and never in clear.
    therapist = new_page(**screen)
    login_as(therapist, live_server, "terapeut")
    assert therapist.url == live_server.url + "/terapeut"
    expect(therapist.get_by_role("heading", level=1)).to_have_text("Mine innbyggere")
    register_citizen(therapist, fnr, astrid)
    expect(therapist.get_by_role("heading", level=1)).to_have_text(f"{astrid} {fnr[:6]} *****")
    expect(therapist.locator("main")).to_contain_text("Storgata 12, 6509 Kristiansund N")
    assert fnr not in therapist.content()
    [stored] = citizens_named(live_server, astrid)
    assert (stored.kommunenummer, stored.access_notes) == ("1505", "Nøkkelboks ved inngangen, kode 4321")
    assert fnr not in (stored.fnr_encrypted, stored.fnr_hash)

    # … and the rollator she needs on discharge.
    need_id = register_discharge_need(therapist, astrid, JAZZ, discharge, needed_by)
    need = therapist.get_by_test_id(f"need-{need_id}")
    expect(need).to_contain_text(JAZZ)
    expect(need).to_contain_text("Utskrivning fra sykehus")
    expect(need).to_contain_text(ddmmyyyy(needed_by))
    expect(need).to_contain_text(f"Utskrives {ddmmyyyy(discharge)} kl. 12:00")
    expect(need.locator(".state").first).to_have_text("Registrert, venter på vedtak")
    expect(need).to_contain_text("Ingen ennå")

    # The depot sees the application, approves it, and a free rollator is reserved at once.
    depot = open_depot(new_page(**screen), live_server)
    undecided = depot.get_by_test_id("undecided")
    expect(undecided.get_by_role("heading")).to_contain_text("Søknader til vedtak")
    application = depot.get_by_test_id(f"undecided-{need_id}")
    expect(application).to_contain_text(astrid)
    expect(application).to_contain_text(JAZZ)
    expect(application).to_contain_text("Utskrivning fra sykehus")
    assert fnr not in depot.content()
    assert decide(depot, need_id, "Innvilg").status == 302
    expect(depot.get_by_role("status")).to_have_text(f"Innvilget: {rollator} ({JAZZ}) er reservert for {astrid}.")
    expect(depot.get_by_test_id("ready")).to_contain_text(rollator)
    expect(application).to_have_count(0)
    assert live_server.device(rollator).state == "reserved"

    therapist.reload()
    expect(need.locator(".state").first).to_have_text("Reservert")
    expect(need.locator("li .mono")).to_have_text(re.compile(r"^HJM\d+$"))
    expect(need.locator("li .mono")).to_have_text(rollator)
    expect(need.get_by_role("link", name=rollator)).to_have_attribute("href", f"/hjelpemidler/{rollator}")

    # Astrid's daughter fetches it at the counter: one scan starts the loan.
    assert hand_over_at_the_counter(depot, rollator, "datter").status == 302
    expect(depot.get_by_role("status")).to_have_text(f"{rollator} er utlånt.")
    assert live_server.device(rollator).state == "on_loan"
    assert need_status(live_server, need_id) == "on_loan"

    therapist.reload()
    expect(need.locator(".state").first).to_have_text("Utlånt")
    # The loan starts in UTC; either calendar day is right around midnight.
    ends = {ddmmyyyy(day + timedelta(days=LOAN_DAYS)) for day in (today, datetime.now(timezone.utc).date())}
    expect(need.locator("li").first).to_contain_text(re.compile("Utlånt til (" + "|".join(map(re.escape, ends)) + ")"))
    expect(need.locator("li").first).to_contain_text(rollator)
    assert therapist.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"
    assert fnr not in therapist.content()
    if screen is LAPTOP:
        therapist.screenshot(path=SCREENSHOT, full_page=True)


def test_an_fnr_with_a_wrong_check_digit_is_refused_with_a_norwegian_error_and_the_form_kept(page, live_server):
    bad = with_wrong_check_digit(new_fnr())
    before = citizen_count(live_server)
    login_as(page, live_server, "terapeut")
    open_new_citizen_form(page)

    fill_citizen_form(page, bad, "Kari Nordmann")
    answer = submit(page, "citizen-form", "Registrer innbygger")

    assert answer.status == 422
    expect(page.get_by_role("alert")).to_contain_text("Kontrollsifrene i fødselsnummeret stemmer ikke.")
    form = page.get_by_test_id("citizen-form")
    expect(form.get_by_label("Navn")).to_have_value("Kari Nordmann")
    expect(form.get_by_label("Adresse", exact=True)).to_have_value("Storgata 12")
    expect(form.get_by_label("Fødselsnummer")).to_have_value(bad)  # kept, to correct one digit
    assert citizens_named(live_server, "Kari Nordmann") == []
    assert citizen_count(live_server) == before


def test_rejecting_an_application_needs_a_reason_and_the_therapist_sees_it_rejected(new_page, live_server):
    ole = "Ole Johansen"
    therapist = new_page()
    login_as(therapist, live_server, "terapeut")
    register_citizen(therapist, new_fnr(), ole)
    need_id = register_discharge_need(therapist, ole, JAZZ, local_today() + timedelta(days=1),
                                      local_today() + timedelta(days=1))
    depot = open_depot(new_page(), live_server)

    answer = decide(depot, need_id, "Avslå")

    assert answer.status == 422
    expect(depot.get_by_role("alert")).to_contain_text("Et avslag må ha en begrunnelse.")
    expect(depot.get_by_test_id(f"undecided-{need_id}")).to_be_visible()
    assert need_status(live_server, need_id) == "registered"
    therapist.reload()
    expect(therapist.get_by_test_id(f"need-{need_id}").locator(".state").first).to_have_text(
        "Registrert, venter på vedtak")

    assert decide(depot, need_id, "Avslå", "Har fått rollator fra NAV allerede").status == 302
    expect(depot.get_by_test_id(f"undecided-{need_id}")).to_have_count(0)
    therapist.reload()
    expect(therapist.get_by_test_id(f"need-{need_id}").locator(".state").first).to_have_text("Avslått")
    assert need_status(live_server, need_id) == "rejected"


def test_approving_a_short_term_loan_reserves_a_municipal_rollator_never_one_that_nav_owns(new_page, live_server):
    # The seed's oldest Topro rollator is NAV's (on A-01-1); two municipal ones stand on A-01-2.
    per = "Per Olsen"
    therapist = new_page()
    login_as(therapist, live_server, "terapeut")
    register_citizen(therapist, new_fnr(), per)
    need_id = register_discharge_need(therapist, per, TOPRO, local_today(), local_today())
    depot = open_depot(new_page(), live_server)
    assert decide(depot, need_id, "Innvilg").status == 302

    therapist.reload()
    reserved = therapist.get_by_test_id(f"need-{need_id}").locator("li .mono").inner_text()
    assert live_server.device(reserved).owner == "kommune", f"{reserved} is NAV's, not the municipality's"


def test_a_therapist_finds_a_citizen_and_orders_two_products_in_one_basket_with_the_type_ahead(new_page, live_server):
    """Search → citizen page → two products through the type-ahead (keyboard for one, a click for the
    other) → a refused date keeps the whole basket → corrected, saved, confirmed where the needs are."""
    page = new_page(**LAPTOP)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    login_as(page, live_server, "terapeut")
    name, fnr = "Berit Kvalheim", new_fnr()
    register_citizen(page, fnr, name)

    find_citizen(page, f"{fnr[:6]} *****", name)
    pick_product(page, 0, "Dusjstol E", "Dusjstol Etac Swift", keyboard=True)
    page.get_by_role("button", name="Legg til produkt").click()
    expect(page.get_by_role("combobox", name="Produkt 2")).to_be_focused()
    pick_product(page, 1, "Hi-Lo", "Toalettforhøyer Etac Hi-Loo")
    form = page.get_by_test_id("need-form")
    page.get_by_test_id("basket-row-1").get_by_label("Antall").fill("2")
    form.get_by_label("Trengs innen").fill("31.02.2027")
    form.get_by_label("Meldt av").fill("hjemmesykepleien")

    assert submit(page, "need-form", "Registrer behov").status == 422
    expect(page.get_by_role("alert")).to_contain_text("Trengs innen")
    expect(form.get_by_label("Trengs innen")).to_be_focused()
    expect(form.get_by_label("Trengs innen")).to_have_value("31.02.2027")
    expect(form.get_by_label("Meldt av")).to_have_value("hjemmesykepleien")
    expect(page.get_by_role("combobox", name="Produkt 1")).to_have_value("Dusjstol Etac Swift")
    expect(page.get_by_role("combobox", name="Produkt 2")).to_have_value("Toalettforhøyer Etac Hi-Loo")
    expect(page.get_by_test_id("basket-row-1").get_by_label("Antall")).to_have_value("2")
    assert need_ids(page) == []

    needed_by = local_today() + timedelta(days=3)
    form.get_by_label("Trengs innen").fill(ddmmyyyy(needed_by))
    assert submit(page, "need-form", "Registrer behov").status == 302
    flash = page.get_by_test_id("flash")
    expect(flash).to_have_text("Registrert 2 behov: Dusjstol Etac Swift × 1, Toalettforhøyer Etac Hi-Loo × 2.")
    expect(flash).to_be_in_viewport()
    assert page.url.endswith("#behov")
    expect(page.get_by_test_id("needs").locator("tr[data-testid^='need-']")).to_have_count(2)
    expect(page.get_by_test_id("needs")).to_contain_text(ddmmyyyy(needed_by))
    assert problems == []
