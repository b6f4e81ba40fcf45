"""Citizens and their fødselsnummer: encrypted, found by keyed hash, masked, every read logged."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from hjelpemiddel.citizens.models import FnrAccess
from hjelpemiddel.citizens.services import (PURPOSES, check_citizen_access, check_lookup_rate, find_citizen_by_fnr, fnr_access_log,
                                            list_citizens, purpose_label, register_citizen, reveal_fnr)
from hjelpemiddel.core.db import utcnow
from hjelpemiddel.core.errors import Conflict, Forbidden, NotFound, TooManyRequests, ValidationFailed
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
    found = find_citizen_by_fnr(session, vault, "terapeut", therapist.id, FNR, "need_registration", "utskrivning")
    assert found.id == astrid.id
    log = session.scalars(select(FnrAccess).where(FnrAccess.action == "lookup")).all()
    assert [(entry.user_id, entry.citizen_id, entry.purpose_code, entry.purpose, entry.fnr_hash) for entry in log] == [
        (therapist.id, astrid.id, "need_registration", "utskrivning", None)]


def test_revealing_the_fnr_needs_a_purpose_and_writes_who_when_why(session, vault, astrid, therapist):
    with pytest.raises(ValidationFailed):
        reveal_fnr(session, vault, "terapeut", therapist.id, astrid.id, "")
    assert reveal_fnr(session, vault, "terapeut", therapist.id, astrid.id, "nav_application", "rullestol") == FNR
    entry = session.scalars(select(FnrAccess).where(FnrAccess.action == "reveal")).one()
    assert (entry.user_id, entry.citizen_id, entry.purpose_code, entry.purpose) == (
        therapist.id, astrid.id, "nav_application", "rullestol")
    assert purpose_label(entry) == "Søknad til NAV: rullestol" and entry.accessed_at is not None


@pytest.mark.parametrize("purpose,text,field", [
    ("", "", "purpose"),
    ("abc", "abc", "purpose"),
    ("nysgjerrig", "", "purpose"),
    ("other", "", "purpose_text"),
    ("other", "  a ", "purpose_text"),
    ("other", "x" * 301, "purpose_text"),
    ("delivery", "x" * 301, "purpose_text"),
    ("delivery", "nøkkel\x00boks", "purpose_text"),
])
def test_a_purpose_is_one_from_the_list_with_bounded_free_text_required_for_other(session, vault, astrid, therapist,
                                                                                 purpose, text, field):
    for use in (lambda: find_citizen_by_fnr(session, vault, "terapeut", therapist.id, FNR, purpose, text),
                lambda: reveal_fnr(session, vault, "terapeut", therapist.id, astrid.id, purpose, text)):
        with pytest.raises(ValidationFailed) as caught:
            use()
        assert list(caught.value.details) == [field]
    assert session.scalar(select(func.count(FnrAccess.id)).where(FnrAccess.action != "register")) == 0


@pytest.mark.parametrize("purpose,text", [(code, "") for code in PURPOSES if code != "other"]
                         + [("other", "kontroll av dobbeltregistrering"), ("delivery", "x" * 300)])
def test_every_purpose_on_the_list_is_accepted_and_other_with_a_text(session, vault, astrid, therapist, purpose, text):
    assert reveal_fnr(session, vault, "terapeut", therapist.id, astrid.id, purpose, text) == FNR


def test_fnr_searches_are_limited_per_user_and_hour_with_the_time_to_wait(session, vault, astrid, therapist, make_user):
    for _ in range(3):
        find_citizen_by_fnr(session, vault, "terapeut", therapist.id, FNR, "delivery", per_hour=3)
    with pytest.raises(TooManyRequests) as caught:
        find_citizen_by_fnr(session, vault, "terapeut", therapist.id, FNR, "delivery", per_hour=3)
    assert caught.value.status == 429 and 3500 <= caught.value.retry_after <= 3600
    assert caught.value.details == {"limit": 3, "retry_after": caught.value.retry_after}
    assert "grensen er 3" in caught.value.message and "Prøv igjen om 60 minutter" in caught.value.message
    other = make_user("terapeut")  # the limit is per user
    assert find_citizen_by_fnr(session, vault, "terapeut", other.id, FNR, "delivery", per_hour=3).id == astrid.id


def test_searches_older_than_an_hour_no_longer_count(session, vault, astrid, therapist):
    for _ in range(2):
        find_citizen_by_fnr(session, vault, "terapeut", therapist.id, FNR, "delivery", per_hour=2)
    with pytest.raises(TooManyRequests):
        check_lookup_rate(session, therapist.id, 2, now=utcnow() + timedelta(minutes=59))
    check_lookup_rate(session, therapist.id, 2, now=utcnow() + timedelta(minutes=61))


def test_a_missed_search_is_logged_by_keyed_hash_and_shows_on_the_log_of_who_is_registered_later(
        session, vault, therapist, make_user):
    sweeper = make_user("terapeut")
    with pytest.raises(NotFound):
        find_citizen_by_fnr(session, vault, "terapeut", sweeper.id, FNR, "other", "ser om hun er registrert")
    miss = session.scalars(select(FnrAccess)).one()
    assert (miss.citizen_id, miss.fnr_hash) == (None, vault.lookup_hash(FNR)) and FNR not in miss.fnr_hash
    astrid = register_citizen(session, vault, therapist.id, FNR, "Astrid Olsen", "Storgata 1", "6509", "1505")
    log = fnr_access_log(session, astrid.id)
    assert [(entry.user_id, entry.action, entry.citizen_id) for entry in log] == [
        (sweeper.id, "lookup", None), (therapist.id, "register", astrid.id)]
    with pytest.raises(NotFound):  # someone else's miss stays off her log
        find_citizen_by_fnr(session, vault, "terapeut", sweeper.id, make_fnr("150342", "234") or make_fnr("150342", "235"),
                            "delivery")
    assert len(fnr_access_log(session, astrid.id)) == 2


@pytest.mark.parametrize("role", ["lager", "sjafor"])
def test_depot_staff_and_drivers_never_get_an_fnr(session, vault, astrid, make_user, role):
    user = make_user(role)
    with pytest.raises(Forbidden):
        reveal_fnr(session, vault, role, user.id, astrid.id, "other", "nysgjerrig")
    with pytest.raises(Forbidden):
        find_citizen_by_fnr(session, vault, role, user.id, FNR, "other", "nysgjerrig")


def test_a_therapist_sees_only_citizens_they_work_with(session, astrid, make_user):
    other = make_user("terapeut")
    with pytest.raises(NotFound) as theirs:
        check_citizen_access(session, "terapeut", other.id, astrid.id)
    with pytest.raises(NotFound) as unknown:
        check_citizen_access(session, "terapeut", other.id, astrid.id + 1000)
    assert (theirs.value.message, theirs.value.details) == (unknown.value.message, unknown.value.details) == (
        "Fant ingen innbygger som du har tilgang til.", {})
    assert list_citizens(session, "terapeut", other.id) == []
    assert [c.id for c in list_citizens(session, "lager", make_user("lager").id)] == [astrid.id]


def test_the_same_person_twice_is_a_conflict_that_does_not_say_who_they_are(session, vault, astrid, make_user):
    with pytest.raises(Conflict) as caught:
        register_citizen(session, vault, make_user("terapeut").id, FNR, "Astrid", "Storgata 1", "6509", "1505")
    assert caught.value.details == {} and caught.value.code == "duplicate_citizen"
    assert str(astrid.id) not in caught.value.message and "Astrid" not in caught.value.message


def test_an_invalid_fnr_names_the_field(session, vault, therapist):
    with pytest.raises(ValidationFailed) as caught:
        register_citizen(session, vault, therapist.id, FNR[:-1] + str((int(FNR[-1]) + 1) % 10), "X", "Y", "6509", "1505")
    assert "fnr" in caught.value.details


def test_the_access_log_cannot_be_rewritten(session, vault, astrid, therapist):
    from sqlalchemy.exc import DBAPIError

    reveal_fnr(session, vault, "terapeut", therapist.id, astrid.id, "loan_follow_up")
    session.flush()
    with pytest.raises(DBAPIError), session.begin_nested():
        session.execute(text("DELETE FROM fnr_access_log"))
    with pytest.raises(DBAPIError), session.begin_nested():
        session.execute(text("UPDATE fnr_access_log SET purpose = 'annet'"))
    with pytest.raises(DBAPIError), session.begin_nested():
        session.execute(text("UPDATE fnr_access_log SET citizen_id = NULL, fnr_hash = 'x'"))
