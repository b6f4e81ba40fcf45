"""The driver's run at phone size and the inspection page, in Chromium.

On the phone (390×844) the driver must type the odometer to depart, finds a map link on each stop,
delivers at one door and, trying to finish with a stop still open, is shown that stop as one that
will be marked «Ikke besøkt» before confirming. At the depot the inspector ticks «Alle punkter OK»,
sets one point to «Avvik», is refused until he says what is wrong, and the unit's history then says
which point failed and why, after the cleaning method used."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from hjelpemiddel.lending import services as lending
from hjelpemiddel.logistics import services as logistics
from hjelpemiddel.maintenance import services as maintenance

from .conftest import login_as
from .depot_helpers import DESKTOP, PHONE, Arranger, run_stops, submit

pytestmark = pytest.mark.browser

DRIVE_DAY = date.today() + timedelta(days=19)  # a day no other browser test plans on
SCREENSHOT = "/tmp/driver-finish-confirm.png"
RUN_SCREENSHOT = "/tmp/driver-run-stops.png"
INSPECTION_SCREENSHOT = "/tmp/inspection-refused.png"


def test_the_driver_departs_with_the_odometer_and_confirms_the_open_stop_before_finishing(new_page, live_server):
    with Arranger(live_server) as depot:
        depot.sweep_open_stops()
        rollator = depot.product("Rollator Gemino 30")
        ragnhild = depot.citizen("Ragnhild Moe", "Nordlandsvegen 12")
        torstein = depot.citizen("Torstein Vik", "Havnegata 4", postcode="6509")
        units = [depot.reserved_unit(who, rollator, DRIVE_DAY) for who in (ragnhild, torstein)]
        run_id = depot.planned_run(DRIVE_DAY)
        for barcode in units:
            logistics.pick_device(depot.session, depot.ids["lager"], run_id, barcode)
    stops = run_stops(live_server, run_id)
    by_name = {stop["name"]: stop for stop in stops}

    phone = new_page(**PHONE)
    login_as(phone, live_server, "sjafor")
    phone.goto(f"/sjafor/runde/{run_id}")
    start = phone.get_by_test_id("start-form")
    odometer = start.get_by_label("Kilometerstand ved start")
    expect(odometer).to_have_attribute("required", "")
    odometer.fill("30100")
    assert submit(phone, start.get_by_role("button", name="Kjør ut")) == 302
    expect(phone.locator("main p.muted").first).to_contain_text("Underveis")

    visited = phone.get_by_test_id(f"stop-{by_name['Ragnhild Moe']['id']}")
    map_link = visited.get_by_role("link", name=re.compile(r"^Åpne i kart"))
    expect(map_link).to_have_attribute("href", re.compile(r"^geo:0,0\?q=Nordlandsvegen%2012"))
    phone.screenshot(path=RUN_SCREENSHOT, full_page=True)
    visited.get_by_label("Mottatt av").fill("Ragnhild")
    assert submit(phone, visited.get_by_role("button", name="Levert", exact=True)) == 302

    finish = phone.get_by_test_id("finish-form")
    finish.get_by_label("Kilometerstand ved retur").fill("30142")
    assert submit(phone, finish.get_by_role("button", name="Avslutt runden")) == 200
    expect(phone.get_by_role("heading", level=1)).to_have_text(f"Avslutte runde {run_id}?")
    expect(phone.get_by_role("alert")).to_have_text(
        "Ett stopp er ikke besøkt. Bekreft at det skal registreres som «Ikke besøkt» og gå tilbake til planlegging.")
    listed = phone.get_by_test_id("open-stops").get_by_role("listitem")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text("Torstein Vik, Havnegata 4")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390, "the confirmation scrolls sideways"
    phone.screenshot(path=SCREENSHOT, full_page=True)
    assert live_server.device(units[1]).state == "out_for_delivery"

    assert submit(phone, phone.get_by_role("button", name="Ja, avslutt runden")) == 302
    expect(phone.locator("main p.muted").first).to_contain_text("Ferdig")
    expect(phone.get_by_test_id(f"outcome-{by_name['Torstein Vik']['id']}")).to_contain_text("Ikke besøkt")
    assert [(s["name"], s["status"], s["outcome"]) for s in run_stops(live_server, run_id)] == [
        (s["name"], *(("done", "Levert") if s["name"] == "Ragnhild Moe" else ("failed", "Ikke besøkt")))
        for s in stops]
    assert live_server.device(units[1]).state == "reserved"


def test_all_points_ok_then_one_failed_point_needs_its_reason_before_it_is_saved(new_page, live_server):
    with Arranger(live_server) as depot:
        rollator = depot.product("Rollator Dolomite Jazz")
        unit = depot.unit_on_loan(depot.citizen("Solveig Berg", "Kirkegata 2"), rollator, date.today())
        lending.receive_at_depot(depot.session, depot.ids["lager"], unit, location_code="A-01-1")
        maintenance.clean_device(depot.session, depot.ids["lager"], unit, "steam")

    page = new_page(**DESKTOP)
    login_as(page, live_server, "lager", next_path=f"/lager/kontroll/{unit}")
    answers = page.locator("label.choice")
    assert answers.count() == 16
    for box in (answers.nth(i).bounding_box() for i in range(answers.count())):
        assert box["width"] >= 44 and box["height"] >= 44, box

    page.get_by_role("button", name="Alle punkter OK").click()
    ok = page.get_by_role("radio", name=re.compile(r": OK$"))
    expect(ok).to_have_count(8)
    for radio in ok.all():
        expect(radio).to_be_checked()
    expect(page.get_by_role("button", name="Lagre kontroll")).to_be_focused()
    assert page.url.endswith(f"/lager/kontroll/{unit}")

    wheels = page.get_by_test_id("point-wheels")
    reason = wheels.get_by_label(re.compile("Hva er galt med"))
    expect(reason).to_be_hidden()
    wheels.get_by_text("Avvik", exact=True).click()
    expect(reason).to_be_visible()
    assert submit(page, page.get_by_role("button", name="Lagre kontroll")) == 422
    expect(page.get_by_role("alert")).to_have_text(
        "Skriv hva som er galt for hvert punkt med avvik: «Hjul og lagre hele, ingen slark».")
    wheels = page.get_by_test_id("point-wheels")
    expect(wheels.get_by_role("radio", name=re.compile(": avvik$"))).to_be_checked()
    expect(page.get_by_role("radio", name=re.compile(r": OK$")).and_(page.locator(":checked"))).to_have_count(7)
    assert live_server.device(unit).state == "inspection"
    page.screenshot(path=INSPECTION_SCREENSHOT, full_page=True)

    wheels.get_by_label(re.compile("Hva er galt med")).fill("slark i venstre forhjul")
    assert submit(page, page.get_by_role("button", name="Lagre kontroll")) == 302
    assert live_server.device(unit).state == "in_repair"
    page.goto(f"/hjelpemidler/{unit}")
    history = page.get_by_test_id("history")
    expect(history).to_contain_text("Vaskemetode: Damprens")
    expect(history).to_contain_text("Kontroll ikke bestått: Hjul og lagre hele, ingen slark – slark i venstre forhjul")
