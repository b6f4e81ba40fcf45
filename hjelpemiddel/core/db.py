"""Engine, session per request, and the declarative Base with a naming convention."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import Date, DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator):
    """Timezone-aware UTC on the way in and out, also on SQLite which stores no offset."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UtcDateTime column")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


LOCAL_ZONE = ZoneInfo("Europe/Oslo")


class local_date(FunctionElement):
    """The Norwegian calendar day of a UTC timestamp column, in SQL: days people count (a day of
    searches, a day's work) start at midnight in Oslo, one or two hours before UTC's."""

    type = Date()
    inherit_cache = True
    name = "local_date"


@compiles(local_date, "postgresql")
def _local_date_postgresql(element, compiler, **kw):
    return f"CAST(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'Europe/Oslo' AS DATE)"


@compiles(local_date, "sqlite")
def _local_date_sqlite(element, compiler, **kw):
    return f"local_date({compiler.process(element.clauses, **kw)})"


def _sqlite_local_date(stored: str | None) -> str | None:
    # SQLite has no time zones: each connection gets this function (stored UTC text in, Oslo day out).
    if stored is None:
        return None
    moment = datetime.fromisoformat(stored)
    moment = moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment
    return date.isoformat(moment.astimezone(LOCAL_ZONE).date())


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UtcDateTime()}


# SQLite allows one writer; a transaction that reads first and writes later can find the lock
# taken and fail at once. Requests that mean to write say so and BEGIN IMMEDIATE, queueing on
# the busy timeout instead (PostgreSQL ignores this; it has row locks).
_write_intent: ContextVar[bool] = ContextVar("sqlite_write_intent", default=False)


def declare_write_intent(intent: bool = True):
    return _write_intent.set(intent)


def reset_write_intent(token) -> None:
    _write_intent.reset(token)


def make_engine(url: str, echo: bool = False) -> Engine:
    # hide_parameters: a failed statement's error text and the SQL echo would otherwise print the
    # bound values, i.e. citizens' names, addresses, fødselsnummer and needs (see core/logs.py).
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, hide_parameters=True, connect_args={"timeout": 30})
        _make_sqlite_transactional(engine)
        return engine
    # jit off: short queries over big tables (a page of a million units) have high estimated costs, and
    # PostgreSQL then spends 10-300 ms compiling them for a run of 1 ms (measured in bench/pages.py).
    return create_engine(url, echo=echo, hide_parameters=True, pool_pre_ping=True, pool_size=10, max_overflow=10,
                         connect_args={"options": "-c jit=off"})


def _sqlite_lower(value):
    return value.lower() if isinstance(value, str) else value


def _make_sqlite_transactional(engine: Engine) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT and defers BEGIN; take it over
    # (the recipe from SQLAlchemy's SQLite dialect documentation).
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        dbapi_connection.create_function("local_date", 1, _sqlite_local_date, deterministic=True)
        # SQLite's own lower() folds ASCII only: a search for «åsen» would miss «Åsen». No index is
        # built on lower(), so Python's stands in for it everywhere, as PostgreSQL's does.
        dbapi_connection.create_function("lower", 1, _sqlite_lower, deterministic=True)
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")


class Database:
    """Owns one app's engine; each request (or CLI command) gets one session from it."""

    def __init__(self, url: str, echo: bool = False) -> None:
        self.engine: Engine = make_engine(url, echo=echo)
        self.session_factory = sessionmaker(bind=self.engine, expire_on_commit=False)

    @contextmanager
    def read_connection(self) -> Iterator[Connection]:
        """A pooled connection for a read that needs no ORM (the scan's hot path), apart from the
        request's session: no session to build. It ends with a COMMIT, not the pool's ROLLBACK, on
        which psycopg forgets its prepared statements. Tests point it at their own connection."""
        with self.engine.connect() as connection:
            yield connection
            connection.commit()


def init_db(app) -> None:
    from flask import g

    app.extensions["hjelpemiddel_db"] = Database(app.config["DATABASE_URL"], echo=app.config["SQL_ECHO"])

    @app.teardown_appcontext
    def _close_session(exc):
        session = g.pop("db_session", None)
        if session is not None:
            session.rollback()
            session.close()


def get_database(app=None) -> Database:
    from flask import current_app

    return (app or current_app).extensions["hjelpemiddel_db"]


def read_connection() -> AbstractContextManager[Connection]:
    return get_database().read_connection()


def get_session() -> Session:
    """The session of the current request or CLI command; committed once by the caller."""
    from flask import g

    if "db_session" not in g:
        g.db_session = get_database().session_factory()
    return g.db_session
