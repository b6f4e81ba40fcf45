#!/usr/bin/env python
"""Deterministic bulk data for the benchmarks: a fresh, migrated database with a depot tree,
a product catalogue, N devices with their labels and N x E device events.

    python bench/generate.py --database-url postgresql://postgres@127.0.0.1:5432/hjm_bench \
        --devices 1000000 --events-per-device 5 --seed 1

The schema comes from the app's own Alembic migrations; rows are bulk-loaded with COPY on
PostgreSQL and batched executemany on SQLite. While loading, foreign keys and secondary
indexes of the big tables are dropped and then re-created from their exact saved definitions
(checked afterwards), because building them once is far faster than maintaining them per row.

The same seed gives the same rows. Event ids are laid out round by round (every device's
first event, then every device's second ...), so one device's history is spread over the
table like real, interleaved history, and ``ORDER BY id`` is that device's chronological order.

The database is DROPPED and re-created. To protect other databases, its name must start
with ``hjm_bench`` (or the SQLite file name with ``hjm_bench``) unless --force is given.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from array import array
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy.engine import make_url

BENCH_DIR = Path(__file__).resolve().parent
OUT_DIR = BENCH_DIR / "out"

BENCH_USER = "bench-lager"
BENCH_PASSWORD = "bench-passord"
OTHER_USERS = [("bench-lager2", "lager"), ("bench-sjafor", "sjafor"), ("bench-terapeut", "terapeut"),
               ("bench-admin", "admin")]

N_PRODUCTS = 400
ZONES, RACKS, SHELVES, BINS = "ABCD", 5, 3, 5  # 4 x 5 x 3 x 5 = 300 bins
BASE_DAY = date(2018, 1, 1)
REGISTRATION_SPAN = 5 * 365 * 86400  # devices are registered over five years
CHUNK = 50_000
BIG_TABLES = ("devices", "device_labels", "device_events")

SUPPLIERS = ["Invacare AS", "Etac AS", "Sunrise Medical AS", "Handicare AS", "Permobil AS", "Human Care AS",
             "Arjo Norge AS", "Medema AS", "Vermeiren Norge", "Ottobock Norge AS"]
MODEL_WORDS = ["Basic", "Pro", "Comfort", "Light", "XL", "Junior", "Plus", "Flex", "Active", "Care"]
CONDITIONS = ("new", "good", "fair", "poor")
NOTES = ["", "", "", "", "", "", "Varetelling", "Flyttet etter vask", "Etter service", "Kontrollert OK"]


def log(message: str) -> None:
    print(f"[{time.monotonic() - T0:7.1f}s] {message}", flush=True)


T0 = time.monotonic()


# --- life cycle (copied as data, so the generator cannot drift silently: checked at start) ----

def lifecycle():
    from hjelpemiddel.stock.lifecycle import IN_DEPOT_STATES, TRANSITIONS

    states = list(TRANSITIONS)
    index = {s: i for i, s in enumerate(states)}
    terminal = {s for s, targets in TRANSITIONS.items() if not targets}
    # Ordinary steps keep the unit in circulation; terminal steps only happen in the last round.
    normal = [[index[t] for t in sorted(TRANSITIONS.get(s, ())) if t not in terminal and t != "quarantined"]
              for s in states]
    final = [[index[t] for t in sorted(TRANSITIONS.get(s, ())) if t in terminal] for s in states]
    in_depot = bytes(1 if s in IN_DEPOT_STATES else 0 for s in states)
    return states, index, normal, final, in_depot


# --- value formatting ------------------------------------------------------------------------

class Timestamps:
    """Seconds since BASE_DAY as the text each backend stores (no datetime objects: 5M rows)."""

    def __init__(self, kind: str) -> None:
        self.days = [(BASE_DAY + timedelta(days=i)).isoformat() for i in range(12 * 366)]
        self.suffix = "+00" if kind == "postgresql" else ".000000"  # SQLAlchemy's SQLite DATETIME format

    def __call__(self, seconds: int) -> str:
        day, rest = divmod(seconds, 86400)
        hour, rest = divmod(rest, 3600)
        minute, second = divmod(rest, 60)
        return f"{self.days[day]} {hour:02d}:{minute:02d}:{second:02d}{self.suffix}"


# --- loaders ---------------------------------------------------------------------------------

def _canonical(definitions: list) -> list:
    """Definitions without casts and brackets: PostgreSQL prints a re-created partial index's
    ``IN (...)`` with other casts than the migration's, for the same index."""
    return [tuple(re.sub(r"::[a-z ]+(\[\])?|[()\s]", "", part) for part in row) for row in definitions]


class PostgresLoader:
    def __init__(self, url) -> None:
        import psycopg

        self.conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self.conn = psycopg.connect(self.conninfo)
        self.kind = "postgresql"
        self.saved: list[tuple[str, str, str, str]] = []

    def begin(self) -> None:
        with self.conn.cursor() as cur:
            cur.execute("SET synchronous_commit = off")
            cur.execute("SET maintenance_work_mem = '1GB'")
            tables = list(BIG_TABLES)
            self.before = self._definitions()
            # Foreign keys first (they depend on the unique indexes), then unique constraints and indexes.
            cur.execute("""SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid)
                           FROM pg_constraint WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('f', 'u')
                           ORDER BY contype, conname""", (tables,))
            constraints = cur.fetchall()
            cur.execute("""SELECT i.indrelid::regclass::text, c.relname, pg_get_indexdef(i.indexrelid)
                           FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                           WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
                             AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
                           ORDER BY c.relname""", (tables,))
            indexes = cur.fetchall()
            for table, name, _kind, _definition in constraints:
                cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            for _table, name, _definition in indexes:
                cur.execute(f'DROP INDEX "{name}"')
            self.restore_sql = ([f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, k, d in constraints if k == "u"]
                                + [d for _t, _n, d in indexes]
                                + [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, k, d in constraints if k == "f"])
            # The twin's per-place counts are built once after the load, not kept row by row during it.
            cur.execute("ALTER TABLE devices DISABLE TRIGGER devices_counted_insert")
            cur.execute("ALTER TABLE device_events DISABLE TRIGGER device_events_checkpoints_stale")
            # Truncating in this transaction lets COPY write frozen, all-visible rows (COPY ... FREEZE).
            # CASCADE: later tables (inspections ...) refer to devices; they are empty in a fresh database.
            cur.execute("TRUNCATE " + ", ".join(tables) + " CASCADE")
        log(f"dropped {len(constraints)} constraints and {len(indexes)} indexes on {', '.join(tables)} for the load")

    def _definitions(self) -> list:
        with self.conn.cursor() as cur:
            cur.execute("""SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
                           WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2""")
            constraints = cur.fetchall()
            cur.execute("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1, 2")
            return constraints + cur.fetchall()

    def load(self, table: str, columns: tuple[str, ...], rows) -> int:
        freeze = " WITH (FREEZE)" if table in BIG_TABLES else ""
        count = 0
        with self.conn.cursor() as cur:
            with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN{freeze}") as copy:
                buffer = []
                for row in rows:
                    buffer.append("\t".join(["\\N" if v is None else str(v) for v in row]))
                    if len(buffer) >= 20_000:
                        copy.write("\n".join(buffer) + "\n")
                        count += len(buffer)
                        buffer.clear()
                if buffer:
                    copy.write("\n".join(buffer) + "\n")
                    count += len(buffer)
        return count

    def finish(self) -> None:
        from hjelpemiddel.twin.models import REBUILD_SQL

        with self.conn.cursor() as cur:
            cur.execute("ALTER TABLE devices ENABLE TRIGGER devices_counted_insert")
            cur.execute("ALTER TABLE device_events ENABLE TRIGGER device_events_checkpoints_stale")
            for sql in REBUILD_SQL:
                cur.execute(sql)
            for sql in self.restore_sql:
                started = time.monotonic()
                cur.execute(sql)
                log(f"  {time.monotonic() - started:6.1f}s  {sql[:110]}")
            cur.execute("""SELECT c.relname, a.attname FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
                           WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace
                             AND a.attnum > 0 AND NOT a.attisdropped
                             AND pg_get_serial_sequence(c.relname, a.attname) IS NOT NULL""")
            for table, column in cur.fetchall():
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                            f"GREATEST((SELECT max({column}) FROM {table}), 1))")
        after = self._definitions()
        if _canonical(after) != _canonical(self.before):
            raise SystemExit(f"schema changed by the load!\nlost: {sorted(set(self.before) - set(after))}\n"
                             f"gained: {sorted(set(after) - set(self.before))}")
        self.conn.commit()
        log("schema re-checked: every constraint and index is back, identical to the migration's")
        self.conn.autocommit = True
        started = time.monotonic()
        with self.conn.cursor() as cur:
            cur.execute("VACUUM (ANALYZE)")
        log(f"VACUUM (ANALYZE) in {time.monotonic() - started:.1f}s")
        with self.conn.cursor() as cur:
            cur.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            log(f"database size {cur.fetchone()[0]}")
        self.conn.close()


class SqliteLoader:
    def __init__(self, url) -> None:
        import sqlite3

        self.conn = sqlite3.connect(url.database, isolation_level=None)
        self.kind = "sqlite"

    def begin(self) -> None:
        cur = self.conn.cursor()
        cur.execute("PRAGMA synchronous = OFF")
        cur.execute("PRAGMA cache_size = -500000")
        self.before = self._definitions()
        marks = ", ".join("?" * len(BIG_TABLES))
        self.indexes = cur.execute(f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                                   f"AND tbl_name IN ({marks}) ORDER BY name", BIG_TABLES).fetchall()
        self.triggers = cur.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                    "AND (name LIKE 'devices_counted%' OR name = 'device_events_checkpoints_stale') "
                                    "ORDER BY name").fetchall()
        cur.execute("BEGIN")
        for name, _sql in self.indexes:
            cur.execute(f'DROP INDEX "{name}"')
        for name, _sql in self.triggers:  # the twin's counts: built once after the load
            cur.execute(f'DROP TRIGGER "{name}"')
        log(f"dropped {len(self.indexes)} indexes on {', '.join(BIG_TABLES)} for the load")

    def _definitions(self) -> list:
        return self.conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name").fetchall()

    def load(self, table: str, columns: tuple[str, ...], rows) -> int:
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        count, batch = 0, []
        for row in rows:
            batch.append(row)
            if len(batch) >= 50_000:
                self.conn.executemany(sql, batch)
                count += len(batch)
                batch.clear()
        if batch:
            self.conn.executemany(sql, batch)
            count += len(batch)
        return count

    def finish(self) -> None:
        from hjelpemiddel.twin.models import REBUILD_SQL

        for _name, sql in self.indexes:
            started = time.monotonic()
            self.conn.execute(sql)
            log(f"  {time.monotonic() - started:6.1f}s  {sql[:110]}")
        for _name, sql in self.triggers:
            self.conn.execute(sql)
        for sql in REBUILD_SQL:
            self.conn.execute(sql)
        self.conn.execute("COMMIT")
        if self._definitions() != self.before:
            raise SystemExit("schema changed by the load!")
        log("schema re-checked: every index is back, identical to the migration's")
        started = time.monotonic()
        self.conn.execute("ANALYZE")
        log(f"ANALYZE in {time.monotonic() - started:.1f}s")
        self.conn.close()


# --- fresh database --------------------------------------------------------------------------

def normalize_url(raw: str):
    url = make_url(raw)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url


def recreate_database(url, force: bool) -> None:
    name = Path(url.database or "").name
    if not force and not name.startswith("hjm_bench"):
        raise SystemExit(f"refusing to drop {name!r}: its name must start with 'hjm_bench' (or pass --force)")
    if url.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(url.database + suffix).unlink(missing_ok=True)
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        return
    import psycopg

    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{url.database}"')


def migrate_and_create_users(url_string: str) -> tuple[list[int], str]:
    from hjelpemiddel import create_app
    from hjelpemiddel.cli import upgrade_database
    from hjelpemiddel.core.auth import User, create_token, create_user
    from hjelpemiddel.core.db import get_database, get_session
    from sqlalchemy import select

    app = create_app({"DATABASE_URL": url_string, "SECRET_KEY": "bench-generate"})
    upgrade_database(app)
    log("migrated to head with the app's Alembic migrations")
    with app.app_context():
        session = get_session()
        create_user(session, BENCH_USER, "lager", BENCH_PASSWORD, "Benk Lager")
        for username, role in OTHER_USERS:
            create_user(session, username, role, BENCH_PASSWORD, f"Benk {role}")
        token = create_token(session, BENCH_USER)
        session.commit()
        user_ids = list(session.scalars(select(User.id).order_by(User.id)))
    get_database(app).engine.dispose()
    return user_ids, token


# --- rows ------------------------------------------------------------------------------------

def product_rows(seed: int, ts):
    from hjelpemiddel.catalog.iso import ISO_TITLES

    rng = random.Random(f"{seed}:products")
    classes = sorted(ISO_TITLES)
    hms_numbers = rng.sample(range(100000, 1000000), N_PRODUCTS)
    products = []
    for pid in range(1, N_PRODUCTS + 1):
        iso = rng.choice(classes)
        if rng.random() < 0.4:
            iso += f"{rng.randrange(1, 20):02d}"
        title = ISO_TITLES[iso[:6]].split(",")[0].split(" og ")[0]
        supplier = rng.choice(SUPPLIERS)
        name = f"{title} {supplier.split()[0]} {rng.choice(MODEL_WORDS)} {rng.randrange(10, 99)}"
        hms = f"{hms_numbers[pid - 1]:06d}" if rng.random() < 0.8 else None
        created = ts(rng.randrange(0, 30 * 86400))
        products.append((pid, hms, name, supplier, iso, True, rng.choice((None, 180, 365, 730)), created, created))
    return products


def location_rows(ts, racks: int = RACKS):
    from hjelpemiddel.core.ids import LOCATION_PREFIX, make_code

    rows, bins = [], []
    created = ts(0)

    def add(code, name, kind, parent, path, x, y):
        lid = len(rows) + 1
        rows.append((lid, code, make_code(LOCATION_PREFIX, lid), name, kind, parent, path, None, x, y, created))
        return lid

    depot = add("HOVEDLAGER", "Hovedlageret", "depot", None, "", 0.0, 0.0)
    pitch = racks * 3.0 + 5.0  # zones side by side, each as long as its racks
    for zi, zone in enumerate(ZONES):
        zone_id = add(zone, f"Sone {zone}", "zone", depot, "HOVEDLAGER", zi * pitch, 0.0)
        for r in range(1, racks + 1):
            rack = f"{zone}-R{r:02d}"
            rack_id = add(rack, f"Reol {rack}", "rack", zone_id, f"HOVEDLAGER / {zone}", zi * pitch + r * 3.0, 2.0)
            for s in range(1, SHELVES + 1):
                shelf = f"{rack}-H{s}"
                shelf_id = add(shelf, f"Hylle {s}", "shelf", rack_id, f"HOVEDLAGER / {zone} / {rack}",
                               zi * pitch + r * 3.0, 2.0 + s * 0.1)
                for b in range(1, BINS + 1):
                    code = f"{shelf}-B{b}"
                    bins.append(add(code, f"Rom {b}", "bin", shelf_id, f"HOVEDLAGER / {zone} / {rack} / {shelf}",
                                    zi * pitch + r * 3.0 + b * 0.5, 2.0 + s * 0.1))
    return rows, bins


EVENT_COLUMNS = ("id", "device_id", "occurred_at", "actor_id", "kind", "from_state", "to_state",
                 "from_location_id", "to_location_id", "note", "data")
DEVICE_COLUMNS = ("id", "barcode", "product_id", "serial_number", "owner", "nav_hms_nr", "nav_serial",
                  "condition", "state", "location_id", "registered_at", "updated_at")
LABEL_COLUMNS = ("id", "code", "device_id", "issued_at", "claimed_at", "retired_at")
PRODUCT_COLUMNS = ("id", "hms_nr", "name", "supplier", "iso_class", "individually_tracked",
                   "inspection_interval_days", "created_at", "updated_at")
LOCATION_COLUMNS = ("id", "code", "barcode", "name", "kind", "parent_id", "path", "capacity", "x", "y", "created_at")


class Generator:
    def __init__(self, n: int, events: int, seed: int, bins: list[int], actors: list[int], ts) -> None:
        self.n, self.events, self.seed, self.bins, self.actors, self.ts = n, events, seed, bins, actors, ts
        self.states, self.index, self.normal, self.final, self.in_depot = lifecycle()
        self.state = bytearray(n + 1)
        self.location = array("i", bytes(4 * (n + 1)))
        self.registered = array("q", bytes(8 * (n + 1)))
        self.last = array("q", bytes(8 * (n + 1)))

    def event_round(self, r: int):
        """Round 0 registers every device in a bin; later rounds move it or step its life cycle."""
        n, ts, bins, actors, states = self.n, self.ts, self.bins, self.actors, self.states
        state, location, last = self.state, self.location, self.last
        available = self.index["available"]
        nbins = len(bins)
        for start in range(1, n + 1, CHUNK):
            rng = random.Random(f"{self.seed}:events:{r}:{start}")
            rand, randrange, choice = rng.random, rng.randrange, rng.choice
            for d in range(start, min(start + CHUNK, n + 1)):
                actor = choice(actors)
                if r == 0:
                    t = d * REGISTRATION_SPAN // n + randrange(3600)
                    where = choice(bins)
                    self.registered[d] = last[d] = t
                    state[d], location[d] = available, where
                    yield (d, d, ts(t), actor, "registered", None, "available", None, where, "", None)
                    continue
                t = last[d] + randrange(3600, 60 * 86400)
                last[d] = t
                current = state[d]
                here = location[d]
                note = choice(NOTES)
                if self.in_depot[current] and rand() < 0.35:
                    pick = randrange(nbins)
                    where = bins[pick] if bins[pick] != here else bins[(pick + 1) % nbins]
                    location[d] = where
                    name = states[current]
                    yield (r * n + d, d, ts(t), actor, "moved", name, name, here, where, note, None)
                    continue
                targets = self.normal[current]
                if r == self.events - 1 and self.final[current] and rand() < 0.02:
                    targets = self.final[current]
                target = choice(targets)
                state[d] = target
                yield (r * n + d, d, ts(t), actor, "state_changed", states[current], states[target], here, here,
                       note, None)

    def device_rows(self, products: list[tuple]):
        from hjelpemiddel.core.ids import DEVICE_PREFIX, make_code

        ts, states = self.ts, self.states
        for start in range(1, self.n + 1, CHUNK):
            rng = random.Random(f"{self.seed}:devices:{start}")
            for d in range(start, min(start + CHUNK, self.n + 1)):
                product = products[rng.randrange(len(products))]
                serial = f"{product[3][:3].upper()}{d:08d}" if rng.random() < 0.9 else None
                if rng.random() < 0.15:
                    owner = "nav"
                    nav_hms = product[1] or f"{rng.randrange(100000, 1000000):06d}"
                    nav_serial = f"N{d:09d}"
                else:
                    owner, nav_hms, nav_serial = "kommune", None, None
                yield (d, make_code(DEVICE_PREFIX, d), product[0], serial, owner, nav_hms, nav_serial,
                       CONDITIONS[rng.randrange(4)], states[self.state[d]], self.location[d] or None,
                       ts(self.registered[d]), ts(self.last[d]))

    def label_rows(self):
        from hjelpemiddel.core.ids import DEVICE_PREFIX, make_code

        ts = self.ts
        for d in range(1, self.n + 1):
            registered = self.registered[d]
            yield (d, make_code(DEVICE_PREFIX, d), d, ts(max(registered - 86400, 0)), ts(registered), None)


def timed_load(loader, table, columns, rows, expected: int | None = None) -> int:
    started = time.monotonic()
    count = loader.load(table, columns, rows)
    elapsed = time.monotonic() - started
    log(f"{table:14s} {count:>10,d} rows in {elapsed:6.1f}s ({count / max(elapsed, 1e-9):>9,.0f} rows/s)")
    if expected is not None and count != expected:
        raise SystemExit(f"{table}: expected {expected} rows, loaded {count}")
    return count


def self_check(url_string: str, token: str, n: int, events: int) -> None:
    """One real scan through the app (test client), checking the device and its whole history."""
    from hjelpemiddel import create_app
    from hjelpemiddel.core.db import get_database
    from hjelpemiddel.core.ids import DEVICE_PREFIX, make_code

    app = create_app({"DATABASE_URL": url_string, "SECRET_KEY": "bench-generate"})
    client = app.test_client()
    for d in sorted({1, n // 2 + 1, n}):
        code = make_code(DEVICE_PREFIX, d)
        response = client.get(f"/api/v1/scan/{code}", headers={"Authorization": f"Bearer {token}"})
        body = response.get_json()
        if response.status_code != 200 or body["device"]["barcode"] != code or len(body["history"]) != events:
            raise SystemExit(f"self-check failed for {code}: {response.status_code} {str(body)[:500]}")
        times = [e["occurred_at"] for e in body["history"]]
        if times != sorted(times) or body["history"][0]["kind"] != "registered":
            raise SystemExit(f"self-check: history of {code} is not chronological: {times}")
    get_database(app).engine.dispose()
    log(f"self-check: app scans of 3 devices return {events} events each, in order")


def spread_due_dates(session) -> None:
    """A depot that keeps up with its inspections: due dates spread evenly over the coming year, one unit
    in 200 overdue by up to a month (the generator writes no inspection history to compute them from)."""
    from sqlalchemy import text

    if session.get_bind().dialect.name == "postgresql":
        ahead, behind = "CURRENT_DATE + (device_id % 365)", "CURRENT_DATE - (1 + device_id % 30)"
    else:
        ahead = "date('now', '+' || (device_id % 365) || ' days')"
        behind = "date('now', '-' || (1 + device_id % 30) || ' days')"
    session.execute(text(f"UPDATE inspection_due SET due_on = CASE WHEN device_id % 200 = 0 THEN {behind} "
                         f"ELSE {ahead} END"))


def schedule_upkeep(url_string: str) -> None:
    """The default maintenance plans and every unit's next periodic inspection, set-based as the app does it."""
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from hjelpemiddel.core.db import make_engine
    from hjelpemiddel.maintenance.models import InspectionDue
    from hjelpemiddel.maintenance.services import add_default_plans, schedule_inspections

    started = time.monotonic()
    engine = make_engine(url_string)
    with Session(engine) as session:
        if not add_default_plans(session):
            schedule_inspections(session)
        spread_due_dates(session)
        scheduled = session.scalar(select(func.count()).select_from(InspectionDue))
        session.commit()
    engine.dispose()
    log(f"inspection due dates for {scheduled:,d} units in {time.monotonic() - started:.1f}s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--devices", type=int, default=100_000)
    parser.add_argument("--events-per-device", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--racks", type=int, default=RACKS,
                        help=f"racks per zone (4 zones, 3 shelves of 5 bins each): {RACKS} makes 385 locations, "
                             "66 about 5,000")
    parser.add_argument("--force", action="store_true", help="allow dropping a database not named hjm_bench*")
    args = parser.parse_args()
    if not 1 <= args.devices < 10**7 - 1 or args.events_per_device < 1:
        parser.error("--devices must be 1..9,999,998 (7-digit barcodes) and --events-per-device >= 1")

    url = normalize_url(args.database_url)
    url_string = url.render_as_string(hide_password=False)
    backend = url.get_backend_name()
    if backend not in ("postgresql", "sqlite"):
        parser.error("only postgresql and sqlite URLs are supported")
    log(f"{backend}: {url.render_as_string(hide_password=True)}; {args.devices:,d} devices x "
        f"{args.events_per_device} events, seed {args.seed}")

    recreate_database(url, args.force)
    actors, token = migrate_and_create_users(url_string)

    ts = Timestamps(backend)
    loader = PostgresLoader(url) if backend == "postgresql" else SqliteLoader(url)
    load_started = time.monotonic()
    loader.begin()
    products = product_rows(args.seed, ts)
    locations, bins = location_rows(ts, args.racks)
    timed_load(loader, "products", PRODUCT_COLUMNS, products, len(products))
    timed_load(loader, "locations", LOCATION_COLUMNS, locations, len(locations))
    generator = Generator(args.devices, args.events_per_device, args.seed, bins, actors, ts)
    for r in range(args.events_per_device):
        log(f"device_events round {r + 1}/{args.events_per_device} ...")
        timed_load(loader, "device_events", EVENT_COLUMNS, generator.event_round(r), args.devices)
    timed_load(loader, "devices", DEVICE_COLUMNS, generator.device_rows(products), args.devices)
    timed_load(loader, "device_labels", LABEL_COLUMNS, generator.label_rows(), args.devices)
    log(f"rows loaded in {time.monotonic() - load_started:.1f}s; re-creating constraints and indexes")
    loader.finish()
    log(f"load finished in {time.monotonic() - load_started:.1f}s")

    schedule_upkeep(url_string)
    self_check(url_string, token, args.devices, args.events_per_device)

    OUT_DIR.mkdir(exist_ok=True)
    name = Path(url.database).stem
    info = {"database_url": url.render_as_string(hide_password=True), "backend": backend, "devices": args.devices,
            "events_per_device": args.events_per_device, "events": args.devices * args.events_per_device,
            "products": len(products), "locations": len(locations), "bins": len(bins), "seed": args.seed,
            "username": BENCH_USER, "password": BENCH_PASSWORD, "token": token,
            "generate_seconds": round(time.monotonic() - T0, 1)}
    path = OUT_DIR / f"dataset-{backend}-{name}.json"
    path.write_text(json.dumps(info, indent=2) + "\n")
    log(f"done in {time.monotonic() - T0:.1f}s; details in {path.relative_to(BENCH_DIR.parent)}")
    print(f"user {BENCH_USER} (role lager), API token:\n{token}")


if __name__ == "__main__":
    sys.path.insert(0, str(BENCH_DIR.parent))
    main()
