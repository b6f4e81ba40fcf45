"""Periodic inspections over the API and on the pages: who may do what, the due list by month and
area with overdue units on top, recording an inspection, the report read back with pdftotext, visits
planned for units at home, and bad input answered in the one error shape."""
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from hjelpemiddel.catalog.services import create_product
from hjelpemiddel.core.text import local_today
from hjelpemiddel.logistics.models import Stop, StopItem
from hjelpemiddel.maintenance import services as maintenance
from hjelpemiddel.maintenance.models import InspectionDue
from hjelpemiddel.stock.services import get_device, register_device

from ..support import ROLES, assert_role_answer, error_of, pdf_text, post_login

ENDPOINTS = [
    ("GET", "/api/v1/inspections/due", None, {"lager"}),
    ("POST", "/api/v1/inspections", {"barcode": "{barcode}", "results": {}}, {"lager", "sjafor"}),
    ("GET", "/api/v1/inspections?barcode={barcode}", None, {"lager", "sjafor"}),
    ("GET", "/api/v1/devices/{barcode}/inspection-report.pdf", None, {"lager", "sjafor"}),
    ("POST", "/api/v1/inspections/visits", {}, {"lager"}),
    ("GET", "/api/v1/maintenance-plans", None, {"lager"}),
    ("POST", "/api/v1/maintenance-plans", {"iso_prefix": "99", "name": "x", "interval_months": 6,
                                           "checklist": "general"}, set()),
    ("PUT", "/api/v1/maintenance-plans/{plan}", {"iso_prefix": "1236", "name": "x", "interval_months": 6,
                                                 "checklist": "lift"}, set()),
    ("DELETE", "/api/v1/maintenance-plans/{plan}", None, set()),
]


@pytest.fixture
def lift(session):
    return create_product(session, hms_nr="200100", name="Personløfter Molift Smart", iso_class="123603")


@pytest.fixture
def lift_plan(session, actor):
    return maintenance.save_plan(session, actor.id, {"iso_prefix": "1236", "name": "Personløftere",
                                                     "interval_months": 6, "after_each_loan": False, "checklist": "lift"})


def set_due(session, barcode: str, due) -> None:
    session.execute(update(InspectionDue).where(InspectionDue.device_id == get_device(session, barcode).id)
                    .values(due_on=due))
    session.flush()


def all_ok() -> dict:
    return {key: True for key in maintenance.CHECKLIST_NAMES["lift"].items}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method,url,body,allowed", ENDPOINTS, ids=[f"{m} {u}" for m, u, _b, _a in ENDPOINTS])
def test_the_due_list_and_plans_are_the_depots_and_inspections_also_the_technicians(
        api_as, session, actor, depot, lift, lift_plan, role, method, url, body, allowed):
    barcode = register_device(session, actor.id, lift.id, location_code="A-01-2").barcode
    url = url.format(barcode=barcode, plan=lift_plan.id)
    if body and body.get("barcode"):
        body = {**body, "barcode": barcode}
    api = api_as(role)
    response = {"GET": api.get, "DELETE": api.delete}[method](url) if method in ("GET", "DELETE") else \
        getattr(api, method.lower())(url, json=body)
    assert_role_answer(response, role, allowed)


def test_the_due_list_of_a_month_puts_overdue_units_on_top_and_counts_them_by_area(
        session, lager_api, actor, desk, depot, lift, lift_plan):
    today = local_today()
    first = (today.replace(day=1) + timedelta(days=40)).replace(day=1)
    on_shelf = [register_device(session, actor.id, lift.id, location_code="A-01-2").barcode for _ in range(3)]
    overdue = register_device(session, actor.id, lift.id, location_code="A-01-2").barcode
    set_due(session, on_shelf[0], first + timedelta(days=3))
    set_due(session, on_shelf[1], first + timedelta(days=10))
    set_due(session, overdue, today - timedelta(days=5))
    maintenance.save_plan(session, actor.id, {"product_id": desk.product.id, "name": "Rullator", "interval_months": 12,
                                              "checklist": "rollator"})
    at_home = desk.loan(desk.citizen("Kari Nordmann", postcode="6511")).device.barcode
    set_due(session, at_home, first + timedelta(days=5))
    answer = lager_api.get(f"/api/v1/inspections/due?month={first:%Y-%m}").get_json()
    assert [u["barcode"] for u in answer["units"]] == [overdue, on_shelf[0], at_home, on_shelf[1]]
    assert answer["units"][0]["status"] == "overdue" and answer["overdue"] == 1 and answer["due_in_month"] == 3
    assert dict((a["area"], a["units"]) for a in answer["by_area"]) == {"lager": 3, "6511": 1}
    assert answer["units"][2]["where"] == "Hos Kari N., 6511"
    only_home = lager_api.get(f"/api/v1/inspections/due?month={first:%Y-%m}&area=6511").get_json()
    assert [u["barcode"] for u in only_home["units"]] == [at_home]
    assert {m["month"]: m["units"] for m in answer["months"]}[f"{first:%Y-%m}"] == 3


@pytest.mark.parametrize("query,field", [("month=2027-13", "month"), ("month=juni", "month"), ("area=oslo", "area"),
                                         ("status=snart", "status"), ("limit=0", "limit"), ("month=1999-01", "month")])
def test_a_bad_filter_of_the_due_list_is_refused_naming_the_field(lager_api, query, field):
    response = lager_api.get(f"/api/v1/inspections/due?{query}")
    assert response.status_code == 422 and field in error_of(response)["details"]


def test_recording_a_periodic_inspection_over_the_api_moves_the_due_date_and_the_report_shows_it(
        session, lager_api, actor, depot, lift, lift_plan, tmp_path):
    barcode = register_device(session, actor.id, lift.id, location_code="A-01-2", serial_number="SN-77").barcode
    set_due(session, barcode, local_today() - timedelta(days=2))
    refused = lager_api.post("/api/v1/inspections", json={"barcode": barcode, "results": {"lifting": True}})
    assert refused.status_code == 422 and "results" in error_of(refused)["details"]
    failed = lager_api.post("/api/v1/inspections", json={"barcode": barcode, "results": {**all_ok(), "battery": False}})
    assert failed.status_code == 422 and "battery" in error_of(failed)["details"]["reasons"]
    saved = lager_api.post("/api/v1/inspections", json={"barcode": barcode, "results": all_ok(), "note": "Merket"})
    assert saved.status_code == 201, saved.get_json()
    body = saved.get_json()
    assert body["passed"] and body["kind"] == "periodic" and body["barcode"] == barcode
    history = lager_api.get(f"/api/v1/inspections?barcode={barcode}").get_json()
    assert [h["kind"] for h in history] == ["periodic"]
    pdf = lager_api.get(f"/api/v1/devices/{barcode}/inspection-report.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.get_data(), tmp_path)
    assert f"Kontrollrapport {barcode}" in text and "SN-77" in text and "Periodisk kontroll" in text
    assert "Bestått" in text and "Nødsenk virker" in text and body["next_due_on"][8:10] + "." in text


def test_units_at_home_that_fall_due_get_one_inspection_visit_each(session, lager_api, actor, desk, depot):
    maintenance.save_plan(session, actor.id, {"product_id": desk.product.id, "name": "Rullator", "interval_months": 12,
                                              "checklist": "rollator"})
    soon = desk.loan(desk.citizen("Kari Nordmann")).device.barcode
    later = desk.loan(desk.citizen("Ola Hansen")).device.barcode
    set_due(session, soon, local_today() - timedelta(days=1))
    assert lager_api.post("/api/v1/inspections/visits", json={}).get_json() == {"planned": 1}
    assert lager_api.post("/api/v1/inspections/visits", json={}).get_json() == {"planned": 0}
    item = session.scalar(select(StopItem).where(StopItem.device_id == get_device(session, soon).id, StopItem.active))
    assert item.action == "inspect" and session.get(Stop, item.stop_id).urgent
    assert session.scalar(select(StopItem).where(StopItem.device_id == get_device(session, later).id,
                                                 StopItem.active)) is None


@pytest.mark.parametrize("body,field", [
    ({"name": "x", "interval_months": 6, "checklist": "lift"}, "iso_prefix"),
    ({"iso_prefix": "12a", "name": "x", "interval_months": 6, "checklist": "lift"}, "iso_prefix"),
    ({"iso_prefix": "1236", "name": "x", "interval_months": 0, "checklist": "lift"}, "interval_months"),
    ({"iso_prefix": "1236", "name": "x", "interval_months": 6, "checklist": "ukjent"}, "checklist"),
    ({"iso_prefix": "1236", "name": "x\u0000", "interval_months": 6, "checklist": "lift"}, "name"),
    ({"iso_prefix": "1236", "name": "x", "after_each_loan": False, "checklist": "lift"}, "interval_months"),
])
def test_a_bad_plan_is_refused_naming_the_field(admin_api, body, field):
    response = admin_api.post("/api/v1/maintenance-plans", json=body)
    assert response.status_code == 422 and field in error_of(response)["details"], response.get_json()


def test_a_second_plan_for_the_same_class_is_a_conflict(admin_api, lift_plan):
    response = admin_api.post("/api/v1/maintenance-plans", json={"iso_prefix": "1236", "name": "x",
                                                                 "interval_months": 3, "checklist": "lift"})
    assert response.status_code == 409 and error_of(response)["code"] == "duplicate_plan"


def test_the_pages_show_the_due_list_record_an_inspection_and_manage_plans(
        client, session, make_user, actor, depot, lift, lift_plan):
    barcode = register_device(session, actor.id, lift.id, location_code="A-01-2").barcode
    set_due(session, barcode, local_today() - timedelta(days=1))
    admin = make_user("admin")
    post_login(client, admin.username, "test-passord-123")
    page = client.get("/lager/kontroller").get_data(as_text=True)
    assert barcode in page and "Forfalt" in page and "har passert fristen" in page
    assert client.get("/lager/kontroller?month=2027-99").status_code == 422
    form = client.get(f"/kontroll/{barcode}").get_data(as_text=True)
    token = form.split('name="csrf_token" value="')[1].split('"')[0]
    done = client.post(f"/kontroll/{barcode}", data={"csrf_token": token, "all_ok": "1"}).get_data(as_text=True)
    assert "Periodisk kontroll bestått. Neste kontroll" in done
    plans = client.get("/admin/kontrollplaner").get_data(as_text=True)
    assert "Personløftere" in plans
    saved = client.post("/admin/kontrollplaner", data={"csrf_token": token, "iso_prefix": "1812", "name": "Senger",
                                                       "interval_months": "12", "checklist": "bed"})
    assert saved.status_code == 302
    refused = client.post("/admin/kontrollplaner", data={"csrf_token": token, "name": "Uten mål", "checklist": "bed",
                                                         "interval_months": "12"})
    assert refused.status_code == 422 and "ett produkt eller en ISO-klasse" in refused.get_data(as_text=True)
