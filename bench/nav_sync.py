#!/usr/bin/env python
"""NAV order-line sync: 50,000 lines into an empty database, a re-sync of the same lines, and an
incremental sync after 1 % of them changed, on SQLite and PostgreSQL.

    python bench/nav_sync.py [--lines 50000] [--databases sqlite,postgresql] [--profile]

The fake NAV server runs in a process of its own (so serving pages does not share our GIL) and
is started fresh, with the same seed, for each database, so every database syncs the same lines.
Before the databases it is timed alone: every page fetched and parsed with the HTTP client and
no database (the "fetch only" column), which shows how much of a sync is NAV's side of the wire.

Each database is migrated from empty; 200 citizens are registered (a tenth of the fnrs the lines
belong to; the rest are unknown to us) and half of them have a long-term need sent to NAV, so
the sync's citizen lookup and need matching do real work. Then, through ``jobs.run_sync`` (page
size 500, one commit per page, as the schedule runs it):

1. first sync into the empty table (target < 30 s),
2. re-sync of the same lines from the start (``from_start=True``; target < 10 s),
3. incremental sync after 1 % of the lines were updated at NAV (no target; reported).

After each, ``nav_order_lines`` must hold exactly N rows and the sync's counts must add up, or the
run stops. The table goes to stdout and to bench/out/nav_sync.md (raw numbers in nav_sync.json).
The exit code is 1 if a target is missed.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import requests
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
OUT_DIR = BENCH_DIR / "out"
if str(REPO_DIR) not in sys.path:
    sys.path.insert(0, str(REPO_DIR))

TARGET_FIRST_SECONDS = 30.0
TARGET_RESYNC_SECONDS = 10.0
DEFAULT_POSTGRESQL_URL = "postgresql://postgres@127.0.0.1:5432/hjm_navbench"
FAKE_TOKEN = "bench-nav-token"
TICKS = os.sysconf("SC_CLK_TCK")
# Products the fake NAV sends (integrations/nav/fake_data.py PRODUCTS); the needs ask for these.
NEED_PRODUCTS = [("236958", "Panthera U3 Light rullestol", "12220301"),
                 ("177946", "Rollator Topro Olympos", "12060601"),
                 ("291003", "Seng Opus 90EW", "18121501")]
NEED_ISO_CLASSES = ["093303"]  # needs by ISO class only (the fake's shower stools are 09330301)


def log(message: str) -> None:
    print(f"[{time.monotonic() - T0:6.1f}s] {message}", file=sys.stderr, flush=True)


T0 = time.monotonic()


def cpu_seconds(pids) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime + stime
        except (OSError, IndexError):
            pass
    return total / TICKS


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- the fake NAV in its own process -----------------------------------------------------------

class FakeNavProcess:
    def __init__(self, seed: int) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = OUT_DIR / "nav_sync-fake.log"
        self.log_file = open(self.log_path, "a")
        command = [sys.executable, "-m", "integrations.nav.fake_server", "--port", str(self.port), "--empty",
                   "--seed", str(seed), "--token", FAKE_TOKEN]
        self.process = subprocess.Popen(command, cwd=REPO_DIR, stdout=self.log_file, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        self.http = requests.Session()
        deadline = time.monotonic() + 30
        while True:
            if self.process.poll() is not None:
                raise SystemExit(f"fake NAV exited ({self.process.returncode}); see {self.log_path}")
            try:
                self.http.get(f"{self.base}/_control/stats", timeout=2).raise_for_status()
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise SystemExit(f"fake NAV not ready after 30 s; see {self.log_path}") from None
                time.sleep(0.1)

    def control(self, path: str, body) -> dict:
        response = self.http.post(f"{self.base}/_control{path}", json=body, timeout=120)
        if response.status_code >= 300:
            raise SystemExit(f"fake NAV {path}: HTTP {response.status_code}: {response.text[:300]}")
        return response.json()

    def client(self):
        from integrations.nav.http_client import NavHttpClient

        return NavHttpClient(self.base, FAKE_TOKEN, timeout=(3.05, 30))

    def cpu(self) -> float:
        return cpu_seconds([self.process.pid])

    def stop(self) -> None:
        self.http.close()
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log_file.close()


def start_fake(args, fnrs: list[str]) -> FakeNavProcess:
    fake = FakeNavProcess(args.seed)
    started = time.perf_counter()
    made = 0
    while made < args.lines:  # the control endpoint takes up to 500,000 lines per call
        count = min(args.lines - made, 500_000)
        fake.control("/generate-order-lines", {"count": count, "fnrs": fnrs, "seed": args.seed + made})
        made += count
    stats = fake.http.get(f"{fake.base}/_control/stats", timeout=30).json()
    if stats["order_lines"] != args.lines:
        raise SystemExit(f"fake NAV holds {stats['order_lines']} order lines, expected {args.lines}")
    log(f"fake NAV on port {fake.port} (pid {fake.process.pid}): {args.lines:,d} lines generated in "
        f"{time.perf_counter() - started:.1f} s")
    return fake


# --- fnrs, citizens and needs ------------------------------------------------------------------

def make_fnrs(count: int, seed: int) -> list[str]:
    """Distinct valid fnrs (real dates, 1930-2005) from the app's own fnr helper."""
    from hjelpemiddel.core.fnr import make_fnr

    rng = random.Random(f"{seed}:fnrs")
    start = date(1930, 1, 1)
    found: dict[str, None] = {}
    while len(found) < count:
        born = start + timedelta(days=rng.randrange(27_000))
        fnr = make_fnr(born.strftime("%d%m%y"), f"{rng.randrange(1000):03d}")
        if fnr:
            found[fnr] = None
    return list(found)


def seed_database(app, known_fnrs: list[str], needs: int, seed: int) -> None:
    """The citizens we know (registered as a therapist would) and long-term needs sent to NAV."""
    from hjelpemiddel.catalog.services import create_product
    from hjelpemiddel.citizens.services import register_citizen
    from hjelpemiddel.core.auth import create_user
    from hjelpemiddel.core.db import declare_write_intent, get_database, reset_write_intent
    from hjelpemiddel.lending import services as lending

    rng = random.Random(f"{seed}:needs")
    vault = app.extensions["fnr_vault"]
    token = declare_write_intent()
    with app.app_context():
        session = get_database(app).session_factory()
        try:
            therapist = create_user(session, "bench-terapeut", "terapeut", "bench-passord-1", "Bench Terapeut")
            products = [create_product(session, hms_nr=hms_nr, name=name, iso_class=iso, supplier="NAV")
                        for hms_nr, name, iso in NEED_PRODUCTS]
            citizens = [register_citizen(session, vault, therapist.id, fnr, f"Innbygger {n}", f"Storgata {n}",
                                         "6509", "1505", city="Kristiansund")
                        for n, fnr in enumerate(known_fnrs, start=1)]
            today = date.today()
            for citizen in rng.sample(citizens, min(needs, len(citizens))):
                choice = rng.randrange(len(products) + len(NEED_ISO_CLASSES))
                product_id = products[choice].id if choice < len(products) else None
                iso_class = None if product_id else NEED_ISO_CLASSES[choice - len(products)]
                need = lending.register_need(session, therapist.id, "terapeut", citizen.id,
                                             today + timedelta(days=rng.randint(7, 60)),
                                             rng.choice(["normal", "normal", "urgent"]), "long_term",
                                             product_id=product_id, iso_class=iso_class,
                                             quantity=rng.choice([1, 1, 2]))
                lending.decide_need(session, therapist.id, "terapeut", need.id, "send_to_nav")
            session.commit()
        finally:
            session.close()
            reset_write_intent(token)


# --- databases ---------------------------------------------------------------------------------

def prepare_database(kind: str, args, tmpdir: Path) -> str:
    """A fresh, empty database of this kind; returns its URL."""
    if kind == "sqlite":
        path = tmpdir / "hjm_navbench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return f"sqlite:///{path}"
    url = make_url(args.postgresql_url.replace("postgresql://", "postgresql+psycopg://", 1))
    if not (url.database or "").startswith("hjm_navbench") and not args.force:
        raise SystemExit(f"refusing to drop database {url.database!r}: its name must start with hjm_navbench "
                         "(or pass --force)")
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()
    return url.render_as_string(hide_password=False)


def make_app(url: str):
    from cryptography.fernet import Fernet

    from hjelpemiddel import create_app
    from hjelpemiddel.cli import upgrade_database

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-secret-key-not-for-production",
                      "FNR_ENCRYPTION_KEYS": Fernet.generate_key().decode(), "FNR_HASH_KEY": "bench-hash-key"})
    upgrade_database(app)
    return app


def server_facts(engine) -> str:
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            return "PostgreSQL " + conn.scalar(text("SHOW server_version"))
        return "SQLite " + conn.scalar(text("SELECT sqlite_version()"))


def backend_pids(engine) -> list[int]:
    if engine.dialect.name != "postgresql":
        return []
    with engine.connect() as conn:
        return list(conn.scalars(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")))


def line_count(engine) -> int:
    from hjelpemiddel.nav.models import NavOrderLine

    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(NavOrderLine))


# --- measurements ------------------------------------------------------------------------------

def fetch_only(fake: FakeNavProcess, page_size: int) -> dict:
    """Every page through the HTTP client (requests + OrderLine parsing), no database."""
    port = fake.client()
    cursor, pages, keys = None, 0, []
    fake_before, ours_before = fake.cpu(), time.process_time()
    started = time.perf_counter()
    while True:
        page = port.fetch_order_lines(cursor, page_size)
        keys.extend(line.key for line in page.lines)
        cursor, pages = page.next_cursor, pages + 1
        if not page.has_more:
            break
    seconds = time.perf_counter() - started
    port.close()
    return {"seconds": seconds, "pages": pages, "lines": len(keys), "keys": keys,
            "fake_cpu_s": fake.cpu() - fake_before, "client_cpu_s": time.process_time() - ours_before}


def timed_sync(name: str, database: str, app, fake: FakeNavProcess, args, from_start: bool, profile_dir: Path | None):
    from hjelpemiddel.core.db import get_database
    from hjelpemiddel.nav.jobs import run_sync

    db = get_database(app)
    port = fake.client()
    vault = app.extensions["fnr_vault"]
    pids = backend_pids(db.engine)
    db_before = {pid: cpu_seconds([pid]) for pid in pids}
    fake_before, ours_before = fake.cpu(), time.process_time()
    profiler = cProfile.Profile() if profile_dir else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    summary = run_sync(db.session_factory, port, vault, page_size=args.page_size, from_start=from_start)
    if profiler:
        profiler.disable()
    seconds = time.perf_counter() - started
    ours = time.process_time() - ours_before
    fake_cpu = fake.cpu() - fake_before
    after = backend_pids(db.engine)
    db_cpu = sum(cpu_seconds([pid]) - db_before.get(pid, 0.0) for pid in after) if after else None
    port.close()
    if not summary.ok:
        raise SystemExit(f"{database} {name}: the sync failed: {summary.error}")
    rows = line_count(db.engine)
    if rows != args.lines:
        raise SystemExit(f"{database} {name}: nav_order_lines holds {rows:,d} rows, expected {args.lines:,d}")
    applied = summary.applied
    if profiler:
        path = profile_dir / f"nav_sync-{database}-{name.replace(' ', '_')}.prof"
        profiler.dump_stats(path)
        text_out = io.StringIO()
        pstats.Stats(profiler, stream=text_out).sort_stats("cumulative").print_stats(30)
        log(f"profile of {database} {name} in {path}:\n{text_out.getvalue()}")
    result = {"seconds": seconds, "pages": summary.pages, "received": applied.received, "new": applied.new,
              "updated": applied.updated, "unchanged": applied.unchanged, "needs_matched": applied.needs_matched,
              "ours_cpu_s": ours, "fake_cpu_s": fake_cpu, "db_cpu_s": db_cpu, "rows": rows}
    log(f"{database} {name}: {applied.received:,d} lines in {summary.pages} pages, {seconds:.2f} s "
        f"({applied.received / seconds:,.0f} lines/s): new {applied.new:,d}, updated {applied.updated:,d}, "
        f"unchanged {applied.unchanged:,d}, needs matched {applied.needs_matched}; CPU ours {ours:.1f} s, "
        f"fake {fake_cpu:.1f} s" + (f", PostgreSQL {db_cpu:.1f} s" if db_cpu is not None else ""))
    return result


def change_lines(fake: FakeNavProcess, keys: list, fraction: float, seed: int) -> int:
    """NAV updates ``fraction`` of the lines: shipped, with a new date (a new sequence number each)."""
    rng = random.Random(f"{seed}:changes")
    chosen = rng.sample(keys, max(1, int(len(keys) * fraction)))
    when = datetime.now().strftime("%Y-%m-%d %H:%M:%S")
    records = [{"OrdreNumber": ordre, "LineNumber": line, "ShipmentNumber": shipment or None,
                "Status": "SHIPPED", "LastUpdateDate": when} for ordre, line, shipment in chosen]
    for start in range(0, len(records), 5000):
        fake.control("/order-lines", {"ordrelinjer": records[start:start + 5000]})
    return len(records)


def bench_database(kind: str, args, fnrs: list[str], known: list[str], tmpdir: Path) -> dict:
    from hjelpemiddel.core.db import get_database

    url = prepare_database(kind, args, tmpdir)
    app = make_app(url)
    engine = get_database(app).engine
    result = {"database": kind, "server": server_facts(engine), "lines": args.lines}
    seed_database(app, known, args.needs, args.seed)
    log(f"{kind}: migrated {make_url(url).render_as_string(hide_password=True)} ({result['server']}), "
        f"{len(known)} citizens and {args.needs} long-term needs registered")
    profile_dir = OUT_DIR if args.profile else None
    fake = start_fake(args, fnrs)
    try:
        baseline = fetch_only(fake, args.page_size)
        if baseline["lines"] != args.lines:
            raise SystemExit(f"fetch only: {baseline['lines']:,d} lines from the fake, expected {args.lines:,d}")
        log(f"{kind}: fetch only (fake NAV + HTTP client, no database): {baseline['pages']} pages in "
            f"{baseline['seconds']:.2f} s; CPU fake {baseline['fake_cpu_s']:.1f} s, client {baseline['client_cpu_s']:.1f} s")
        result["fetch_only"] = {k: v for k, v in baseline.items() if k != "keys"}

        first = timed_sync("first sync", kind, app, fake, args, False, profile_dir)
        if first["new"] != args.lines:
            raise SystemExit(f"{kind} first sync: {first['new']:,d} new lines, expected {args.lines:,d}")
        result["first"] = first

        again = timed_sync("re-sync", kind, app, fake, args, True, profile_dir)
        if (again["new"], again["updated"], again["unchanged"]) != (0, 0, args.lines):
            raise SystemExit(f"{kind} re-sync: new/updated/unchanged {again['new']}/{again['updated']}/"
                             f"{again['unchanged']}, expected 0/0/{args.lines}")
        result["resync"] = again

        if args.change > 0:
            changed = change_lines(fake, baseline["keys"], args.change, args.seed)
            inc = timed_sync("incremental", kind, app, fake, args, False, profile_dir)
            # A line that already was shipped that day comes back with the same content: unchanged for us.
            if inc["new"] != 0 or inc["updated"] + inc["unchanged"] != changed or inc["updated"] < changed * 0.5:
                raise SystemExit(f"{kind} incremental: new/updated/unchanged {inc['new']}/{inc['updated']}/"
                                 f"{inc['unchanged']}, expected 0 new and {changed} updated or unchanged, most of them updated")
            inc["changed"] = changed
            result["incremental"] = inc
    finally:
        fake.stop()
        engine.dispose()
    result["first_ok"] = result["first"]["seconds"] < TARGET_FIRST_SECONDS
    result["resync_ok"] = result["resync"]["seconds"] < TARGET_RESYNC_SECONDS
    return result


# --- report ------------------------------------------------------------------------------------

def render(results: list[dict], args) -> str:
    def cpu(value):
        return "–" if value is None else f"{value:.1f}"

    out = [f"# NAV order-line sync — {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC", "",
           f"{args.lines:,d} order lines, page size {args.page_size}, {args.citizens} known citizens "
           f"of {args.fnrs:,d} fnrs, {args.needs} long-term needs; {os.cpu_count()} CPUs, load "
           f"{Path('/proc/loadavg').read_text().split()[0]}."
           + (" **Profiled with cProfile: times include its overhead, no verdict.**" if args.profile else ""), "",
           "| Database | Lines | Fetch only (s) | First sync (s) | Lines/s | Fetch share | Re-sync (s) | Lines/s | "
           "Incremental (s) | Target first / re-sync | Result |",
           "|---|--:|--:|--:|--:|--:|--:|--:|--:|---|---|"]
    for r in results:
        first, again, inc = r["first"], r["resync"], r.get("incremental")
        verdict = "PASS" if r["first_ok"] and r["resync_ok"] else (
            "FAIL (" + ", ".join(n for n, ok in (("first", r["first_ok"]), ("re-sync", r["resync_ok"])) if not ok) + ")")
        if args.profile:
            verdict = "n/a (profiled)"
        out.append(
            f"| {r['server']} | {r['lines']:,d} | {r['fetch_only']['seconds']:.2f} | {first['seconds']:.2f} | "
            f"{r['lines'] / first['seconds']:,.0f} | {r['fetch_only']['seconds'] / first['seconds']:.0%} | "
            f"{again['seconds']:.2f} | {r['lines'] / again['seconds']:,.0f} | "
            + (f"{inc['seconds']:.2f} ({inc['changed']:,d} changed)" if inc else "–")
            + f" | < {TARGET_FIRST_SECONDS:.0f} s / < {TARGET_RESYNC_SECONDS:.0f} s | {verdict} |")
    out += ["", "CPU seconds per phase (ours = the syncing process, fake = the fake NAV process, "
                "db = PostgreSQL backends; SQLite runs inside ours):", "",
            "| Database | Phase | Wall (s) | Ours CPU | Fake CPU | DB CPU | New | Updated | Unchanged | Needs matched |",
            "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|"]
    for r in results:
        fetch = r["fetch_only"]
        out.append(f"| {r['database']} | fetch only | {fetch['seconds']:.2f} | {fetch['client_cpu_s']:.1f} | "
                   f"{fetch['fake_cpu_s']:.1f} | – | – | – | – | – |")
        for phase, key in (("first sync", "first"), ("re-sync", "resync"), ("incremental", "incremental")):
            p = r.get(key)
            if p:
                out.append(f"| {r['database']} | {phase} | {p['seconds']:.2f} | {p['ours_cpu_s']:.1f} | "
                           f"{p['fake_cpu_s']:.1f} | {cpu(p['db_cpu_s'])} | {p['new']:,d} | {p['updated']:,d} | "
                           f"{p['unchanged']:,d} | {p['needs_matched']} |")
    out += ["", "Fetch only: every page fetched and parsed with the HTTP client, no database — the fake NAV's "
                "share of a sync. Fetch share = fetch only / first sync."]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=50_000)
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--postgresql-url", default=DEFAULT_POSTGRESQL_URL,
                        help="DROPPED and created again; its name must start with hjm_navbench unless --force")
    parser.add_argument("--force", action="store_true")
    parser.add_argument("--page-size", type=int, default=500)
    parser.add_argument("--fnrs", type=int, default=2000, help="distinct fnrs the lines belong to")
    parser.add_argument("--citizens", type=int, default=200, help="of those, registered here as citizens")
    parser.add_argument("--needs", type=int, default=100, help="citizens with a long-term need sent to NAV")
    parser.add_argument("--change", type=float, default=0.01, help="share of lines NAV updates before the "
                                                                   "incremental sync (0 skips it)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="cProfile each sync (.prof files and the top 30 "
                                                                 "on stderr); no pass/fail verdict then")
    args = parser.parse_args(argv)
    databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    unknown = set(databases) - {"sqlite", "postgresql"}
    if unknown or not databases:
        parser.error(f"unknown databases: {sorted(unknown)}")
    if not 0 < args.citizens <= args.fnrs:
        parser.error("--citizens must be between 1 and --fnrs")
    OUT_DIR.mkdir(exist_ok=True)
    (OUT_DIR / "nav_sync-fake.log").unlink(missing_ok=True)

    fnrs = make_fnrs(args.fnrs, args.seed)
    known = fnrs[:: max(1, args.fnrs // args.citizens)][: args.citizens]
    results = []
    with tempfile.TemporaryDirectory(prefix="hjm_navbench-") as tmp:
        for kind in databases:
            result = bench_database(kind, args, fnrs, known, Path(tmp))
            result["known"] = known
            results.append(result)
    report = render(results, args)
    print(report)
    (OUT_DIR / "nav_sync.md").write_text(report)
    raw = [{k: v for k, v in r.items() if k != "known"} for r in results]
    (OUT_DIR / "nav_sync.json").write_text(json.dumps({"args": vars(args), "results": raw}, indent=2, default=str))
    log(f"written to {OUT_DIR / 'nav_sync.md'}")
    if args.profile:
        return 0
    return 0 if all(r["first_ok"] and r["resync_ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
