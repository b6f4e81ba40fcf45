"""The `hjelpemiddel` commands named in README.md, run as a person would: in a real process."""
import os
import subprocess
import sys

import pytest

from ..support import fresh_database_url


def hjelpemiddel(*args, database_url):
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "cli-test"}
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
