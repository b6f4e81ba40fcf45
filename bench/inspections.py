#!/usr/bin/env python
"""Periodic inspection at a million devices: the due list of a month (its first page with the month's
counts, per area and per month), the overdue list, one postcode area, a search by ISO class, recording
one periodic inspection, and a plan change that moves the due dates of every unit of its class; each
timed and its SQL statements counted.

    python bench/generate.py --database-url postgresql://postgres@127.0.0.1:5432/hjm_bench --devices 1000000
    python bench/inspections.py --database-url postgresql://postgres@127.0.0.1:5432/hjm_bench

Every run is inside a transaction that is rolled back. Target: the due list of a month < 200 ms.
Exit code 1 if a target is missed (unless --no-targets).
"""
from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR.parent) not in sys.path:
    sys.path.append(str(BENCH_DIR.parent))
sys.path.insert(0, str(BENCH_DIR))

from forecast import timed  # noqa: E402
from pages import make_app  # noqa: E402

TARGETS = {"due list of a month (page + counts)": 200.0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-targets", action="store_true")
    args = parser.parse_args()

    from sqlalchemy import func, select

    from hjelpemiddel.catalog.models import Product
    from hjelpemiddel.core.auth import User
    from hjelpemiddel.core.db import get_session
    from hjelpemiddel.core.text import local_today
    from hjelpemiddel.maintenance import services as maintenance
    from hjelpemiddel.maintenance.models import InspectionDue, MaintenancePlan
    from hjelpemiddel.stock.models import Device
    from hjelpemiddel.upkeep import services

    app = make_app(args.database_url)
    with app.app_context():
        session = get_session()
        devices = session.scalar(select(func.count()).select_from(Device))
        scheduled = session.scalar(select(func.count()).select_from(InspectionDue))
        month = (local_today().replace(day=1) + timedelta(days=40)).strftime("%Y-%m")
        iso = session.scalar(select(func.substr(Product.iso_class, 1, 4)).join(Device, Device.product_id == Product.id)
                             .join(InspectionDue, InspectionDue.device_id == Device.id).limit(1))
        area = session.scalar(select(func.min(InspectionDue.device_id)))  # any: an area with no units costs the same
        due_unit = session.scalar(select(Device.barcode).join(InspectionDue, InspectionDue.device_id == Device.id)
                                  .where(Device.state == "available").limit(1))
        actor = session.scalar(select(User.id).limit(1))
        plan = session.scalar(select(MaintenancePlan).order_by(MaintenancePlan.id).limit(1))
        plan_id = plan.id if plan else None
        plan_values = {"iso_prefix": plan.iso_prefix, "product_id": plan.product_id, "name": plan.name,
                       "interval_months": (plan.interval_months or 6) + 1, "after_each_loan": plan.after_each_loan,
                       "checklist": plan.checklist} if plan else None
        checklist = maintenance.checklist_for_device(session, due_unit) if due_unit else None
        session.rollback()
    del area

    def month_view(s):
        services.due_list(s, month)
        services.due_summary(s, month)

    rows = [
        ("due list of a month (page + counts)", month_view),
        ("due list, overdue only (page)", lambda s: services.due_list(s, month, status="overdue")),
        ("due list, one postcode area (page)", lambda s: services.due_list(s, month, area="6509")),
        (f"due list, ISO class {iso} (page + counts)",
         lambda s: (services.due_list(s, month, q=iso), services.due_summary(s, month, q=iso))),
    ]
    if due_unit and checklist:
        rows.append(("record one periodic inspection", lambda s: maintenance.record_periodic_inspection(
            s, actor, due_unit, {key: True for key in checklist.items})))
    if plan_values:
        covered = None
        with app.app_context():
            session = get_session()
            covered = session.scalar(select(func.count()).select_from(InspectionDue)
                                     .where(InspectionDue.plan_id == plan_id))
            session.rollback()
        rows.append((f"change a plan: re-schedule its {covered:,} units",
                     lambda s: maintenance.save_plan(s, actor, plan_values, plan_id)))
    print(f"\nPeriodic inspection at {devices:,} devices, {scheduled:,} under a plan (median of {args.runs} runs), "
          f"month {month}\n")
    print("| what | median ms | SQL statements | target | |")
    print("|---|---:|---:|---:|---|")
    missed = False
    for name, work in rows:
        ms, statements = timed(app, work, args.runs)
        target = TARGETS.get(name)
        ok = target is None or ms < target
        missed |= not ok
        print(f"| {name} | {ms:.1f} | {statements} | {f'< {target:.0f} ms' if target else '–'} | "
              f"{'' if target is None else ('ok' if ok else 'MISSED')} |")
    return 1 if missed and not args.no_targets else 0


if __name__ == "__main__":
    sys.exit(main())
