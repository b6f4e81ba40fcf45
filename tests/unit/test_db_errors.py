"""Which database failures are run again (409 if they persist), which answer 503, which stay 500."""
import sqlite3

import psycopg
import pytest
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from hjelpemiddel.core.db_errors import as_app_error


def sqlite_failures(tmp_path) -> dict[str, sqlite3.Error]:
    """Real SQLite errors: a stale snapshot that tries to write, and a write lock not had in time."""
    path = tmp_path / "busy.sqlite3"
    first = sqlite3.connect(path, isolation_level=None, timeout=0.05)
    first.execute("PRAGMA journal_mode=WAL")
    first.execute("CREATE TABLE t (x)")
    second = sqlite3.connect(path, isolation_level=None, timeout=0.05)
    failures = {}
    second.execute("BEGIN")
    second.execute("SELECT * FROM t").fetchall()
    first.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(sqlite3.OperationalError) as stale:
        second.execute("INSERT INTO t VALUES (2)")
    failures["stale snapshot"] = stale.value
    second.execute("ROLLBACK")
    first.execute("BEGIN IMMEDIATE")
    with pytest.raises(sqlite3.OperationalError) as busy:
        second.execute("BEGIN IMMEDIATE")
    failures["busy"] = busy.value
    with pytest.raises(sqlite3.OperationalError) as missing:
        second.execute("SELECT * FROM nowhere")
    failures["no such table"] = missing.value
    first.close()
    second.close()
    return failures


@pytest.mark.parametrize("kind,wrap,expected", [
    ("stale snapshot", OperationalError, (409, "concurrent_change")),
    ("busy", OperationalError, (503, "database_unavailable")),
    ("no such table", OperationalError, None),
])
def test_sqlite_failures_are_sorted_by_what_they_mean(tmp_path, kind, wrap, expected):
    answer = as_app_error(wrap("INSERT", {}, sqlite_failures(tmp_path)[kind]))
    assert (answer and (answer.status, answer.code)) == (expected or None)


@pytest.mark.parametrize("orig,wrap,expected", [
    (psycopg.errors.DeadlockDetected("deadlock detected"), OperationalError, (409, "concurrent_change")),
    (psycopg.errors.SerializationFailure("could not serialize"), OperationalError, (409, "concurrent_change")),
    (psycopg.OperationalError("connection failed: Connection refused"), OperationalError, (503, "database_unavailable")),
    (psycopg.errors.AdminShutdown("terminating connection"), OperationalError, (503, "database_unavailable")),
    (psycopg.errors.TooManyConnections("too many clients"), OperationalError, (503, "database_unavailable")),
    (psycopg.errors.InvalidCatalogName('database "x" does not exist'), OperationalError, (503, "database_unavailable")),
    (psycopg.errors.UndefinedTable("no such table"), ProgrammingError, None),
    (psycopg.errors.UniqueViolation("duplicate key"), IntegrityError, None),
])
def test_postgresql_failures_are_sorted_by_what_they_mean(orig, wrap, expected):
    answer = as_app_error(wrap("SELECT 1", {}, orig))
    assert (answer and (answer.status, answer.code)) == (expected or None)
