"""The lending API: roles, bad input, and what each role may see of a citizen."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from hjelpemiddel.citizens.models import Citizen
from hjelpemiddel.core.auth import create_token
from hjelpemiddel.core.fnr import make_fnr
from hjelpemiddel.lending.models import Need
from hjelpemiddel.stock.services import register_device

from ..support import ApiClient, ROLES, assert_role_answer, error_of

TOMORROW = (date.today() + timedelta(days=1)).isoformat()
FNR = make_fnr("150342", "233")


@pytest.fixture
def therapist_api(client, session, therapist):
    return ApiClient(client, create_token(session, therapist.username))


@pytest.fixture
def citizen(make_citizen):
    return make_citizen()


@pytest.fixture
def on_loan(session, therapist, actor, citizen, depot, rollator):
    from hjelpemiddel.lending import services

    device = register_device(session, actor.id, rollator.id, serial_number="L1", location_code="A-01-2")
    need = services.register_need(session, therapist.id, "terapeut", citizen.id, date.today(), "normal", "short_term",
                                  product_id=rollator.id)
    services.decide_need(session, actor.id, "lager", need.id, "approve")
    return services.hand_over(session, actor.id, device.barcode), device


ENDPOINTS = [
    ("POST", "/api/v1/citizens", {"fnr": "1"}, {"terapeut"}),
    ("GET", "/api/v1/citizens", None, {"terapeut", "lager"}),
    ("GET", "/api/v1/citizens/{citizen}", None, {"terapeut", "lager"}),
    ("POST", "/api/v1/citizens/lookup", {"fnr": "1", "purpose": "other"}, {"terapeut"}),
    ("POST", "/api/v1/citizens/{citizen}/fnr", {"purpose": "nav_application"}, {"terapeut"}),
    ("GET", "/api/v1/fnr-access/follow-up", None, set()),
    ("GET", "/api/v1/citizens/{citizen}/fnr-access", None, set()),
    ("POST", "/api/v1/needs", {"citizen_id": 0}, {"terapeut"}),
    ("GET", "/api/v1/needs", None, {"terapeut", "lager"}),
    ("GET", "/api/v1/needs/queue", None, {"lager"}),
    ("GET", "/api/v1/needs/{need}", None, {"terapeut", "lager"}),
    ("POST", "/api/v1/needs/{need}/decision", {"decision": "approve"}, {"terapeut", "lager"}),
    ("POST", "/api/v1/needs/{need}/nav-status", {"nav_status": "sent"}, {"terapeut"}),
    ("POST", "/api/v1/needs/{need}/cancel", {"reason": "x"}, {"terapeut", "lager"}),
    ("POST", "/api/v1/reservations", {"need_id": 0}, {"lager"}),
    ("POST", "/api/v1/reservations/1/change", {"device_barcode": "x"}, {"lager"}),
    ("POST", "/api/v1/reservations/1/cancel", {"reason": "x"}, {"lager"}),
    ("POST", "/api/v1/loans", {"device_barcode": "HJM99999997"}, {"lager"}),
    ("GET", "/api/v1/loans?citizen_id={citizen}", None, {"lager", "terapeut"}),
    ("POST", "/api/v1/loans/{loan}/extend", {"new_end": TOMORROW, "reason": "x"}, {"lager", "terapeut"}),
    ("POST", "/api/v1/loans/{loan}/return-request", {"reason": "need_ended"}, {"lager", "terapeut"}),
    ("POST", "/api/v1/returns/receive", {"device_barcode": "HJM99999997"}, {"lager"}),
    ("POST", "/api/v1/devices/{barcode}/clean", {"method": "steam"}, {"lager"}),
    ("GET", "/api/v1/devices/{barcode}/checklist", None, {"lager"}),
    ("POST", "/api/v1/devices/{barcode}/inspect", {"results": {}}, {"lager"}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method,url,body,allowed", ENDPOINTS, ids=[f"{m} {u}" for m, u, _, _ in ENDPOINTS])
def test_every_lending_endpoint_answers_each_role_as_designed(api_as, on_loan, citizen, role, method, url, body, allowed):
    loan, device = on_loan
    url = url.format(citizen=citizen.id, need=loan.need_id, loan=loan.id, barcode=device.barcode)
    api = api_as(role)
    response = api.post(url, json=body) if method == "POST" else api.get(url)
    assert_role_answer(response, role, allowed)


@pytest.mark.parametrize("body,field", [
    ({"fnr": FNR[:-1] + str((int(FNR[-1]) + 1) % 10)}, "fnr"),
    ({"fnr": "123"}, "fnr"),
    ({"postcode": "65"}, "postcode"),
    ({"kommunenummer": "15050"}, "kommunenummer"),
    ({"name": ""}, "name"),
    ({"phone": "ring meg"}, "phone"),
])
def test_a_bad_citizen_field_is_a_422_naming_it_and_saves_nothing(therapist_api, session, body, field):
    good = {"fnr": FNR, "name": "Astrid", "address": "Storgata 1", "postcode": "6509", "kommunenummer": "1505"}
    response = therapist_api.post("/api/v1/citizens", json={**good, **body})
    assert response.status_code == 422 and field in error_of(response)["details"]
    assert session.scalar(select(func.count()).select_from(Citizen)) == 0


@pytest.mark.parametrize("body,field", [
    ({"citizen_id": 999999}, "citizen_id"),
    ({"urgency": "asap"}, "urgency"),
    ({"urgency": "discharge"}, "discharge_date"),
    ({"needed_by": "neste uke"}, "needed_by"),
    ({"quantity": 0}, "quantity"),
    ({"product_id": None}, "product_id"),
    ({"product_id": 999999}, "product_id"),
    ({"application_type": "forever"}, "application_type"),
])
def test_a_bad_need_field_is_a_422_naming_it_and_saves_nothing(therapist_api, session, citizen, rollator, body, field):
    good = {"citizen_id": citizen.id, "product_id": rollator.id, "needed_by": TOMORROW, "urgency": "normal"}
    response = therapist_api.post("/api/v1/needs", json={**good, **body})
    assert response.status_code == 422, response.get_data(as_text=True)
    assert field in error_of(response)["details"]
    assert session.scalar(select(func.count()).select_from(Need)) == 0


def test_warehouse_staff_see_delivery_details_but_no_fnr_and_therapists_see_it_masked(api_as, therapist_api, citizen):
    for_lager = api_as("lager").get(f"/api/v1/citizens/{citizen.id}").get_json()
    assert "fnr_masked" not in for_lager and for_lager["access_notes"] == "Nøkkelboks 1234"
    for_therapist = therapist_api.get(f"/api/v1/citizens/{citizen.id}").get_json()
    assert for_therapist["fnr_masked"].endswith("*****")
    revealed = therapist_api.post(f"/api/v1/citizens/{citizen.id}/fnr", json={"purpose": "nav_application"}).get_json()
    assert len(revealed["fnr"]) == 11 and revealed["fnr"].startswith(for_therapist["fnr_masked"][:6])
    log = api_as("admin").get(f"/api/v1/citizens/{citizen.id}/fnr-access").get_json()
    assert [entry["action"] for entry in log] == ["register", "reveal"]


def test_an_illegal_step_is_a_409_naming_the_state_and_what_is_allowed(api_as, on_loan):
    loan, device = on_loan
    response = api_as("lager").post(f"/api/v1/devices/{device.barcode}/clean", json={"method": "steam"})
    assert response.status_code == 409
    error = error_of(response)
    assert error["details"]["current_state"] == "on_loan" and error["details"]["allowed"] == ["cleaning"]
    assert "Utlånt" in error["message"] and "current_state" not in error["message"]


def test_a_reservation_with_no_free_unit_tells_the_queue_position(api_as, therapist_api, citizen, rollator):
    need = therapist_api.post("/api/v1/needs", json={"citizen_id": citizen.id, "product_id": rollator.id,
                                                     "needed_by": TOMORROW, "urgency": "urgent"})
    assert need.status_code == 201, need.get_data(as_text=True)
    need = need.get_json()
    lager = api_as("lager")
    decided = lager.post(f"/api/v1/needs/{need['id']}/decision", json={"decision": "approve"}).get_json()
    assert decided["status"] == "approved" and decided["queue_position"] == 1
    response = lager.post("/api/v1/reservations", json={"need_id": need["id"]})
    assert response.status_code == 409 and error_of(response)["details"]["queue_position"] == 1


def test_a_scan_of_a_unit_on_loan_shows_its_holder_masked_and_never_an_fnr(api_as, on_loan, citizen):
    _, device = on_loan
    body = api_as("sjafor").get(f"/api/v1/scan/{device.barcode}").get_json()
    assert body["holder"]["name"] == "Astrid O." and body["holder"]["loan_until"]
    assert citizen.fnr_masked[:6] not in str(body)
    shelf = api_as("lager").get("/api/v1/scan/A-01-1").get_json()
    assert shelf.get("holder") is None
