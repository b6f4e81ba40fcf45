"""Citizens and their fødselsnummer: encrypted, found by keyed hash, masked, every read logged."""
import pytest
from sqlalchemy import select, text

from hjelpemiddel.citizens.models import FnrAccess
from hjelpemiddel.citizens.services import (check_citizen_access, find_citizen_by_fnr, list_citizens,
                                            register_citizen, reveal_fnr)
from hjelpemiddel.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from hjelpemiddel.core.fnr import make_fnr

FNR = make_fnr("150342", "233")


@pytest.fixture
def astrid(session, vault, therapist):
    return register_citizen(session, vault, therapist.id, FNR, "Astrid Olsen", "Storgata 1", "6509", "1505",
                            city="Kristiansund")


def test_the_clear_fnr_is_nowhere_in_the_raw_database(session, astrid):
    session.flush()
    tables = [row[0] for row in session.execute(text(
        "SELECT name FROM sqlite_master WHERE type='table'" if session.bind.dialect.name == "sqlite"
        else "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))]
    assert "citizens" in tables
    for table in tables:
        for row in session.execute(text(f'SELECT * FROM "{table}"')):
            assert FNR not in " ".join(str(value) for value in row), table
    assert astrid.fnr_masked == "150342 *****"


def test_a_citizen_is_found_by_fnr_and_the_search_is_logged(session, vault, astrid, therapist):
    assert find_citizen_by_fnr(session, vault, "terapeut", therapist.id, FNR, "utskrivning").id == astrid.id
    log = session.scalars(select(FnrAccess).where(FnrAccess.action == "lookup")).all()
    assert [(entry.user_id, entry.citizen_id, entry.purpose) for entry in log] == [(therapist.id, astrid.id, "utskrivning")]


def test_revealing_the_fnr_needs_a_purpose_and_writes_who_when_why(session, vault, astrid, therapist):
    with pytest.raises(ValidationFailed):
        reveal_fnr(session, vault, "terapeut", therapist.id, astrid.id, "")
    assert reveal_fnr(session, vault, "terapeut", therapist.id, astrid.id, "søknad til NAV") == FNR
    entry = session.scalars(select(FnrAccess).where(FnrAccess.action == "reveal")).one()
    assert (entry.user_id, entry.citizen_id, entry.purpose) == (therapist.id, astrid.id, "søknad til NAV")
    assert entry.accessed_at is not None


@pytest.mark.parametrize("role", ["lager", "sjafor"])
def test_depot_staff_and_drivers_never_get_an_fnr(session, vault, astrid, make_user, role):
    user = make_user(role)
    with pytest.raises(Forbidden):
        reveal_fnr(session, vault, role, user.id, astrid.id, "nysgjerrig")
    with pytest.raises(Forbidden):
        find_citizen_by_fnr(session, vault, role, user.id, FNR, "nysgjerrig")


def test_a_therapist_sees_only_citizens_they_work_with(session, astrid, make_user):
    other = make_user("terapeut")
    with pytest.raises(NotFound):
        check_citizen_access(session, "terapeut", other.id, astrid.id)
    assert list_citizens(session, "terapeut", other.id) == []
    assert [c.id for c in list_citizens(session, "lager", make_user("lager").id)] == [astrid.id]


def test_the_same_person_twice_is_a_conflict(session, vault, astrid, therapist):
    with pytest.raises(Conflict) as caught:
        register_citizen(session, vault, therapist.id, FNR, "Astrid", "Storgata 1", "6509", "1505")
    assert caught.value.details["citizen_id"] == astrid.id


def test_an_invalid_fnr_names_the_field(session, vault, therapist):
    with pytest.raises(ValidationFailed) as caught:
        register_citizen(session, vault, therapist.id, FNR[:-1] + str((int(FNR[-1]) + 1) % 10), "X", "Y", "6509", "1505")
    assert "fnr" in caught.value.details


def test_the_access_log_cannot_be_rewritten(session, vault, astrid, therapist):
    from sqlalchemy.exc import DBAPIError

    reveal_fnr(session, vault, "terapeut", therapist.id, astrid.id, "kontroll")
    session.flush()
    with pytest.raises(DBAPIError), session.begin_nested():
        session.execute(text("DELETE FROM fnr_access_log"))
