"""Two `hjelpemiddel` commands writing at the same moment, as real processes on one database: on
SQLite both take the write lock up front and queue on the busy timeout instead of failing with
«database is locked»."""
from __future__ import annotations

import os
import subprocess
import sys

import sqlalchemy as sa

from hjelpemiddel.core.db import make_engine

from ..support import fresh_database_url

PAIRS = 3


def hjelpemiddel_process(database_url: str, *args: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "cli-concurrency-test"}
    return subprocess.Popen([sys.executable, "-m", "hjelpemiddel", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_cli_writes_at_the_same_moment_both_succeed():
    url = fresh_database_url("cliwrite")
    migrate = hjelpemiddel_process(url, "db", "upgrade")
    assert migrate.wait(120) == 0, migrate.stderr.read()
    for pair in range(PAIRS):
        # Creating a user reads (is the name free?), hashes the password slowly, then writes: the
        # window in which a reader that had not taken the lock used to find it taken.
        processes = [hjelpemiddel_process(url, "users", "create", f"samtidig-{pair}-{n}", "--role", "lager",
                                          "--password", "Fjellvann-og-kaffe-2024!") for n in (1, 2)]
        results = [(process.wait(120), *process.communicate()) for process in processes]
        for code, out, err in results:
            assert code == 0 and "database is locked" not in err, err
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT count(*) FROM users WHERE username LIKE 'samtidig-%'")) == 2 * PAIRS
    finally:
        engine.dispose()
