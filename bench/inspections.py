#!/usr/bin/env python
"""Periodic inspection at a million devices: the due list of a month (its first page with the month's
counts, per area and per month), the overdue list, one postcode area, a search by ISO class, recording
one periodic inspection, and a plan change that moves the due dates of every unit of its class; each
timed and its SQL statements counted.

    python bench/generate.py --database-url postgresql://postgres@127.0.0.1:5432/hjm_bench --devices 1000000
    python bench/inspections.py --database-url postgresql://postgres@127.0.0.1:5432/hjm_bench

Every run is inside a transaction that is rolled back. ``--prepare`` first gives every unit at a home
(on loan, awaiting pickup) a loan to a citizen in one of 40 postcodes, so the areas are real (it writes,
once per database). Target: the due list of a month < 200 ms.
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

from forecast import print_table  # noqa: E402
from pages import make_app  # noqa: E402

TARGETS = {"due list of a month (page + counts)": 200.0}


POSTCODES = [f"{6500 + n:04d}" for n in range(40)]


def prepare(app) -> None:
    """Loans for every unit at a home that has none, to 4,000 citizens spread over 40 postcodes."""
    import random

    from sqlalchemy import func, insert, select

    from hjelpemiddel.citizens.models import Citizen
    from hjelpemiddel.core.db import get_session, utcnow
    from hjelpemiddel.lending.models import Loan
    from hjelpemiddel.stock.models import Device

    with app.app_context():
        session = get_session()
        if session.scalar(select(func.count()).select_from(Citizen).where(Citizen.name.like("Kontroll %"))):
            return
        rng, now = random.Random("inspections"), utcnow()
        session.execute(insert(Citizen), [
            {"fnr_encrypted": "-", "fnr_hash": f"bench-inspections-{n}", "fnr_masked": "010101 *****",
             "name": f"Kontroll {n} Benk", "address": f"Vei {n}", "postcode": rng.choice(POSTCODES), "city": "",
             "kommunenummer": "1505", "created_at": now} for n in range(4000)])
        citizens = list(session.scalars(select(Citizen.id).where(Citizen.name.like("Kontroll %"))))
        lent = session.scalars(select(Device.id).where(Device.state.in_(("on_loan", "awaiting_pickup")),
                                                       ~select(Loan.id).where(Loan.device_id == Device.id,
                                                                              Loan.status != "ended").exists()))
        rows = [{"device_id": device_id, "citizen_id": rng.choice(citizens), "loan_type": "short_term",
                 "status": "active", "started_at": now, "received_by": "", "return_note": ""} for device_id in lent]
        for start in range(0, len(rows), 20_000):
            session.execute(insert(Loan), rows[start:start + 20_000])
        session.commit()
        print(f"prepared: {len(rows):,} loans to {len(citizens):,} citizens in {len(POSTCODES)} postcodes")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-targets", action="store_true")
    parser.add_argument("--prepare", action="store_true", help="loans behind the units at homes first (writes)")
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
    if args.prepare:
        prepare(app)
    with app.app_context():
        session = get_session()
        devices = session.scalar(select(func.count()).select_from(Device))
        scheduled = session.scalar(select(func.count()).select_from(InspectionDue))
        month = (local_today().replace(day=1) + timedelta(days=40)).strftime("%Y-%m")
        iso = session.scalar(select(func.substr(Product.iso_class, 1, 4)).join(Device, Device.product_id == Product.id)
                             .join(InspectionDue, InspectionDue.device_id == Device.id).limit(1))
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

    def month_view(s):
        services.due_list(s, month)
        services.due_summary(s, month)

    rows = [
        ("due list of a month (page + counts)", month_view),
        ("due list, overdue only (page)", lambda s: services.due_list(s, month, status="overdue")),
        ("due list, one postcode area (page)", lambda s: services.due_list(s, month, area=POSTCODES[7])),
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
    missed = print_table(app, rows, args.runs, TARGETS)
    return 1 if missed and not args.no_targets else 0


if __name__ == "__main__":
    sys.exit(main())
