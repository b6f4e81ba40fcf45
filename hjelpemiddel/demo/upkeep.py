"""The demo's maintenance plans and periodic inspections: the usual plans, and for every unit under
one a last periodic inspection somewhere in its interval, so the due list spreads over the coming
months — but for two lifts on the shelf whose inspection is overdue (scenario 5)."""
from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ..catalog.models import Product
from ..maintenance import services as maintenance
from ..maintenance.models import Inspection, InspectionDue, MaintenancePlan
from ..stock.models import Device

_AT_HOME = ("on_loan", "awaiting_pickup")
_OVERDUE_LIFTS = 2


def load_demo_inspections(session: Session, rng: random.Random, actor_id: int | None, today: datetime) -> dict[str, int]:
    maintenance.add_default_plans(session, actor_id)
    rows = session.execute(
        select(Device.id, Device.state, Device.registered_at, Product.iso_class, MaintenancePlan.interval_months,
               MaintenancePlan.checklist)
        .join(InspectionDue, InspectionDue.device_id == Device.id)
        .join(MaintenancePlan, MaintenancePlan.id == InspectionDue.plan_id)
        .join(Product, Product.id == Device.product_id)
        .order_by(Device.id)).all()
    overdue = {row.id for row in rows if row.iso_class.startswith("1236") and not row.iso_class.startswith("123621")
               and row.state == "available"}
    overdue = set(sorted(overdue)[:_OVERDUE_LIFTS])
    inspections = []
    for row in rows:
        days = row.interval_months * 30
        ago = days + rng.randrange(5, 40) if row.id in overdue else rng.randrange(1, days - 3)
        inspected = today - timedelta(days=ago, hours=-rng.randrange(8, 15))
        if inspected < row.registered_at:
            continue  # too new to have had one: due from its registration
        checklist = maintenance.CHECKLIST_NAMES[row.checklist]
        inspections.append({"device_id": row.id, "inspected_at": inspected, "inspector_id": actor_id,
                            "checklist": checklist.name, "results": {key: True for key in checklist.items},
                            "passed": True, "outcome": row.state, "note": "Periodisk kontroll bestått",
                            "kind": "periodic", "place": "home" if row.state in _AT_HOME else "depot"})
    if inspections:
        session.execute(insert(Inspection), inspections)
    maintenance.schedule_inspections(session)
    return {"kontrollplaner": len(maintenance.list_plans(session)), "periodiske kontroller": len(inspections)}
