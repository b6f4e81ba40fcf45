#!/usr/bin/env python
"""Planning a day's runs: time, SQL statements and route quality at 200 and 300 stops.

    python bench/planning.py                                  # SQLite in a temp dir
    python bench/planning.py --database-url postgresql://postgres@127.0.0.1:5432/hjm_planbench
    python bench/planning.py --small                          # 40 stops: a couple of seconds, for CI

Each scenario gets a fresh, migrated database (PostgreSQL: DROPPED and created again; its name must
start with hjm_planbench unless --force) holding one day's work as the lending process leaves it:
citizens spread over the municipality's postcodes, units reserved for their needs (a share of them
discharges from hospital: urgent) and loans whose units are to be collected. Then, through
``plan_runs`` as the planning page calls it, each followed by a commit:

1. first plan: every visit is created (one per door) and ordered into the day's run;
2. a share of the visits get time windows (as staff set them on the planning page);
3. re-plan: the same visits ordered again, now with their windows.

Until a geocoder places each door, a visit's position is its postcode's centre; the bench spreads
the visits --spread-km around it (seeded), as a geocoder would, so the routes have something to order.

For each plan the table has the wall time, the SQL statements sent (counted on the engine), and the
route: driving km and minutes and minutes late, against the route the old planner (bench/old_routing.py,
the app's algorithm before issue 12) makes of the same stops, and the old planner's time. The exit code
is 1 if a day of 300 stops or more takes 1 s or more to plan, or a route is worse than the old one.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import time as clock_time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, event, insert, select, text, update
from sqlalchemy.engine import make_url

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
OUT_DIR = BENCH_DIR / "out"
if str(REPO_DIR) not in sys.path:
    sys.path.append(str(REPO_DIR))  # after PYTHONPATH, so another checkout's app can be measured too
sys.path.insert(0, str(BENCH_DIR))

import old_routing  # noqa: E402  (the bench's own copy, next to this file)

TARGET_SECONDS, TARGET_STOPS = 1.0, 300
SCENARIOS = [(200, "mixed"), (300, "mixed"), (200, "urgent"), (300, "urgent")]
SMALL_SCENARIOS = [(40, "mixed"), (40, "urgent")]
URGENT_SHARE, COLLECT_SHARE, WINDOW_SHARE = 0.10, 0.25, 0.15
POSTCODES = ["6501", "6503", "6504", "6506", "6507", "6508", "6509", "6510", "6511", "6512", "6514", "6515",
             "6516", "6517", "6518", "6520", "6521", "6522", "6523"]


def log(message: str) -> None:
    print(f"[{time.monotonic() - T0:6.1f}s] {message}", file=sys.stderr, flush=True)


T0 = time.monotonic()


# --- databases ---------------------------------------------------------------------------------

def fresh_database(args, tmpdir: Path, name: str) -> str:
    if not args.database_url:
        path = tmpdir / f"{name}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return f"sqlite:///{path}"
    url = make_url(args.database_url)
    url = url.set(drivername="postgresql+psycopg") if url.drivername in ("postgresql", "postgres") else url
    if not (url.database or "").startswith("hjm_planbench") and not args.force:
        raise SystemExit(f"refusing to drop database {url.database!r}: its name must start with hjm_planbench "
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


class Counter:
    """SQL statements sent on the app's engine while counting."""

    def __init__(self, engine) -> None:
        self.count, self.active = 0, False
        event.listen(engine, "before_cursor_execute", self._before)

    def _before(self, *_args) -> None:
        if self.active:
            self.count += 1

    def __enter__(self):
        self.count, self.active = 0, True
        return self

    def __exit__(self, *exc) -> None:
        self.active = False


# --- the day's work ----------------------------------------------------------------------------

def seed_day(session, vault, stops: int, kind: str, seed: int):
    """``stops`` citizens, each with one visit's worth of work: a reserved unit to deliver (urgent for
    a share, or for all with kind "urgent") or, for a share of the mixed day, a loan to collect."""
    from hjelpemiddel.catalog.services import create_product
    from hjelpemiddel.citizens.services import register_citizen
    from hjelpemiddel.core.auth import create_user
    from hjelpemiddel.core.db import utcnow
    from hjelpemiddel.core.fnr import make_fnr
    from hjelpemiddel.core.ids import DEVICE_PREFIX, make_code
    from hjelpemiddel.lending.models import Loan, Need, Reservation
    from hjelpemiddel.stock.models import Device

    rng = random.Random(f"{seed}:day:{stops}:{kind}")
    lager = create_user(session, "bench-lager", "lager", "bench-passord-1", "Bench Lager")
    therapist = create_user(session, "bench-terapeut", "terapeut", "bench-passord-1", "Bench Terapeut")
    product = create_product(session, name="Rollator benk", iso_class="12060601", supplier="Benk")
    citizens, serial = [], 100
    for n in range(stops):
        while (fnr := make_fnr(f"{1 + n % 28:02d}{1 + n % 12:02d}{40 + n // 12 % 50:02d}", f"{serial:03d}")) is None:
            serial += 1
        serial = serial + 1 if serial < 498 else 100
        postcode = rng.choice(POSTCODES)
        citizens.append(register_citizen(session, vault, therapist.id, fnr, f"Innbygger {n + 1:03d} Benk",
                                         f"Benkveien {n + 1}, {postcode} Kristiansund", postcode, "1505",
                                         city="Kristiansund"))
    now = utcnow()
    collects = 0 if kind == "urgent" else round(stops * COLLECT_SHARE)
    deliveries = stops - collects
    urgent = deliveries if kind == "urgent" else round(stops * URGENT_SHARE)
    states = ["reserved"] * deliveries + ["on_loan"] * collects
    session.execute(insert(Device), [
        {"barcode": make_code(DEVICE_PREFIX, 7_000_000 + n), "product_id": product.id, "serial_number": f"B{n:07d}",
         "owner": "kommune", "condition": "good", "state": state, "registered_at": now, "updated_at": now}
        for n, state in enumerate(states)])
    devices = list(session.scalars(select(Device.id).order_by(Device.id)))
    urgent_at = set(rng.sample(range(deliveries), urgent))
    today = now.date()
    session.execute(insert(Need), [
        {"citizen_id": citizens[n].id, "product_id": product.id, "quantity": 1, "needed_by": today,
         "urgency": "discharge" if n in urgent_at else "normal", "urgency_rank": 0 if n in urgent_at else 2,
         "discharge_date": today if n in urgent_at else None, "delivery_address": citizens[n].address, "notes": "",
         "requested_by": "", "decision_reason": "", "application_type": "short_term", "status": "reserved",
         "registered_by_id": therapist.id, "registered_at": now, "status_changed_at": now}
        for n in range(deliveries)])
    needs = list(session.scalars(select(Need.id).order_by(Need.id)))
    session.execute(insert(Reservation), [
        {"need_id": need_id, "device_id": device_id, "status": "active", "created_by_id": lager.id,
         "created_at": now, "end_reason": ""} for need_id, device_id in zip(needs, devices[:deliveries])])
    if collects:
        session.execute(insert(Loan), [
            {"device_id": device_id, "citizen_id": citizens[deliveries + n].id, "loan_type": "short_term",
             "status": "return_requested", "started_at": now, "received_by": "", "return_reason": "need_ended",
             "return_note": "", "return_requested_at": now} for n, device_id in enumerate(devices[deliveries:])])
    session.commit()
    return lager.id, urgent


def spread_positions(spread_km: float, seed: int):
    """Stand in for a geocoder: each new visit somewhere within ``spread_km`` of its postcode's
    centre, the n-th visit in a postcode always at the same place."""
    import math

    from hjelpemiddel.logistics import geo
    from hjelpemiddel.logistics.services import visits

    made: dict[str, int] = {}

    def position(postcode: str):
        lat, lon = geo.postcode_position(postcode)
        if lat is None or not spread_km:
            return lat, lon
        made[postcode] = made.get(postcode, 0) + 1
        rng = random.Random(f"{seed}:{postcode}:{made[postcode]}")
        north, east = rng.uniform(-spread_km, spread_km), rng.uniform(-spread_km, spread_km)
        return lat + north / 111.2, lon + east / (111.2 * math.cos(math.radians(lat)))

    visits.postcode_position = position


def set_windows(session, seed: int) -> int:
    """Windows on a share of the open visits, as staff would set them: urgent ones to be there by
    10:00 or 11:00, others in the afternoon or between 10 and 12."""
    from hjelpemiddel.logistics.models import Stop

    rng = random.Random(f"{seed}:windows")
    stops = list(session.execute(select(Stop.id, Stop.urgent).where(Stop.status == "open").order_by(Stop.id)))
    chosen = sorted(rng.sample(range(len(stops)), round(len(stops) * WINDOW_SHARE)))
    rows = []
    for n in chosen:
        stop_id, urgent = stops[n]
        if urgent:
            window = (None, clock_time(rng.choice((10, 11)), 0))
        else:
            window = rng.choice(((clock_time(12, 0), None), (clock_time(10, 0), clock_time(12, 0))))
        rows.append({"id": stop_id, "window_start": window[0], "window_end": window[1]})
    if rows:
        session.execute(update(Stop), rows)
    session.commit()
    return len(rows)


# --- routes --------------------------------------------------------------------------------------

def route_points(stops):
    from hjelpemiddel.logistics.routing import RoutePoint

    def minutes(value):
        return value.hour * 60 + value.minute if value else None

    return [RoutePoint(s.id, s.latitude, s.longitude, s.postcode, s.urgent, minutes(s.window_start),
                       minutes(s.window_end)) for s in stops]


def measure_route(route, settings) -> dict:
    """Driving km and minutes, minutes late over all stops, and the planner's cost (driving plus
    ten times the lateness), from the depot and back."""
    clock, here, km, late = float(settings.start_minutes), settings.depot, 0.0, 0.0
    for point in route + [None]:
        there = settings.depot if point is None else old_routing._position(point, settings)
        leg = old_routing._km(here, there)
        km, clock = km + leg, clock + leg / settings.speed_kmh * 60
        if point is None:
            break
        if point.window_start is not None and clock < point.window_start:
            clock = float(point.window_start)
        if point.window_end is not None and clock > point.window_end:
            late += clock - point.window_end
        clock += settings.service_minutes
        here = there
    return {"km": km, "drive_min": km / settings.speed_kmh * 60, "late_min": late,
            "cost": old_routing.schedule_cost(route, settings)}


def compare_with_old(points_in_order, settings, with_old: bool) -> dict:
    from hjelpemiddel.logistics.routing import order_route

    by_key = {p.key: p for p in points_in_order}
    started = time.perf_counter()
    again = order_route(list(points_in_order), settings)
    routing_s = time.perf_counter() - started
    result = {"new": measure_route(points_in_order, settings), "routing_s": routing_s,
              "deterministic": again == [p.key for p in points_in_order]}
    if with_old:
        started = time.perf_counter()
        old = old_routing.order_route(list(points_in_order), settings)
        result["old_s"] = time.perf_counter() - started
        result["old"] = measure_route([by_key[k] for k in old], settings)
    return result


# --- one scenario --------------------------------------------------------------------------------

def run_scenario(args, tmpdir: Path, stops: int, kind: str) -> dict:
    from hjelpemiddel.core.db import declare_write_intent, get_database, reset_write_intent
    from hjelpemiddel.core.text import local_today
    from hjelpemiddel.logistics.geo import DEPOT_POSITION
    from hjelpemiddel.logistics.routing import RouteSettings
    from hjelpemiddel.logistics.services import plan_runs, run_stops

    name = f"hjm_planbench_{stops}_{kind}"
    spread_positions(args.spread_km, args.seed)
    url = fresh_database(args, tmpdir, name)
    app = make_app(url)
    database = get_database(app)
    counter = Counter(database.engine)
    token = declare_write_intent()
    result = {"stops": stops, "kind": kind, "server": server_facts(database.engine)}
    try:
        with app.app_context():
            session = database.session_factory()
            try:
                actor_id, result["urgent"] = seed_day(session, app.extensions["fnr_vault"], stops, kind, args.seed)
                run_date = local_today() + timedelta(days=1)
                settings = RouteSettings(depot=DEPOT_POSITION)
                for phase in ("first", "again"):
                    if phase == "again":
                        result["windows"] = set_windows(session, args.seed)
                    session.expunge_all()
                    with counter:
                        started = time.perf_counter()
                        runs = plan_runs(session, actor_id, run_date)
                        session.commit()
                        seconds = time.perf_counter() - started
                    planned = [s for run in runs for s in run_stops(session, run.id)]
                    if len(planned) != stops:
                        raise SystemExit(f"{name}: {len(planned)} visits planned, expected {stops}")
                    result[phase] = {"seconds": seconds, "statements": counter.count,
                                     **compare_with_old(route_points(planned), settings, not args.no_old)}
                    log(f"{stops} {kind} {phase}: {seconds:.3f} s, {counter.count} statements")
            finally:
                session.close()
    finally:
        reset_write_intent(token)
        database.engine.dispose()
    return result


# --- the table -----------------------------------------------------------------------------------

def verdicts(result: dict) -> list[str]:
    missed = []
    for phase in ("first", "again"):
        got = result[phase]
        if result["stops"] >= TARGET_STOPS and got["seconds"] >= TARGET_SECONDS:
            missed.append(f"{result['stops']} {result['kind']} {phase} plan took {got['seconds']:.2f} s")
        if "old" in got and got["new"]["cost"] > got["old"]["cost"] + 1e-6:
            missed.append(f"{result['stops']} {result['kind']} {phase} plan: route worse than the old planner's")
        if not got["deterministic"]:
            missed.append(f"{result['stops']} {result['kind']} {phase} plan: planning again changed the route")
    return missed


def render(results: list[dict], args) -> str:
    def route(measured):
        return f"{measured['km']:.1f} km / {measured['drive_min']:.0f} min / {measured['late_min']:.0f} late"

    out = [f"# Planning ({results[0]['server'] if results else ''})", "",
           f"Stops spread {args.spread_km} km around their postcode's centre (seed {args.seed}); one run; "
           f"windows on {WINDOW_SHARE:.0%} of the visits before planning again. Route: driving km / driving "
           f"minutes / minutes late summed over the stops.", "",
           "| stops | urgent | plan | windows | time | SQL statements | route (new) | route (old planner) "
           "| old planner's time | new ordering alone |",
           "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        for phase, label in (("first", "first"), ("again", "again")):
            got = r[phase]
            old = route(got["old"]) if "old" in got else "–"
            old_s = f"{got['old_s']:.2f} s" if "old_s" in got else "–"
            windows = r.get("windows", 0) if phase == "again" else 0
            out.append(f"| {r['stops']} | {r['urgent']} | {label} | {windows} | {got['seconds']:.3f} s "
                       f"| {got['statements']} | {route(got['new'])} | {old} | {old_s} | {got['routing_s']:.3f} s |")
    missed = [m for r in results for m in verdicts(r)]
    out += ["", "Targets: a day of 300 stops planned in < 1 s, routes no worse than the old planner's, the same "
                "stops planned again give the same route.",
            "Missed: " + "; ".join(missed) if missed else "All targets met."]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL: DROPPED and created again for each scenario; its name "
                                               "must start with hjm_planbench unless --force (default: SQLite files "
                                               "in a temp dir)")
    parser.add_argument("--force", action="store_true")
    parser.add_argument("--small", action="store_true", help="40 stops, mixed and all urgent: for CI")
    parser.add_argument("--stops", type=int, nargs="*", help="only these day sizes (mixed and all urgent)")
    parser.add_argument("--no-old", action="store_true", help="skip the old planner (slow for many urgent stops)")
    parser.add_argument("--spread-km", type=float, default=1.5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    scenarios = SMALL_SCENARIOS if args.small else SCENARIOS
    if args.stops:
        scenarios = [(n, kind) for n in args.stops for kind in ("mixed", "urgent")]
    results = []
    with tempfile.TemporaryDirectory(prefix="hjm_planbench-") as tmp:
        for stops, kind in scenarios:
            results.append(run_scenario(args, Path(tmp), stops, kind))
    report = render(results, args)
    print(report)
    if not args.small:
        OUT_DIR.mkdir(exist_ok=True)
        (OUT_DIR / "planning.md").write_text(report)
        (OUT_DIR / "planning.json").write_text(json.dumps({"args": vars(args), "results": results}, indent=2))
    return 1 if not args.small and any(verdicts(r) for r in results) else 0  # small: a check that it runs


if __name__ == "__main__":
    sys.exit(main())
