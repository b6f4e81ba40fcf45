"""What a request answers when the database fails it: a collision (deadlock, serialization failure)
runs the request once more and answers 409 if it collides again; a database that cannot be reached
answers 503 with Retry-After (a friendly page for people); anything else is a 500 with a reference.
The failures are raised where the database would raise them: in the view, at the commit, at the
first use of a session."""
import psycopg
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from hjelpemiddel import stock
from hjelpemiddel.core.db import get_database
from hjelpemiddel.stock.models import DeviceEvent
from hjelpemiddel.stock.services import register_device

from ..support import error_of
from .test_web import login


def deadlock() -> OperationalError:
    return OperationalError("SELECT locations.id FROM locations FOR UPDATE", {},
                            psycopg.errors.DeadlockDetected("deadlock detected"))


def serialization_failure() -> OperationalError:
    return OperationalError("COMMIT", {}, psycopg.errors.SerializationFailure("could not serialize access"))


def connection_refused() -> OperationalError:
    return OperationalError(None, None, psycopg.OperationalError("connection failed: Connection refused"))


@pytest.fixture
def unit(session, depot, rollator, actor):
    return register_device(session, actor.id, rollator.id, location_code="A-01-1")


def moves(session, unit) -> int:
    return session.scalar(select(func.count()).select_from(DeviceEvent)
                          .where(DeviceEvent.device_id == unit.id, DeviceEvent.kind == "moved"))


def failing(times: int, make_error, real):
    calls = []

    def call(*args, **kwargs):
        calls.append(1)
        if len(calls) <= times:
            raise make_error()
        return real(*args, **kwargs)

    call.calls = calls
    return call


@pytest.mark.parametrize("make_error", [deadlock, serialization_failure])
def test_a_collision_in_the_view_runs_the_whole_request_once_more(lager_api, session, unit, monkeypatch, make_error):
    move = failing(1, make_error, stock.services.move_device)
    monkeypatch.setattr(stock.services, "move_device", move)
    response = lager_api.post(f"/api/v1/devices/{unit.barcode}/move", json={"location_code": "A-01-2"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert len(move.calls) == 2 and moves(session, unit) == 1


def test_a_deadlock_at_the_commit_runs_the_request_once_more_and_writes_it_once(lager_api, session, unit, monkeypatch):
    commit = failing(1, deadlock, Session.commit)
    monkeypatch.setattr(Session, "commit", commit)
    response = lager_api.post(f"/api/v1/devices/{unit.barcode}/move", json={"location_code": "A-01-2"})
    monkeypatch.undo()
    assert response.status_code == 200, response.get_data(as_text=True)
    assert len(commit.calls) == 2 and moves(session, unit) == 1


def test_a_collision_twice_answers_409_and_writes_nothing(lager_api, session, unit, monkeypatch):
    commit = failing(2, deadlock, Session.commit)
    monkeypatch.setattr(Session, "commit", commit)
    response = lager_api.post(f"/api/v1/devices/{unit.barcode}/move", json={"location_code": "A-01-2"})
    monkeypatch.undo()
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "concurrent_change" and "Prøv igjen" in error["message"]
    assert len(commit.calls) == 2 and moves(session, unit) == 0


@pytest.fixture
def database_down(app, session):
    """Every new session fails to connect, as when the database server is away."""
    database = get_database(app)
    working = database.session_factory

    def refuse():
        raise connection_refused()

    database.session_factory = refuse
    yield
    database.session_factory = working


def test_an_unreachable_database_answers_503_with_retry_after_in_the_one_error_shape(lager_api, database_down):
    response = lager_api.get("/api/v1/devices")
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert error_of(response)["code"] == "database_unavailable"


def test_a_page_says_kindly_to_try_again_when_the_database_is_away(client, app, make_user, monkeypatch):
    login(client, make_user("lager"))
    monkeypatch.setattr(stock.services, "device_page", failing(1, connection_refused, stock.services.device_page))
    response = client.get("/hjelpemidler")
    assert response.status_code == 503 and response.headers["Retry-After"]
    page = response.get_data(as_text=True)
    assert "Tjenesten er midlertidig utilgjengelig – prøv igjen om litt" in page
    assert "Noe gikk galt" not in page


def test_a_lost_connection_in_the_middle_of_a_request_answers_503_not_409(lager_api, monkeypatch):
    def cut_off():
        error = OperationalError("SELECT 1", {}, psycopg.errors.AdminShutdown("terminating connection"))
        error.connection_invalidated = True
        return error

    monkeypatch.setattr(stock.services, "list_devices", failing(1, cut_off, stock.services.list_devices))
    response = lager_api.get("/api/v1/devices")
    assert response.status_code == 503 and error_of(response)["code"] == "database_unavailable"


def test_any_other_database_error_is_a_500_whose_reference_is_the_request_id(lager_api, monkeypatch):
    def broken():
        return OperationalError("SELECT nothing FROM nowhere", {}, psycopg.errors.UndefinedTable("no such table"))

    monkeypatch.setattr(stock.services, "list_devices", failing(1, broken, stock.services.list_devices))
    response = lager_api.get("/api/v1/devices")
    assert response.status_code == 500
    error = error_of(response)
    assert error["code"] == "internal_error"
    assert error["details"]["request_id"] == response.headers["X-Request-Id"]
    assert len(response.headers["X-Request-Id"]) >= 16


def test_a_nav_job_step_that_collides_runs_once_more_in_a_fresh_transaction(app, session):
    from hjelpemiddel.nav.jobs import _unit_of_work

    sessions = []

    def step(job_session):
        sessions.append(job_session)
        if len(sessions) == 1:
            raise deadlock()
        return "done"

    assert _unit_of_work(get_database(app).session_factory, step) == "done"
    assert len(sessions) == 2 and sessions[0] is not sessions[1]
    with pytest.raises(OperationalError):
        _unit_of_work(get_database(app).session_factory, failing(2, deadlock, lambda job_session: "never"))
