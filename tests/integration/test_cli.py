"""The `hjelpemiddel` commands named in README.md, run as a person would: in a real process."""
import os
import subprocess
import sys

import pytest

from ..support import fresh_database_url


def hjelpemiddel(*args, database_url, extra_env=None):
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "cli-test", **(extra_env or {})}
    return subprocess.run([sys.executable, "-m", "hjelpemiddel", *args], capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture(scope="module")
def cli_database():
    url = fresh_database_url("cli")
    result = hjelpemiddel("db", "upgrade", database_url=url)
    assert result.returncode == 0, result.stderr
    return url


def test_users_and_tokens_are_created_and_the_token_stands_alone_on_the_last_line(cli_database):
    created = hjelpemiddel("users", "create", "kari", "--role", "lager", "--password", "langt-passord", database_url=cli_database)
    assert created.returncode == 0, created.stderr
    token = hjelpemiddel("tokens", "create", "kari", database_url=cli_database)
    assert token.returncode == 0
    last = token.stdout.strip().splitlines()[-1]
    assert last.startswith("hjm_") and " " not in last


@pytest.mark.parametrize("args,message", [
    (("users", "create", "ola", "--role", "konge", "--password", "langt-passord"), "konge"),
    (("users", "create", "ola", "--role", "lager", "--password", "kort"), "8 tegn"),
    (("tokens", "create", "ingen-slik"), "ingen-slik"),
])
def test_bad_cli_input_exits_non_zero_with_a_clear_message(cli_database, args, message):
    result = hjelpemiddel(*args, database_url=cli_database)
    assert result.returncode != 0
    assert message in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_nav_order_lines_are_imported_from_an_export_file_and_a_second_import_changes_nothing(cli_database, tmp_path):
    import json

    export = tmp_path / "ordrelinjer.json"
    export.write_text(json.dumps({"ordrelinjer": [
        {"OrdreNumber": "4200001", "LineNumber": n, "ShipmentNumber": "900001", "OrderedItem": "291003",
         "Description": "Seng Opus 90EW", "User_ItemType": "Individstyrt hjelpemiddel", "Quantity": 1,
         "SerieNummerListe": [f"68727{n}"], "Status": "BOOKED", "LastUpdateDate": "2026-11-20 10:00:00"}
        for n in (1, 2)]}), encoding="utf-8")
    env = {"FNR_ENCRYPTION_KEYS": "ZmDfcTF7_60GrrY167zsiPd67pEvs0aGOv2oasOM1Pg=", "FNR_HASH_KEY": "cli-test"}
    first = hjelpemiddel("nav", "import-file", str(export), database_url=cli_database, extra_env=env)
    assert first.returncode == 0, first.stderr
    assert "2 nye, 0 endret, 0 uendret" in first.stdout
    again = hjelpemiddel("nav", "import-file", str(export), database_url=cli_database, extra_env=env)
    assert "0 nye, 0 endret, 2 uendret" in again.stdout
    export.write_text("[{\"OrdreNumber\": \"1\"}]", encoding="utf-8")
    bad = hjelpemiddel("nav", "import-file", str(export), database_url=cli_database, extra_env=env)
    assert bad.returncode != 0 and "rad 1" in bad.stderr
