"""Maintenance plans and each unit's next periodic inspection (FOR-2013-11-29-1373): which plan covers
a product, when every unit under it is next due, and the one check that an overdue unit is not lent."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Integer, and_, delete, exists, func, insert, literal, literal_column, select
from sqlalchemy.orm import Session

from ...catalog.models import Product
from ...core.db import local_date
from ...core.errors import Conflict, NotFound, ValidationFailed
from ...core.text import local_today
from ...stock.events import DeviceRegistered, DeviceRetired
from ...stock.lifecycle import FINAL_STATES
from ...stock.models import Device
from ..checklists import CHECKLISTS, DEFAULT_CHECKLIST, Checklist, checklist_for
from ..models import Inspection, InspectionDue, MaintenancePlan

# The demo's and a new depot's plans: lifts and their slings every 6 months, ceiling and stationary
# lifts yearly, stair lifts and lifting platforms every 2 years, electric beds yearly.
DEFAULT_PLANS = (
    ("1236", "Personløftere og seil", 6, "lift"),
    ("123621", "Løfteseil", 6, "sling"),
    ("123606", "Stasjonære løftere (vegg)", 12, "lift"),
    ("123609", "Stasjonære løftere (gulv)", 12, "lift"),
    ("123612", "Takløftere", 12, "lift"),
    ("123615", "Frittstående løftere", 12, "lift"),
    ("1830", "Trappeheiser og løfteplattformer", 24, "general"),
    ("1812", "Elektriske senger", 12, "bed"),
)
CHECKLIST_NAMES = {checklist.name: checklist for checklist in (*CHECKLISTS.values(), DEFAULT_CHECKLIST)}
WARNING_DAYS = 30


@dataclass(frozen=True)
class Schedule:
    """What a product's units are inspected by: a plan (or the catalogue's interval in days)."""

    plan_id: int | None
    months: int | None
    days: int | None
    after_each_loan: bool
    checklist: Checklist

    @property
    def periodic(self) -> bool:
        return bool(self.months or self.days)


def _plan_covering(plans: list[MaintenancePlan], product_id: int, iso_class: str) -> MaintenancePlan | None:
    own = next((plan for plan in plans if plan.product_id == product_id), None)
    if own is not None:
        return own
    by_class = [plan for plan in plans if plan.iso_prefix and iso_class.startswith(plan.iso_prefix)]
    return max(by_class, key=lambda plan: len(plan.iso_prefix), default=None)


def _schedule(plan: MaintenancePlan | None, product: Product) -> Schedule:
    if plan is not None:
        return Schedule(plan.id, plan.interval_months, None, plan.after_each_loan,
                        CHECKLIST_NAMES.get(plan.checklist, checklist_for(product.iso_class)))
    # A product no plan covers keeps the catalogue's interval (days), with its type's checklist.
    return Schedule(None, None, product.inspection_interval_days, False, checklist_for(product.iso_class))


def schedule_for_product(session: Session, product: Product) -> Schedule:
    return _schedule(_plan_covering(list(session.scalars(select(MaintenancePlan))), product.id, product.iso_class),
                     product)


def schedules_by_product(session: Session, product_ids: list[int]) -> dict[int, Schedule]:
    """The schedule of each of these products, the plans read once."""
    plans = list(session.scalars(select(MaintenancePlan)))
    # The columns the schedule reads, not whole products: migration 0021 runs this on older schemas too.
    products = session.execute(select(Product.id, Product.iso_class, Product.inspection_interval_days)
                               .where(Product.id.in_(product_ids)))
    return {product.id: _schedule(_plan_covering(plans, product.id, product.iso_class), product)
            for product in products}


def due_expression(session: Session, base, months: int | None, days: int | None):
    """``base`` (a timestamp) as a local date plus the interval, written once per dialect so a single
    unit and a million are scheduled by the same statement."""
    day = local_date(base)
    if session.get_bind().dialect.name == "postgresql":
        step = literal_column(f"interval '{int(months)} months'" if months else f"interval '{int(days)} days'")
        return func.date(day + step)
    return func.date(day, f"+{int(months)} months" if months else f"+{int(days)} days")


def schedule_inspections(session: Session, product_ids: list[int] | None = None,
                         device_ids: list[int] | None = None) -> int:
    """(Re)compute the next periodic inspection of the units of these products (or these units, or all):
    from the last periodic inspection, else from registration, plus the plan's interval. Units whose
    product no longer has a periodic plan lose their due date. A constant number of statements per
    distinct plan, whatever the number of units; how many units are now scheduled."""
    plans = list(session.scalars(select(MaintenancePlan)))
    products = select(Product.id, Product.iso_class, Product.inspection_interval_days)
    if device_ids is not None:
        products = products.where(Product.id.in_(select(Device.product_id).where(Device.id.in_(device_ids))))
    elif product_ids is not None:
        products = products.where(Product.id.in_(product_ids))
    groups: dict[tuple, list[int]] = {}
    touched: list[int] = []
    for product in session.execute(products):
        schedule = _schedule(_plan_covering(plans, product.id, product.iso_class), product)
        touched.append(product.id)
        if schedule.periodic:
            groups.setdefault((schedule.plan_id, schedule.months, schedule.days), []).append(product.id)
    if not touched:
        return 0

    in_scope = select(Device.id).where(Device.product_id.in_(touched))
    if device_ids is not None:
        in_scope = in_scope.where(Device.id.in_(device_ids))
    session.execute(delete(InspectionDue).where(InspectionDue.device_id.in_(in_scope)))
    # Only a passed periodic inspection restarts the interval: a failed one leaves the unit due.
    passed = and_(Inspection.device_id == Device.id, Inspection.kind == "periodic", Inspection.passed.is_(True))
    last = (select(Inspection.id).where(passed).order_by(Inspection.inspected_at.desc(), Inspection.id.desc())
            .limit(1).scalar_subquery())
    last_at = select(func.max(Inspection.inspected_at)).where(passed).scalar_subquery()
    scheduled = 0
    for (plan_id, months, days), ids in groups.items():
        due = due_expression(session, func.coalesce(last_at, Device.registered_at), months, days)
        rows = (select(Device.id, Device.product_id, due, literal(plan_id, Integer), last)
                .where(Device.product_id.in_(ids), Device.state.not_in([s.value for s in FINAL_STATES])))
        if device_ids is not None:
            rows = rows.where(Device.id.in_(device_ids))
        result = session.execute(insert(InspectionDue).from_select(
            ["device_id", "product_id", "due_on", "plan_id", "last_inspection_id"], rows))
        scheduled += result.rowcount or 0
    session.flush()
    return scheduled


def schedule_registered_device(session: Session, event: DeviceRegistered) -> None:
    """Handler: a new unit is first due one interval after its registration."""
    schedule_inspections(session, device_ids=[event.device_id])


def drop_retired_device(session: Session, event: DeviceRetired) -> None:
    """Handler: a scrapped unit, or one back with NAV for good, is due for nothing (so counts of the due
    list need not look at the units' states)."""
    session.execute(delete(InspectionDue).where(InspectionDue.device_id == event.device_id))


def due_date(session: Session, device_id: int) -> date | None:
    return session.scalar(select(InspectionDue.due_on).where(InspectionDue.device_id == device_id))


def not_overdue_clause(today: date | None = None):
    """SQL: the unit is not past its periodic inspection (for queries choosing a unit to lend)."""
    return ~exists().where(InspectionDue.device_id == Device.id, InspectionDue.due_on < (today or local_today()))


def overdue_since(session: Session, device_id: int, today: date | None = None) -> date | None:
    """The date the unit's periodic inspection was due, if that is past; else None."""
    due = due_date(session, device_id)
    return due if due is not None and due < (today or local_today()) else None


def check_inspection_current(session: Session, device: Device, today: date | None = None) -> None:
    """An overdue unit is not reserved, picked or handed over until it has passed its periodic
    inspection; the refusal says when it was due."""
    due = overdue_since(session, device.id, today)
    if due is not None:
        raise Conflict(f"{device.barcode} skulle hatt periodisk kontroll {due.strftime('%d.%m.%Y')} og kan ikke "
                       "lånes ut før den er kontrollert.",
                       {"barcode": device.barcode, "due_on": due.isoformat()}, code="inspection_overdue")


# --- the plans themselves ---------------------------------------------------------------------

def plans_stmt():
    """Every plan, the ISO classes' first (by class), then the products' own: the list and its download."""
    return select(MaintenancePlan).order_by(MaintenancePlan.iso_prefix.nulls_last(), MaintenancePlan.product_id)


def list_plans(session: Session) -> list[MaintenancePlan]:
    return list(session.scalars(plans_stmt()))


def _validated(session: Session, values: dict) -> dict:
    if values.get("checklist") not in CHECKLIST_NAMES:
        raise ValidationFailed.for_field("checklist", "Ukjent sjekkliste. Velg en av: "
                                         + ", ".join(c.title for c in CHECKLIST_NAMES.values()) + ".")
    if not values.get("interval_months") and not values.get("after_each_loan"):
        raise ValidationFailed.for_field("interval_months", "Velg et intervall i måneder, kontroll etter hvert utlån, "
                                         "eller begge.")
    if bool(values.get("product_id")) == bool(values.get("iso_prefix")):
        raise ValidationFailed.for_field("iso_prefix", "En plan gjelder enten ett produkt eller en ISO-klasse.")
    if values.get("product_id") and session.get(Product, values["product_id"]) is None:
        raise ValidationFailed.for_field("product_id", f"Fant ikke produkt {values['product_id']}.")
    return values


def _affected_products(session: Session, plan: MaintenancePlan) -> list[int]:
    if plan.product_id:
        return [plan.product_id]
    return list(session.scalars(select(Product.id).where(Product.iso_class.startswith(plan.iso_prefix,
                                                                                        autoescape=True))))


def save_plan(session: Session, actor_id: int | None, values: dict, plan_id: int | None = None) -> MaintenancePlan:
    """Create or change a plan; the due dates of every unit it covers follow at once."""
    values = _validated(session, {key: values.get(key) for key in (
        "product_id", "iso_prefix", "name", "interval_months", "after_each_loan", "checklist", "note")})
    plan = session.get(MaintenancePlan, plan_id) if plan_id is not None else MaintenancePlan()
    if plan is None:
        raise NotFound(f"Fant ikke kontrollplan {plan_id}.", {"plan_id": plan_id})
    clash = select(MaintenancePlan.id).where(
        MaintenancePlan.product_id == values["product_id"] if values["product_id"]
        else MaintenancePlan.iso_prefix == values["iso_prefix"])
    if plan_id is not None:
        clash = clash.where(MaintenancePlan.id != plan_id)
    if session.scalar(clash):
        raise Conflict("Det finnes allerede en kontrollplan for dette " +
                       ("produktet." if values["product_id"] else "ISO-klassen."), {}, code="duplicate_plan")
    before = _affected_products(session, plan) if plan_id is not None else []
    for key, value in values.items():
        setattr(plan, key, value if key != "note" else (value or ""))
    plan.after_each_loan = bool(values.get("after_each_loan"))
    plan.updated_by_id = actor_id
    session.add(plan)
    session.flush()
    schedule_inspections(session, product_ids=sorted(set(before) | set(_affected_products(session, plan))))
    return plan


def delete_plan(session: Session, plan_id: int) -> None:
    plan = session.get(MaintenancePlan, plan_id)
    if plan is None:
        raise NotFound(f"Fant ikke kontrollplan {plan_id}.", {"plan_id": plan_id})
    affected = _affected_products(session, plan)
    session.execute(delete(InspectionDue).where(InspectionDue.plan_id == plan.id))
    session.delete(plan)
    session.flush()
    schedule_inspections(session, product_ids=affected)


def add_default_plans(session: Session, actor_id: int | None = None) -> int:
    """The usual plans for classes that have none yet (the demo; a new depot's first start)."""
    known = set(session.scalars(select(MaintenancePlan.iso_prefix).where(MaintenancePlan.iso_prefix.is_not(None))))
    added = [MaintenancePlan(iso_prefix=prefix, name=name, interval_months=months, after_each_loan=True,
                             checklist=checklist, updated_by_id=actor_id)
             for prefix, name, months, checklist in DEFAULT_PLANS if prefix not in known]
    session.add_all(added)
    session.flush()
    if added:
        schedule_inspections(session)
    return len(added)


def units_due_count(session: Session, until: date) -> int:
    return session.scalar(select(func.count()).select_from(InspectionDue).join(Device, and_(
        Device.id == InspectionDue.device_id, Device.state.not_in([s.value for s in FINAL_STATES])))
        .where(InspectionDue.due_on <= until)) or 0
