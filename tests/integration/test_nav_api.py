"""The NAV endpoints over the API: who may call what, and the one error shape when NAV is away."""
from __future__ import annotations

import pytest

from ..support import ROLES, assert_role_answer, error_of

ENDPOINTS = [
    ("POST", "/api/v1/nav/sync", {}, {"lager"}),
    ("GET", "/api/v1/nav/sync", None, {"lager"}),
    ("GET", "/api/v1/nav/upcoming", None, {"lager"}),
    ("POST", "/api/v1/nav/receive", {"hms_nr": "291003", "serial": "1", "location_code": "A-01-2"}, {"lager"}),
    ("GET", "/api/v1/nav/arrivals", None, {"lager"}),
    ("POST", "/api/v1/nav/arrivals/999/resolve", {"resolution": "x"}, {"lager"}),
    ("POST", "/api/v1/citizens/999/nav-loans/import", None, {"lager", "terapeut"}),
    ("POST", "/api/v1/nav/returns", {"barcode": "HJM0000000", "disposition": "return_to_nav"}, {"lager"}),
    ("POST", "/api/v1/nav/part-orders", {"barcode": "HJM0000000", "parts": []}, {"lager", "sjafor"}),
    ("GET", "/api/v1/nav/part-orders", None, {"lager", "sjafor"}),
    ("GET", "/api/v1/nav/part-orders/999", None, {"lager", "sjafor"}),
    ("POST", "/api/v1/nav/outbox/deliver", None, {"lager"}),
    ("POST", "/api/v1/repairs", {"barcode": "HJM0000000", "place": "home", "description": "x"}, {"lager", "sjafor"}),
    ("POST", "/api/v1/repairs/999/complete", {"work_done": "x", "minutes_spent": 5}, {"lager", "sjafor"}),
    ("GET", "/api/v1/devices/HJM0000000/repairs", None, {"lager", "sjafor"}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method,url,body,allowed", ENDPOINTS, ids=[f"{m} {u}" for m, u, _, _ in ENDPOINTS])
def test_every_nav_endpoint_answers_each_role_as_designed(api_as, fake_nav, depot, role, method, url, body, allowed):
    api = api_as(role)
    response = api.post(url, json=body) if method == "POST" else api.get(url)
    assert_role_answer(response, role, allowed)


def test_when_nav_is_down_a_sync_answers_503_in_the_one_error_shape(api_as, fake_nav, app):
    fake_nav.control(fail_every=1)
    app.extensions["nav_port"] = fake_nav.port(retries=1)
    response = api_as("lager").post("/api/v1/nav/sync", json={})
    assert response.status_code == 503
    error = error_of(response)
    assert error["code"] == "nav_unavailable" and "NAV svarte ikke" in error["message"]


def test_without_nav_configured_the_answer_says_so(api_as, app, make_citizen):
    app.extensions.pop("nav_port", None)
    response = api_as("lager").post(f"/api/v1/citizens/{make_citizen().id}/nav-loans/import")
    assert response.status_code == 503 and error_of(response)["code"] == "nav_not_configured"


@pytest.mark.parametrize("body, field", [
    ({"hms_nr": "12345", "serial": "687273", "location_code": "A-01-2"}, "hms_nr"),
    ({"hms_nr": "291003", "location_code": "A-01-2"}, "serial"),
    ({"hms_nr": "291003", "serial": "687273", "location_code": ""}, "location_code"),
])
def test_receiving_with_a_bad_field_answers_422_naming_it(api_as, depot, body, field):
    response = api_as("lager").post("/api/v1/nav/receive", json=body)
    assert response.status_code == 422 and field in error_of(response)["details"]


@pytest.mark.parametrize("body, field", [
    ({"barcode": "HJM0000000", "parts": []}, "parts"),
    ({"barcode": "HJM0000000", "parts": [{"hmsnr": "150817", "navn": "Dekk", "antall": 0}]}, "parts"),
    ({"barcode": "HJM0000000", "parts": [{"hmsnr": "150817", "navn": "Dekk", "antall": 1}], "levering": "HJEM"}, "levering"),
])
def test_a_part_order_with_a_bad_field_answers_422_naming_it(api_as, body, field):
    response = api_as("sjafor").post("/api/v1/nav/part-orders", json=body)
    assert response.status_code == 422 and field in error_of(response)["details"]
