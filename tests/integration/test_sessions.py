"""Session cookies: flags, the idle timeout, and ending every session of a user at once (logout)."""
import re
import time

import pytest
from itsdangerous.timed import TimestampSigner

from hjelpemiddel import create_app
from hjelpemiddel.core.auth import end_sessions
from hjelpemiddel.core.db import get_database

from ..conftest import TEST_FNR_KEYS
from ..support import post_login

PASSWORD = "test-passord-123"


def csrf_of(client) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', client.get("/hjelpemidler").get_data(as_text=True)).group(1)


def logged_in(client) -> bool:
    return client.get("/hjelpemidler").status_code == 200


def session_cookie_header(client) -> str:
    response = client.get("/login")
    return next(value for value in response.headers.getlist("Set-Cookie") if value.startswith("session="))


def test_the_cookie_is_http_only_and_same_site_lax_and_lives_the_idle_timeout(client, make_user):
    post_login(client, make_user("lager").username, PASSWORD)
    response = client.get("/hjelpemidler")
    cookie = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert client.application.permanent_session_lifetime.total_seconds() == 8 * 3600
    assert "Expires=" in cookie


def test_in_production_the_cookie_is_secure_and_the_idle_timeout_is_configurable(app, monkeypatch):
    monkeypatch.setenv("SESSION_IDLE_HOURS", "2")
    production = create_app({"ENV": "production", "SECRET_KEY": "prod-secret", "DATABASE_URL": app.config["DATABASE_URL"],
                             **TEST_FNR_KEYS})
    try:
        assert production.permanent_session_lifetime.total_seconds() == 2 * 3600
        cookie = session_cookie_header(production.test_client())
    finally:
        get_database(production).engine.dispose()
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize("idle_hours,still_in", [(7.5, True), (8.5, False)])
def test_a_session_idle_longer_than_the_timeout_is_over(client, make_user, monkeypatch, idle_hours, still_in):
    signed_at = int(time.time())
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: signed_at)
    post_login(client, make_user("lager").username, PASSWORD)
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: signed_at + int(idle_hours * 3600))
    assert logged_in(client) is still_in


def test_after_logout_a_copy_of_the_cookie_no_longer_works(app, client, make_user, cached_principals):
    post_login(client, make_user("lager").username, PASSWORD)
    assert logged_in(client)
    copied = client.get_cookie("session").value
    assert client.post("/logout", data={"csrf_token": csrf_of(client)}).status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert not logged_in(thief)


def test_logout_ends_the_users_sessions_in_other_browsers_too(app, client, make_user, cached_principals):
    user = make_user("lager")
    other_browser = app.test_client()
    post_login(client, user.username, PASSWORD)
    post_login(other_browser, user.username, PASSWORD)
    assert logged_in(other_browser)
    client.post("/logout", data={"csrf_token": csrf_of(client)})
    assert not logged_in(other_browser)
    post_login(other_browser, user.username, PASSWORD)
    assert logged_in(other_browser), "a new login works at once"


def test_a_logout_in_another_worker_ends_the_session_here_at_once(client, make_user, session, cached_principals):
    """Sessions are never trusted from a worker's cache: a copied cookie must die with the logout."""
    user = make_user("lager")
    post_login(client, user.username, PASSWORD)
    assert logged_in(client)
    end_sessions(session, user)  # what another worker's logout writes
    assert not logged_in(client)


def test_a_login_in_another_worker_is_not_undone_by_this_workers_cache(app, client, make_user, session,
                                                                        cached_principals):
    user = make_user("lager")
    post_login(client, user.username, PASSWORD)
    assert logged_in(client)
    end_sessions(session, user)  # a logout elsewhere, which this worker's cache has not seen
    fresh = app.test_client()
    post_login(fresh, user.username, PASSWORD)
    assert logged_in(fresh)
