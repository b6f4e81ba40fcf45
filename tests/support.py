"""Helpers shared by the test suites: databases per purpose, an API client with a role."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

_TMP = Path(tempfile.gettempdir()) / f"hjelpemiddel-tests-{os.getpid()}"


def base_url() -> str:
    """TEST_DATABASE_URL (PostgreSQL in CI's second run), else an SQLite file."""
    return os.environ.get("TEST_DATABASE_URL") or ""


def fresh_database_url(name: str) -> str:
    """An empty database of the suite's kind, dedicated to one purpose (main suite, browser, migrations)."""
    url = base_url()
    if not url or url.startswith("sqlite"):
        _TMP.mkdir(parents=True, exist_ok=True)
        path = _TMP / f"{name}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return f"sqlite:///{path}"
    parsed = make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
    database = f"{parsed.database}_{name}" if name != "main" else parsed.database
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if name == "main":
            pass
        else:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{database}"'))
    admin.dispose()
    if name == "main":
        engine = sa.create_engine(parsed)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
    return parsed.set(database=database).render_as_string(hide_password=False)


class ApiClient:
    """The Flask test client speaking JSON with a bearer token."""

    def __init__(self, client, token: str | None):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def _call(self, method: str, url: str, **kwargs):
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.client.open(url, method=method, headers=headers, **kwargs)

    def get(self, url: str, **kwargs):
        return self._call("GET", url, **kwargs)

    def post(self, url: str, json=None, **kwargs):
        return self._call("POST", url, json=json, **kwargs)


def error_of(response) -> dict:
    body = response.get_json()
    assert body is not None and set(body) == {"error"}, f"not the error shape: {response.get_data(as_text=True)[:300]}"
    assert set(body["error"]) == {"code", "message", "details"}
    return body["error"]
