"""``hjelpemiddel users …``, ``hjelpemiddel tokens …`` and ``hjelpemiddel demo`` in production."""
import re

import pytest
from sqlalchemy import select

from hjelpemiddel.core.auth import ApiToken, User, authenticate_password, create_token, find_principal_by_token

PASSWORD = "test-passord-123"
NEW_PASSWORD = "gronn-sykkel-pa-taket"


def ok(result):
    assert result.exit_code == 0, result.output
    return result.output


def test_users_are_listed_with_role_and_state_and_searched(hjelpemiddel, make_user, session):
    make_user("lager", "lise")
    make_user("terapeut", "tone")
    ok(hjelpemiddel("users", "deactivate", "tone"))
    listed = ok(hjelpemiddel("users", "list"))
    assert re.search(r"^lise\s+lager\s+aktiv\s+Test lager$", listed, re.M) and "tone" not in listed
    everyone = ok(hjelpemiddel("users", "list", "--all", "--search", "TON"))
    assert re.search(r"^tone\s+terapeut\s+deaktivert", everyone, re.M) and "1 brukere." in everyone


def test_a_role_is_changed_and_the_user_must_log_in_again(hjelpemiddel, make_user, session):
    user = make_user("lager", "lise")
    before = user.session_epoch
    assert "lise har nå rollen sjåfør/tekniker." in ok(hjelpemiddel("users", "set-role", "lise", "sjafor"))
    session.refresh(user)
    assert user.role == "sjafor" and user.session_epoch == before + 1


def test_a_deactivated_user_can_be_reactivated(hjelpemiddel, make_user, session):
    user = make_user("lager", "lise")
    ok(hjelpemiddel("users", "deactivate", "lise"))
    session.expire_all()  # the command wrote through its own session
    assert authenticate_password(session, "lise", PASSWORD) is None
    ok(hjelpemiddel("users", "reactivate", "lise"))
    session.expire_all()
    assert authenticate_password(session, "lise", PASSWORD).id == user.id


def test_a_password_is_set_through_a_hidden_prompt_asked_twice(hjelpemiddel, make_user, session):
    make_user("lager", "lise")
    result = hjelpemiddel("users", "set-password", "lise", input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n")
    assert "Passordet til lise er endret." in ok(result)
    assert NEW_PASSWORD not in result.output
    assert authenticate_password(session, "lise", NEW_PASSWORD) is not None


def test_users_create_asks_for_the_password_when_it_is_not_given(hjelpemiddel, session):
    ok(hjelpemiddel("users", "create", "kari", "--role", "lager", input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n"))
    assert authenticate_password(session, "kari", NEW_PASSWORD) is not None


@pytest.mark.parametrize("args,message", [
    (("users", "set-password", "lise", "--password", "passwordpassword"), "for vanlig"),
    (("users", "set-password", "lise", "--password", "kort"), "minst 12 tegn"),
    (("users", "create", "ola", "--role", "lager", "--password", "123456789012"), "for vanlig"),
    (("users", "set-role", "ingen-slik", "lager"), "Fant ingen bruker «ingen-slik»"),
    (("users", "deactivate", "ingen-slik"), "Fant ingen bruker «ingen-slik»"),
    (("tokens", "revoke", "999999"), "Fant ikke API-token 999999"),
    (("tokens", "revoke", "99999999999"), "99999999999"),
    (("tokens", "list", "--user", "ingen-slik"), "ingen-slik"),
])
def test_refused_user_and_token_commands_exit_non_zero_with_the_reason(hjelpemiddel, make_user, args, message):
    make_user("lager", "lise")
    result = hjelpemiddel(*args)
    assert result.exit_code != 0 and message in result.output
    assert isinstance(result.exception, SystemExit), "a refusal, not a traceback"


def test_tokens_are_listed_and_a_revoked_one_stops_working(hjelpemiddel, make_user, session):
    make_user("lager", "lise")
    token = create_token(session, "lise", "skanner")
    listed = ok(hjelpemiddel("tokens", "list", "--user", "lise"))
    token_id = session.scalar(select(ApiToken.id).where(ApiToken.label == "skanner"))
    assert re.search(rf"^\s*{token_id} lise\s+.*i bruk\s+skanner$", listed, re.M)
    revoked = ok(hjelpemiddel("tokens", "revoke", str(token_id)))
    assert f"API-token {token_id} for lise er tilbakekalt" in revoked and "sekunder" in revoked
    assert find_principal_by_token(session, token) is None
    assert "0 tokens." in ok(hjelpemiddel("tokens", "list", "--user", "lise"))
    assert "tilbakekalt" in ok(hjelpemiddel("tokens", "list", "--all"))


def test_tokens_create_takes_a_label(hjelpemiddel, make_user, session):
    make_user("lager", "lise")
    ok(hjelpemiddel("tokens", "create", "lise", "--label", "skanner ved mottak"))
    assert session.scalar(select(ApiToken.label)) == "skanner ved mottak"


def test_the_demo_refuses_to_run_in_production_without_the_explicit_flag(hjelpemiddel, app, monkeypatch, session):
    monkeypatch.setitem(app.config, "ENV", "production")
    refused = hjelpemiddel("demo")
    assert refused.exit_code != 0 and "--i-know-this-is-production" in refused.output
    assert session.scalar(select(User.id).limit(1)) is None


def test_the_demo_in_production_gives_each_user_a_random_password_shown_once(hjelpemiddel, app, monkeypatch, session):
    monkeypatch.setitem(app.config, "ENV", "production")
    output = ok(hjelpemiddel("demo", "--i-know-this-is-production"))
    assert "demo-passord" not in output
    passwords = dict(re.findall(r"^  (\w+): (\S+)$", output, re.M))
    assert set(passwords) == {"lager", "terapeut", "sjafor", "admin"}
    assert len(set(passwords.values())) == 4
    for username, password in passwords.items():
        assert authenticate_password(session, username, "demo-passord") is None
        assert authenticate_password(session, username, password).username == username
