"""The full export: one zip, written while it is read, table by table in foreign-key order, a
JSON-lines file per table, then ``manifest.json`` and ``README.md``. Memory stays bounded: rows are
read ``BATCH`` at a time (a server-side cursor on PostgreSQL) and each batch is compressed into the
zip entry at once; the zip goes out in chunks to whatever takes them (a file, an HTTP response)."""
from __future__ import annotations

import io
import json
import queue
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone

from sqlalchemy import Text, bindparam, cast, func, inspect, literal_column, select, text
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.engine import Connection, Engine

from ..core.crypto import FnrVault
from ..core.db import Database
from .readme import format_readme
from .tables import FORMAT_VERSION, TablePlan, archive_plan, encode, type_name

BATCH = 5000
RANGE = 20000
CHUNK = 1 << 20


class _Pipe(io.RawIOBase):
    """A write-only, unseekable stream whose bytes are taken out as they come (zipfile then writes
    each entry's sizes after its data, so nothing needs going back to)."""

    def __init__(self):
        self.parts: list[bytes] = []
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        self.size += len(data)
        return len(data)

    def take(self) -> bytes:
        data, self.parts, self.size = b"".join(self.parts), [], 0
        return data


@contextmanager
def _snapshot_of(connection: Connection) -> Iterator[Connection]:
    if connection.in_transaction():  # a test's connection: it sees what the test wrote
        yield connection
        return
    if connection.dialect.name == "postgresql":
        connection = connection.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
    with connection.begin():
        yield connection


@contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection that sees one moment of the database for the whole export (on PostgreSQL a
    read-only repeatable-read transaction), so a unit's events match the unit."""
    with engine.connect() as connection, _snapshot_of(connection) as reading:
        yield reading


@contextmanager
def read_snapshot(database: Database) -> Iterator[Connection]:
    """The same on the app's read connection (which tests point at their own)."""
    with database.read_connection() as connection, _snapshot_of(connection) as reading:
        yield reading


def schema_revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _select(plan: TablePlan, columns):
    table = plan.table
    order = list(table.primary_key.columns) or list(table.columns)
    return select(*columns).order_by(*order)


def _python_lines(connection: Connection, plan: TablePlan, vault: FnrVault | None) -> Iterator[list[str]]:
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=encode).encode
    table = plan.table
    sources = [table.c[c.source] if c.source else table.c.fnr_encrypted for c in plan.columns]
    result = connection.execute(_select(plan, sources), execution_options={"yield_per": BATCH})
    fnr_at = next((i for i, c in enumerate(plan.columns) if c.source is None), None)
    for batch in result.partitions():
        if fnr_at is None:
            yield [dumps(tuple(row)) for row in batch]
        else:  # an anonymised citizen's token is empty: their fnr is gone
            yield [dumps([*row[:fnr_at], vault.decrypt(row[fnr_at]) if row[fnr_at] else "", *row[fnr_at + 1:]])
                   for row in batch]


def _json_line(plan: TablePlan):
    table = plan.table
    values = [func.translate(func.encode(table.c[c.source], "base64"), "\n", "") if c.type == "base64"
              else table.c[c.source] for c in plan.columns]
    return cast(func.json_build_array(*values), Text)


def _postgresql_pages(connection: Connection, plan: TablePlan, key) -> Iterator[bytes]:
    """Rows of an integer key, ``RANGE`` at a time by key, joined into one text by PostgreSQL: a few
    hundred answers for a million rows, so Python does nearly nothing per row."""
    rows = select(key.label("k"), _json_line(plan).label("line")).where(key > bindparam("after")) \
        .order_by(key).limit(RANGE).subquery()
    page = select(func.string_agg(rows.c.line, aggregate_order_by(literal_column("E'\\n'"), rows.c.k)),
                  func.max(rows.c.k))
    after = -(2 ** 31)
    while True:
        text_, last = connection.execute(page, {"after": after}).one()
        if last is None:
            return
        yield (text_ + "\n").encode()
        after = last


def _postgresql_copy(connection: Connection, plan: TablePlan) -> Iterator[bytes]:
    """Any other table by COPY: the server writes while we compress. COPY's text format doubles
    each backslash (JSON holds no raw tab or line break), undone here; a message is one row."""
    sql = str(_select(plan, [_json_line(plan)]).compile(dialect=connection.dialect,
                                                       compile_kwargs={"literal_binds": True}))
    with connection.connection.driver_connection.cursor() as cursor, cursor.copy(f"COPY ({sql}) TO STDOUT") as copy:
        rows = []
        for row in copy:
            rows.append(row)
            if len(rows) >= BATCH and row[-1:] == b"\n":
                yield b"".join(rows).replace(b"\\\\", b"\\")
                rows = []
        if rows:
            yield b"".join(rows).replace(b"\\\\", b"\\")


def _prefetched(chunks: Iterator[bytes], depth: int = 2) -> Iterator[bytes]:
    """``chunks`` read by a thread of their own up to ``depth`` ahead, so the database makes the next
    page while this thread compresses the last (each waits outside the GIL). The connection is used
    by that thread alone until the table is done; stopped early, it ends and the reading closes."""
    pending: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                pending.put(item, timeout=0.1)
                return True
            except queue.Full:
                pass
        return False

    def produce() -> None:
        try:
            for chunk in chunks:
                if not put(chunk):
                    return
            put(done)
        except BaseException as error:  # handed to the reader, raised there
            put(error)

    worker = threading.Thread(target=produce, name="archive-prefetch", daemon=True)
    worker.start()
    try:
        while (item := pending.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join()
        chunks.close()


def _lines(connection: Connection, plan: TablePlan, vault: FnrVault | None) -> Iterator[bytes]:
    """The table's rows as JSON lines, a batch of whole lines at a time. On PostgreSQL each row's
    line is made by the database (times in ISO 8601 as the session's UTC gives them)."""
    if connection.dialect.name == "postgresql" and all(c.source for c in plan.columns):
        keys = list(plan.table.primary_key.columns)
        # A page holds RANGE rows at once: only for tables of small rows (no files in them).
        if len(keys) == 1 and type_name(keys[0]) == "integer" and all(c.type != "base64" for c in plan.columns):
            return _prefetched(_postgresql_pages(connection, plan, keys[0]))
        return _prefetched(_postgresql_copy(connection, plan))
    return ((("\n".join(batch) + "\n").encode()) for batch in _python_lines(connection, plan, vault))


def archive_chunks(connection: Connection, vault: FnrVault | None, personal: bool,
                   created_at: datetime | None = None) -> Iterator[bytes]:
    """The archive as a stream of byte chunks. ``personal`` False: the variant without personal data."""
    created_at = created_at or datetime.now(timezone.utc)
    stamp = created_at.timetuple()[:6]
    pipe = _Pipe()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SET LOCAL TIME ZONE 'UTC'"))
    tables = []
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for plan in archive_plan(personal):
            count = 0
            entry = zipfile.ZipInfo(f"tables/{plan.name}.jsonl", stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(entry, "w", force_zip64=True) as out:
                out.write((json.dumps([c.name for c in plan.columns]) + "\n").encode())
                for batch in _lines(connection, plan, vault):
                    out.write(batch)
                    count += batch.count(b"\n")
                    if pipe.size >= CHUNK:
                        yield pipe.take()
            tables.append({"name": plan.name, "file": entry.filename, "rows": count,
                           "columns": [{"name": c.name, "type": c.type} for c in plan.columns]})
        manifest = {"format": "hjelpemiddel-archive", "format_version": FORMAT_VERSION,
                    "variant": "full" if personal else "without_personal_data",
                    "created_at": created_at.isoformat(), "schema_revision": schema_revision(connection),
                    "tables": tables}
        archive.writestr(zipfile.ZipInfo("manifest.json", stamp), json.dumps(manifest, ensure_ascii=False, indent=2),
                         compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr(zipfile.ZipInfo("README.md", stamp), format_readme(manifest),
                         compress_type=zipfile.ZIP_DEFLATED)
    yield pipe.take()
