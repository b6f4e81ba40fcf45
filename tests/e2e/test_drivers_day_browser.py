"""Scenario 1, «Friday discharge», the driver's day in real browsers: the planner builds tomorrow's
run on /lager/runder, the pick list and the delivery log are printed, the devices are scanned off the
shelves on /runder/<id>/plukk (one wrong rollator refused: it is reserved for someone else), and the
driver works the run on a phone on /sjafor — delivered, received by the daughter; a return collected.

Astrid (discharge, far out in 6516) gets a rollator and a shower chair, Ola (6507, close to the depot)
a rollator, and Per (6509) has asked for his shower chair to be collected. Kari's rollator — the
same model, on the same shelf — is reserved for her and planned on another day's run.
"""
from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from hjelpemiddel.catalog.services import create_product
from hjelpemiddel.citizens.services import register_citizen
from hjelpemiddel.core.auth import User
from hjelpemiddel.core.db import get_session
from hjelpemiddel.core.fnr import make_fnr
from hjelpemiddel.lending import services as lending
from hjelpemiddel.lending.models import Loan
from hjelpemiddel.logistics import services as logistics
from hjelpemiddel.logistics.models import DeliveryRun, Stop
from hjelpemiddel.stock import services as stock

from ..support import decode_pages, pdf_text
from .conftest import login_as
from .depot_helpers import download, pick_scan

pytestmark = pytest.mark.browser

PICK_SCREENSHOT = "/tmp/pick.png"
DRIVER_SCREENSHOT = "/tmp/driver.png"
DESKTOP = {"viewport": {"width": 1366, "height": 768}}
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
VAN = "BIL1"
ROLLATOR = "Rollator Drive Nitro M"
SHOWER_CHAIR = "Dusjstol Mobilex Dolphin"
TOMORROW = date.today() + timedelta(days=1)
ODOMETER_START, ODOMETER_END = 48_213, 48_262

# Born 05.05.1938 (individual numbers 000–499: the 1900s); not the therapist tests' birth date.
_fnrs = (fnr for fnr in (make_fnr("050538", f"{n:03d}") for n in itertools.count(200)) if fnr)


@dataclass
class Visit:
    """One citizen on the run: what the planner and the driver see, and what the database must end with."""

    name: str
    fnr: str
    postcode: str
    barcodes: list[str] = field(default_factory=list)


@dataclass
class Day:
    astrid: Visit   # discharge: rollator + shower chair, two needs
    ola: Visit      # an ordinary delivery: one rollator
    per: Visit      # pickup: the shower chair he asked the depot to collect
    kari: Visit     # her rollator is reserved and planned for another day: the wrong unit to scan

    @property
    def deliveries(self) -> list[str]:
        return self.astrid.barcodes + self.ola.barcodes

    @property
    def everyone(self) -> list[Visit]:
        return [self.astrid, self.ola, self.per, self.kari]


# --- arranging through the services (committed: the live server reads it) ------------------------

def _user_id(session, username: str) -> int:
    return session.scalar(select(User.id).where(User.username == username))


def _citizen(session, vault, therapist_id: int, name: str, postcode: str) -> tuple[Visit, int]:
    fnr = next(_fnrs)
    citizen = register_citizen(session, vault, therapist_id, fnr, name, f"{name.split()[0]}vegen 3", postcode,
                               "1505", city="Kristiansund N", phone="71 55 00 00",
                               contact_name="Ingrid (datter)", contact_phone="900 00 000")
    return Visit(name, fnr, postcode), citizen.id


def _approved_unit(session, ids: dict, citizen_id: int, product_id: int, shelf: str, urgency: str = "normal") -> str:
    """A free unit on the shelf, then a short-term need the depot approves: that unit is reserved for it."""
    barcode = stock.register_device(session, ids["lager"], product_id, location_code=shelf).barcode
    need = lending.register_need(session, ids["terapeut"], "terapeut", citizen_id, TOMORROW, urgency, "short_term",
                                 product_id=product_id, requested_by="sykehuset" if urgency == "discharge" else "",
                                 discharge_date=TOMORROW if urgency == "discharge" else None)
    lending.decide_need(session, ids["lager"], "lager", need.id, "approve")
    [unit] = lending.need_units(session, [need.id])[need.id]
    assert (unit.barcode, unit.state) == (barcode, "reserved")
    return barcode


@pytest.fixture(scope="module")
def day(live_server) -> Day:
    app, users = live_server.app, live_server.seed.users
    with app.app_context():
        session = get_session()
        vault = app.extensions["fnr_vault"]
        ids = {role: _user_id(session, users[role]) for role in ("lager", "terapeut")}
        if VAN not in {van.code for van in stock.list_locations(session, kind="van")}:
            stock.create_location(session, VAN, "van", "Bil 1", parent_code="HL")
        rollator = create_product(session, hms_nr=None, name=ROLLATOR, iso_class="120606", supplier="Drive",
                                  individually_tracked=True, inspection_interval_days=None).id
        chair = create_product(session, hms_nr=None, name=SHOWER_CHAIR, iso_class="093303", supplier="Mobilex",
                               individually_tracked=True, inspection_interval_days=None).id

        # Earlier in the week: Kari's rollator was reserved and planned for Friday's run (any open stop
        # left by other tests goes there too, so tomorrow's run holds only this day's citizens).
        kari, kari_id = _citizen(session, vault, ids["terapeut"], "Kari Lund", "6511")
        kari.barcodes.append(_approved_unit(session, ids, kari_id, rollator, "A-01-1"))
        logistics.plan_runs(session, ids["lager"], TOMORROW + timedelta(days=2))

        astrid, astrid_id = _citizen(session, vault, ids["terapeut"], "Astrid Hansen", "6516")
        astrid.barcodes += [_approved_unit(session, ids, astrid_id, rollator, "A-01-1", "discharge"),
                            _approved_unit(session, ids, astrid_id, chair, "A-01-2", "discharge")]
        ola, ola_id = _citizen(session, vault, ids["terapeut"], "Ola Berg", "6507")
        ola.barcodes.append(_approved_unit(session, ids, ola_id, rollator, "A-01-1"))
        # Per's shower chair was lent at the counter in the spring; now he asked for it to be collected.
        per, per_id = _citizen(session, vault, ids["terapeut"], "Per Dahl", "6509")
        per_chair = _approved_unit(session, ids, per_id, chair, "A-01-2")
        loan = lending.hand_over(session, ids["lager"], per_chair, received_by="selv")
        lending.request_return(session, ids["lager"], loan.id, "need_ended")
        per.barcodes.append(per_chair)
        session.commit()
    return Day(astrid=astrid, ola=ola, per=per, kari=kari)


# --- what the database says -----------------------------------------------------------------------

def run_on(live_server, run_date: date) -> DeliveryRun:
    with live_server.app.app_context():
        session = get_session()
        [run] = session.scalars(select(DeliveryRun).where(DeliveryRun.run_date == run_date))
        session.expunge(run)
        return run


def stops_now(live_server, run_id: int) -> list[dict]:
    """The run's stops in order: kind, citizen, units, status — read after the browser's requests."""
    with live_server.app.app_context():
        view = logistics.run_view(get_session(), run_id)
        return [dict(id=s.id, kind="+".join(s.actions), name=s.citizen.name, urgent=s.urgent, status=s.status,
                     outcome=s.outcome_label,
                     barcodes=sorted(i.barcode for i in s.items), picked=all(i.picked for i in s.items))
                for s in view.stops]


def loans_of(live_server, barcodes: list[str]) -> dict[str, list[tuple[str, str]]]:
    with live_server.app.app_context():
        session = get_session()
        found = {}
        for barcode in barcodes:
            device = stock.get_device(session, barcode)
            for loan in session.scalars(select(Loan).where(Loan.device_id == device.id)):
                found.setdefault(barcode, []).append((loan.status, loan.received_by))
        return found


def stop_status(live_server, stop_id: int) -> str:
    with live_server.app.app_context():
        return get_session().get(Stop, stop_id).status


# --- what the users do ------------------------------------------------------------------------------

def post_outcome(stop, button: str):
    """Tap one of a stop's outcome buttons; the answer to the POST (before any redirect), once the new page is in."""
    page = stop.page
    with page.expect_navigation(), page.expect_response(lambda r: r.request.method == "POST") as posted:
        stop.get_by_role("button", name=button, exact=True).tap()
    return posted.value


def assert_no_fnr(page, day: Day) -> None:
    html = page.content()
    for visit in day.everyone:
        assert visit.fnr not in html and visit.fnr[:6] not in html, f"{visit.name}'s fnr is on {page.url}"


def folder(tmp_path, name: str):
    (tmp_path / name).mkdir(exist_ok=True)
    return tmp_path / name


def lines_with(text: str, *needles: str) -> list[str]:
    return [needle for line in text.splitlines() for needle in needles if needle in line]


# --- the scenario -----------------------------------------------------------------------------------

def test_the_drivers_day_plan_print_pick_by_scan_and_deliver_from_a_phone(new_page, live_server, day, tmp_path):
    astrid, ola, per, kari = day.astrid, day.ola, day.per, day.kari

    # Tuesday afternoon: the planner builds tomorrow's run for the driver and Bil 1.
    depot = new_page(**DESKTOP)
    login_as(depot, live_server, "lager", next_path=f"/lager/runder?dato={TOMORROW.isoformat()}")
    expect(depot.get_by_role("heading", level=1)).to_have_text(f"Kjørerunder {TOMORROW:%d.%m.%Y}")
    plan_form = depot.get_by_test_id("plan-form")
    plan_form.get_by_label("Sjåfør").first.select_option(label="E2E Sjafor")
    plan_form.get_by_label("Bil").first.select_option(value=VAN)
    with depot.expect_response(lambda r: r.request.method == "POST") as posted:
        plan_form.get_by_role("button", name=f"Planlegg {TOMORROW:%d.%m.%Y}").click()
    depot.wait_for_load_state()
    assert posted.value.status == 302
    run = run_on(live_server, TOMORROW)
    section = depot.get_by_test_id(f"run-{run.id}")
    expect(section.get_by_role("heading")).to_have_text(f"Kjørerunde {run.id} · E2E Sjafor · {VAN} · Planlagt")
    expect(depot.get_by_test_id("unplanned")).to_contain_text("Alt er planlagt.")

    # The discharge goes first (one visit for both of Astrid's needs, though she lives furthest out),
    # then the nearest.
    stops = stops_now(live_server, run.id)
    assert [(s["kind"], s["name"], s["urgent"]) for s in stops] == [
        ("deliver", astrid.name, True), ("deliver", ola.name, False), ("collect", per.name, False)]
    assert sorted(stops[0]["barcodes"]) == sorted(astrid.barcodes)
    assert (stops[1]["barcodes"], stops[2]["barcodes"]) == (ola.barcodes, per.barcodes)
    rows = section.locator("tbody tr")
    expect(rows).to_have_count(3)
    for row, stop in zip(rows.all(), stops):
        expect(row).to_have_attribute("data-testid", f"stop-{stop['id']}")
        expect(row).to_contain_text(stop["name"])
        for barcode in stop["barcodes"]:
            expect(row).to_contain_text(barcode)
    expect(rows.nth(0)).to_contain_text("Utskrivning")
    expect(rows.nth(2)).not_to_contain_text("Utskrivning")
    assert kari.barcodes[0] not in section.inner_text()
    assert_no_fnr(depot, day)

    # Wednesday 07:30: the pick list — every unit to deliver, in walking order, each barcode scannable.
    picklist = download(depot, "Plukkliste (PDF)")
    text = pdf_text(picklist, folder(tmp_path, "picklist"))
    assert f"Plukkliste – kjørerunde {run.id}" in text
    # The two rollators stand on A-01-1, the shower chair further along on A-01-2.
    walk = sorted([astrid.barcodes[0], ola.barcodes[0]]) + [astrid.barcodes[1]]
    assert lines_with(text, *day.deliveries) == walk, text
    assert per.barcodes[0] not in text and kari.barcodes[0] not in text
    decoded = decode_pages(picklist, folder(tmp_path, "picklist"))
    assert Counter(code for page in decoded for code in page) == Counter(day.deliveries)

    # … and the delivery log: the stops in route order, every unit to deliver or collect as a barcode.
    log = download(depot, "Kjørebok (PDF)")
    text = pdf_text(log, folder(tmp_path, "log"))
    order = lines_with(text, astrid.name, ola.name, per.name)
    assert [name for i, name in enumerate(order) if i == 0 or order[i - 1] != name] == [astrid.name, ola.name,
                                                                                         per.name], text
    assert Counter(c for page in decode_pages(log, folder(tmp_path, "log")) for c in page) == Counter(
        day.deliveries + per.barcodes)
    assert "Utfall:" not in text

    # Scanning the devices off the shelves: each scan ticks its line; Kari's rollator is refused.
    with depot.expect_navigation():
        section.get_by_role("link", name="Plukk ved skanning").click()
    assert depot.url.endswith(f"/runder/{run.id}/plukk")
    scanner, status = depot.get_by_test_id("pick-input"), depot.get_by_test_id("pick-status")
    expect(scanner).to_be_focused()
    lines = depot.get_by_test_id("pick-lines").locator("tbody tr")
    expect(lines).to_have_count(3)
    expect(lines.locator(".barcode")).to_have_text(walk)
    first, *others = [astrid.barcodes[0], ola.barcodes[0], astrid.barcodes[1]]
    assert pick_scan(depot, first).status == 200
    expect(depot.locator(f'tr[data-barcode="{first}"]')).to_have_class(re.compile(r"\bpicked\b"))
    expect(depot.locator(f'tr[data-barcode="{first}"] .tick')).to_have_text("✓")
    expect(status).to_have_text(f"{first} plukket. 2 igjen.")
    expect(status).to_have_class(re.compile(r"\bok\b"))

    wrong = kari.barcodes[0]
    answer = pick_scan(depot, wrong)
    assert answer.status == 409 and answer.json()["error"]["code"] == "reserved_for_other"
    expect(status).to_have_class(re.compile(r"\bbad\b"))
    expect(status).to_have_text(f"{wrong} er reservert for noen andre.")
    expect(depot.locator("body")).to_have_class(re.compile(r"\bflash-red\b"))
    expect(lines.filter(has_text="✓")).to_have_count(1)
    expect(depot.locator("tr.picked")).to_have_count(1)
    expect(scanner).to_be_focused()
    expect(scanner).to_have_value("")
    assert live_server.device(wrong).state == "reserved"
    depot.screenshot(path=PICK_SCREENSHOT, full_page=True)

    for barcode in others:
        assert pick_scan(depot, barcode).status == 200
        expect(depot.locator(f'tr[data-barcode="{barcode}"]')).to_have_class(re.compile(r"\bpicked\b"))
    expect(status).to_have_text(f"{others[-1]} plukket. Alt er plukket.")
    expect(depot.locator("tr.picked")).to_have_count(3)
    expect(scanner).to_be_focused()
    assert {b: live_server.device(b).state for b in day.deliveries} == dict.fromkeys(day.deliveries, "picked")
    assert {live_server.device(b).location_code for b in day.deliveries} == {VAN}
    assert [s["picked"] for s in stops_now(live_server, run.id)][:2] == [True, True]

    # The driver, on the phone: his runs, this one, the odometer, «Kjør ut».
    phone = new_page(**PHONE)
    login_as(phone, live_server, "sjafor")
    assert phone.url == live_server.url + "/sjafor"
    expect(phone.get_by_role("heading", level=1)).to_have_text("Mine kjørerunder")
    card = phone.get_by_test_id(f"run-link-{run.id}")
    expect(card).to_contain_text(f"{TOMORROW:%d.%m.%Y} – runde {run.id}")
    expect(card).to_contain_text(f"3 stopp, 3 igjen · Planlagt · {VAN}")
    with phone.expect_navigation():
        card.tap()
    start = phone.get_by_test_id("start-form")
    start.get_by_label("Kilometerstand ved start").fill(str(ODOMETER_START))
    with phone.expect_navigation():
        start.get_by_role("button", name="Kjør ut").tap()
    expect(phone.locator("main p.muted").first).to_contain_text("Underveis")
    expect(phone.get_by_test_id("start-form")).to_have_count(0)
    assert {live_server.device(b).state for b in day.deliveries} == {"out_for_delivery"}
    assert_no_fnr(phone, day)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390, "the driver's page scrolls sideways"

    # 10:40 at Astrid's: one visit, both devices delivered, received by her daughter.
    for stop in stops[:1]:
        card = phone.get_by_test_id(f"stop-{stop['id']}")
        expect(card).to_contain_text("UTSKRIVNING")
        card.get_by_label("Mottatt av").fill("datter")
        assert post_outcome(card, "Levert").status == 302
        expect(phone.get_by_test_id(f"outcome-{stop['id']}")).to_contain_text(
            re.compile(r"^Levert \d\d:\d\d · mottatt av datter"))
        expect(card).to_have_class(re.compile(r"\bstop-done\b"))
    phone.screenshot(path=DRIVER_SCREENSHOT, full_page=True)

    # At Ola's: «Avvist» needs a reason — refused, nothing recorded; then delivered properly.
    ola_stop = stops[1]
    card = phone.get_by_test_id(f"stop-{ola_stop['id']}")
    assert post_outcome(card, "Avvist").status == 422
    expect(phone.get_by_role("alert")).to_contain_text("Skriv hvorfor hjelpemiddelet ble avvist.")
    assert stop_status(live_server, ola_stop["id"]) == "open"
    assert live_server.device(ola.barcodes[0]).state == "out_for_delivery"
    expect(phone.get_by_test_id(f"outcome-{ola_stop['id']}")).to_have_count(0)
    card.get_by_label("Mottatt av").fill("datter")
    assert post_outcome(card, "Levert").status == 302
    expect(phone.get_by_test_id(f"outcome-{ola_stop['id']}")).to_contain_text("mottatt av datter")

    # At Per's: the shower chair collected.
    per_stop = stops[2]
    card = phone.get_by_test_id(f"stop-{per_stop['id']}")
    expect(card.get_by_label("Mottatt av")).to_have_count(0)
    assert post_outcome(card, "Hentet").status == 302
    expect(phone.get_by_test_id(f"outcome-{per_stop['id']}")).to_contain_text(re.compile(r"^Hentet \d\d:\d\d"))
    assert_no_fnr(phone, day)

    # Back at the depot: the odometer, «Avslutt runden».
    finish = phone.get_by_test_id("finish-form")
    finish.get_by_label("Kilometerstand ved retur").fill(str(ODOMETER_END))
    with phone.expect_navigation():
        finish.get_by_role("button", name="Avslutt runden").tap()
    expect(phone.locator("main p.muted").first).to_contain_text("Ferdig")
    expect(phone.get_by_test_id("finish-form")).to_have_count(0)
    expect(phone.locator("form.outcome")).to_have_count(0)

    # What the database holds: loans for every delivered unit, Per's chair in the van on its way to cleaning.
    finished = run_on(live_server, TOMORROW)
    assert (finished.status, finished.odometer_start, finished.odometer_end) == ("finished", ODOMETER_START,
                                                                                 ODOMETER_END)
    assert [(s["status"], s["outcome"]) for s in stops_now(live_server, run.id)] == [
        ("done", "Levert"), ("done", "Levert"), ("done", "Hentet")]
    assert {b: live_server.device(b).state for b in day.deliveries} == dict.fromkeys(day.deliveries, "on_loan")
    assert loans_of(live_server, day.deliveries) == {b: [("active", "datter")] for b in day.deliveries}
    collected = live_server.device(per.barcodes[0])
    assert (collected.state, collected.location_code) == ("returned", VAN)
    assert loans_of(live_server, per.barcodes) == {per.barcodes[0]: [("ended", "selv")]}
    assert live_server.device(kari.barcodes[0]).state == "reserved"

    # The delivery log reprinted after the run carries the outcomes.
    text = pdf_text(download(phone, "Kjørebok (PDF)"), folder(tmp_path, "after"))
    assert lines_with(text, "Utfall: Levert", "Utfall: Hentet") == ["Utfall: Levert"] * 2 + ["Utfall: Hentet"], text
    assert "datter" in text and str(ODOMETER_START) in text and str(ODOMETER_END) in text
