"""Spare parts, warranty and failure figures over the API: who may do what, bad input answered 422/409
in the one error shape, a repair completed with stock parts, and the warranty in the repair's answer."""
import pytest

from hjelpemiddel.maintenance import services
from hjelpemiddel.stock.services import register_device

from ..support import ROLES, assert_role_answer, error_of

PART = {"part_number": "TP-HJ-200", "name": "Forhjul 200 mm", "quantity": 4, "minimum_quantity": 2}
NEW = {**PART, "part_number": "TP-HJ-300"}

ENDPOINTS = [
    ("GET", "/api/v1/spare-parts", None, {"lager", "sjafor"}),
    ("POST", "/api/v1/spare-parts", {"part_number": "X-1", "name": "Ny del"}, {"lager"}),
    ("GET", "/api/v1/spare-parts/{id}", None, {"lager", "sjafor"}),
    ("PATCH", "/api/v1/spare-parts/{id}", {"minimum_quantity": 3}, {"lager"}),
    ("POST", "/api/v1/spare-parts/{id}/receive", {"quantity": 2}, {"lager"}),
    ("POST", "/api/v1/spare-parts/{id}/count", {"counted": 3}, {"lager"}),
    ("GET", "/api/v1/spare-parts/{id}/movements", None, {"lager"}),
    ("GET", "/api/v1/failure-figures?date_from=2026-01-01&date_to=2026-01-31", None, {"lager"}),
    ("GET", "/api/v1/devices/{barcode}/warranty", None, {"lager", "sjafor"}),
]


@pytest.fixture
def part(session, actor):
    return services.create_spare_part(session, actor.id, **PART)


@pytest.fixture
def unit(session, actor, depot, rollator):
    return register_device(session, actor.id, rollator.id, location_code="A-01-2")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method,url,body,allowed", ENDPOINTS, ids=[f"{m} {u}" for m, u, _, _ in ENDPOINTS])
def test_depot_staff_and_admins_manage_parts_and_technicians_may_look_them_up(api_as, part, unit, role, method, url,
                                                                             body, allowed):
    api = api_as(role)
    url = url.format(id=part.id, barcode=unit.barcode)
    response = {"GET": api.get, "POST": api.post, "PATCH": api.patch}[method](url, **({} if body is None else
                                                                                      {"json": body}))
    assert_role_answer(response, role, allowed)


@pytest.mark.parametrize("body, status, field", [
    ({**NEW, "quantity": -1}, 422, "quantity"),
    ({**NEW, "minimum_quantity": -5}, 422, "minimum_quantity"),
    ({**NEW, "part_number": "A" * 41}, 422, "part_number"),
    ({**NEW, "name": "Hjul\x00"}, 422, "name"),
    ({**NEW, "name": ""}, 422, "name"),
    ({**NEW, "location_code": "FINNES-IKKE"}, 422, "location_code"),
    ({**NEW, "product_ids": [2_000_000_000]}, 422, "product_ids"),
    ({**NEW, "quantity": 2**40}, 422, "quantity"),
    (PART, 409, None),
])
def test_a_bad_part_is_refused_naming_the_field_and_a_duplicate_part_number_is_a_conflict(lager_api, part, body,
                                                                                           status, field):
    answer = lager_api.post("/api/v1/spare-parts", json=body)
    assert answer.status_code == status, answer.get_json()
    error = error_of(answer)
    if field:
        assert field in str(error["details"])
    else:
        assert error["code"] == "duplicate_part_number"


@pytest.mark.parametrize("url, body", [
    ("/api/v1/spare-parts/{id}/receive", {"quantity": 0}),
    ("/api/v1/spare-parts/{id}/receive", {"quantity": -3}),
    ("/api/v1/spare-parts/{id}/count", {"counted": -1}),
    ("/api/v1/spare-parts/{id}/count", {"counted": "tre"}),
])
def test_receiving_or_counting_a_negative_quantity_is_refused(lager_api, part, url, body):
    assert lager_api.post(url.format(id=part.id), json=body).status_code == 422


def test_parts_are_found_by_part_number_received_counted_and_their_history_listed(lager_api, part):
    assert [p["part_number"] for p in lager_api.get("/api/v1/spare-parts?q=hj-200").get_json()] == ["TP-HJ-200"]
    assert lager_api.post(f"/api/v1/spare-parts/{part.id}/receive", json={"quantity": 3}).get_json()["quantity"] == 7
    counted = lager_api.post(f"/api/v1/spare-parts/{part.id}/count", json={"counted": 1}).get_json()
    assert counted["quantity"] == 1 and counted["below_minimum"] is True
    assert [p["id"] for p in lager_api.get("/api/v1/spare-parts?below_minimum=true").get_json()] == [part.id]
    history = lager_api.get(f"/api/v1/spare-parts/{part.id}/movements").get_json()
    assert [(m["reason"], m["delta"]) for m in history["items"]] == [("counted", -6), ("received", 3), ("received", 4)]
    patched = lager_api.patch(f"/api/v1/spare-parts/{part.id}", json={"location_code": None, "name": "Forhjul"})
    assert patched.status_code == 200 and patched.get_json()["name"] == "Forhjul"


def test_a_technician_completes_a_repair_with_stock_parts_and_sees_the_warranty(session, api_as, part, unit):
    driver = api_as("sjafor")
    opened = driver.post("/api/v1/repairs", json={"barcode": unit.barcode, "place": "depot",
                                                  "description": "Hjulet slingrer", "cause": "wheels"})
    assert opened.status_code == 201, opened.get_json()
    assert opened.get_json()["warranty"]["claim_to"] == "Topro"
    repair_id = opened.get_json()["id"]
    short = driver.post(f"/api/v1/repairs/{repair_id}/complete", json={
        "work_done": "Nytt hjul", "minutes_spent": 20, "stock_parts": [{"spare_part_id": part.id, "quantity": 5}]})
    assert short.status_code == 409 and error_of(short)["details"]["available"] == 4
    done = driver.post(f"/api/v1/repairs/{repair_id}/complete", json={
        "work_done": "Nytt hjul", "minutes_spent": 20, "cause": "wheels",
        "stock_parts": [{"spare_part_id": part.id, "quantity": 2}]})
    assert done.status_code == 200, done.get_json()
    answer = done.get_json()
    assert answer["cause_label"] == "Hjul/styrehjul" and answer["parts_used"][0]["delenummer"] == "TP-HJ-200"
    assert answer["warranty"]["under_warranty"] is True
    assert driver.get(f"/api/v1/spare-parts/{part.id}").get_json()["quantity"] == 2


@pytest.mark.parametrize("query", ["date_from=2026-02-01&date_to=2026-01-01", "date_from=x&date_to=2026-01-01",
                                   "date_from=2026-01-01&date_to=2026-01-31&iso_class=abc",
                                   "date_from=2026-01-01&date_to=2026-01-31&min_loan_months=nan"])
def test_bad_failure_figure_periods_are_refused(lager_api, query):
    assert lager_api.get(f"/api/v1/failure-figures?{query}").status_code == 422


def test_failure_figures_answer_plain_rows(lager_api):
    answer = lager_api.get("/api/v1/failure-figures?date_from=2026-01-01&date_to=2026-01-31")
    assert answer.status_code == 200 and answer.get_json() == []
