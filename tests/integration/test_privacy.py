"""Retention (inactive citizens anonymised, the fnr access log deleted after its own period) and key
rotation (resumable, in batches), as services and as the `hjelpemiddel privacy` commands."""
from datetime import date, datetime, timedelta, timezone

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from hjelpemiddel.citizens.jobs import rotate_keys
from hjelpemiddel.citizens.models import Citizen, FnrAccess
from hjelpemiddel.citizens.services import (ANONYMISED_NAME, access_follow_up, find_citizen_by_fnr, fnr_access_log,
                                            register_citizen, reveal_fnr)
from hjelpemiddel.cli import cli
from hjelpemiddel.core.crypto import FnrVault
from hjelpemiddel.core.db import get_database, utcnow
from hjelpemiddel.core.errors import Conflict, NotFound
from hjelpemiddel.core.fnr import make_fnr
from hjelpemiddel.lending import services as lending
from hjelpemiddel.lending.models import Loan, Need
from hjelpemiddel.privacy import months_before, run_retention
from hjelpemiddel.stock.models import DeviceEvent
from hjelpemiddel.stock.services import register_device

from ..conftest import TEST_FNR_KEYS

NOW = utcnow()
LONG_AGO = months_before(NOW, 30)
FNRS = [fnr for serial in range(100, 400) if (fnr := make_fnr("150342", str(serial)))]


@pytest.fixture
def factory(app, session):
    return get_database(app).session_factory


@pytest.fixture
def old_citizen(session, make_citizen):
    """A citizen registered long ago: ``old_citizen(name)``."""

    def make(name: str):
        citizen = make_citizen(name)
        citizen.created_at = LONG_AGO
        session.flush()
        return citizen

    return make


@pytest.fixture
def lent(session, actor, therapist, rollator, depot):
    """A unit lent to the citizen through the services: (need, loan, device)."""
    serials = iter(range(1, 100))

    def make(citizen):
        device = register_device(session, actor.id, rollator.id, serial_number=f"R{next(serials)}", location_code="A-01-2")
        need = lending.register_need(session, therapist.id, "terapeut", citizen.id, date.today(), "normal",
                                     "short_term", product_id=rollator.id)
        lending.decide_need(session, actor.id, "lager", need.id, "approve")
        return need, lending.hand_over(session, actor.id, device.barcode), device

    return make


def _finished(session, need: Need, loan: Loan, when) -> None:
    need.status, need.closed_at, need.status_changed_at, need.registered_at = "closed", when, when, when
    loan.status, loan.started_at, loan.ended_at = "ended", when, when
    session.flush()


def test_retention_anonymises_only_citizens_with_nothing_open_for_the_period_and_keeps_the_device_history(
        session, factory, old_citizen, make_citizen, lent):
    finished_long_ago = old_citizen("Astrid Olsen")
    need, loan, device = lent(finished_long_ago)
    _finished(session, need, loan, months_before(NOW, 25))
    nothing_ever = old_citizen("Per Hansen")
    still_lent = old_citizen("Kari Nilsen")
    open_need, open_loan, _ = lent(still_lent)
    open_loan.started_at = open_need.registered_at = open_need.status_changed_at = LONG_AGO
    recently_finished = old_citizen("Ole Johansen")
    _finished(session, *lent(recently_finished)[:2], months_before(NOW, 10))
    waiting_long = old_citizen("Berit Moe")
    waiting = lending.register_need(session, waiting_long.created_by_id, "terapeut", waiting_long.id, date.today(),
                                    "normal", "short_term", iso_class="120606")
    waiting.registered_at = waiting.status_changed_at = LONG_AGO
    new = make_citizen("Ingrid Lie")
    device_history = session.scalar(select(func.count(DeviceEvent.id)).where(DeviceEvent.device_id == device.id))
    session.flush()

    dry = run_retention(factory, 24, 60, dry_run=True, now=NOW)
    assert (dry.citizens, session.scalar(select(func.count(Citizen.id)).where(Citizen.anonymised_at.is_not(None)))) == (2, 0)
    summary = run_retention(factory, 24, 60, batch_size=1, now=NOW)
    assert summary.citizens == 2

    for citizen in (finished_long_ago, nothing_ever):
        session.refresh(citizen)
        assert (citizen.name, citizen.address, citizen.phone, citizen.access_notes, citizen.fnr_encrypted,
                citizen.fnr_masked) == (ANONYMISED_NAME, "", "", "", "", "")
        assert citizen.fnr_hash == f"anonymised:{citizen.id}" and citizen.anonymised_at is not None
    for citizen in (still_lent, recently_finished, waiting_long, new):
        session.refresh(citizen)
        assert citizen.anonymised_at is None and citizen.name != ANONYMISED_NAME and citizen.fnr_encrypted
    session.refresh(need)
    session.refresh(loan)
    assert (need.citizen_id, loan.citizen_id, loan.device_id) == (finished_long_ago.id, finished_long_ago.id, device.id)
    assert need.delivery_address == "Anonymisert" and need.status == "closed"
    assert session.scalar(select(func.count(DeviceEvent.id)).where(DeviceEvent.device_id == device.id)) == device_history
    assert run_retention(factory, 24, 60, now=NOW).citizens == 0  # done is done


def test_an_anonymised_citizens_fnr_is_gone_and_the_number_can_be_registered_again(
        session, factory, vault, therapist, old_citizen):
    astrid = old_citizen("Astrid Olsen")
    fnr = reveal_fnr(session, vault, "terapeut", therapist.id, astrid.id, "delivery")
    run_retention(factory, 24, 60, now=NOW)
    session.expire_all()  # the job wrote through its own session
    with pytest.raises(Conflict):
        reveal_fnr(session, vault, "terapeut", therapist.id, astrid.id, "delivery")
    with pytest.raises(NotFound):
        find_citizen_by_fnr(session, vault, "terapeut", therapist.id, fnr, "delivery")
    again = register_citizen(session, vault, therapist.id, fnr, "Astrid Olsen", "Storgata 1", "6509", "1505")
    assert again.id != astrid.id
    # The miss just made was hers before: it stays on the new citizen's log, not the anonymised one's.
    assert [entry.action for entry in fnr_access_log(session, again.id)] == ["lookup", "register"]


def test_the_access_log_is_deleted_after_its_own_period_and_not_a_day_sooner(session, factory, therapist, make_citizen):
    astrid = make_citizen()
    for months in (61, 59):
        session.add(FnrAccess(citizen_id=astrid.id, user_id=therapist.id, action="reveal", purpose=f"{months}",
                              accessed_at=months_before(NOW, months)))
    session.flush()
    assert run_retention(factory, 24, 60, dry_run=True, now=NOW).log_entries == 1
    summary = run_retention(factory, 24, 60, now=NOW)
    assert summary.log_entries == 1 and summary.citizens == 0
    assert sorted(entry.purpose for entry in fnr_access_log(session, astrid.id)) == ["59", "registrering"]
    with pytest.raises(DBAPIError), session.begin_nested():  # the rest is still append-only
        session.execute(text("DELETE FROM fnr_access_log"))


def test_the_retention_command_prints_counts_and_dry_run_changes_nothing(app, session, old_citizen, monkeypatch):
    monkeypatch.delenv("FLASK_RUN_FROM_CLI", raising=False)
    astrid = old_citizen("Astrid Olsen")
    runner = app.test_cli_runner()
    dry = runner.invoke(cli, ["privacy", "retention", "--dry-run"])
    assert dry.exit_code == 0 and "1 innbyggere ville blitt anonymisert" in dry.output, dry.output
    session.refresh(astrid)
    assert astrid.anonymised_at is None
    real = runner.invoke(cli, ["privacy", "retention", "--batch-size", "5"])
    assert real.exit_code == 0 and "1 innbyggere ble anonymisert" in real.output, real.output
    session.refresh(astrid)
    assert astrid.name == ANONYMISED_NAME


# --- key rotation ---------------------------------------------------------------------------------

OLD_KEY, NEW_KEY = TEST_FNR_KEYS["FNR_ENCRYPTION_KEYS"], Fernet.generate_key().decode()
OLD_HASH, NEW_HASH = TEST_FNR_KEYS["FNR_HASH_KEY"], "new-hash-key"


def test_key_rotation_stopped_halfway_and_run_again_leaves_every_fnr_readable_and_findable_with_the_new_keys_only(
        session, factory, vault, therapist):
    sweeper_miss_fnr, unknown_fnr, *fnrs = FNRS[:9]
    with pytest.raises(NotFound):
        find_citizen_by_fnr(session, vault, "terapeut", therapist.id, sweeper_miss_fnr, "delivery")
    with pytest.raises(NotFound):
        find_citizen_by_fnr(session, vault, "terapeut", therapist.id, unknown_fnr, "delivery")
    citizens = [register_citizen(session, vault, therapist.id, fnr, f"Innbygger {i}", "Storgata 1", "6509", "1505")
                for i, fnr in enumerate([sweeper_miss_fnr, *fnrs])]
    session.flush()
    rotating = FnrVault([NEW_KEY, OLD_KEY], NEW_HASH, old_hash_key=OLD_HASH)

    halfway = rotate_keys(factory, rotating, batch_size=3, max_batches=1)
    assert (halfway.seen, halfway.reencrypted, halfway.rehashed, halfway.misses_rehashed, halfway.finished) == (
        3, 3, 3, 1, False)
    # While it runs, the app (given the old hash key too) finds those rotated and those not yet.
    for fnr in (sweeper_miss_fnr, fnrs[-1]):
        assert find_citizen_by_fnr(session, rotating, "terapeut", therapist.id, fnr, "delivery", per_hour=100)

    rest = rotate_keys(factory, rotating, batch_size=3)
    assert rest.finished and rest.seen == len(citizens) and rest.rehashed == len(citizens) - 3
    assert rest.unexpected_hashes == 0 and rest.misses_rehashed == 0
    again = rotate_keys(factory, rotating, batch_size=3)
    assert (again.reencrypted, again.rehashed) == (0, 0)

    new_only = FnrVault([NEW_KEY], NEW_HASH)
    for citizen, fnr in zip(citizens, [sweeper_miss_fnr, *fnrs]):
        session.refresh(citizen)
        assert new_only.decrypt(citizen.fnr_encrypted) == fnr and citizen.fnr_hash == new_only.lookup_hash(fnr)
        assert find_citizen_by_fnr(session, new_only, "terapeut", therapist.id, fnr, "delivery", per_hour=100).id == citizen.id
    # The miss made before she was registered followed her to the new hash; one of a number nobody
    # is registered with cannot be re-hashed without the number, and keeps the old hash.
    assert [entry.action for entry in fnr_access_log(session, citizens[0].id)][:2] == ["lookup", "register"]
    misses = set(session.scalars(select(FnrAccess.fnr_hash).where(FnrAccess.citizen_id.is_(None))))
    assert misses == {new_only.lookup_hash(sweeper_miss_fnr), vault.lookup_hash(unknown_fnr)}


def test_the_rotate_keys_command_uses_the_configured_keys_and_says_when_it_is_done(
        app, session, vault, therapist, monkeypatch):
    monkeypatch.delenv("FLASK_RUN_FROM_CLI", raising=False)
    citizens = [register_citizen(session, vault, therapist.id, fnr, "Innbygger", "Storgata 1", "6509", "1505")
                for fnr in FNRS[:3]]
    session.flush()
    monkeypatch.setitem(app.config, "FNR_ENCRYPTION_KEYS", f"{NEW_KEY},{OLD_KEY}")
    monkeypatch.setitem(app.config, "FNR_HASH_KEY", NEW_HASH)
    runner = app.test_cli_runner()
    first = runner.invoke(cli, ["privacy", "rotate-keys", "--old-hash-key", OLD_HASH, "--batch-size", "2",
                                "--max-batches", "1"])
    assert first.exit_code == 0 and "kjør kommandoen igjen" in first.output, first.output
    second = runner.invoke(cli, ["privacy", "rotate-keys", "--old-hash-key", OLD_HASH])
    assert second.exit_code == 0 and "Ikke ferdig" not in second.output, second.output
    assert "1 kryptert på nytt, 1 nye oppslagsnøkler" in second.output
    new_only = FnrVault([NEW_KEY], NEW_HASH)
    for citizen, fnr in zip(citizens, FNRS[:3]):
        session.refresh(citizen)
        assert new_only.decrypt(citizen.fnr_encrypted) == fnr


def test_months_are_counted_on_the_calendar():
    from datetime import datetime, timezone

    assert months_before(datetime(2026, 3, 31, tzinfo=timezone.utc), 1) == datetime(2026, 2, 28, tzinfo=timezone.utc)
    assert months_before(datetime(2026, 1, 15, tzinfo=timezone.utc), 24) == datetime(2024, 1, 15, tzinfo=timezone.utc)
    assert NOW - LONG_AGO > timedelta(days=900)


def test_the_nav_worker_runs_retention_on_its_first_round(app, session, old_citizen, fake_nav, monkeypatch):
    monkeypatch.delenv("FLASK_RUN_FROM_CLI", raising=False)
    astrid = old_citizen("Astrid Olsen")
    result = app.test_cli_runner().invoke(cli, ["nav", "worker", "--once"])
    assert result.exit_code == 0 and "1 innbyggere ble anonymisert" in result.output, result.output
    session.refresh(astrid)
    assert astrid.name == ANONYMISED_NAME


@pytest.mark.parametrize("utc_moment, oslo_day", [
    ("2026-01-14T22:59:00", date(2026, 1, 14)),  # winter, UTC+1: 23:59 in Oslo
    ("2026-01-14T23:00:00", date(2026, 1, 15)),  # 00:00 in Oslo, still the 14th in UTC
    ("2026-07-14T21:59:00", date(2026, 7, 14)),  # summer, UTC+2: 23:59 in Oslo
    ("2026-07-14T22:00:00", date(2026, 7, 15)),
])
def test_the_follow_up_counts_a_search_on_the_day_it_was_in_oslo(session, therapist, utc_moment, oslo_day):
    moment = datetime.fromisoformat(utc_moment).replace(tzinfo=timezone.utc)
    session.add(FnrAccess(user_id=therapist.id, action="lookup", purpose="søk", accessed_at=moment))
    session.flush()
    that_day = access_follow_up(session, oslo_day, oslo_day, threshold=0)
    assert [(row.day, row.lookups, row.flagged) for row in that_day.rows] == [(oslo_day, 1, True)]
    for neighbour in (oslo_day - timedelta(days=1), oslo_day + timedelta(days=1)):
        assert access_follow_up(session, neighbour, neighbour, threshold=0).rows == []
