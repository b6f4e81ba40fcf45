"""The database goes away and comes back while the app keeps running: connections killed by the
server are replaced unnoticed, requests during the outage answer 503 with Retry-After (a kind page
for people) and never 500, and the first request after the database is back succeeds, without a
restart. The app reaches PostgreSQL through a TCP proxy on loopback that the test stops and starts."""
import re
import socket
import threading
from collections import Counter

import pytest
import requests
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from hjelpemiddel import create_app
from hjelpemiddel.cli import upgrade_database
from hjelpemiddel.core.auth import create_token, create_user
from hjelpemiddel.core.db import get_database, get_session

from ..support import fresh_database_url, serve_wsgi

pytestmark = pytest.mark.postgres_only

PASSWORD = "utfall-passord-123"


class TcpProxy:
    """Forwards a loopback port to PostgreSQL; ``stop`` cuts every connection and refuses new ones."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.listener: socket.socket | None = None
        self.open: set[socket.socket] = set()
        self.lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        self.listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept(); close() alone does not
        self.listener.close()
        with self.lock:
            for sock in self.open:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            self.open.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.open.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


@pytest.fixture(scope="module")
def outage():
    direct = make_url(fresh_database_url("outage"))
    proxy = TcpProxy(direct.host or "127.0.0.1", direct.port or 5432)
    proxy.start()
    app = create_app({"DATABASE_URL": direct.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False),
                      "SECRET_KEY": "outage", "TOKEN_CACHE_SECONDS": 0})
    upgrade_database(app)
    with app.app_context():
        session = get_session()
        create_user(session, "utfall", "lager", PASSWORD)
        token = create_token(session, "utfall")
        session.commit()
    try:
        with serve_wsgi(app, name="outage-server") as base:
            yield app, base, proxy, token, direct
    finally:
        get_database(app).engine.dispose()


def logged_in(base: str) -> requests.Session:
    browser = requests.Session()
    form = browser.get(f"{base}/login", timeout=10).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
    answer = browser.post(f"{base}/login", data={"username": "utfall", "password": PASSWORD,
                                                 **({"csrf_token": csrf.group(1)} if csrf else {})},
                          allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:300]
    return browser


def test_killed_connections_are_replaced_and_an_outage_answers_503_until_the_database_is_back(outage):
    app, base, proxy, token, direct = outage
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {token}"
    browser = logged_in(base)
    assert api.get(f"{base}/api/v1/devices", timeout=10).status_code == 200

    admin = sa.create_engine(direct.set(drivername="postgresql+psycopg", database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        killed = conn.scalar(sa.text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                     "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": direct.database})
    admin.dispose()
    assert killed >= 1
    assert api.get(f"{base}/api/v1/devices", timeout=10).status_code == 200

    proxy.stop()
    try:
        during = [api.get(f"{base}/api/v1/devices", timeout=10) for _ in range(20)]
        page = browser.get(f"{base}/hjelpemidler", timeout=10)
    finally:
        proxy.start()
    assert Counter(answer.status_code for answer in during) == {503: 20}
    for answer in during:
        assert int(answer.headers["Retry-After"]) > 0
        assert answer.json()["error"]["code"] == "database_unavailable"
    assert page.status_code == 503 and page.headers["Retry-After"]
    assert "Tjenesten er midlertidig utilgjengelig – prøv igjen om litt" in page.text

    assert api.get(f"{base}/api/v1/devices", timeout=10).status_code == 200
    assert browser.get(f"{base}/hjelpemidler", timeout=10).status_code == 200
