"""A citizen's data never reaches the logs: not through SQL echo (parameters, rows), not through a
database error's text (PostgreSQL quotes the failing row and the conflicting key), not through a
request line's query string. What the logs carry instead is the request id and the user id."""
import logging
from datetime import date, timedelta

import pytest
import requests
from sqlalchemy import select, text

from hjelpemiddel.citizens.models import Citizen
from hjelpemiddel.core.fnr import make_fnr

from ..support import base_url, error_of, serve_wsgi

POSTGRES = base_url().startswith("postgresql")
RAGNHILD = dict(fnr=make_fnr("120435", "497") or make_fnr("120435", "498"), name="Ragnhild Fjellstad",
                address="Kvernbergsgata 17", postcode="6509", kommunenummer="1505", phone="41234568",
                access_notes="Nøkkel hos naboen Sverdrup")
SVERRE = dict(fnr=make_fnr("030951", "286") or make_fnr("030951", "287"), name="Sverre Haugland",
              address="Løkkemyrveien 9", postcode="6511", kommunenummer="1505", phone="41234567")
NEED_NOTES = "demens, fallrisiko"

# Database-side refusals the services cannot foresee, added inside the test's own transaction: a
# constraint on the citizen's row (answered 409) and a failing trigger quoting the need (answered 500).
if POSTGRES:
    PROBES = [
        "ALTER TABLE citizens ADD CONSTRAINT ck_citizens_log_probe CHECK (postcode <> '6511') NOT VALID",
        "CREATE FUNCTION log_probe() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'refused need: %', NEW.notes; END $$",
        "CREATE TRIGGER log_probe BEFORE INSERT ON needs FOR EACH ROW EXECUTE FUNCTION log_probe()",
    ]
else:
    PROBES = [
        "CREATE TRIGGER log_probe_citizens BEFORE INSERT ON citizens WHEN NEW.postcode = '6511' "
        "BEGIN SELECT RAISE(ABORT, 'refused'); END",
        "CREATE TRIGGER log_probe_needs BEFORE INSERT ON needs BEGIN SELECT no_such_function(NEW.notes); END",
    ]


@pytest.fixture
def all_logs(caplog):
    """Everything at DEBUG, SQL echo included; set before the test's connection is opened, since
    SQLAlchemy decides at connect time whether a connection echoes."""
    for name in (None, "sqlalchemy", "sqlalchemy.engine", "sqlalchemy.pool", "werkzeug", "hjelpemiddel"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def test_a_database_error_with_a_known_citizen_leaves_none_of_their_data_in_the_logs(
        all_logs, session, api_as, vault, rollator):
    therapist_api = api_as("terapeut")
    registered = therapist_api.post("/api/v1/citizens", json={k: v for k, v in RAGNHILD.items()})
    assert registered.status_code == 201, registered.get_data(as_text=True)
    citizen_id = registered.get_json()["id"]
    assert therapist_api.get(f"/api/v1/citizens/{citizen_id}").status_code == 200
    for probe in PROBES:
        session.execute(text(probe))

    failed_need = therapist_api.post("/api/v1/needs", json={
        "citizen_id": citizen_id, "product_id": rollator.id, "needed_by": str(date.today() + timedelta(days=3)),
        "urgency": "normal", "notes": NEED_NOTES, "delivery_address": RAGNHILD["address"]})
    refused_citizen = therapist_api.post("/api/v1/citizens", json=SVERRE)

    assert failed_need.status_code == 500, failed_need.get_data(as_text=True)
    assert refused_citizen.status_code == 409, refused_citizen.get_data(as_text=True)
    request_id = failed_need.headers["X-Request-Id"]
    assert error_of(failed_need)["details"]["request_id"] == request_id
    stored = session.execute(select(Citizen.fnr_encrypted, Citizen.fnr_hash, Citizen.fnr_masked)
                             .where(Citizen.id == citizen_id)).one()
    personal = [*(RAGNHILD[key] for key in ("fnr", "name", "address", "phone", "access_notes")),
                *(SVERRE[key] for key in ("fnr", "name", "address", "phone")), vault.lookup_hash(SVERRE["fnr"]),
                *stored, NEED_NOTES, "demens", "fallrisiko", "Fjellstad", "Haugland"]

    logged = all_logs.text
    echoed = [r.getMessage() for r in all_logs.records if r.name.startswith("sqlalchemy.engine")]
    assert any("INSERT INTO citizens" in line for line in echoed), "SQL echo was not captured: the test proves nothing"
    assert any("hidden" in line for line in echoed)
    for value in personal:
        assert value not in logged, f"{value!r} is in the log"
    failure_lines = [r for r in all_logs.records if r.levelno >= logging.ERROR and r.name.startswith("hjelpemiddel")]
    assert failure_lines and all(request_id in r.getMessage() for r in failure_lines)
    therapist_id = failure_lines[0].user_id
    assert isinstance(therapist_id, int)
    assert all(r.request_id == request_id for r in all_logs.records if r.name.startswith("hjelpemiddel")
               and r.levelno >= logging.ERROR)


def test_every_answer_names_its_request_and_keeps_a_request_id_a_proxy_gave_it(lager_api):
    first, second = lager_api.get("/api/v1/devices"), lager_api.get("/api/v1/devices")
    assert first.headers["X-Request-Id"] != second.headers["X-Request-Id"]
    given = lager_api.get("/api/v1/devices", headers={"X-Request-Id": "proxy-4f2a9c1e"})
    assert given.headers["X-Request-Id"] == "proxy-4f2a9c1e"
    forged = lager_api.get("/api/v1/devices", headers={"X-Request-Id": "<script>alert(1)</script>"})
    assert "<" not in forged.headers["X-Request-Id"]


def test_request_lines_in_the_log_leave_out_the_query_string(app, all_logs):
    def plain(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    with serve_wsgi(plain) as base:
        assert requests.get(f"{base}/api/v1/citizens?q=Ragnhild+Fjellstad", timeout=10).status_code == 200
    lines = [r.getMessage() for r in all_logs.records if r.name == "werkzeug"]
    assert any("/api/v1/citizens?" in line for line in lines), lines
    assert not any("Ragnhild" in line for line in lines)
