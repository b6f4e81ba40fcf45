"""Odd input gets a clear answer naming the field, never a server error: integers beyond what the
database holds, fractions for whole numbers, NUL bytes and broken UTF-8 in any text, JSON nested
without end, dates no depot means. And the OpenAPI document says so."""
from datetime import timedelta

import pytest

from hjelpemiddel.core.inputs import JSON_MAX_DEPTH
from hjelpemiddel.core.text import local_today

from ..support import error_of

TODAY = local_today()


@pytest.mark.parametrize("value", [2147483648, -2147483649, 9223372036854775808, 10**40, 1.5, True, "12a"])
def test_a_whole_number_out_of_range_or_with_a_fraction_is_refused_naming_the_field(lager_api, depot, rollator, value):
    response = lager_api.post("/api/v1/devices", json={"product_id": value})
    assert response.status_code == 422
    assert "product_id" in error_of(response)["details"]


@pytest.mark.parametrize("query", ["offset=9223372036854775808", "limit=1.5", "product_id=2147483648", "offset=-1"])
def test_a_query_number_out_of_range_is_refused_naming_it(lager_api, query):
    response = lager_api.get(f"/api/v1/devices?{query}")
    assert response.status_code == 422
    assert query.split("=")[0] in error_of(response)["details"]


@pytest.mark.parametrize("url", ["/api/v1/citizens/2147483648", "/api/v1/citizens/99999999999999999999999"])
def test_an_id_in_the_path_beyond_any_row_is_simply_not_found(admin_api, url):
    response = admin_api.get(url)
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"


@pytest.mark.parametrize("text", ["A-01\u00002", "A-01-\ud8002"])
def test_a_nul_byte_or_lone_surrogate_in_a_json_text_is_refused_naming_the_field(lager_api, depot, rollator, text):
    response = lager_api.post("/api/v1/devices", json={"product_id": rollator.id, "location_code": text})
    assert response.status_code == 422
    assert error_of(response)["details"] == {"location_code": ["Teksten inneholder ugyldige tegn."]}


def test_a_nul_byte_in_a_path_is_not_found(lager_api):
    response = lager_api.get("/api/v1/scan/%00")
    assert response.status_code == 404


def test_a_nul_byte_in_a_query_argument_is_refused_naming_it(lager_api):
    response = lager_api.get("/api/v1/devices?location_code=A%00")
    assert response.status_code == 422 and "location_code" in error_of(response)["details"]


def test_a_nul_byte_in_the_login_form_is_refused_before_any_lookup(client):
    response = client.post("/login", data={"username": "adm\x00in", "password": "x"})
    assert response.status_code == 422
    assert "ugyldige tegn" in response.get_data(as_text=True)


def test_json_nested_deeper_than_any_schema_is_refused_as_malformed(lager_api):
    body = "[" * 5000 + "]" * 5000
    response = lager_api.post("/api/v1/devices", data=body, content_type="application/json")
    assert response.status_code == 400 and error_of(response)["code"] == "invalid_json"
    just_too_deep = '{"a":' * JSON_MAX_DEPTH + "1" + "}" * JSON_MAX_DEPTH
    response = lager_api.post("/api/v1/devices", data=just_too_deep, content_type="application/json")
    assert response.status_code == 400


def test_a_number_too_long_for_python_to_read_is_malformed_json(lager_api):
    response = lager_api.post("/api/v1/devices", data='{"product_id": ' + "9" * 5000 + "}",
                              content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize("run_date", ["0001-01-01", "9999-12-31", (TODAY + timedelta(days=400)).isoformat(),
                                      (TODAY - timedelta(days=30)).isoformat()])
def test_a_run_far_in_the_past_or_future_is_refused_and_the_window_is_named(admin_api, run_date):
    response = admin_api.post("/api/v1/runs", json={"run_date": run_date})
    assert response.status_code == 422
    error = error_of(response)
    [problem] = error["details"]["run_date"]
    assert "mellom" in problem or " til " in problem


def test_planning_moves_visits_only_into_today_or_later(admin_api):
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    response = admin_api.post("/api/v1/runs/plan", json={"run_date": yesterday})
    assert response.status_code == 422 and "run_date" in error_of(response)["details"]
    assert admin_api.post("/api/v1/runs", json={"run_date": yesterday}).status_code == 201


def test_the_openapi_document_types_path_ids_lists_real_statuses_and_names_roles(client):
    document = client.get("/api/v1/openapi.json").get_json()
    citizen = document["paths"]["/api/v1/citizens/{citizen_id}"]["get"]
    [parameter] = citizen["parameters"]
    assert parameter["schema"] == {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}
    assert sorted(citizen["x-roles"]) == ["admin", "lager", "terapeut"]
    assert "413" not in citizen["responses"] and "404" in citizen["responses"]
    listing = document["paths"]["/api/v1/devices"]["get"]
    assert {"404", "409", "413"}.isdisjoint(listing["responses"]) and "422" in listing["responses"]
    assert "503" in document["paths"]["/api/v1/nav/sync"]["post"]["responses"]
    product_id = document["components"]["schemas"]["DeviceIn"]["properties"]["product_id"]
    assert (product_id["minimum"], product_id["maximum"]) == (-2**31, 2**31 - 1)


@pytest.mark.parametrize("written", ["%d.%m.%Y", "%-d.%-m.%Y", "%Y-%m-%d"])
def test_dates_are_taken_as_people_write_them_and_as_iso(admin_api, written):
    day = TODAY + timedelta(days=3)
    response = admin_api.post("/api/v1/runs", json={"run_date": day.strftime(written)})
    assert response.status_code == 201 and response.get_json()["run_date"] == day.isoformat()


@pytest.mark.parametrize("text", ["31.02.2027", "24/12/2026", "24.12.26"])
def test_a_day_that_does_not_exist_or_another_format_is_refused(admin_api, text):
    response = admin_api.post("/api/v1/runs", json={"run_date": text})
    assert response.status_code == 422 and "run_date" in error_of(response)["details"]


def test_the_planning_page_shows_and_takes_its_date_as_dd_mm_yyyy_whatever_the_browser(client, make_user):
    from ..support import post_login

    post_login(client, make_user("lager").username, "test-passord-123")
    page = client.get("/lager/runder?dato=24.12.2026").get_data(as_text=True)
    assert 'value="24.12.2026"' in page and 'type="date"' not in page
