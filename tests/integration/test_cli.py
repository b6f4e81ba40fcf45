"""The `hjelpemiddel` commands named in README.md: in this process through the real command group,
on the test app and the test's rolled-back session; one of them once more in a real process."""
import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import select

from hjelpemiddel import create_app
from hjelpemiddel.cli import upgrade_database
from hjelpemiddel.core.auth import User, create_user, find_principal_by_token
from hjelpemiddel.core.db import get_database, get_session

from ..support import fresh_database_url


def last_line(output: str) -> str:
    return output.strip().splitlines()[-1]


def test_users_and_tokens_are_created_and_the_token_stands_alone_on_the_last_line(hjelpemiddel, session):
    created = hjelpemiddel("users", "create", "kari", "--role", "lager", "--password", "langt-passord")
    assert created.exit_code == 0, created.output
    assert session.scalar(select(User.role).where(User.username == "kari")) == "lager"
    token = hjelpemiddel("tokens", "create", "kari")
    assert token.exit_code == 0, token.output
    assert last_line(token.stdout).startswith("hjm_") and " " not in last_line(token.stdout)


@pytest.mark.parametrize("args,message", [
    (("users", "create", "ola", "--role", "konge", "--password", "langt-passord"), "konge"),
    (("users", "create", "ola", "--role", "lager", "--password", "kort"), "12 tegn"),
    (("tokens", "create", "ingen-slik"), "ingen-slik"),
])
def test_bad_cli_input_exits_non_zero_with_a_clear_message(hjelpemiddel, args, message):
    result = hjelpemiddel(*args)
    assert result.exit_code != 0
    assert message in result.output
    assert isinstance(result.exception, SystemExit), "a refusal, not a traceback"


def test_nav_order_lines_are_imported_from_an_export_file_and_a_second_import_changes_nothing(hjelpemiddel, tmp_path):
    export = tmp_path / "ordrelinjer.json"
    export.write_text(json.dumps({"ordrelinjer": [
        {"OrdreNumber": "4200001", "LineNumber": n, "ShipmentNumber": "900001", "OrderedItem": "291003",
         "Description": "Seng Opus 90EW", "User_ItemType": "Individstyrt hjelpemiddel", "Quantity": 1,
         "SerieNummerListe": [f"68727{n}"], "Status": "BOOKED", "LastUpdateDate": "2026-11-20 10:00:00"}
        for n in (1, 2)]}), encoding="utf-8")
    first = hjelpemiddel("nav", "import-file", str(export))
    assert first.exit_code == 0, first.output
    assert "2 nye, 0 endret, 0 uendret" in first.stdout
    again = hjelpemiddel("nav", "import-file", str(export))
    assert "0 nye, 0 endret, 2 uendret" in again.stdout
    export.write_text("[{\"OrdreNumber\": \"1\"}]", encoding="utf-8")
    bad = hjelpemiddel("nav", "import-file", str(export))
    assert bad.exit_code != 0 and "rad 1" in bad.stderr
    assert isinstance(bad.exception, SystemExit)


def test_the_command_runs_as_a_real_process_configured_from_the_environment():
    """The one real-process check: ``python -m hjelpemiddel`` finds its database in DATABASE_URL,
    commits, and prints a token a shell can take with ``tail -1`` (README: ``| tail -1``)."""
    url = fresh_database_url("cli")
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "cli-test"})
    upgrade_database(app)
    try:
        with app.app_context():
            create_user(get_session(), "kari", "lager", "langt-passord")
            get_session().commit()
        result = subprocess.run([sys.executable, "-m", "hjelpemiddel", "tokens", "create", "kari"], capture_output=True,
                                text=True, env={**os.environ, "DATABASE_URL": url, "SECRET_KEY": "cli-test"}, timeout=120)
        assert result.returncode == 0, result.stderr
        token = last_line(result.stdout)
        assert token.startswith("hjm_") and " " not in token
        with app.app_context():
            assert find_principal_by_token(get_session(), token).username == "kari"
    finally:
        get_database(app).engine.dispose()
