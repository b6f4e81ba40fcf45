"""SQL per scan, for the real app and the floor: the statements each sends, and every round trip to
the database (statements, BEGIN/COMMIT/ROLLBACK and the pool's liveness ping), counted in this
process on the driver itself over the same barcodes. On PostgreSQL only (psycopg); ``None`` elsewhere."""
from __future__ import annotations

import importlib.util
import io
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent


class _Count:
    def __init__(self) -> None:
        self.statements = self.round_trips = 0
        self.active = False


def _patch_psycopg(count: _Count):
    import psycopg
    from psycopg import _connection_base

    execute, command = psycopg.Cursor.execute, _connection_base.BaseConnection._exec_command

    def counted_execute(self, query, *args, **kwargs):
        if count.active:
            count.round_trips += 1
            count.statements += str(query).strip() not in ("", ";")  # ";" is the pool's ping
        return execute(self, query, *args, **kwargs)

    def counted_command(self, *args, **kwargs):
        if count.active:
            count.round_trips += 1  # BEGIN, COMMIT, ROLLBACK
        return command(self, *args, **kwargs)

    psycopg.Cursor.execute, _connection_base.BaseConnection._exec_command = counted_execute, counted_command
    return lambda: (setattr(psycopg.Cursor, "execute", execute),
                    setattr(_connection_base.BaseConnection, "_exec_command", command))


def _scan(app, code: str, token: str) -> None:
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": f"/api/v1/scan/{code}", "SERVER_NAME": "bench",
               "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
               "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr, "HTTP_AUTHORIZATION": f"Bearer {token}"}
    statuses = []
    body = app.wsgi_app(environ, lambda status, headers, exc_info=None: statuses.append(status))
    b"".join(body)
    getattr(body, "close", lambda: None)()
    if not statuses[0].startswith("200"):
        raise SystemExit(f"scan of {code} answered {statuses[0]}")


def sql_per_scan(url: str, token: str, codes: list[str], secret_key: str, scans: int = 200) -> dict | None:
    """{"real"|"bare": {"statements": …, "round_trips": …}} per scan, averaged over ``scans`` scans."""
    if not url.startswith("postgresql"):
        return None
    from hjelpemiddel import create_app

    spec = importlib.util.spec_from_file_location("bare_app", BENCH_DIR / "bare_app.py")
    bare_app = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bare_app)
    apps = {"real": create_app({"DATABASE_URL": url, "SECRET_KEY": secret_key}), "bare": bare_app.create_app(url)}
    count, result = _Count(), {}
    restore = _patch_psycopg(count)
    try:
        for name, app in apps.items():
            for code in codes[:20]:  # warm: the token cached, statements prepared, as in a running worker
                _scan(app, code, token)
            count.statements = count.round_trips = 0
            count.active = True
            for code in codes[:scans]:
                _scan(app, code, token)
            count.active = False
            result[name] = {"statements": count.statements / scans, "round_trips": count.round_trips / scans}
    finally:
        restore()
    return result
