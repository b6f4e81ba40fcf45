from __future__ import annotations

from contextlib import nullcontext

import pytest
from sqlalchemy import event
from sqlalchemy.orm import sessionmaker

from hjelpemiddel import create_app
from hjelpemiddel.catalog.services import create_product
from hjelpemiddel.cli import upgrade_database
from hjelpemiddel.core.auth import create_token, create_user
from hjelpemiddel.core.db import get_database
from hjelpemiddel.stock.services import create_location

from .support import ApiClient, base_url, fresh_database_url, serve_wsgi

TEST_SECRET = "test-secret-key"
TEST_FNR_KEYS = {"FNR_ENCRYPTION_KEYS": "ZmDfcTF7_60GrrY167zsiPd67pEvs0aGOv2oasOM1Pg=", "FNR_HASH_KEY": "test-hash-key"}


def pytest_collection_modifyitems(config, items):
    """``postgres_only`` tests prove what only PostgreSQL's row locks and connections can show."""
    if base_url().startswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (TEST_DATABASE_URL)")
    for item in items:
        if item.get_closest_marker("postgres_only"):
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing():
    """Production hashing is deliberately slow; tests create hundreds of users."""
    from werkzeug.security import generate_password_hash

    patch = pytest.MonkeyPatch()
    patch.setattr("hjelpemiddel.core.auth.generate_password_hash",
                  lambda password: generate_password_hash(password, method="pbkdf2:sha256:1000"))
    yield
    patch.undo()


@pytest.fixture(scope="session")
def app():
    app = create_app({"DATABASE_URL": fresh_database_url("main"), "SECRET_KEY": TEST_SECRET,
                      "TOKEN_CACHE_SECONDS": 0, "TESTING": True, **TEST_FNR_KEYS})
    upgrade_database(app)
    yield app
    get_database(app).engine.dispose()


@pytest.fixture
def session(app):
    """A session on one connection whose outer transaction is rolled back after the test; the
    app's own commits inside it only release savepoints."""
    database = get_database(app)
    connection = database.engine.connect()
    transaction = connection.begin()
    factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    original = database.session_factory
    database.session_factory = factory
    database.read_connection = lambda: nullcontext(connection)
    session = factory()
    try:
        yield session
    finally:
        session.close()
        database.session_factory = original
        del database.read_connection
        transaction.rollback()
        connection.close()


@pytest.fixture
def client(app, session):
    return app.test_client()


@pytest.fixture
def make_user(session):
    counter = iter(range(1, 10_000))

    def make(role: str, username: str | None = None):
        return create_user(session, username or f"{role}{next(counter)}", role, "test-passord-123", f"Test {role}")

    return make


@pytest.fixture
def api_as(client, session, make_user):
    """``api_as("lager")`` is a JSON client authenticated with a token of a new user of that role."""

    def make(role: str | None) -> ApiClient:
        if role is None:
            return ApiClient(client, None)
        user = make_user(role)
        return ApiClient(client, create_token(session, user.username))

    return make


@pytest.fixture
def lager_api(api_as):
    return api_as("lager")


@pytest.fixture
def admin_api(api_as):
    return api_as("admin")


@pytest.fixture
def actor(make_user):
    return make_user("lager")


@pytest.fixture
def depot(session):
    """A small depot: HJM (depot) › A (zone) › A-01 (rack) › A-01-1, A-01-2 (bins, capacity 2 and none)."""
    create_location(session, "HL", "depot", "Hjelpemiddellageret", x=0, y=0)
    create_location(session, "A", "zone", "Sone A", parent_code="HL", x=0, y=0)
    create_location(session, "A-01", "rack", "Reol A-01", parent_code="A", x=1, y=0)
    create_location(session, "A-01-1", "bin", "Hylle 1", parent_code="A-01", capacity=2, x=1, y=0.5)
    create_location(session, "A-01-2", "bin", "Hylle 2", parent_code="A-01", x=1, y=1)
    return "HL"


@pytest.fixture
def rollator(session):
    return create_product(session, hms_nr="123456", name="Rollator Topro Olympos M", iso_class="120606",
                          supplier="Topro", individually_tracked=True, inspection_interval_days=None)


@pytest.fixture
def count_queries(app):
    """Counts SQL statements sent while the returned recorder is active."""

    class Recorder:
        def __init__(self):
            self.statements: list[str] = []
            self.active = False

        def __enter__(self):
            self.statements.clear()
            self.active = True
            return self

        def __exit__(self, *exc):
            self.active = False

    recorder = Recorder()
    engine = get_database(app).engine

    def on_execute(conn, cursor, statement, parameters, context, executemany):
        if recorder.active and not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            recorder.statements.append(statement)

    event.listen(engine, "before_cursor_execute", on_execute)
    yield recorder
    event.remove(engine, "before_cursor_execute", on_execute)


@pytest.fixture
def vault(app):
    return app.extensions["fnr_vault"]


@pytest.fixture
def therapist(make_user):
    return make_user("terapeut")


@pytest.fixture
def make_citizen(session, vault, therapist):
    from hjelpemiddel.citizens.services import register_citizen
    from hjelpemiddel.core.fnr import make_fnr

    serials = iter(range(100, 999))

    def make(name: str = "Astrid Olsen", by=None):
        while (fnr := make_fnr("150342", f"{next(serials):03d}")) is None:
            pass
        return register_citizen(session, vault, (by or therapist).id, fnr, name, "Storgata 1", "6509", "8001",
                                city="Kristiansund", phone="99887766", access_notes="Nøkkelboks 1234")

    return make


# --- NAV: the fake NAV server over real HTTP on loopback ---------------------------------------

class FakeNav:
    """The fake NAV server as tests drive it: its control API, and a client (the port) to it."""

    def __init__(self, base: str, app):
        import requests

        self.base, self.app, self.http = base, app, requests.Session()

    @property
    def state(self):
        return self.app.extensions["fake_nav"]

    def control(self, path: str = "", **body):
        response = self.http.post(f"{self.base}/_control{path}", json=body, timeout=10)
        assert response.status_code < 300, response.text
        return response.json()

    def stats(self) -> dict:
        return self.http.get(f"{self.base}/_control/stats", timeout=10).json()

    def approve(self, fnr: str, hmsnr: str, description: str, **more) -> dict:
        return self.control("/approve", fnr=fnr, hmsnr=hmsnr, description=description, **more)

    def port(self, **options):
        from integrations.nav.fake_server import DEFAULT_TOKEN
        from integrations.nav.http_client import NavHttpClient

        options.setdefault("sleep", lambda seconds: None)
        options.setdefault("timeout", (1, 3))
        return NavHttpClient(self.base, DEFAULT_TOKEN, **options)


@pytest.fixture(scope="session")
def fake_nav_server():
    from integrations.nav.fake_server import FakeClock, create_fake_nav

    app = create_fake_nav(seed=1, clock=FakeClock(), seed_data=False)
    with serve_wsgi(app, name="fake-nav-server") as base:
        yield FakeNav(base, app)


@pytest.fixture
def fake_nav(fake_nav_server, app):
    """A fresh fake NAV per test, wired in as the app's NAV port."""
    fake_nav_server.control("/reset")
    port = fake_nav_server.port()
    app.extensions["nav_port"] = port
    yield fake_nav_server
    app.extensions.pop("nav_port", None)
