"""Failure figures per product (feilstatistikk): repairs per 100 loan-months in a period, how many
repairs, and their most common causes, worst first. The exposure (loan-months) is read in SQL from
the units' history: every stretch a unit spent on loan, cut to the period, in 30.44-day months. The
figures themselves come from a pure function over per-product rows, so they are tested with
hand-made numbers. Plain data out: the reports of issue 15 build on it."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, case, extract, func, literal, or_, select
from sqlalchemy.orm import Session

from ...catalog.models import Product
from ...core.db import LOCAL_ZONE, UtcDateTime
from ...core.errors import ValidationFailed
from ...stock.lifecycle import DeviceState
from ...stock.models import Device, DeviceEvent
from ..models import REPAIR_CAUSES, RepairOrder

MONTH_DAYS = 30.44
# Below this exposure a product's rate says more about chance than about the product: it is listed
# after the others, without a rate.
MIN_LOAN_MONTHS = 6.0
TOP_CAUSES = 3
NO_CAUSE_LABEL = "Ikke oppgitt"
ON_LOAN = DeviceState.ON_LOAN.value


@dataclass(frozen=True)
class ProductRow:
    """What the database says of one product in the period: the input of ``figures_from_rows``."""

    product_id: int
    name: str
    hms_nr: str | None
    iso_class: str
    loan_days: float
    causes: dict = field(default_factory=dict)  # cause (None: not given) → repairs


@dataclass(frozen=True)
class CauseCount:
    cause: str | None
    label: str
    count: int


@dataclass(frozen=True)
class FailureFigure:
    product_id: int
    product_name: str
    hms_nr: str | None
    iso_class: str
    repairs: int
    loan_months: float
    repairs_per_100_loan_months: float | None  # None: too little exposure to say
    top_causes: list[CauseCount]


def cause_label(cause: str | None) -> str:
    return REPAIR_CAUSES.get(cause, NO_CAUSE_LABEL) if cause else NO_CAUSE_LABEL


def _top_causes(causes: dict) -> list[CauseCount]:
    order = list(REPAIR_CAUSES)
    ranked = sorted(((c, n) for c, n in causes.items() if n), key=lambda item: (
        -item[1], order.index(item[0]) if item[0] in order else len(order)))
    return [CauseCount(cause, cause_label(cause), count) for cause, count in ranked[:TOP_CAUSES]]


def figures_from_rows(rows: list[ProductRow], min_loan_months: float = MIN_LOAN_MONTHS) -> list[FailureFigure]:
    """Worst first: by repairs per 100 loan-months, then by repairs; products with less exposure than
    ``min_loan_months`` come last, by repairs, without a rate."""
    figures = []
    for row in rows:
        months = row.loan_days / MONTH_DAYS
        repairs = sum(row.causes.values())
        rate = round(100 * repairs / months, 1) if months >= min_loan_months and months > 0 else None
        figures.append(FailureFigure(row.product_id, row.name, row.hms_nr, row.iso_class, repairs, round(months, 1),
                                     rate, _top_causes(row.causes)))
    return sorted(figures, key=lambda f: (f.repairs_per_100_loan_months is None,
                                          -(f.repairs_per_100_loan_months or 0), -f.repairs, f.product_name,
                                          f.product_id))


def _days_between(session: Session, later, earlier):
    if session.get_bind().dialect.name == "postgresql":
        return extract("epoch", later - earlier) / 86400.0
    return func.julianday(later) - func.julianday(earlier)


def _scope(stmt, product_id: int | None, iso_class: str | None):
    if product_id is not None:
        stmt = stmt.where(Device.product_id == product_id)
    if iso_class:
        stmt = stmt.where(Product.iso_class.startswith(iso_class))
    return stmt


def loan_days_by_product(session: Session, start: datetime, end: datetime, product_id: int | None = None,
                         iso_class: str | None = None) -> dict[int, float]:
    """Days on loan in [start, end) per product, in one statement: the history's steps onto and off a
    loan, each start paired with the next step (LEAD), cut to the period and summed."""
    boundary = or_(and_(DeviceEvent.to_state == ON_LOAN, func.coalesce(DeviceEvent.from_state, "") != ON_LOAN),
                   and_(DeviceEvent.from_state == ON_LOAN, func.coalesce(DeviceEvent.to_state, "") != ON_LOAN))
    steps = _scope(
        select(Device.product_id, DeviceEvent.occurred_at.label("at"),
               case((DeviceEvent.to_state == ON_LOAN, 1), else_=0).label("starts"),
               func.lead(DeviceEvent.occurred_at).over(partition_by=DeviceEvent.device_id,
                                                       order_by=(DeviceEvent.occurred_at, DeviceEvent.id))
               .label("next_at"))
        .join(Device, Device.id == DeviceEvent.device_id).join(Product, Product.id == Device.product_id)
        .where(DeviceEvent.occurred_at < end, boundary), product_id, iso_class).subquery()
    first, last = literal(start, UtcDateTime()), literal(end, UtcDateTime())
    began = case((steps.c.at < first, first), else_=steps.c.at)
    ended = case((steps.c.next_at.is_(None), last), (steps.c.next_at > last, last), else_=steps.c.next_at)
    stmt = (select(steps.c.product_id, func.sum(_days_between(session, ended, began)))
            .where(steps.c.starts == 1, or_(steps.c.next_at.is_(None), steps.c.next_at > first))
            .group_by(steps.c.product_id))
    return {product: float(days or 0) for product, days in session.execute(stmt)}


def repair_causes_by_product(session: Session, start: datetime, end: datetime, product_id: int | None = None,
                             iso_class: str | None = None) -> dict[int, Counter]:
    """Repairs opened in [start, end) per product and cause."""
    stmt = _scope(select(Device.product_id, RepairOrder.cause, func.count())
                  .join(Device, Device.id == RepairOrder.device_id).join(Product, Product.id == Device.product_id)
                  .where(RepairOrder.created_at >= start, RepairOrder.created_at < end)
                  .group_by(Device.product_id, RepairOrder.cause), product_id, iso_class)
    causes: dict[int, Counter] = {}
    for product, cause, count in session.execute(stmt):
        causes.setdefault(product, Counter())[cause] += count
    return causes


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LOCAL_ZONE)


def failure_figures(session: Session, date_from: date, date_to: date, product_id: int | None = None,
                    iso_class: str | None = None, min_loan_months: float = MIN_LOAN_MONTHS) -> list[FailureFigure]:
    """Per product with loans or repairs in the period (both days included, local time), worst first."""
    if date_to < date_from:
        raise ValidationFailed.for_field("date_to", "Til-dato kan ikke være før fra-dato.")
    start, end = _start_of(date_from), _start_of(date_to + timedelta(days=1))
    iso_class = (iso_class or "").replace(" ", "") or None
    loan_days = loan_days_by_product(session, start, end, product_id, iso_class)
    causes = repair_causes_by_product(session, start, end, product_id, iso_class)
    ids = set(loan_days) | set(causes)
    if not ids:
        return []
    products = session.execute(select(Product.id, Product.name, Product.hms_nr, Product.iso_class)
                               .where(Product.id.in_(ids)))
    rows = [ProductRow(pid, name, hms_nr, iso, loan_days.get(pid, 0.0), dict(causes.get(pid, {})))
            for pid, name, hms_nr, iso in products]
    return figures_from_rows(rows, min_loan_months)
