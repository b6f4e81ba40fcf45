"""Scenarios 1 and 4 over real HTTP: Astrid is discharged, gets a rollator, recovers, returns it;
it is cleaned, inspected and lent to Ola, who was waiting in the queue."""
from datetime import timedelta

import pytest
import requests

from hjelpemiddel.catalog.services import create_product
from hjelpemiddel.core.auth import create_token, create_user
from hjelpemiddel.core.db import get_session
from hjelpemiddel.core.fnr import make_fnr
from hjelpemiddel.core.text import local_today
from hjelpemiddel.stock.services import create_location, register_device

from ..conftest import TEST_FNR_KEYS
from ..support import serving


@pytest.fixture(scope="module")
def depot():
    with serving("lending_http", **TEST_FNR_KEYS) as (app, base):
        with app.app_context():
            session = get_session()
            create_user(session, "tone", "terapeut", "test-passord-123")
            create_user(session, "lise", "lager", "test-passord-123")
            create_location(session, "HML", "depot")
            create_location(session, "VASK", "zone", parent_code="HML")
            create_location(session, "A", "zone", parent_code="HML")
            create_location(session, "A-01", "rack", parent_code="A")
            product = create_product(session, hms_nr="214372", name="Rollator Topro Olympos M", iso_class="120606")
            rollator = register_device(session, None, product.id, serial_number="OLY-1", location_code="A-01")
            tokens = {name: create_token(session, name) for name in ("tone", "lise")}
            session.commit()
            yield base, tokens, product.id, rollator.barcode


def api(base, token):
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"

    def call(method, path, expect, **kwargs):
        response = session.request(method, base + path, timeout=30, **kwargs)
        assert response.status_code == expect, f"{method} {path}: {response.status_code} {response.text[:300]}"
        return response.json()

    return call


def test_a_citizen_goes_from_need_to_loan_to_return_and_the_unit_is_lent_again(depot):
    base, tokens, product_id, barcode = depot
    tone, lise = api(base, tokens["tone"]), api(base, tokens["lise"])
    today = local_today()

    astrid = tone("POST", "/api/v1/citizens", 201, json={
        "fnr": make_fnr("150342", "233"), "name": "Astrid Olsen", "address": "Storgata 1", "postcode": "6509",
        "city": "Kristiansund", "kommunenummer": "1505", "phone": "99887766", "access_notes": "Nøkkelboks 1234",
        "contact_name": "Kari (datter)", "contact_phone": "41234567"})
    assert astrid["fnr_masked"] == "150342 *****"
    need = tone("POST", "/api/v1/needs", 201, json={
        "citizen_id": astrid["id"], "product_id": product_id, "needed_by": (today + timedelta(days=2)).isoformat(),
        "urgency": "discharge", "discharge_date": (today + timedelta(days=2)).isoformat(),
        "requested_by": "Sykepleier, ortopedisk post"})
    assert need["status"] == "registered"

    decided = lise("POST", f"/api/v1/needs/{need['id']}/decision", 200, json={"decision": "approve"})
    assert decided["status"] == "reserved" and decided["units"][0]["barcode"] == barcode
    again = requests.post(base + f"/api/v1/needs/{need['id']}/decision", json={"decision": "approve"},
                          headers={"Authorization": f"Bearer {tokens['lise']}"}, timeout=30)
    assert again.status_code == 409 and again.json()["error"]["code"] == "invalid_state"

    loan = lise("POST", "/api/v1/loans", 201, json={"device_barcode": barcode, "received_by": "Kari (datter)"})
    assert loan["status"] == "active" and loan["expected_end"] == (today + timedelta(days=90)).isoformat()
    delivered = tone("GET", f"/api/v1/needs/{need['id']}", 200)
    assert delivered["status"] == "on_loan" and delivered["lead_time_minutes"] is not None

    extended = tone("POST", f"/api/v1/loans/{loan['id']}/extend", 200,
                    json={"new_end": (today + timedelta(days=120)).isoformat(), "reason": "opptrening tar tid"})
    assert extended["expected_end"] == (today + timedelta(days=120)).isoformat()

    ola = tone("POST", "/api/v1/citizens", 201, json={
        "fnr": make_fnr("020245", "233") or make_fnr("020245", "234"), "name": "Ola Hansen", "address": "Kirkegata 2",
        "postcode": "6508", "kommunenummer": "1505"})
    ola_need = tone("POST", "/api/v1/needs", 201, json={
        "citizen_id": ola["id"], "product_id": product_id, "needed_by": (today + timedelta(days=10)).isoformat(),
        "urgency": "normal"})
    queued = lise("POST", f"/api/v1/needs/{ola_need['id']}/decision", 200, json={"decision": "approve"})
    assert queued["status"] == "approved" and queued["queue_position"] == 1

    returning = tone("POST", f"/api/v1/loans/{loan['id']}/return-request", 200,
                     json={"reason": "need_ended", "note": "Datteren ringte"})
    assert returning["status"] == "return_requested"
    received = lise("POST", "/api/v1/returns/receive", 200, json={"device_barcode": barcode, "location_code": "VASK"})
    assert (received["state"], received["location_code"], received["already_received"]) == ("cleaning", "VASK", False)
    again = lise("POST", "/api/v1/returns/receive", 200, json={"device_barcode": barcode})
    assert again["already_received"] and "allerede mottatt" in again["message"]
    refused = requests.post(base + "/api/v1/loans", json={"device_barcode": barcode},
                            headers={"Authorization": f"Bearer {tokens['lise']}"}, timeout=30)
    assert refused.status_code == 409

    lise("POST", f"/api/v1/devices/{barcode}/clean", 200, json={"method": "washer_disinfector"})
    checklist = lise("GET", f"/api/v1/devices/{barcode}/checklist", 200)
    inspection = lise("POST", f"/api/v1/devices/{barcode}/inspect", 200,
                      json={"results": {key: True for key in checklist["items"]}, "location_code": "A-01"})
    assert inspection["passed"] and inspection["outcome"] == "available"

    ola_now = tone("GET", f"/api/v1/needs/{ola_need['id']}", 200)
    assert ola_now["status"] == "reserved" and ola_now["units"][0]["barcode"] == barcode
    second_loan = lise("POST", "/api/v1/loans", 201, json={"device_barcode": barcode, "received_by": "Ola"})
    assert second_loan["citizen"]["name"] == "Ola Hansen"

    history = lise("GET", f"/api/v1/devices/{barcode}/history", 200)
    kinds = [event["kind"] for event in history]
    assert kinds[:2] == ["registered", "reserved"] and kinds.count("loan_started") == 2
    assert {"return_requested", "return_received", "cleaned", "inspected"} <= set(kinds)
    closed = tone("GET", f"/api/v1/needs/{need['id']}", 200)
    assert closed["status"] == "closed"
    assert [e["kind"] for e in closed["timeline"]][-2:] == ["return_requested", "returned"]
