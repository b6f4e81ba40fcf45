"""Failed logins: counted per username and per client address in the database, a temporary lock
with a wait in bokmål, the same hash cost for unknown usernames, logged without the password; and
the login form's CSRF token."""
import logging
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hjelpemiddel.core import auth
from hjelpemiddel.core.db import utcnow
from hjelpemiddel.core.logins import (LoginAttempt, LoginLimits, forget_failed_logins, login_locked_seconds,
                                      record_failed_login)

from ..support import post_login

PASSWORD = "test-passord-123"
LIMITS = LoginLimits(per_username=10, per_address=30, window=timedelta(minutes=15))


def fail(session, times, username="kari", address="10.0.0.1", start=None, step=timedelta(minutes=1)):
    start = start or utcnow() - timedelta(minutes=10)
    for n in range(times):
        record_failed_login(session, username, address, LIMITS, now=start + n * step)
    return start


# --- the count, as a service ---------------------------------------------------------------------

def test_ten_failures_in_the_window_lock_the_username_until_the_oldest_of_them_leaves_it(session):
    start = utcnow() - timedelta(minutes=10)
    fail(session, 9, start=start)
    now = start + timedelta(minutes=10)
    assert login_locked_seconds(session, "kari", "10.0.0.2", LIMITS, now=now) == 0
    record_failed_login(session, "kari", "10.0.0.1", LIMITS, now=start + timedelta(minutes=9))
    assert login_locked_seconds(session, "kari", "10.0.0.2", LIMITS, now=now) == 5 * 60
    assert login_locked_seconds(session, "kari", "10.0.0.2", LIMITS, now=start + timedelta(minutes=15, seconds=1)) == 0
    assert login_locked_seconds(session, "ola", "10.0.0.2", LIMITS, now=now) == 0


def test_failures_from_one_address_lock_it_for_every_username_but_not_other_addresses(session):
    start = utcnow() - timedelta(minutes=5)
    for n in range(30):
        record_failed_login(session, f"bruker{n}", "10.0.0.9", LIMITS, now=start)
    now = start + timedelta(minutes=1)
    assert login_locked_seconds(session, "ny-bruker", "10.0.0.9", LIMITS, now=now) == 14 * 60
    assert login_locked_seconds(session, "ny-bruker", "10.0.0.10", LIMITS, now=now) == 0


def test_a_successful_login_clears_the_username_count_but_not_the_address_count(session):
    limits = LoginLimits(per_username=3, per_address=5, window=timedelta(minutes=15))
    for _ in range(4):
        record_failed_login(session, "kari", "10.0.0.1", limits)
    forget_failed_logins(session, "kari")
    assert login_locked_seconds(session, "kari", "10.0.0.2", limits) == 0
    record_failed_login(session, "kari", "10.0.0.1", limits)
    assert login_locked_seconds(session, "ola", "10.0.0.1", limits) > 0


def test_failures_older_than_the_window_are_deleted_when_new_ones_come(session):
    fail(session, 5, start=utcnow() - timedelta(hours=2))
    fail(session, 1)
    assert session.scalar(select(func.count()).select_from(LoginAttempt)) == 1


# --- the login form ------------------------------------------------------------------------------

def test_the_eleventh_try_is_refused_with_429_and_a_wait_even_with_the_right_password(client, make_user):
    user = make_user("lager")
    for _ in range(10):
        assert post_login(client, user.username, "feil-passord-igjen").status_code == 401
    refused = post_login(client, user.username, PASSWORD)
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    text = refused.get_data(as_text=True)
    assert "For mange mislykkede innlogginger. Vent 15 minutter og prøv igjen." in text
    assert client.get("/hjelpemidler").status_code == 302, "not logged in"


def test_a_locked_username_does_not_stop_a_colleague_at_the_same_address(client, make_user):
    locked, colleague = make_user("lager"), make_user("lager")
    for _ in range(10):
        post_login(client, locked.username, "feil-passord-igjen")
    assert post_login(client, colleague.username, PASSWORD).status_code == 302


def test_an_address_that_tried_too_many_usernames_must_wait_and_other_addresses_need_not(client, make_user, app,
                                                                                          monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES_PER_ADDRESS", 5)
    user = make_user("lager")
    sweeper = {"environ_base": {"REMOTE_ADDR": "10.1.2.3"}}
    for n in range(5):
        assert post_login(client, f"gjett{n}", "feil-passord-igjen", **sweeper).status_code == 401
    assert post_login(client, user.username, PASSWORD, **sweeper).status_code == 429
    assert post_login(client, user.username, PASSWORD, environ_base={"REMOTE_ADDR": "10.1.2.4"}).status_code == 302


def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(client, app, monkeypatch, session):
    monkeypatch.setitem(app.config, "TRUSTED_PROXIES", 1)
    headers = {"X-Forwarded-For": "203.0.113.7, 198.51.100.2"}
    post_login(client, "kari", "feil-passord-igjen", headers=headers)
    assert session.scalar(select(LoginAttempt.address)) == "198.51.100.2"


# A NUL byte never gets this far: every form is checked for it first (test_input_bounds.py), and no
# existing username can hold one, so refusing it at once tells nothing.
@pytest.mark.parametrize("case", ["known", "unknown", "inactive", "too long"])
def test_every_refused_username_costs_one_password_hash_check(client, make_user, session, monkeypatch, case):
    user = make_user("lager")
    if case == "inactive":
        user.active = False
        session.flush()
    username = {"known": user.username, "unknown": "finnes-ikke", "inactive": user.username,
                "too long": "x" * 500}[case]
    checks = []
    real = auth.check_password_hash
    monkeypatch.setattr(auth, "check_password_hash", lambda *args: checks.append(args) or real(*args))
    assert post_login(client, username, "feil-passord-igjen").status_code == 401
    assert len(checks) == 1


def test_a_failed_login_is_logged_with_the_username_and_never_the_password(client, make_user, caplog):
    user = make_user("lager")
    with caplog.at_level(logging.WARNING, logger="hjelpemiddel.core.logins"):
        post_login(client, user.username, "hemmelig-feil-passord")
    assert user.username in caplog.text
    assert "hemmelig-feil-passord" not in caplog.text and "127.0.0.1" not in caplog.text


@pytest.mark.parametrize("token", [None, "en-annen-nokkel", "nøkkel-med-æøå"])
def test_a_login_without_the_form_token_is_refused_and_logs_no_one_in(client, make_user, token):
    user = make_user("lager")
    client.get("/login")
    data = {"username": user.username, "password": PASSWORD} | ({"csrf_token": token} if token else {})
    refused = client.post("/login", data=data)
    assert refused.status_code == 403
    assert "sikkerhetsnøkkel" in refused.get_data(as_text=True)
    assert client.get("/hjelpemidler").status_code == 302
