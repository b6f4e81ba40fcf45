"""The citizens API's privacy answers: purposes (422), the search limit (429), misses kept though the
answer is 404, duplicates that do not say who, and one 404 for what is not yours or not there."""
from datetime import date

import pytest
from sqlalchemy import func, select

from hjelpemiddel.citizens.models import FnrAccess
from hjelpemiddel.core.auth import create_token
from hjelpemiddel.core.fnr import make_fnr
from hjelpemiddel.core.text import local_today
from hjelpemiddel.lending import services as lending

from ..support import ApiClient, error_of

FNR = make_fnr("150342", "233")
UNKNOWN_FNR = next(fnr for serial in range(100, 200) if (fnr := make_fnr("010190", str(serial))))


@pytest.fixture
def therapist_api(client, session, therapist):
    return ApiClient(client, create_token(session, therapist.username))


@pytest.fixture
def limit(app):
    original = app.config["FNR_LOOKUPS_PER_HOUR"]
    app.config["FNR_LOOKUPS_PER_HOUR"] = 2
    yield 2
    app.config["FNR_LOOKUPS_PER_HOUR"] = original


@pytest.mark.parametrize("body,field", [
    ({"fnr": FNR}, "purpose"),
    ({"fnr": FNR, "purpose": "abc"}, "purpose"),
    ({"fnr": FNR, "purpose": "other"}, "purpose_text"),
    ({"fnr": FNR, "purpose": "delivery", "purpose_text": "x" * 301}, "purpose_text"),
    ({"fnr": FNR, "purpose": "delivery", "purpose_text": "a\x00b"}, "purpose_text"),
])
def test_a_search_without_a_purpose_from_the_list_is_a_422_naming_the_field_and_logs_nothing(
        therapist_api, session, body, field):
    response = therapist_api.post("/api/v1/citizens/lookup", json=body)
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "validation_failed" and field in error["details"]
    assert "Formål" in error["message"] or "purpose_text" in error["details"]
    assert session.scalar(select(func.count(FnrAccess.id))) == 0


def test_searches_over_the_hourly_limit_answer_429_with_retry_after_in_bokmal(therapist_api, make_citizen, limit):
    make_citizen()
    for _ in range(limit):
        assert therapist_api.post("/api/v1/citizens/lookup",
                                  json={"fnr": UNKNOWN_FNR, "purpose": "delivery"}).status_code == 404
    response = therapist_api.post("/api/v1/citizens/lookup", json={"fnr": UNKNOWN_FNR, "purpose": "delivery"})
    assert response.status_code == 429
    error = error_of(response)
    assert error["code"] == "too_many_requests" and error["details"]["limit"] == limit
    assert int(response.headers["Retry-After"]) == error["details"]["retry_after"] > 0
    assert "Prøv igjen om" in error["message"]


def test_a_search_that_missed_is_kept_in_the_log_although_the_answer_is_404(therapist_api, session, vault, therapist):
    response = therapist_api.post("/api/v1/citizens/lookup", json={"fnr": UNKNOWN_FNR, "purpose": "other",
                                                                   "purpose_text": "ny bruker?"})
    assert response.status_code == 404 and error_of(response)["details"] == {}
    entry = session.scalars(select(FnrAccess)).one()
    assert (entry.user_id, entry.citizen_id, entry.fnr_hash, entry.purpose) == (
        therapist.id, None, vault.lookup_hash(UNKNOWN_FNR), "ny bruker?")


def test_admin_sees_a_miss_on_the_log_of_the_citizen_registered_later(therapist_api, api_as):
    sweeper = api_as("terapeut")
    assert sweeper.post("/api/v1/citizens/lookup", json={"fnr": FNR, "purpose": "delivery"}).status_code == 404
    created = therapist_api.post("/api/v1/citizens", json={"fnr": FNR, "name": "Astrid Olsen", "address": "Storgata 1",
                                                           "postcode": "6509", "kommunenummer": "1505"})
    assert created.status_code == 201
    log = api_as("admin").get(f"/api/v1/citizens/{created.get_json()['id']}/fnr-access").get_json()
    assert [(entry["action"], entry["found"], entry["purpose_code"]) for entry in log] == [
        ("lookup", False, "delivery"), ("register", True, None)]


def test_registering_a_registered_fnr_is_a_409_without_the_citizen_id(therapist_api, api_as, make_citizen):
    astrid = make_citizen()
    other = api_as("terapeut")  # no access to Astrid
    revealed = therapist_api.post(f"/api/v1/citizens/{astrid.id}/fnr", json={"purpose": "nav_application"}).get_json()
    response = other.post("/api/v1/citizens", json={"fnr": revealed["fnr"], "name": "Astrid", "address": "Storgata 1",
                                                    "postcode": "6509", "kommunenummer": "1505"})
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "duplicate_citizen" and error["details"] == {}
    assert str(astrid.id) not in response.get_data(as_text=True)


def _need_for(session, therapist, citizen, rollator):
    return lending.register_need(session, therapist.id, "terapeut", citizen.id, date.today(), "normal", "short_term",
                                 product_id=rollator.id)


@pytest.mark.parametrize("path", ["/api/v1/needs/{id}", "/api/v1/needs/{id}/cancel"])
def test_another_therapists_need_answers_exactly_like_a_need_that_does_not_exist(
        session, api_as, therapist, make_citizen, rollator, path):
    need = _need_for(session, therapist, make_citizen(), rollator)
    other = api_as("terapeut")

    def answer(need_id):
        url = path.format(id=need_id)
        response = other.post(url, json={"reason": "x"}) if url.endswith("cancel") else other.get(url)
        error = error_of(response)
        return response.status_code, error["code"], error["message"].replace(str(need_id), "N"), \
            {key: "N" if value == need_id else value for key, value in error["details"].items()}

    assert answer(need.id) == answer(need.id + 1000) == (404, "not_found", "Fant ikke behov N.", {"need_id": "N"})


def test_another_therapists_loan_answers_exactly_like_a_loan_that_does_not_exist(
        session, api_as, therapist, actor, make_citizen, rollator, depot):
    from hjelpemiddel.stock.services import register_device

    device = register_device(session, actor.id, rollator.id, serial_number="L1", location_code="A-01-2")
    need = _need_for(session, therapist, make_citizen(), rollator)
    lending.decide_need(session, actor.id, "lager", need.id, "approve")
    loan = lending.hand_over(session, actor.id, device.barcode)
    other = api_as("terapeut")
    theirs = other.post(f"/api/v1/loans/{loan.id}/return-request", json={"reason": "need_ended"})
    missing = other.post(f"/api/v1/loans/{loan.id + 1000}/return-request", json={"reason": "need_ended"})
    assert theirs.status_code == missing.status_code == 404
    assert error_of(theirs)["message"].replace(str(loan.id), "N") == error_of(missing)["message"].replace(
        str(loan.id + 1000), "N")
    assert list(error_of(theirs)["details"]) == list(error_of(missing)["details"]) == ["loan_id"]


def test_admin_follows_up_searches_misses_and_reveals_per_user_and_day_with_the_busy_flagged(
        app, session, api_as, therapist_api, therapist, make_citizen):
    astrid = make_citizen()
    app.config["FNR_FOLLOW_UP_THRESHOLD"], original = 2, app.config["FNR_FOLLOW_UP_THRESHOLD"]
    try:
        for _ in range(2):
            therapist_api.post("/api/v1/citizens/lookup", json={"fnr": UNKNOWN_FNR, "purpose": "delivery"})
        therapist_api.post(f"/api/v1/citizens/{astrid.id}/fnr", json={"purpose": "nav_application"})
        quiet = api_as("terapeut")
        quiet.post("/api/v1/citizens/lookup", json={"fnr": UNKNOWN_FNR, "purpose": "delivery"})
        admin = api_as("admin")
        body = admin.get("/api/v1/fnr-access/follow-up").get_json()
        rows = {row["username"]: row for row in body["rows"]}
        assert body["total"] == 2 and body["threshold"] == 2
        assert {key: rows[therapist.username][key] for key in ("lookups", "misses", "reveals", "flagged")} == {
            "lookups": 2, "misses": 2, "reveals": 1, "flagged": True}
        assert [row["flagged"] for row in body["rows"] if row["username"] != therapist.username] == [False]
        only = admin.get("/api/v1/fnr-access/follow-up?flagged_only=true").get_json()
        assert [row["username"] for row in only["rows"]] == [therapist.username]
        mine = admin.get(f"/api/v1/fnr-access/follow-up?user={therapist.username}&limit=1").get_json()
        assert mine["total"] == 1 and mine["rows"][0]["day"] == local_today().isoformat()
        bad = admin.get("/api/v1/fnr-access/follow-up?date_from=2026-02-01&date_to=2026-01-01")
        assert bad.status_code == 422 and "date_to" in error_of(bad)["details"]
    finally:
        app.config["FNR_FOLLOW_UP_THRESHOLD"] = original
