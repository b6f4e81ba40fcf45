"""A week at the depot (SCENARIOS.md 1–4) as one story over real HTTP: the app on a thread, the fake
NAV on another, each person with their own token — the therapist (tone, terapeut), the warehouse
(lise, lager) and the driver/technician (sindre, sjafor).

1. Friday discharge: Astrid's needs are registered, the short-term ones approved and reserved at
   once, the bed sent to NAV; the run puts her first; picking refuses a rollator held for someone
   else and swaps in a free shower chair; «Levert», received by her daughter.
2. The NAV bed: the application reaches NAV through the outbox, NAV decides, the sync shows the bed
   coming, it is received by hmsnr + serial with its label, and one visit both delivers it and
   collects the depot's short-term bed, which is received, washed and inspected before it is lent on.
3. A wheel breaks: Ole's NAV wheelchair, a repair at home, two tyres ordered while NAV is down (sent
   once when it is back), the shipment matched, the visit waiting for the parts, «Reparert».
4. Return, clean, inspect, lend again: the rollator and shower chair collected («Hentet»), received
   at the depot after «Hentet», washed, inspected, put away by scanning a bin; the rollator goes to
   the need waiting in the queue.

The four tests run in order on one server and one fake NAV; each needs the one before it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import pytest
import requests

from hjelpemiddel.catalog.services import create_product
from hjelpemiddel.core.auth import create_token, create_user
from hjelpemiddel.core.db import get_session
from hjelpemiddel.core.fnr import make_fnr
from hjelpemiddel.core.text import local_today
from hjelpemiddel.stock.services import create_location
from integrations.nav.fake_server import DEFAULT_TOKEN, FakeClock, create_fake_nav

from ..conftest import TEST_FNR_KEYS, FakeNav
from ..support import decoded_codes, pdf_text, serve_wsgi, serving

TODAY = local_today()  # the service plans runs by Oslo dates
BARCODE = re.compile(r"HJM\d{8}")
PART = {"hmsnr": "150817", "navn": "Dekk 24\"", "kategori": "Dekk", "antall": 2}


def fnr(birth6: str) -> str:
    return next(f for n in range(100, 999) if (f := make_fnr(birth6, f"{n:03d}")))


def next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@dataclass
class Story:
    """What the story has made so far, passed from one scenario to the next."""

    base: str
    nav: FakeNav
    tone: object
    lise: object
    sindre: object
    products: dict[str, int]
    units: dict[str, str] = field(default_factory=dict)  # name -> barcode
    citizens: dict[str, dict] = field(default_factory=dict)
    needs: dict[str, dict] = field(default_factory=dict)
    done: set[str] = field(default_factory=set)

    def after(self, scenario: str) -> None:
        if scenario not in self.done:
            pytest.skip(f"the story broke before: {scenario} did not finish")

    def trail(self, name: str) -> list[tuple]:
        """The unit's history, oldest first: (kind, from state, to state, from location, to location)."""
        return [(e["kind"], e["from_state"], e["to_state"], e["from_location"], e["to_location"])
                for e in self.lise("GET", f"/api/v1/devices/{self.units[name]}/history", 200)]

    def device(self, name: str) -> dict:
        return self.lise("GET", f"/api/v1/devices/{self.units[name]}", 200)

    def plan(self, run_date: date) -> dict:
        runs = self.lise("POST", "/api/v1/runs/plan", 200, json={
            "run_date": run_date.isoformat(), "runs": [{"driver": "sindre", "van": "BIL1"}]})
        assert len(runs) == 1 and runs[0]["run_date"] == run_date.isoformat()
        return runs[0]


def api(base: str, token: str):
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {token}"

    def call(method: str, path: str, expect: int, **kwargs):
        response = http.request(method, base + path, timeout=30, **kwargs)
        assert response.status_code == expect, f"{method} {path}: {response.status_code} {response.text[:500]}"
        if response.headers.get("Content-Type", "").startswith("application/json"):
            return response.json()
        return response

    return call


def items_of(stop: dict) -> list[tuple[str, str]]:
    return [(item["action"], item["barcode"]) for item in stop["items"]]


def listed_barcodes(html: str) -> list[str]:
    """The units a page lists (one per line item), not codes mentioned in passing."""
    return re.findall(r'<span class="mono">(HJM\d{8})</span>', html)


@pytest.fixture(scope="module")
def story():
    nav_app = create_fake_nav(seed=1, clock=FakeClock(datetime.combine(TODAY, time(8, 0))), seed_data=False)
    with serve_wsgi(nav_app, name="week-fake-nav") as nav_base:
        nav = FakeNav(nav_base, nav_app)
        with serving("week_at_the_depot", NAV_BASE_URL=nav_base, NAV_TOKEN=DEFAULT_TOKEN, NAV_RETRIES=1,
                     **TEST_FNR_KEYS) as (app, base):
            with app.app_context():
                session = get_session()
                for name, role, full_name in (("tone", "terapeut", "Tone Ergoterapeut"),
                                              ("lise", "lager", "Lise Lager"), ("sindre", "sjafor", "Sindre Sjåfør")):
                    create_user(session, name, role, "test-passord-123", full_name)
                create_location(session, "HML", "depot", "Hjelpemiddellageret", x=0, y=0)
                create_location(session, "MOTTAK", "zone", "Mottak", parent_code="HML", x=0, y=1)
                create_location(session, "BIL1", "van", "Varebil 1", parent_code="HML")
                create_location(session, "A", "zone", "Sone A", parent_code="HML", x=1, y=0)
                create_location(session, "A-01", "rack", "Reol A-01", parent_code="A", x=1, y=0)
                for number, y in ((1, 0.5), (2, 1.0), (3, 1.5)):
                    create_location(session, f"A-01-{number}", "bin", f"Hylle {number}", parent_code="A-01", x=1, y=y)
                create_location(session, "B", "zone", "Sone B", parent_code="HML", x=2, y=0)
                create_location(session, "B-01", "rack", "Reol B-01", parent_code="B", x=2, y=0)
                create_location(session, "B-01-1", "bin", "Sengeplass 1", parent_code="B-01", x=2, y=0.5)
                products = {
                    "rollator": create_product(session, hms_nr="214372", name="Rollator Topro Olympos M",
                                               iso_class="120606", supplier="Topro"),
                    "toalettforhoyer": create_product(session, name="Toalettforhøyer Etac Hi-Loo", iso_class="091212",
                                                      supplier="Etac"),
                    "dusjstol": create_product(session, name="Dusjstol Etac Swift", iso_class="093303",
                                               supplier="Etac"),
                    "seng": create_product(session, name="Elektrisk seng Invacare Medley Ergo", iso_class="181210",
                                           supplier="Invacare", inspection_interval_days=365),
                    "nav_seng": create_product(session, hms_nr="291003", name="Seng Opus 90EW", iso_class="18121501",
                                               supplier="NAV"),
                }
                tokens = {name: create_token(session, name) for name in ("tone", "lise", "sindre")}
                session.commit()
                products = {key: product.id for key, product in products.items()}
            yield Story(base=base, nav=nav, tone=api(base, tokens["tone"]), lise=api(base, tokens["lise"]),
                        sindre=api(base, tokens["sindre"]), products=products)


def register_citizen(story: Story, key: str, name: str, birth6: str, address: str, postcode: str, **more) -> dict:
    citizen = story.tone("POST", "/api/v1/citizens", 201, json={
        "fnr": fnr(birth6), "name": name, "address": address, "postcode": postcode, "city": "Kristiansund",
        "kommunenummer": "1505", **more})
    story.citizens[key] = citizen
    return citizen


def register_need(story: Story, key: str, citizen: str, product: str, needed_by: date, urgency: str = "normal",
                  **more) -> dict:
    body = {"citizen_id": story.citizens[citizen]["id"], "product_id": story.products[product],
            "needed_by": needed_by.isoformat(), "urgency": urgency, **more}
    if urgency == "discharge":
        body.setdefault("discharge_date", needed_by.isoformat())
    need = story.tone("POST", "/api/v1/needs", 201, json=body)
    assert need["status"] == "registered"
    story.needs[key] = need
    return need


def need(story: Story, key: str) -> dict:
    return story.tone("GET", f"/api/v1/needs/{story.needs[key]['id']}", 200)


def loan_of(story: Story, citizen: str, unit: str) -> dict:
    loans = story.tone("GET", f"/api/v1/loans?citizen_id={story.citizens[citizen]['id']}", 200)
    return next(loan for loan in loans if loan["device_barcode"] == story.units[unit])


def test_1_friday_discharge(story, tmp_path):
    tone, lise, sindre = story.tone, story.lise, story.sindre
    wednesday = TODAY + timedelta(days=1)

    # The depot's shelves: two rollators, two toilet seats, two shower chairs, one electric bed.
    for name, product, bin_code in (("R1", "rollator", "A-01-1"), ("R2", "rollator", "A-01-1"),
                                    ("T1", "toalettforhoyer", "A-01-3"), ("T2", "toalettforhoyer", "A-01-3"),
                                    ("S1", "dusjstol", "A-01-2"), ("S2", "dusjstol", "A-01-2"),
                                    ("B1", "seng", "B-01-1")):
        device = lise("POST", "/api/v1/devices", 201, json={
            "product_id": story.products[product], "serial_number": f"{product.upper()}-{name}",
            "location_code": bin_code})
        assert device["state"] == "available"
        story.units[name] = device["barcode"]

    # Monday 09:10 the hospital calls: the therapist registers what Astrid needs for Wednesday.
    register_citizen(story, "astrid", "Astrid Olsen", "150342", "Storgata 1", "6509", phone="99887766",
                     access_notes="Nøkkelboks 1234", contact_name="Liv Olsen (datter)", contact_phone="41234567")
    for key, product in (("rollator", "rollator"), ("toalettforhoyer", "toalettforhoyer"), ("dusjstol", "dusjstol"),
                         ("seng_kort", "seng")):
        register_need(story, key, "astrid", product, wednesday, "discharge", requested_by="Sykepleier, ortopedisk post",
                      notes="Til NAV-sengen kommer" if key == "seng_kort" else "")
    register_need(story, "nav_seng", "astrid", "nav_seng", wednesday, "discharge", application_type="long_term",
                  notes="Elektrisk seng med trykkavlastende madrass")
    sent = tone("POST", f"/api/v1/needs/{story.needs['nav_seng']['id']}/decision", 200,
                json={"decision": "send_to_nav"})
    assert (sent["status"], sent["nav_status"]) == ("sent_to_nav", "sent")

    # The depot approves the short-term ones: each gets its oldest free unit at once.
    for key, unit in (("rollator", "R1"), ("toalettforhoyer", "T1"), ("dusjstol", "S1"), ("seng_kort", "B1")):
        decided = lise("POST", f"/api/v1/needs/{story.needs[key]['id']}/decision", 200, json={"decision": "approve"})
        assert decided["status"] == "reserved"
        assert [u["barcode"] for u in decided["units"]] == [story.units[unit]]

    # Kari, closer to the depot, needs a toilet seat too (not urgent): she goes on the same run.
    register_citizen(story, "kari", "Kari Nilsen", "020245", "Kongens gate 7", "6507", phone="91234567")
    register_need(story, "kari_toalett", "kari", "toalettforhoyer", wednesday)
    lise("POST", f"/api/v1/needs/{story.needs['kari_toalett']['id']}/decision", 200, json={"decision": "approve"})

    # Tuesday afternoon: Wednesday's run, Astrid first because of the discharge although Kari is nearer.
    run = story.plan(wednesday)
    assert [stop["citizen"]["name"] for stop in run["stops"]] == ["Astrid Olsen", "Kari Nilsen"]
    astrid_stop, kari_stop = run["stops"]
    assert astrid_stop["urgent"] and not kari_stop["urgent"] and astrid_stop["actions"] == ["deliver"]
    assert sorted(items_of(astrid_stop)) == sorted(("deliver", story.units[u]) for u in ("R1", "T1", "S1", "B1"))
    assert items_of(kari_stop) == [("deliver", story.units["T2"])]

    # Wednesday morning Per's son is coming to the counter for a rollator: the depot holds R2 for him.
    register_citizen(story, "per", "Per Hansen", "110738", "Øvre Enggate 3", "6511")
    register_need(story, "per_rollator", "per", "rollator", TODAY)
    held = lise("POST", f"/api/v1/needs/{story.needs['per_rollator']['id']}/decision", 200,
                json={"decision": "approve"})
    assert [u["barcode"] for u in held["units"]] == [story.units["R2"]]

    # 07:30 the driver prints the pick list and scans the units off the shelves.
    picklist = pdf_text(sindre("GET", f"/api/v1/runs/{run['id']}/picklist.pdf", 200).content, tmp_path)
    assert sorted(BARCODE.findall(picklist)) == sorted(story.units[u] for u in ("R1", "T1", "S1", "B1", "T2"))
    assert all(shelf in picklist for shelf in ("A-01-1", "A-01-2", "A-01-3", "B-01-1"))
    blank_log = pdf_text(sindre("GET", f"/api/v1/runs/{run['id']}/delivery-log.pdf", 200).content, tmp_path)
    assert blank_log.index("Astrid Olsen") < blank_log.index("Kari Nilsen") and "Utfall" not in blank_log
    picked = sindre("POST", f"/api/v1/runs/{run['id']}/pick", 200, json={"barcode": story.units["R1"]})
    assert (picked["stop_id"], picked["substituted_for"]) == (astrid_stop["id"], None)
    wrong = sindre("POST", f"/api/v1/runs/{run['id']}/pick", 409, json={"barcode": story.units["R2"]})
    assert wrong["error"]["code"] == "reserved_for_other" and story.units["R2"] in wrong["error"]["message"]
    sindre("POST", f"/api/v1/runs/{run['id']}/pick", 200, json={"barcode": story.units["T1"]})
    # The shower chair at the front of the shelf is S2, not the planned S1: it takes S1's place.
    swapped = sindre("POST", f"/api/v1/runs/{run['id']}/pick", 200, json={"barcode": story.units["S2"]})
    assert (swapped["stop_id"], swapped["substituted_for"]) == (astrid_stop["id"], story.units["S1"])
    sindre("POST", f"/api/v1/runs/{run['id']}/pick", 200, json={"barcode": story.units["B1"]})
    last = sindre("POST", f"/api/v1/runs/{run['id']}/pick", 200, json={"barcode": story.units["T2"]})
    assert last["remaining"] == 0

    # Per's rollator goes over the counter.
    lise("POST", "/api/v1/loans", 201, json={"device_barcode": story.units["R2"], "received_by": "Per (sønnen)"})

    # After the swap only the unit in the van is on the pick list, the run, the delivery log and the phone.
    in_van = {story.units[u] for u in ("R1", "T1", "S2", "B1", "T2")}
    s1 = story.units["S1"]
    picklist = pdf_text(sindre("GET", f"/api/v1/runs/{run['id']}/picklist.pdf", 200).content, tmp_path)
    assert set(BARCODE.findall(picklist)) == in_van and picklist.count("Plukket") == 5
    pick_page = sindre("GET", f"/runder/{run['id']}/plukk", 200).text
    assert set(re.findall(r'data-barcode="(HJM\d{8})"', pick_page)) == in_van
    shown = sindre("GET", f"/api/v1/runs/{run['id']}", 200)
    assert {item["barcode"] for stop in shown["stops"] for item in stop["items"]} == in_van
    assert all(item["picked"] and item["state"] == "picked" and item["location_code"] == "BIL1"
               for stop in shown["stops"] for item in stop["items"])
    [in_place_of_s1] = [item for item in shown["stops"][0]["items"] if item["barcode"] == story.units["S2"]]
    assert in_place_of_s1["substituted_for"] == s1
    log = pdf_text(sindre("GET", f"/api/v1/runs/{run['id']}/delivery-log.pdf", 200).content, tmp_path)
    assert set(BARCODE.findall(log)) == in_van
    phone = sindre("GET", f"/sjafor/runde/{run['id']}", 200).text
    assert set(listed_barcodes(phone)) == in_van and s1 not in phone

    # The swapped-out chair never left its shelf and is free again; its history says why.
    assert (story.device("S1")["state_label"], story.device("S1")["location"]["code"]) == ("Ledig på lager", "A-01-2")
    assert story.trail("S1") == [
        ("registered", None, "available", None, "A-01-2"),
        ("reserved", "available", "reserved", "A-01-2", "A-01-2"),
        ("released", "reserved", "available", "A-01-2", "A-01-2"),
    ]
    released = lise("GET", f"/api/v1/devices/{s1}/history", 200)[-1]
    assert story.units["S2"] in released["note"]

    # Out the door; at 10:40 Astrid's daughter signs for the four units.
    sindre("POST", f"/api/v1/runs/{run['id']}/start", 200, json={"odometer_start": 12000})
    delivered = sindre("POST", f"/api/v1/runs/{run['id']}/stops/{astrid_stop['id']}/outcome", 200,
                       json={"outcome": "delivered", "received_by": "datter"})
    assert (delivered["status"], delivered["outcome_label"], delivered["received_by"]) == ("done", "Levert", "datter")
    sindre("POST", f"/api/v1/runs/{run['id']}/stops/{kari_stop['id']}/outcome", 200,
           json={"outcome": "delivered", "received_by": "Kari"})
    finished = sindre("POST", f"/api/v1/runs/{run['id']}/finish", 200, json={"odometer_end": 12031})
    assert finished["status"] == "finished" and [s["status"] for s in finished["stops"]] == ["done", "done"]
    log = pdf_text(sindre("GET", f"/api/v1/runs/{run['id']}/delivery-log.pdf", 200).content, tmp_path)
    assert "Mottatt av: datter" in log and "Mottatt av: Kari" in log and log.count("Utfall: Levert") == 2
    assert "12000" in log and "12031" in log

    # The therapist's page: all four on loan, with a lead time; the bed waits on NAV.
    for key in ("rollator", "toalettforhoyer", "dusjstol", "seng_kort"):
        now = need(story, key)
        assert (now["status"], now["status_label"]) == ("on_loan", "Utlånt")
        assert now["lead_time_minutes"] is not None and now["lead_time_minutes"] >= 0
        assert now["units"][0]["loan_status"] == "active"
        assert now["units"][0]["expected_end"] == (TODAY + timedelta(days=90)).isoformat()
    assert need(story, "nav_seng")["status"] == "sent_to_nav"
    loan = loan_of(story, "astrid", "S2")
    assert (loan["received_by"], loan["status"]) == ("datter", "active")

    on_the_road = [
        ("departed", "picked", "out_for_delivery", "BIL1", "BIL1"),
        ("loan_started", "out_for_delivery", "on_loan", "BIL1", None),
    ]
    for unit, shelf in (("R1", "A-01-1"), ("T1", "A-01-3"), ("B1", "B-01-1"), ("T2", "A-01-3")):
        assert story.trail(unit) == [
            ("registered", None, "available", None, shelf),
            ("reserved", "available", "reserved", shelf, shelf),
            ("picked", "reserved", "picked", shelf, "BIL1"),
            *on_the_road,
        ]
    assert story.trail("S2") == [
        ("registered", None, "available", None, "A-01-2"),
        ("reserved", "available", "reserved", "A-01-2", "A-01-2"),
        ("substituted", "reserved", "reserved", "A-01-2", "A-01-2"),
        ("picked", "reserved", "picked", "A-01-2", "BIL1"),
        *on_the_road,
    ]
    assert story.trail("R2") == [
        ("registered", None, "available", None, "A-01-1"),
        ("reserved", "available", "reserved", "A-01-1", "A-01-1"),
        ("loan_started", "reserved", "on_loan", "A-01-1", None),
    ]
    story.done.add("scenario 1")


def test_2_the_nav_bed_arrives_and_the_depot_bed_goes_back(story, tmp_path):
    story.after("scenario 1")
    tone, lise, sindre, nav = story.tone, story.lise, story.sindre, story.nav
    nav_need = story.needs["nav_seng"]["id"]

    # The application waits in the outbox; the sync delivers the outbox first.
    assert nav.stats()["soknader"] == 0
    first = lise("POST", "/api/v1/nav/sync", 200, json={})
    assert first["outbox"] == {"sent": 1} and first["applied"]["new"] == 0
    assert nav.stats()["soknader"] == 1
    assert "nav_registered" in [event["kind"] for event in need(story, "nav_seng")["timeline"]]

    # NAV decides; the sync brings the order line and the need says the bed is coming.
    nav.control("/clock", advance_minutes=3)
    synced = lise("POST", "/api/v1/nav/sync", 200, json={})
    assert (synced["applied"]["new"], synced["applied"]["needs_matched"], synced["applications_checked"]) == (1, 1, 1)
    waiting = need(story, "nav_seng")
    assert (waiting["nav_status"], waiting["nav_status_label"]) == ("delivery_expected", "Levering fra NAV ventet")
    [line] = lise("GET", "/api/v1/nav/upcoming", 200)
    assert (line["hms_nr"], line["citizen_name"], line["need_id"], line["nav_status"]) == (
        "291003", "Astrid O.", nav_need, "BOOKED")
    [serial] = line["serials"]
    assert re.fullmatch(r"\d{6}", serial)

    # NAV ships it: the same line comes again, updated, with the day it arrives.
    nav.control("/clock", advance_minutes=60)
    assert lise("POST", "/api/v1/nav/sync", 200, json={})["applied"]["updated"] == 1
    [line] = lise("GET", "/api/v1/nav/upcoming", 200)
    assert line["nav_status"] == "SHIPPED" and line["expected_on"] == next_working_day(TODAY).isoformat()

    # The NAV van unloads: hmsnr + serial typed in, matched, registered as NAV's, labelled, held for Astrid.
    received = lise("POST", "/api/v1/nav/receive", 201, json={"hms_nr": "291003", "serial": serial,
                                                               "location_code": "MOTTAK"})
    assert received["matched"] and received["need_id"] == nav_need and received["order_line_id"] == line["id"]
    assert received["device"]["state"] == "reserved" and received["device"]["nav_serial"] == serial
    story.units["NB"] = received["device"]["barcode"]
    label = lise("GET", received["label_url"], 200)
    assert decoded_codes(label.content, tmp_path) == [story.units["NB"]]
    assert lise("GET", "/api/v1/nav/upcoming", 200) == []
    assert (need(story, "nav_seng")["status"], need(story, "nav_seng")["nav_status"]) == ("reserved", "received")

    # The depot's short-term bed is asked back; the next day one visit does the exchange.
    bed_loan = loan_of(story, "astrid", "B1")
    tone("POST", f"/api/v1/loans/{bed_loan['id']}/return-request", 200,
         json={"reason": "need_ended", "note": "NAV-sengen er kommet"})
    exchange_day = TODAY + timedelta(days=2)
    run = story.plan(exchange_day)
    [stop] = run["stops"]
    assert (stop["citizen"]["name"], stop["actions"], stop["kind_label"]) == (
        "Astrid Olsen", ["deliver", "collect"], "Levering og henting")
    assert items_of(stop) == [("deliver", story.units["NB"]), ("collect", story.units["B1"])]
    assert sindre("POST", f"/api/v1/runs/{run['id']}/pick", 200, json={"barcode": story.units["NB"]})["remaining"] == 0
    sindre("POST", f"/api/v1/runs/{run['id']}/start", 200, json={"odometer_start": 12031})
    half = sindre("POST", f"/api/v1/runs/{run['id']}/stops/{stop['id']}/outcome", 200,
                  json={"outcome": "delivered", "action": "deliver", "received_by": "datter"})
    assert half["status"] == "open"
    done = sindre("POST", f"/api/v1/runs/{run['id']}/stops/{stop['id']}/outcome", 200,
                  json={"outcome": "collected", "action": "collect"})
    assert (done["status"], done["outcome_label"]) == ("done", "Levert · Hentet")
    sindre("POST", f"/api/v1/runs/{run['id']}/finish", 200, json={"odometer_end": 12050})
    log = pdf_text(sindre("GET", f"/api/v1/runs/{run['id']}/delivery-log.pdf", 200).content, tmp_path)
    assert set(BARCODE.findall(log)) == {story.units["NB"], story.units["B1"]}
    assert "Lever" in log and "Hent" in log and "Utfall: Levert · Hentet" in log
    assert need(story, "nav_seng")["status"] == "on_loan"
    assert loan_of(story, "astrid", "NB")["loan_type"] == "long_term"
    assert story.trail("NB") == [
        ("registered", None, "available", None, "MOTTAK"),
        ("reserved", "available", "reserved", "MOTTAK", "MOTTAK"),
        ("picked", "reserved", "picked", "MOTTAK", "BIL1"),
        ("departed", "picked", "out_for_delivery", "BIL1", "BIL1"),
        ("loan_started", "out_for_delivery", "on_loan", "BIL1", None),
    ]

    # The collected bed rides in the van until the depot receives it.
    bed = story.device("B1")
    assert (bed["state"], bed["location"]["code"]) == ("returned", "BIL1")
    assert story.trail("B1")[-2:] == [
        ("return_requested", "on_loan", "awaiting_pickup", None, None),
        ("collected", "awaiting_pickup", "returned", None, "BIL1"),
    ]
    assert need(story, "seng_kort")["status"] == "closed"

    # Berit needs a bed too: approved, but no bed is lendable, so she waits in the queue.
    register_citizen(story, "berit", "Berit Moe", "240551", "Langveien 12", "6512")
    register_need(story, "berit_seng", "berit", "seng", TODAY + timedelta(days=5), "urgent")
    queued = lise("POST", f"/api/v1/needs/{story.needs['berit_seng']['id']}/decision", 200,
                  json={"decision": "approve"})
    assert (queued["status"], queued["queue_position"]) == ("approved", 1)

    receipt = lise("POST", "/api/v1/returns/receive", 200, json={"device_barcode": story.units["B1"]})
    assert (receipt["state"], receipt["location_code"], receipt["already_received"]) == ("cleaning", "MOTTAK", False)
    again = lise("POST", "/api/v1/returns/receive", 200, json={"device_barcode": story.units["B1"]})
    assert again["already_received"] is True and again["state"] == "cleaning"

    def lend_to_berit(expect: int):
        return lise("POST", "/api/v1/loans", expect, json={"device_barcode": story.units["B1"],
                                                           "need_id": story.needs["berit_seng"]["id"]})

    assert lend_to_berit(409)["error"]["details"]["current_state"] == "cleaning"
    lise("POST", f"/api/v1/devices/{story.units['B1']}/clean", 200, json={"method": "manual_wash"})
    assert lend_to_berit(409)["error"]["details"]["current_state"] == "inspection"
    assert need(story, "berit_seng")["status"] == "approved"
    checklist = lise("GET", f"/api/v1/devices/{story.units['B1']}/checklist", 200)
    assert checklist["name"] == "bed"
    inspection = lise("POST", f"/api/v1/devices/{story.units['B1']}/inspect", 200,
                      json={"results": {key: True for key in checklist["items"]}, "location_code": "B-01-1"})
    assert inspection["passed"] and inspection["outcome"] == "available"

    # Only now is it lendable: it goes straight to Berit, first in the queue.
    berit = need(story, "berit_seng")
    assert berit["status"] == "reserved" and [u["barcode"] for u in berit["units"]] == [story.units["B1"]]
    assert story.trail("B1")[-4:] == [
        ("return_received", "returned", "cleaning", "BIL1", "MOTTAK"),
        ("cleaned", "cleaning", "inspection", "MOTTAK", "MOTTAK"),
        ("inspected", "inspection", "available", "MOTTAK", "B-01-1"),
        ("reserved", "available", "reserved", "B-01-1", "B-01-1"),
    ]
    story.done.add("scenario 2")


def test_3_a_wheel_breaks(story, tmp_path):
    story.after("scenario 2")
    lise, sindre, nav = story.lise, story.sindre, story.nav

    # Ole has had a NAV wheelchair at home since last year; the depot registers it from NAV's loan list.
    ole = register_citizen(story, "ole", "Ole Johansen", "030331", "Fosnagata 20", "6508", phone="95554444")
    nav.control("/loans", fnr=fnr("030331"), loans=[{
        "artikkelNr": "236958", "artikkelBeskrivelse": "Panthera U3 Light rullestol", "serieNr": "512345",
        "kategoriNummer": "12220301", "kategori": "Manuelle rullestoler", "datoUtsendelse": "2025-05-10 10:00:00"}])
    imported = lise("POST", f"/api/v1/citizens/{ole['id']}/nav-loans/import", 201)
    [chair] = imported["registered"]
    assert (chair["state"], chair["owner"]) == ("on_loan", "nav")
    story.units["W"] = chair["barcode"]
    label = lise("GET", f"/api/v1/devices/{chair['barcode']}/label.pdf", 200)
    assert decoded_codes(label.content, tmp_path) == [chair["barcode"]]

    # A worn tyre: a repair at home becomes a visit.
    repair = sindre("POST", "/api/v1/repairs", 201, json={"barcode": chair["barcode"], "place": "home",
                                                            "description": "Slitt dekk bak"})
    assert repair["status"] == "open" and repair["stop_id"] is not None

    # Two tyres ordered to the service job while NAV is down: accepted, waiting in the outbox.
    nav.control(fail_every=1)
    order = sindre("POST", "/api/v1/nav/part-orders", 202, json={
        "barcode": chair["barcode"], "levering": "TIL_SERVICE_OPPDRAG", "parts": [PART], "repair_id": repair["id"]})
    waiting = sindre("GET", f"/api/v1/nav/part-orders/{order['id']}", 200)
    assert waiting["status"] == "queued" and waiting["status_label"].startswith("Venter")
    stats = nav.stats()
    assert stats["saker"] == 0 and stats["by_endpoint"]["POST /delbestilling"] == 1  # tried once, NAV failed

    # NAV is back at 11:02: the order goes through exactly once.
    nav.control(fail_every=0)
    assert lise("POST", "/api/v1/nav/outbox/deliver", 200)["delivered"] == {"sent": 1}
    assert lise("POST", "/api/v1/nav/outbox/deliver", 200)["delivered"] == {}
    sent = sindre("GET", f"/api/v1/nav/part-orders/{order['id']}", 200)
    assert (sent["status"], sent["nav_status"]) == ("sent", "INNSENDT") and sent["saksnummer"]

    # A day later NAV has shipped; the sync brings the shipment's order line, matched to the order.
    nav.control("/clock", advance_minutes=25 * 60)
    synced = lise("POST", "/api/v1/nav/sync", 200, json={})
    assert synced["applied"]["parts_matched"] == 1
    stats = nav.stats()
    assert stats["saker"] == 1 and stats["successes"]["POST /delbestilling"] == 1
    assert stats["by_endpoint"]["POST /delbestilling"] == 2
    shipped = sindre("GET", f"/api/v1/nav/part-orders/{order['id']}", 200)
    parts_day = next_working_day(TODAY + timedelta(days=1))
    assert shipped["status"] == "received" and shipped["order_line_id"] is not None
    assert shipped["status_label"].startswith("Sendt fra NAV, forsendelsen er registrert")
    assert shipped["expected_delivery"] == parts_day.isoformat()
    [repair_now] = sindre("GET", f"/api/v1/devices/{chair['barcode']}/repairs", 200)
    repair_stop = repair_now["stop_id"]

    # The day before the parts arrive: Berit's bed goes out, Ole's repair does not.
    before = story.plan(parts_day - timedelta(days=1))
    assert [stop["citizen"]["name"] for stop in before["stops"]] == ["Berit Moe"]
    moved = lise("POST", f"/api/v1/stops/{repair_stop}/move", 409, json={"run_id": before["id"]})
    assert moved["error"]["details"]["not_before"] == parts_day.isoformat()
    [berit_stop] = before["stops"]
    sindre("POST", f"/api/v1/runs/{before['id']}/pick", 200, json={"barcode": story.units["B1"]})
    sindre("POST", f"/api/v1/runs/{before['id']}/start", 200, json={"odometer_start": 12050})
    sindre("POST", f"/api/v1/runs/{before['id']}/stops/{berit_stop['id']}/outcome", 200,
           json={"outcome": "delivered", "received_by": "Berit"})
    sindre("POST", f"/api/v1/runs/{before['id']}/finish", 200, json={"odometer_end": 12072})
    assert need(story, "berit_seng")["status"] == "on_loan"

    # The parts' day: the repair visit is on the run; the technician records «Reparert».
    run = story.plan(parts_day)
    [stop] = run["stops"]
    assert (stop["id"], stop["citizen"]["name"], stop["actions"], stop["not_before"]) == (
        repair_stop, "Ole Johansen", ["repair"], parts_day.isoformat())
    assert items_of(stop) == [("repair", chair["barcode"])]
    sindre("POST", f"/api/v1/runs/{run['id']}/start", 200, json={"odometer_start": 12072})
    repaired = sindre("POST", f"/api/v1/runs/{run['id']}/stops/{stop['id']}/outcome", 200,
                      json={"outcome": "repair_done", "note": "Begge dekk bak byttet"})
    assert (repaired["status"], repaired["outcome_label"]) == ("done", "Reparert")
    sindre("POST", f"/api/v1/runs/{run['id']}/finish", 200, json={"odometer_end": 12094})
    completed = sindre("POST", f"/api/v1/repairs/{repair['id']}/complete", 200, json={
        "work_done": "Byttet begge dekk bak", "minutes_spent": 25,
        "parts_used": [{"hmsnr": PART["hmsnr"], "navn": PART["navn"], "antall": 2}]})
    assert (completed["status"], completed["minutes_spent"]) == ("done", 25)

    # The wheelchair's history: imported, repair opened, parts ordered and sent, shipped, repaired.
    history = lise("GET", f"/api/v1/devices/{chair['barcode']}/history", 200)
    assert [(e["kind"], e["from_state"], e["to_state"]) for e in history[:2]] == [
        ("registered", None, "registered"), ("nav_loan_imported", "registered", "on_loan")]
    assert all(e["from_state"] == e["to_state"] == "on_loan" for e in history[2:])
    kinds = [e["kind"] for e in history]
    assert kinds.index("repair_opened") < kinds.index("part_ordered") < kinds.index("part_order_sent") \
        < kinds.index("part_order_status") < kinds.index("repair_visit") < kinds.index("repaired")
    assert kinds.count("repaired") == 1  # the visit and the repair's record are one each, not two repairs
    work = history[-1]
    assert work["kind"] == "repaired" and work["data"]["repair_id"] == repair["id"]
    assert (work["data"]["minutes_spent"], work["data"]["parts_used"]) == (
        25, [{"hmsnr": "150817", "navn": "Dekk 24\"", "antall": 2}])
    assert "25 min" in work["note"] and "2 × Dekk 24\"" in work["note"]
    assert story.device("W")["state"] == "on_loan"
    story.done.add("scenario 3")


def test_4_return_clean_inspect_and_lend_again(story):
    story.after("scenario 3")
    tone, lise, sindre = story.tone, story.lise, story.sindre

    # Ingrid needs a rollator; none is free, so she waits in the queue.
    register_citizen(story, "ingrid", "Ingrid Lie", "170947", "Skolegata 4", "6510")
    register_need(story, "ingrid_rollator", "ingrid", "rollator", TODAY + timedelta(days=14))
    queued = lise("POST", f"/api/v1/needs/{story.needs['ingrid_rollator']['id']}/decision", 200,
                  json={"decision": "approve"})
    assert (queued["status"], queued["queue_position"]) == ("approved", 1)

    # In May Astrid's daughter asks for the rollator and the shower chair to be collected.
    for unit in ("R1", "S2"):
        asked = tone("POST", f"/api/v1/loans/{loan_of(story, 'astrid', unit)['id']}/return-request", 200,
                     json={"reason": "need_ended", "note": "Datteren ringte"})
        assert asked["status"] == "return_requested"
    pickup_day = next_working_day(TODAY + timedelta(days=10))
    run = story.plan(pickup_day)
    [stop] = run["stops"]
    assert (stop["citizen"]["name"], stop["actions"]) == ("Astrid Olsen", ["collect"])
    assert items_of(stop) == [("collect", story.units["R1"]), ("collect", story.units["S2"])]
    sindre("POST", f"/api/v1/runs/{run['id']}/start", 200, json={"odometer_start": 12094})
    collected = sindre("POST", f"/api/v1/runs/{run['id']}/stops/{stop['id']}/outcome", 200,
                       json={"outcome": "collected"})
    assert (collected["status"], collected["outcome_label"]) == ("done", "Hentet")
    sindre("POST", f"/api/v1/runs/{run['id']}/finish", 200, json={"odometer_end": 12113})

    bins = {"R1": "A-01-1", "S2": "A-01-2"}
    for unit, method in (("R1", "washer_disinfector"), ("S2", "manual_wash")):
        barcode = story.units[unit]
        assert (story.device(unit)["state"], story.device(unit)["location"]["code"]) == ("returned", "BIL1")
        # Received at the depot after «Hentet» (this step used to be refused).
        receipt = lise("POST", "/api/v1/returns/receive", 200, json={"device_barcode": barcode})
        assert (receipt["state"], receipt["location_code"], receipt["already_received"]) == (
            "cleaning", "MOTTAK", False)
        lise("POST", f"/api/v1/devices/{barcode}/clean", 200, json={"method": method})
        checklist = lise("GET", f"/api/v1/devices/{barcode}/checklist", 200)
        inspection = lise("POST", f"/api/v1/devices/{barcode}/inspect", 200,
                          json={"results": {key: True for key in checklist["items"]}})
        assert inspection["passed"] and inspection["checklist"] == checklist["name"]
        # Put away by scanning the bin's label.
        shelf = lise("GET", f"/api/v1/locations/{bins[unit]}", 200)
        moved = lise("POST", f"/api/v1/devices/{barcode}/move", 200, json={"location_code": shelf["barcode"]})
        assert moved["moved"] and moved["device"]["location"]["code"] == bins[unit]
    assert {story.units[u]: lise("GET", f"/api/v1/devices/{story.units[u]}/checklist", 200)["name"]
            for u in ("R1", "S2")} == {story.units["R1"]: "rollator", story.units["S2"]: "shower"}

    # The rollator went to Ingrid, first in the queue; the shower chair is free on its shelf.
    ingrid = need(story, "ingrid_rollator")
    assert ingrid["status"] == "reserved" and [u["barcode"] for u in ingrid["units"]] == [story.units["R1"]]
    assert (story.device("S2")["state_label"], story.device("S2")["location"]["code"]) == ("Ledig på lager", "A-01-2")
    for key in ("rollator", "dusjstol"):
        assert need(story, key)["status"] == "closed"

    way_back = [
        ("return_requested", "on_loan", "awaiting_pickup", None, None),
        ("collected", "awaiting_pickup", "returned", None, "BIL1"),
        ("return_received", "returned", "cleaning", "BIL1", "MOTTAK"),
        ("cleaned", "cleaning", "inspection", "MOTTAK", "MOTTAK"),
        ("inspected", "inspection", "available", "MOTTAK", "MOTTAK"),
    ]
    assert story.trail("R1")[5:] == [
        *way_back,
        ("reserved", "available", "reserved", "MOTTAK", "MOTTAK"),
        ("moved", "reserved", "reserved", "MOTTAK", "A-01-1"),
    ]
    assert story.trail("S2")[6:] == [*way_back, ("moved", "available", "available", "MOTTAK", "A-01-2")]
    story.done.add("scenario 4")
