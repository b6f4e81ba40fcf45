#!/usr/bin/env python
"""The availability forecast at a million devices: one product's 30-day forecast, all products', an ISO
class's, and the backtest (one product, all), each timed and its SQL statements counted.

    python bench/generate.py --database-url postgresql://postgres@127.0.0.1:5432/hjm_bench --devices 1000000
    python bench/forecast.py --database-url postgresql://postgres@127.0.0.1:5432/hjm_bench

Read-only: every run is inside a transaction that is rolled back. ``--prepare`` first adds the needs,
loans, reservations and NAV lines generate.py does not make (bench/pages.py's ``prepare``; it writes,
once per database). Targets: one product < 100 ms, all products < 2 s. Exit code 1 if a target is
missed (unless --no-targets).
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR.parent) not in sys.path:
    sys.path.append(str(BENCH_DIR.parent))  # after PYTHONPATH, so another checkout's app can be measured too
sys.path.insert(0, str(BENCH_DIR))

from pages import make_app, prepare  # noqa: E402

TARGETS = {"one product, 30 days": 100.0, "all products, 30 days": 2000.0}


def timed(app, work, runs: int) -> tuple[float, int]:
    """The median of ``runs`` runs in ms (after one warm-up) and the SQL statements of one run."""
    from sqlalchemy import event

    from hjelpemiddel.core.db import get_database, get_session

    engine = get_database(app).engine
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    times = []
    with app.app_context():
        session = get_session()
        work(session)
        session.rollback()
        for _ in range(runs):
            statements.clear()
            event.listen(engine, "before_cursor_execute", count)
            start = time.perf_counter()
            work(session)
            times.append((time.perf_counter() - start) * 1000)
            event.remove(engine, "before_cursor_execute", count)
            session.rollback()
    return statistics.median(times), len(statements)


def print_table(app, rows, runs: int, targets: dict[str, float]) -> bool:
    """Each row's work timed (``timed``) as a Markdown table with its target; whether one was missed."""
    print("| what | median ms | SQL statements | target | |")
    print("|---|---:|---:|---:|---|")
    missed = False
    for name, work in rows:
        ms, statements = timed(app, work, runs)
        target = targets.get(name)
        ok = target is None or ms < target
        missed |= not ok
        print(f"| {name} | {ms:.1f} | {statements} | {f'< {target:.0f} ms' if target else '–'} | "
              f"{'' if target is None else ('ok' if ok else 'MISSED')} |")
    return missed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--prepare", action="store_true", help="add needs, loans and NAV lines first (writes)")
    parser.add_argument("--no-targets", action="store_true")
    parser.add_argument("--today", type=date.fromisoformat, default=None,
                        help="the forecast's day (default: the day of the latest event, so the measured history "
                             "and the backtest's window hold what the generator wrote)")
    args = parser.parse_args()

    from sqlalchemy import func, select

    from hjelpemiddel.catalog.models import Product
    from hjelpemiddel.core.db import get_session
    from hjelpemiddel.forecast import services
    from hjelpemiddel.stock.models import Device, DeviceEvent

    app = make_app(args.database_url)
    if args.prepare:
        prepare(app)
    with app.app_context():
        session = get_session()
        devices = session.scalar(select(func.count()).select_from(Device))
        events = session.scalar(select(func.count()).select_from(DeviceEvent))
        product_ids = list(session.scalars(select(Product.id).order_by(Product.id)))
        classes = list(session.scalars(select(func.substr(Product.iso_class, 1, 4)).distinct()))
        latest = session.scalar(select(func.max(DeviceEvent.occurred_at)))
        today = args.today or (latest.date() if latest else date.today())
        session.rollback()
    rng = random.Random(1)
    picks = iter(rng.choice(product_ids) for _ in range(10_000))
    class_picks = iter(rng.choice(classes) for _ in range(10_000))

    rows = [
        ("one product, 30 days", lambda s: services.forecast_products(s, product_id=next(picks), days=30, as_of=today)),
        ("one ISO class (4 digits), 30 days",
         lambda s: services.forecast_iso_class(s, next(class_picks), days=30, as_of=today)),
        ("all products, 30 days", lambda s: services.forecast_products(s, days=30, as_of=today)),
        ("backtest, one product, 30 days ago",
         lambda s: services.backtest_forecast(s, 30, product_id=next(picks), today=today)),
        ("backtest, all products, 30 days ago", lambda s: services.backtest_forecast(s, 30, today=today)),
    ]
    print(f"\nForecast at {devices:,} devices, {events:,} events, {len(product_ids)} products "
          f"(median of {args.runs} runs), as of {today}\n")
    missed = print_table(app, rows, args.runs, TARGETS)
    return 1 if missed and not args.no_targets else 0


if __name__ == "__main__":
    sys.exit(main())
