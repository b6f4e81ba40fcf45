"""Managing people: the services behind the admin's page and commands, and the page itself."""
import re
import time

import pytest
from sqlalchemy import update

from hjelpemiddel.accounts import services
from hjelpemiddel.core.auth import User, authenticate_password, create_token, find_principal_by_token
from hjelpemiddel.core.errors import Conflict, NotFound, ValidationFailed

from ..support import post_login

PASSWORD = "test-passord-123"
NEW_PASSWORD = "gronn-sykkel-pa-taket"


def csrf_of(client, url="/admin/brukere") -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)


def logged_in(client) -> bool:
    return client.get("/hjelpemidler").status_code == 200


@pytest.fixture
def admin_client(client, make_user):
    assert post_login(client, make_user("admin").username, PASSWORD).status_code == 302
    return client


@pytest.fixture
def other_browser(app):
    return app.test_client()


# --- services ------------------------------------------------------------------------------------

@pytest.mark.parametrize("password", ["password", "12345678", "passwordpassword", "sommerfugl123", "kari-nordmann"])
def test_an_account_with_a_weak_password_is_refused_naming_the_password(session, password):
    with pytest.raises(ValidationFailed) as refused:
        services.create_account(session, "kari-nordmann", "lager", password)
    assert set(refused.value.details) == {"password"}


def test_users_are_searched_by_username_or_name_filtered_by_role_and_state_and_paged(session, make_user):
    for n in range(5):
        make_user("lager", f"lager-{n}")
    therapist = make_user("terapeut", "tone")
    services.deactivate_user(session, services.user_by_username(session, "lager-4").id)
    assert services.list_users(session, q="LAGER-", active=True)[1] == 4
    assert [u.username for u in services.list_users(session, q="test terapeut")[0]] == [therapist.username]
    assert services.list_users(session, role="lager", active=False)[1] == 1
    page, total = services.list_users(session, q="lager-", limit=2, offset=2)
    assert total == 5 and [u.username for u in page] == ["lager-2", "lager-3"]
    assert services.list_users(session, q="%")[1] == 0, "the search is text, not a pattern"


@pytest.mark.parametrize("change", ["role", "password", "deactivate"])
def test_a_new_role_a_new_password_or_deactivation_ends_the_users_sessions(session, make_user, change):
    user = make_user("lager")
    before = user.session_epoch
    {"role": lambda: services.change_role(session, user.id, "sjafor"),
     "password": lambda: services.reset_password(session, user.id, NEW_PASSWORD),
     "deactivate": lambda: services.deactivate_user(session, user.id)}[change]()
    assert user.session_epoch == before + 1


def test_a_reset_password_replaces_the_old_one_and_follows_the_rule(session, make_user):
    user = make_user("lager")
    with pytest.raises(ValidationFailed):
        services.reset_password(session, user.id, "kort")
    services.reset_password(session, user.id, NEW_PASSWORD)
    assert authenticate_password(session, user.username, PASSWORD) is None
    assert authenticate_password(session, user.username, NEW_PASSWORD).id == user.id


def test_a_deactivated_user_cannot_log_in_and_their_tokens_stop_until_reactivated(session, make_user):
    user = make_user("lager")
    token = create_token(session, user.username)
    services.deactivate_user(session, user.id)
    assert authenticate_password(session, user.username, PASSWORD) is None
    assert find_principal_by_token(session, token) is None
    services.reactivate_user(session, user.id)
    assert find_principal_by_token(session, token).id == user.id


@pytest.mark.parametrize("action", [lambda s, u: services.deactivate_user(s, u.id),
                                    lambda s, u: services.change_role(s, u.id, "lager")])
def test_the_last_active_admin_keeps_the_role_and_the_access(session, make_user, action):
    admin = make_user("admin")
    with pytest.raises(Conflict) as refused:
        action(session, admin)
    assert "siste aktive administratoren" in refused.value.message
    make_user("admin")
    action(session, admin)


def test_a_revoked_token_no_longer_identifies_anyone_and_is_listed_as_revoked(session, make_user):
    user = make_user("lager")
    token = create_token(session, user.username, "skanner")
    [row] = services.list_tokens(session, user_id=user.id)
    assert row.label == "skanner" and row.revoked_at is None
    services.revoke_token(session, row.id)
    assert find_principal_by_token(session, token) is None
    assert services.list_tokens(session, user_id=user.id) == []
    assert services.list_tokens(session, user_id=user.id, include_revoked=True)[0].revoked_at is not None
    with pytest.raises(NotFound):
        services.revoke_token(session, row.id, user_id=user.id + 1)


# --- the page --------------------------------------------------------------------------------------

@pytest.mark.parametrize("role,status", [("lager", 403), ("terapeut", 403), ("sjafor", 403), ("admin", 200)])
def test_only_admin_may_open_the_user_pages(client, make_user, role, status):
    post_login(client, make_user(role).username, PASSWORD)
    assert client.get("/admin/brukere").status_code == status
    assert client.get(f"/admin/brukere/{make_user('lager').id}").status_code == status


def test_admin_creates_a_user_on_the_page_and_the_user_can_log_in(admin_client, other_browser):
    created = admin_client.post("/admin/brukere", data={"username": "kari", "full_name": "Kari Nordmann",
                                                        "role": "terapeut", "password": NEW_PASSWORD,
                                                        "csrf_token": csrf_of(admin_client)})
    assert created.status_code == 302
    page = admin_client.get(created.location).get_data(as_text=True)
    assert "Brukeren kari er opprettet." in page and "Terapeut" in page
    assert post_login(other_browser, "kari", NEW_PASSWORD).location.endswith("/terapeut")


def test_a_weak_password_on_the_page_is_refused_in_bokmal_and_the_form_keeps_the_username(admin_client):
    refused = admin_client.post("/admin/brukere", data={"username": "kari", "role": "lager", "password": "12345678",
                                                        "csrf_token": csrf_of(admin_client)})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Passord: Passordet må ha minst 12 tegn." in text and 'value="kari"' in text


def test_the_list_is_searched_and_paged(admin_client, make_user):
    for n in range(55):
        make_user("lager", f"lager-{n:02d}")
    first = admin_client.get("/admin/brukere?q=lager-&role=lager").get_data(as_text=True)
    assert "55 brukere" in first and "Viser 1–50 av 55" in first and "lager-49" in first and "lager-50" not in first
    second = admin_client.get("/admin/brukere?q=lager-&role=lager&offset=50").get_data(as_text=True)
    assert "lager-54" in second and "lager-00" not in second
    assert admin_client.get("/admin/brukere?offset=-1&role=konge").status_code == 200


@pytest.mark.parametrize("path,form", [("rolle", {"role": "sjafor"}), ("passord", {"password": NEW_PASSWORD}),
                                       ("deaktiver", {})])
def test_a_change_on_the_page_logs_the_user_out_everywhere_at_once(admin_client, other_browser, make_user,
                                                                    cached_principals, path, form):
    user = make_user("lager")
    post_login(other_browser, user.username, PASSWORD)
    assert logged_in(other_browser)
    changed = admin_client.post(f"/admin/brukere/{user.id}/{path}", data={**form, "csrf_token": csrf_of(admin_client)})
    assert changed.status_code == 302
    assert not logged_in(other_browser)


def test_a_blank_password_reset_shows_a_random_password_once_and_it_works(admin_client, other_browser, make_user):
    user = make_user("lager")
    answer = admin_client.post(f"/admin/brukere/{user.id}/passord", data={"csrf_token": csrf_of(admin_client)})
    assert answer.status_code == 200
    password = re.search(r'<p class="mono">([^<]+)</p>', answer.get_data(as_text=True)).group(1)
    assert password not in admin_client.get(f"/admin/brukere/{user.id}").get_data(as_text=True)
    assert post_login(other_browser, user.username, password).status_code == 302


def test_the_last_admin_cannot_deactivate_themselves_on_the_page(client, session, make_user):
    session.execute(update(User).where(User.role == "admin").values(active=False))  # none but this one
    admin = make_user("admin")
    post_login(client, admin.username, PASSWORD)
    refused = client.post(f"/admin/brukere/{admin.id}/deaktiver", data={"csrf_token": csrf_of(client)})
    assert refused.status_code == 409
    assert "siste aktive administratoren" in refused.get_data(as_text=True)
    assert logged_in(client)


def test_a_token_revoked_on_the_page_stops_working_within_the_cache_time(admin_client, make_user, session,
                                                                         cached_principals, monkeypatch):
    user = make_user("lager")
    token = create_token(session, user.username, "skanner")
    [row] = services.list_tokens(session, user_id=user.id)
    api = {"Authorization": f"Bearer {token}"}
    assert admin_client.get("/api/v1/locations", headers=api).status_code == 200
    page = admin_client.get(f"/admin/brukere/{user.id}").get_data(as_text=True)
    assert "skanner" in page and "I bruk" in page
    revoked = admin_client.post(f"/admin/brukere/{user.id}/tokens/{row.id}/tilbakekall",
                                data={"csrf_token": csrf_of(admin_client)})
    assert "API-tokenet er tilbakekalt." in admin_client.get(revoked.location).get_data(as_text=True)
    assert admin_client.get("/api/v1/locations", headers=api).status_code == 200, "trusted for TOKEN_CACHE_SECONDS"
    later = time.monotonic() + 60.5
    monkeypatch.setattr("hjelpemiddel.core.http.time.monotonic", lambda: later)
    assert admin_client.get("/api/v1/locations", headers=api).status_code == 401


def test_a_token_made_on_the_page_is_shown_once_and_works(admin_client, make_user):
    user = make_user("lager")
    answer = admin_client.post(f"/admin/brukere/{user.id}/tokens", data={"label": "skanner på lageret",
                                                                         "csrf_token": csrf_of(admin_client)})
    token = re.search(r'<p class="mono">(hjm_[^<]+)</p>', answer.get_data(as_text=True)).group(1)
    assert admin_client.get("/api/v1/locations", headers={"Authorization": f"Bearer {token}"}).status_code == 200
