"""Stocktake over the API and on the pages: who may do what, one count from start to approval, and
bad input answered in the one error shape or a friendly page."""
import pytest

from hjelpemiddel.stock import services as stock
from hjelpemiddel.stocktake import services

from ..support import ROLES, assert_role_answer, error_of, post_login

ENDPOINTS = [
    ("POST", "/api/v1/stocktakes", {"location_code": "A"}),
    ("GET", "/api/v1/stocktakes", None),
    ("GET", "/api/v1/stocktakes/plan", None),
    ("GET", "/api/v1/stocktakes/{id}", None),
    ("POST", "/api/v1/stocktakes/{id}/scans", {"code": "A-01-1"}),
    ("GET", "/api/v1/stocktakes/{id}/progress", None),
    ("POST", "/api/v1/stocktakes/{id}/close", None),
    ("GET", "/api/v1/stocktakes/{id}/summary", None),
    ("GET", "/api/v1/stocktakes/{id}/lines", None),
    ("POST", "/api/v1/stocktakes/{id}/lines/1/approve", None),
    ("POST", "/api/v1/stocktakes/{id}/approve", None),
    ("GET", "/api/v1/stocktakes/{id}/result.pdf", None),
    ("GET", "/api/v1/stocktakes/{id}/result.csv", None),
]


@pytest.fixture
def count_of_b(session, actor, shelves):
    return services.start_stocktake(session, actor.id, "B")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method,url,body", ENDPOINTS, ids=[f"{m} {u}" for m, u, _ in ENDPOINTS])
def test_only_depot_staff_and_admins_count_stock(api_as, count_of_b, role, method, url, body):
    api = api_as(role)
    url = url.format(id=count_of_b.id)
    response = api.post(url, json=body) if method == "POST" else api.get(url)
    assert_role_answer(response, role, {"lager"})


def test_a_count_by_scanning_finds_the_missing_the_unexpected_and_the_misplaced_and_approves_them(
        session, lager_api, actor, rollator, shelves):
    def unit(where):
        return stock.register_device(session, actor.id, rollator.id, location_code=where).barcode

    found, missing, misplaced, unexpected = unit("A-01-1"), unit("A-01-1"), unit("A-01-2"), unit("B-01-1")
    started = lager_api.post("/api/v1/stocktakes", json={"location_code": "A", "note": "Kvartal"})
    assert started.status_code == 201, started.get_json()
    stocktake = started.get_json()
    assert stocktake["expected_units"] is None and stocktake["status"] == "counting"
    scans = f"/api/v1/stocktakes/{stocktake['id']}/scans"
    bin_label = stock.get_location(session, "A-01-1").barcode
    assert lager_api.post(scans, json={"code": bin_label}).get_json()["kind"] == "bin"
    for barcode in (found, misplaced, unexpected):
        answer = lager_api.post(scans, json={"code": barcode, "bin_code": "A-01-1"})
        assert answer.status_code == 200 and answer.get_json()["kind"] == "unit"
    progress = lager_api.get(f"/api/v1/stocktakes/{stocktake['id']}/progress").get_json()
    assert progress["units_counted"] == 3 and progress["bins_done"] == 1 and progress["expected_units"] is None
    assert lager_api.get(f"/api/v1/stocktakes/{stocktake['id']}/lines").status_code == 409  # not before the close
    assert lager_api.post(f"/api/v1/stocktakes/{stocktake['id']}/close").get_json()["status"] == "closed"
    summary = lager_api.get(f"/api/v1/stocktakes/{stocktake['id']}/summary").get_json()
    assert summary == {"found": 1, "missing": 1, "misplaced": 1, "unexpected": 1, "moved": 0, "pending": 3}
    lines = lager_api.get(f"/api/v1/stocktakes/{stocktake['id']}/lines?outcome=missing").get_json()
    assert [line["barcode"] for line in lines["items"]] == [missing]
    approved = lager_api.post(f"/api/v1/stocktakes/{stocktake['id']}/approve").get_json()
    assert approved == {"approved": 3, "left": 0, "examples": []}
    assert stock.get_device(session, misplaced).location.code == "A-01-1"
    assert stock.get_device(session, unexpected).location.code == "A-01-1"
    csv = lager_api.get(f"/api/v1/stocktakes/{stocktake['id']}/result.csv")
    assert csv.mimetype == "text/csv" and missing in csv.get_data(as_text=True)


@pytest.mark.parametrize("body,field", [({}, "location_code"), ({"location_code": "X" * 41}, "location_code"),
                                        ({"location_code": "A", "blind": "kanskje"}, "blind"),
                                        ({"location_code": "FINNES-IKKE"}, "location_code")])
def test_a_bad_start_is_answered_in_the_one_error_shape(lager_api, shelves, body, field):
    response = lager_api.post("/api/v1/stocktakes", json=body)
    assert response.status_code == 422 and field in error_of(response)["details"]


def test_an_unknown_stocktake_is_a_404_in_json_and_a_friendly_page(lager_api, client, make_user):
    assert error_of(lager_api.get("/api/v1/stocktakes/987654/progress"))["code"] == "not_found"
    assert post_login(client, make_user("lager").username, "test-passord-123").status_code == 302
    page = client.get("/lager/varetelling/987654")
    assert page.status_code == 404 and "Fant ingen varetelling" in page.get_data(as_text=True)


def test_the_pages_start_count_and_show_the_result(session, client, make_user, actor, rollator, shelves):
    barcode = stock.register_device(session, actor.id, rollator.id, location_code="A-01-1").barcode
    assert post_login(client, make_user("lager").username, "test-passord-123").status_code == 302
    token = client.get("/lager/varetelling").get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    refused = client.post("/lager/varetelling", data={"csrf_token": token, "location_code": "FINNES-IKKE"})
    assert refused.status_code == 422 and "Fant ingen lokasjon" in refused.get_data(as_text=True)
    started = client.post("/lager/varetelling", data={"csrf_token": token, "location_code": "A", "blind": "ja"})
    assert started.status_code == 302
    count_page = client.get(started.headers["Location"]).get_data(as_text=True)
    assert "Blind telling" in count_page and barcode not in count_page
    closed = client.post(started.headers["Location"] + "/avslutt", data={"csrf_token": token})
    result = client.get(closed.headers["Location"]).get_data(as_text=True)
    assert "Mangler (1)" in result and barcode in result and "Godkjenn alle 1 justeringer" in result
    assert client.get(closed.headers["Location"] + "?utfall=tull&side=x").status_code == 200
    assert client.get("/lager/varetelling/plan").status_code == 200
    pdf = client.get(started.headers["Location"] + "/varetelling.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
