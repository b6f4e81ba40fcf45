"""The logistics API: who may call what, and what bad input gets."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from hjelpemiddel.lending import services as lending
from hjelpemiddel.logistics.models import Stop
from hjelpemiddel.stock.services import create_location, register_device

from ..support import ROLES, assert_role_answer, error_of

TOMORROW = (date.today() + timedelta(days=1)).isoformat()


@pytest.fixture
def planned(session, actor, therapist, make_citizen, depot, rollator):
    from hjelpemiddel.logistics.services import plan_runs

    create_location(session, "BIL1", "van", "Bil 1", parent_code="HL")
    device = register_device(session, actor.id, rollator.id, serial_number="P1", location_code="A-01-2")
    need = lending.register_need(session, therapist.id, "terapeut", make_citizen().id, date.today(), "discharge",
                                 "short_term", product_id=rollator.id, discharge_date=date.today())
    lending.decide_need(session, actor.id, "lager", need.id, "approve")
    [run] = plan_runs(session, actor.id, date.today() + timedelta(days=1), [{"van": "BIL1"}])
    stop_id = session.scalar(select(Stop.id).where(Stop.run_id == run.id))
    return run, stop_id, device


ENDPOINTS = [
    ("POST", "/api/v1/runs", {"run_date": TOMORROW}, {"lager"}),
    ("GET", "/api/v1/runs", None, {"lager", "sjafor"}),
    ("POST", "/api/v1/runs/plan", {"run_date": TOMORROW}, {"lager"}),
    ("GET", "/api/v1/runs/{run}", None, {"lager", "sjafor"}),
    ("GET", "/api/v1/runs/{run}/picklist.pdf", None, {"lager", "sjafor"}),
    ("GET", "/api/v1/runs/{run}/delivery-log.pdf", None, {"lager", "sjafor"}),
    ("POST", "/api/v1/runs/{run}/pick", {"barcode": "HJM99999997"}, {"lager", "sjafor"}),
    ("POST", "/api/v1/runs/{run}/start", {}, {"lager", "sjafor"}),
    ("POST", "/api/v1/runs/{run}/stops/{stop}/outcome", {"outcome": "delivered"}, {"lager", "sjafor"}),
    ("POST", "/api/v1/runs/{run}/finish", {}, {"lager", "sjafor"}),
    ("POST", "/api/v1/stops/{stop}/move", {"run_id": None}, {"lager"}),
    ("POST", "/api/v1/stops/{stop}/window", {"window_start": "10:00", "window_end": "12:00"}, {"lager"}),
    ("POST", "/api/v1/stops/repair", {"device_barcode": "HJM99999997", "note": "dekk"}, {"lager", "sjafor"}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method,url,body,allowed", ENDPOINTS, ids=[f"{m} {u}" for m, u, _, _ in ENDPOINTS])
def test_every_logistics_endpoint_answers_each_role_as_designed(api_as, planned, role, method, url, body, allowed):
    run, stop_id, _device = planned
    api = api_as(role)
    url = url.format(run=run.id, stop=stop_id)
    response = api.post(url, json=body) if method == "POST" else api.get(url)
    assert_role_answer(response, role, allowed)


def test_a_run_answer_gives_the_driver_what_the_door_needs_and_never_an_fnr(api_as, planned, make_citizen):
    run, _stop, device = planned
    body = api_as("sjafor").get(f"/api/v1/runs/{run.id}").get_json()
    [stop] = body["stops"]
    assert stop["urgent"] and stop["citizen"]["access_notes"] == "Nøkkelboks 1234"
    assert "fnr" not in str(body) and "*****" not in str(body)
    assert [item["barcode"] for item in stop["items"]] == [device.barcode]


@pytest.mark.parametrize("body,field", [({"run_date": "i morgen"}, "run_date"), ({"run_date": TOMORROW, "van": "NOPE"}, "van"),
                                        ({"run_date": TOMORROW, "driver": "ukjent"}, "driver")])
def test_a_bad_run_field_is_a_422_naming_it(lager_api, depot, body, field):
    response = lager_api.post("/api/v1/runs", json=body)
    assert response.status_code == 422 and field in error_of(response)["details"]


def test_a_wrong_scan_when_picking_is_a_409_with_the_reason(lager_api, planned, session, actor, rollator):
    run, _stop, _device = planned
    stranger = register_device(session, actor.id, rollator.id, serial_number="P2")
    response = lager_api.post(f"/api/v1/runs/{run.id}/pick", json={"barcode": stranger.barcode})
    assert response.status_code == 409 and error_of(response)["details"]["current_state"] == "registered"
    assert lager_api.post(f"/api/v1/runs/{run.id}/pick", json={"barcode": "HJM99999997"}).status_code == 404


def test_a_time_window_is_set_on_a_stop_and_a_reversed_one_is_refused(lager_api, planned):
    _run, stop_id, _device = planned
    ok = lager_api.post(f"/api/v1/stops/{stop_id}/window", json={"window_start": "10:00", "window_end": "12:00"})
    assert ok.status_code == 200 and ok.get_json()["window_start"] == "10:00:00"
    bad = lager_api.post(f"/api/v1/stops/{stop_id}/window", json={"window_start": "12:00", "window_end": "10:00"})
    assert bad.status_code == 422 and "window_end" in error_of(bad)["details"]


def test_a_scan_of_a_picked_unit_says_which_van_and_run_it_is_on(lager_api, planned):
    run, _stop, device = planned
    assert lager_api.post(f"/api/v1/runs/{run.id}/pick", json={"barcode": device.barcode}).status_code == 200
    scanned = lager_api.get(f"/api/v1/scan/{device.barcode}").get_json()
    assert scanned["device"]["location"]["code"] == "BIL1"
    assert scanned["run"]["id"] == run.id and scanned["run"]["stop_sequence"] == 1


def test_everything_for_one_door_is_one_stop_even_across_needs(session, actor, therapist, make_citizen, depot, rollator):
    from hjelpemiddel.catalog.services import create_product
    from hjelpemiddel.logistics.services import plan_runs, run_view

    chair = create_product(session, hms_nr=None, name="Dusjstol", iso_class="093303")
    astrid = make_citizen()
    for product, serial in ((rollator, "R1"), (chair, "C1")):
        register_device(session, actor.id, product.id, serial_number=serial, location_code="A-01-2")
        need = lending.register_need(session, therapist.id, "terapeut", astrid.id, date.today(), "discharge",
                                     "short_term", product_id=product.id, discharge_date=date.today())
        lending.decide_need(session, actor.id, "lager", need.id, "approve")
    [run] = plan_runs(session, actor.id, date.today() + timedelta(days=1))
    [stop] = run_view(session, run.id).stops
    assert stop.urgent and sorted(item.product for item in stop.items) == ["Dusjstol", rollator.name]


def test_a_shelf_label_or_a_wrong_check_digit_when_picking_gets_the_scan_stations_answer(lager_api, planned):
    run, _stop, device = planned
    shelf = lager_api.get("/api/v1/scan/A-01-2").get_json()["location"]
    wrong = device.barcode[:-1] + str((int(device.barcode[-1]) + 1) % 10)
    for code in (shelf["barcode"], wrong):
        picked = lager_api.post(f"/api/v1/runs/{run.id}/pick", json={"barcode": code})
        scanned = lager_api.get(f"/api/v1/scan/{code}")
        if code == wrong:
            assert picked.status_code == scanned.status_code == 404
            assert error_of(picked)["message"] == error_of(scanned)["message"]
            assert "Kontrollsifferet" in error_of(picked)["message"]
        else:
            assert picked.status_code == 422 and error_of(picked)["code"] == "not_a_device"
            assert error_of(picked)["message"] == (f"«{shelf['barcode']}» er etiketten til lokasjonen A-01-2, ikke "
                                                   "et hjelpemiddel. Skann strekkoden på hjelpemiddelet.")
