#!/usr/bin/env python
"""Management figures at a million devices: every report area's figures and charts for a year, and
the rows behind each figure's first page, each timed and its SQL statements counted.

    python bench/generate.py --database-url postgresql://postgres@127.0.0.1:5432/hjm_bench --devices 1000000
    python bench/reports.py --database-url postgresql://postgres@127.0.0.1:5432/hjm_bench --prepare

``--prepare`` (PostgreSQL only, once per database) writes the lending and logistics history that
``generate.py`` leaves out, derived from the units' own history so that the two agree: a loan, and the
need it served, for every stretch a unit spent on loan; a delivery and a collection visit on the day's
runs; an inspection for every unit that left inspection; a repair order for every stretch in repair.
Every measured run is inside a transaction that is rolled back. Target: each area's year < 1 s.
Exit code 1 if a target is missed (unless --no-targets).
"""
from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR.parent) not in sys.path:
    sys.path.append(str(BENCH_DIR.parent))
sys.path.insert(0, str(BENCH_DIR))

from forecast import print_table  # noqa: E402
from pages import make_app  # noqa: E402

TARGET_MS = 1000.0
POSTCODES = 40
CITIZENS = 50_000

# Each statement derives one table from the units' history; ``hashtext`` spreads the made-up values
# (urgency, waiting, outcomes) deterministically, so two prepared databases hold the same figures.
PREPARE_SQL = [
    f"""INSERT INTO citizens (fnr_encrypted, fnr_hash, fnr_masked, name, address, postcode, city, kommunenummer,
                              phone, access_notes, contact_name, contact_phone, created_at)
        SELECT '-', 'bench-reports-' || n, '010101 *****', 'Rapport ' || n || ' Benk', 'Vei ' || n,
               (6500 + n % {POSTCODES})::text, '', '1505', '', '', '', '', now()
        FROM generate_series(1, {CITIZENS}) AS n""",
    """CREATE TEMP TABLE bench_loans AS
       SELECT row_number() OVER (ORDER BY started_at, device_id) AS n, device_id, product_id, started_at,
              -- a unit's last stretch on loan is open unless it already has an open loan (inspections.py's)
              CASE WHEN next_at IS NOT NULL THEN next_at
                   WHEN EXISTS (SELECT 1 FROM loans o WHERE o.device_id = e.device_id AND o.status <> 'ended')
                   THEN started_at + interval '30 days' END AS ended_at
       FROM (SELECT e.device_id, d.product_id, e.occurred_at AS started_at, e.to_state, e.from_state,
                    lead(e.occurred_at) OVER w AS next_at, lead(e.to_state) OVER w AS next_state
             FROM device_events e JOIN devices d ON d.id = e.device_id
             WINDOW w AS (PARTITION BY e.device_id ORDER BY e.occurred_at, e.id)) AS e
       WHERE to_state = 'on_loan' AND from_state IS DISTINCT FROM 'on_loan'""",
    "ALTER TABLE bench_loans ADD COLUMN need_id integer, ADD COLUMN citizen_id integer, ADD COLUMN h integer",
    f"""UPDATE bench_loans SET h = abs(hashtext(n::text)) % 1000,
                              need_id = (SELECT coalesce(max(id), 0) FROM needs) + n,
                              citizen_id = (SELECT min(id) FROM citizens WHERE fnr_hash LIKE 'bench-reports-%')
                                           + (abs(hashtext('c' || n)) % {CITIZENS})""",
    """INSERT INTO needs (id, citizen_id, product_id, quantity, needed_by, urgency, urgency_rank, discharge_date,
                          delivery_address, notes, requested_by, application_type, status, nav_status,
                          decision_reason, decided_by_id, decided_at, registered_by_id, registered_at,
                          status_changed_at, delivered_at, lead_time_minutes, closed_at)
       SELECT need_id, citizen_id, product_id, 1,
              (registered_at + interval '1 day' * (2 + h % 14))::date,
              CASE WHEN h < 100 THEN 'discharge' WHEN h < 300 THEN 'urgent' ELSE 'normal' END,
              CASE WHEN h < 100 THEN 0 WHEN h < 300 THEN 1 ELSE 2 END,
              CASE WHEN h < 100 THEN (registered_at + interval '1 day' * (1 + h % 4))::date END,
              'Vei ' || citizen_id, '', '', CASE WHEN h % 5 = 0 THEN 'long_term' ELSE 'short_term' END,
              CASE WHEN ended_at IS NULL THEN 'on_loan' ELSE 'closed' END,
              CASE WHEN h % 5 = 0 THEN 'received' END, '', 1,
              registered_at + (started_at - registered_at) / 3, 1, registered_at, started_at, started_at,
              (extract(epoch FROM started_at - registered_at) / 60)::int, ended_at
       FROM (SELECT *, started_at - interval '1 hour' * (4 + (h * 7919) % (CASE WHEN h < 300 THEN 72 ELSE 600 END))
                       AS registered_at FROM bench_loans) AS l""",
    "SELECT setval('needs_id_seq', (SELECT max(id) FROM needs))",
    """INSERT INTO need_events (need_id, occurred_at, actor_id, kind, status, device_id, note)
       SELECT id, registered_at, 1, 'registered', 'registered', NULL, '' FROM needs
       WHERE id IN (SELECT need_id FROM bench_loans)
       UNION ALL
       SELECT need_id, started_at, 1, 'delivered', 'on_loan', device_id, '' FROM bench_loans""",
    """INSERT INTO loans (device_id, citizen_id, need_id, loan_type, status, started_at, expected_end, received_by,
                          return_reason, return_note, ended_at)
       SELECT device_id, citizen_id, need_id, CASE WHEN h % 5 = 0 THEN 'long_term' ELSE 'short_term' END,
              CASE WHEN ended_at IS NULL THEN 'active' ELSE 'ended' END, started_at,
              (started_at + interval '90 days')::date, '',
              CASE WHEN ended_at IS NOT NULL THEN 'need_ended' END, '', ended_at
       FROM bench_loans""",
    # Three vans a day: a visit per delivery and per collection, in the day's runs.
    """CREATE TEMP TABLE bench_visits AS
       SELECT l.n, l.device_id, l.citizen_id, l.need_id, lo.id AS loan_id, 'deliver' AS action,
              l.started_at AS at, (l.started_at AT TIME ZONE 'Europe/Oslo')::date AS day, l.h
       FROM bench_loans l JOIN loans lo ON lo.need_id = l.need_id
       UNION ALL
       SELECT l.n, l.device_id, l.citizen_id, NULL, lo.id, 'collect', l.ended_at,
              (l.ended_at AT TIME ZONE 'Europe/Oslo')::date, l.h
       FROM bench_loans l JOIN loans lo ON lo.need_id = l.need_id WHERE l.ended_at IS NOT NULL""",
    """INSERT INTO delivery_runs (run_date, driver_id, status, odometer_start, odometer_end, departed_at,
                                  returned_at, note, created_at)
       SELECT day, 3, 'finished', 10000 + van * 100, 10000 + van * 100 + 6 * count(*),
              min(at) - interval '1 hour', max(at) + interval '1 hour', 'bench-reports-' || van, min(at)
       FROM (SELECT day, at, h % 3 AS van FROM bench_visits) AS v GROUP BY day, van""",
    """INSERT INTO stops (run_id, sequence, citizen_id, need_id, address, postcode, urgent, status, outcome_note,
                          received_by, completed_at, note, created_at)
       SELECT r.id, row_number() OVER (PARTITION BY r.id ORDER BY v.at, v.n, v.action), v.citizen_id, v.need_id,
              c.address, c.postcode, v.h < 300,
              CASE WHEN v.h % 50 = 7 THEN 'failed' ELSE 'done' END, '', '', v.at, 'bench-' || v.action || '-' || v.n,
              v.at - interval '1 day'
       FROM bench_visits v JOIN citizens c ON c.id = v.citizen_id
       JOIN delivery_runs r ON r.run_date = v.day AND r.note = 'bench-reports-' || (v.h % 3)""",
    """INSERT INTO stop_items (stop_id, device_id, loan_id, action, active, outcome, completed_at, removed_reason)
       SELECT s.id, v.device_id, v.loan_id, v.action, false,
              CASE WHEN s.status = 'failed' THEN CASE WHEN v.h % 2 = 0 THEN 'not_home' ELSE 'refused' END
                   WHEN v.action = 'deliver' THEN 'delivered' ELSE 'collected' END, v.at, ''
       FROM bench_visits v JOIN stops s ON s.note = 'bench-' || v.action || '-' || v.n""",
    """INSERT INTO inspections (device_id, inspected_at, inspector_id, checklist, results, passed, outcome, note,
                                kind, place, next_due_on)
       SELECT device_id, occurred_at, 1, 'standard', '{}', to_state = 'available',
              CASE WHEN to_state = 'available' THEN 'available' ELSE 'in_repair' END, '',
              CASE WHEN id % 10 = 0 THEN 'periodic' ELSE 'after_loan' END, 'depot',
              CASE WHEN id % 10 = 0 THEN (occurred_at + interval '6 months')::date END
       FROM device_events WHERE from_state = 'inspection' AND kind = 'state_changed'""",
    """INSERT INTO repair_orders (device_id, place, status, description, work_done, minutes_spent, parts_used,
                                  created_by_id, created_at, completed_at, cause)
       SELECT device_id, CASE WHEN id % 7 = 0 THEN 'home' ELSE 'depot' END,
              CASE WHEN next_at IS NULL THEN 'open' ELSE 'done' END, 'Benk', '', 20 + id % 100, '[]', 1,
              occurred_at, next_at,
              (ARRAY['wear', 'damage', 'electrical', 'mechanical', 'battery', NULL])[1 + id % 6]
       FROM (SELECT id, device_id, occurred_at, to_state, from_state,
                    lead(occurred_at) OVER (PARTITION BY device_id ORDER BY occurred_at, id) AS next_at
             FROM device_events) AS e
       WHERE to_state = 'in_repair' AND from_state IS DISTINCT FROM 'in_repair'""",
]


def prepare(database_url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.orm import Session

    from hjelpemiddel.reports.waits import rebuild_need_waits

    engine = create_engine(database_url)
    if engine.dialect.name != "postgresql":
        print("--prepare needs PostgreSQL; measuring what the database holds")
        return
    with engine.begin() as connection:
        if connection.scalar(text("SELECT count(*) FROM citizens WHERE fnr_hash = 'bench-reports-1'")):
            print("prepared already")
            return
        for statement in PREPARE_SQL:
            started = time.perf_counter()
            result = connection.execute(text(statement))
            print(f"[{time.perf_counter() - started:6.1f}s] {statement.split()[0:3]} {result.rowcount:,} rows")
        started = time.perf_counter()
        written = rebuild_need_waits(Session(bind=connection))  # the needs came in bulk, without their events
        print(f"[{time.perf_counter() - started:6.1f}s] need_waits {written:,} rows")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--year", type=int, default=2022, help="the year measured (generate.py's history ends in 2023)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-targets", action="store_true")
    parser.add_argument("--prepare", action="store_true", help="the lending and logistics history first (writes)")
    args = parser.parse_args()
    if args.prepare:
        prepare(args.database_url)

    from hjelpemiddel.core.db import get_session
    from hjelpemiddel.reports.areas import AREAS
    from hjelpemiddel.reports.model import Scope

    app = make_app(args.database_url)
    scope = Scope(date(args.year, 1, 1), date(args.year + 1, 1, 1))
    rows, targets = [], {}
    with app.app_context():
        session = get_session()
        figures = {key: [figure.key for figure in area.build(session, scope).figures] for key, area in AREAS.items()}
        session.rollback()
    filtered = {"postcode area 651": Scope(scope.start, scope.end, "651"),
                "product group 12": Scope(scope.start, scope.end, None, "12")}
    rows.append((f"every area of {args.year} (the overview page)",
                 lambda s: [area.build(s, scope) for area in AREAS.values()]))
    targets[rows[-1][0]] = TARGET_MS * len(AREAS)
    for key, area in AREAS.items():
        for label, narrowed in filtered.items():
            rows.append((f"{key}: {args.year}, {label}", lambda s, area=area, narrowed=narrowed: area.build(s, narrowed)))
            targets[rows[-1][0]] = TARGET_MS
        name = f"{key}: every figure and chart of {args.year}"
        rows.append((name, lambda s, area=area: area.build(s, scope)))
        targets[name] = TARGET_MS
        rows += [(f"{key}: rows behind {figure}, first page", lambda s, area=area, figure=figure: area.rows(s, scope, figure, 1))
                 for figure in figures[key]]
    missed = print_table(app, rows, args.runs, targets)
    return 1 if missed and not args.no_targets else 0


if __name__ == "__main__":
    sys.exit(main())
