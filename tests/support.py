"""Helpers shared by the test suites: databases per purpose, an API client with a role, apps over real HTTP."""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

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

    def put(self, url: str, json=None, **kwargs):
        return self._call("PUT", url, json=json, **kwargs)

    def patch(self, url: str, json=None, **kwargs):
        return self._call("PATCH", url, json=json, **kwargs)

    def delete(self, url: str, **kwargs):
        return self._call("DELETE", url, **kwargs)


def error_of(response) -> dict:
    body = response.get_json()
    assert body is not None and set(body) == {"error"}, f"not the error shape: {response.get_data(as_text=True)[:300]}"
    assert set(body["error"]) == {"code", "message", "details"}
    return body["error"]


# --- the real command-line tools: zbar decodes printed barcodes, poppler reads PDFs ---------

def run_tool(*args: str) -> subprocess.CompletedProcess[str]:
    if shutil.which(args[0]) is None:
        pytest.fail(
            f"'{args[0]}' is required by the label tests: install poppler-utils and zbar-tools",
            pytrace=False,
        )
    return subprocess.run(args, capture_output=True, text=True, timeout=60)


def write_pdf(pdf: bytes, tmp_path: Path) -> Path:
    path = tmp_path / "labels.pdf"
    path.write_bytes(pdf)
    return path


def decode_pages(pdf: bytes, tmp_path: Path) -> list[list[str]]:
    """Codes zbar finds on each page rendered at 200 dpi, in page order."""
    pdf_path = write_pdf(pdf, tmp_path)
    rendered = run_tool("pdftoppm", "-r", "200", "-png", str(pdf_path), str(tmp_path / "page"))
    assert rendered.returncode == 0, rendered.stderr
    pages = sorted(tmp_path.glob("page-*.png"), key=lambda page: int(page.stem.rsplit("-", 1)[1]))
    decoded = []
    for page in pages:
        result = run_tool("zbarimg", "--quiet", "--raw", "-Sdisable", "-Scode128.enable", str(page))
        assert result.returncode in (0, 4), result.stderr  # 4: nothing found on this page
        decoded.append(result.stdout.split())
    return decoded


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    result = run_tool("pdftotext", "-layout", str(write_pdf(pdf, tmp_path)), "-")
    assert result.returncode == 0, result.stderr
    return result.stdout


def decoded_codes(pdf: bytes, tmp_path: Path) -> list[str]:
    return [code for page in decode_pages(pdf, tmp_path) for code in page]


@contextlib.contextmanager
def serve_wsgi(app, name: str = "wsgi-test-server") -> Iterator[str]:
    """Any WSGI app served over real HTTP on loopback from a daemon thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


@contextlib.contextmanager
def serving(database_name: str, **config):
    """The app on a fresh migrated database of the suite's kind, served with ``serve_wsgi``; yields (app, base URL)."""
    from hjelpemiddel import create_app
    from hjelpemiddel.cli import upgrade_database
    from hjelpemiddel.core.db import get_database

    app = create_app({"DATABASE_URL": fresh_database_url(database_name), "SECRET_KEY": database_name,
                      "TOKEN_CACHE_SECONDS": 0, **config})
    upgrade_database(app)
    try:
        with serve_wsgi(app, name=f"{database_name}-server") as base:
            yield app, base
    finally:
        get_database(app).engine.dispose()


@dataclass(frozen=True)
class Word:
    x_min: float
    y_min: float
    x_max: float
    y_max: float
    text: str


_PAGE_RE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
_WORD_RE = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


def page_words(pdf: bytes, tmp_path: Path) -> list[tuple[float, float, list[Word]]]:
    """(width, height, words) per page, in points from the top-left corner."""
    out = tmp_path / "words.html"
    result = run_tool("pdftotext", "-bbox", str(write_pdf(pdf, tmp_path)), str(out))
    assert result.returncode == 0, result.stderr
    pages = []
    for width, height, body in _PAGE_RE.findall(out.read_text(encoding="utf-8")):
        words = [Word(float(a), float(b), float(c), float(d), t) for a, b, c, d, t in _WORD_RE.findall(body)]
        pages.append((float(width), float(height), words))
    return pages


ROLES = [None, "lager", "terapeut", "sjafor", "admin"]


def assert_role_answer(response, role: str | None, allowed: set[str]) -> None:
    """The role matrix's rule: no login 401, a role not allowed 403 naming it, an allowed role is let
    through (whatever its input earns), never a 500, and every error in the one shape."""
    body = response.get_data()[:300]
    if role is None:
        assert response.status_code == 401, body
        assert error_of(response)["code"] == "unauthorized"
    elif role == "admin" or role in allowed:
        assert response.status_code not in (401, 403), body
    else:
        assert response.status_code == 403, body
        assert error_of(response)["details"]["role"] == role
    assert response.status_code < 500, body
    if response.status_code >= 400 and response.is_json:
        error_of(response)


def post_login(client, username: str, password: str, url: str = "/login", **kwargs):
    """The login form as a browser sends it (Flask test client): with the token its page set in the cookie."""
    page = client.get("/login", **kwargs).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return client.post(url, data={"username": username, "password": password, "csrf_token": token}, **kwargs)
