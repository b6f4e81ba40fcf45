"""Scenarios 2 and 3 over real HTTP, against the fake NAV server over real HTTP: NAV approves
Astrid's bed, the sync shows it coming, it is received by hmsnr + serial with its label, delivered
on a run; a tyre is ordered while NAV is down and reaches NAV exactly once when it is back; the bed
is collected and sent back to NAV."""
from datetime import timedelta

import pytest
import requests

from hjelpemiddel.catalog.services import create_product
from hjelpemiddel.core.auth import create_token, create_user
from hjelpemiddel.core.db import get_session
from hjelpemiddel.core.fnr import make_fnr
from hjelpemiddel.core.text import local_today
from hjelpemiddel.stock.services import create_location
from integrations.nav.fake_server import DEFAULT_TOKEN

from ..conftest import TEST_FNR_KEYS
from ..support import decoded_codes, serving

FNR = make_fnr("150342", "233")
BED = {"hmsnr": "291003", "description": "Seng Opus 90EW", "category_num": "18121501"}


@pytest.fixture(scope="module")
def depot(fake_nav_server):
    fake_nav_server.control("/reset")
    with serving("nav_http", NAV_BASE_URL=fake_nav_server.base, NAV_TOKEN=DEFAULT_TOKEN, NAV_RETRIES=1,
                 **TEST_FNR_KEYS) as (app, base):
        with app.app_context():
            session = get_session()
            for name, role in (("tone", "terapeut"), ("lise", "lager"), ("sindre", "sjafor")):
                create_user(session, name, role, "test-passord-123")
            create_location(session, "HML", "depot")
            create_location(session, "MOTTAK", "zone", parent_code="HML")
            create_location(session, "BIL1", "van", parent_code="HML")
            product = create_product(session, hms_nr=BED["hmsnr"], name=BED["description"], iso_class=BED["category_num"])
            tokens = {name: create_token(session, name) for name in ("tone", "lise", "sindre")}
            session.commit()
            yield base, tokens, product.id, fake_nav_server


def api(base, token):
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"

    def call(method, path, expect, **kwargs):
        response = session.request(method, base + path, timeout=60, **kwargs)
        assert response.status_code == expect, f"{method} {path}: {response.status_code} {response.text[:400]}"
        return response.json() if response.headers.get("Content-Type", "").startswith("application/json") else response

    return call


def test_a_nav_bed_goes_from_approval_to_the_citizen_and_back_to_nav_with_a_part_ordered_through_an_outage(depot, tmp_path):
    base, tokens, product_id, nav = depot
    tone, lise, sindre = (api(base, tokens[name]) for name in ("tone", "lise", "sindre"))
    today = local_today()

    astrid = tone("POST", "/api/v1/citizens", 201, json={
        "fnr": FNR, "name": "Astrid Olsen", "address": "Storgata 1", "postcode": "6509", "city": "Kristiansund",
        "kommunenummer": "1505", "phone": "99887766"})
    need = tone("POST", "/api/v1/needs", 201, json={
        "citizen_id": astrid["id"], "product_id": product_id, "needed_by": (today + timedelta(days=21)).isoformat(),
        "urgency": "normal", "application_type": "long_term"})
    tone("POST", f"/api/v1/needs/{need['id']}/decision", 200, json={"decision": "send_to_nav"})

    # NAV approves; the sync shows the bed coming and the need says so.
    nav.approve(FNR, BED["hmsnr"], BED["description"], category_num=BED["category_num"], serienr="687273")
    synced = lise("POST", "/api/v1/nav/sync", 200, json={})
    assert (synced["applied"]["new"], synced["applied"]["needs_matched"]) == (1, 1)
    upcoming = lise("GET", "/api/v1/nav/upcoming", 200)
    assert [(u["hms_nr"], u["serials"], u["citizen_name"], u["need_id"]) for u in upcoming] == [
        ("291003", ["687273"], "Astrid O.", need["id"])]
    assert tone("GET", f"/api/v1/needs/{need['id']}", 200)["nav_status"] == "delivery_expected"
    assert lise("POST", "/api/v1/nav/sync", 200, json={})["applied"]["new"] == 0

    # The bed arrives: typed hmsnr + serial, matched, registered as NAV's, labelled, held for Astrid.
    received = lise("POST", "/api/v1/nav/receive", 201, json={"hms_nr": "291003", "serial": "687273",
                                                               "location_code": "MOTTAK"})
    assert received["matched"] and received["need_id"] == need["id"]
    barcode = received["device"]["barcode"]
    assert received["device"]["state"] == "reserved"
    label = lise("GET", received["label_url"], 200)
    assert barcode in decoded_codes(label.content, tmp_path)
    assert lise("GET", "/api/v1/nav/upcoming", 200) == []

    # Delivered on Friday's run.
    run = lise("POST", "/api/v1/runs/plan", 200, json={"run_date": today.isoformat(),
                                                       "runs": [{"driver": "sindre", "van": "BIL1"}]})[0]
    stop = run["stops"][0]
    sindre("POST", f"/api/v1/runs/{run['id']}/pick", 200, json={"barcode": barcode})
    sindre("POST", f"/api/v1/runs/{run['id']}/start", 200, json={"odometer_start": 1000})
    sindre("POST", f"/api/v1/runs/{run['id']}/stops/{stop['id']}/outcome", 200,
           json={"outcome": "delivered", "received_by": "Kari (datter)"})
    assert tone("GET", f"/api/v1/needs/{need['id']}", 200)["status"] == "on_loan"

    # A tyre... of the bed's castor, ordered while NAV is down: it waits, then arrives exactly once.
    nav.control(fail_every=1)
    order = sindre("POST", "/api/v1/nav/part-orders", 202, json={
        "barcode": barcode, "levering": "TIL_SERVICE_OPPDRAG",
        "parts": [{"hmsnr": "150817", "navn": "Hjul 100 mm", "kategori": "Hjul", "antall": 2}]})
    waiting = sindre("GET", f"/api/v1/nav/part-orders/{order['id']}", 200)
    assert waiting["status"] == "queued" and waiting["status_label"].startswith("Venter")
    assert nav.stats()["saker"] == 0
    nav.control(fail_every=0)
    assert lise("POST", "/api/v1/nav/outbox/deliver", 200)["delivered"] == {"sent": 1}
    assert lise("POST", "/api/v1/nav/outbox/deliver", 200)["delivered"] == {}
    sent = sindre("GET", f"/api/v1/nav/part-orders/{order['id']}", 200)
    assert sent["status"] == "sent" and sent["saksnummer"] and sent["nav_status"] == "INNSENDT"
    assert nav.stats()["saker"] == 1

    # NAV ships it; the next sync follows the order to its expected delivery date.
    nav.control("/clock", advance_minutes=25 * 60)
    lise("POST", "/api/v1/nav/sync", 200, json={})
    shipped = sindre("GET", f"/api/v1/nav/part-orders/{order['id']}", 200)
    assert shipped["nav_status"] == "SKIPNINGSBEKREFTET" and shipped["expected_delivery"]

    # Astrid no longer needs the bed: collected, then sent back to NAV, and NAV is told once.
    loan = tone("GET", f"/api/v1/loans?citizen_id={astrid['id']}", 200)[0]
    tone("POST", f"/api/v1/loans/{loan['id']}/return-request", 200, json={"reason": "need_ended"})
    pickup = lise("POST", "/api/v1/runs/plan", 200, json={"run_date": (today + timedelta(days=1)).isoformat(),
                                                          "runs": [{"driver": "sindre", "van": "BIL1"}]})[0]
    sindre("POST", f"/api/v1/runs/{pickup['id']}/start", 200, json={"odometer_start": 1040})
    sindre("POST", f"/api/v1/runs/{pickup['id']}/stops/{pickup['stops'][0]['id']}/outcome", 200, json={"outcome": "collected"})
    received = lise("POST", "/api/v1/returns/receive", 200, json={"device_barcode": barcode})
    assert received["state"] == "cleaning" and "eies av NAV" in received["message"]
    returned = lise("POST", "/api/v1/nav/returns", 200, json={"barcode": barcode, "disposition": "return_to_nav",
                                                              "note": "Behovet er over"})
    assert returned["state"] == "returned_to_nav"
    returns = requests.get(f"{nav.base}/_control/returns", timeout=10).json()
    assert [(r["hmsnr"], r["serienr"], r["beholdesForGjenbruk"]) for r in returns] == [("291003", "687273", False)]
    history = [event["kind"] for event in lise("GET", f"/api/v1/devices/{barcode}/history", 200)]
    assert history[0] == "registered" and {"loan_started", "part_ordered", "part_order_sent", "return_received",
                                            "returned_to_nav", "nav_return_reported"} <= set(history)
