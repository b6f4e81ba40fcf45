"""Gjenbruk's gathering, summed in SQL: deliveries (loans started) and whether their unit had been lent
before, with the product's replacement value; units scrapped and why; turnarounds (the forecast's
definition) per product group; days on loan against days in stock per product group; idle units."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, case, exists, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from ...catalog.models import Product
from ...citizens.models import Citizen
from ...forecast.gathering import turnaround_trips
from ...lending.models import Loan
from ...stock.lifecycle import DeviceState as S
from ...stock.models import Device, DeviceEvent
from ..model import Scope
from ._calendar import chart_months, days_between, gather_start, month_index, utc_start

GROUP_DIGITS = 4
IDLE_DAYS = 365
RETIRED = (S.SCRAPPED.value, S.RETURNED_TO_NAV.value)


@dataclass(frozen=True)
class DeliveryCount:
    month: int  # chart month index, -1 before the chart
    deliveries: int
    reused: int
    value: int  # replacement value of all deliveries with one
    reused_value: int
    valued: int  # deliveries whose product has a value
    scoped: bool


@dataclass(frozen=True)
class GroupDays:
    group: str  # ISO class, first four digits
    days: float
    count: int


@dataclass(frozen=True)
class GroupUse:
    group: str
    loan_days: float
    unit_days: float


def group_filter(scope: Scope):
    return Product.iso_class.startswith(scope.product_group) if scope.product_group else True


def earlier_loan():
    before = aliased(Loan)
    return exists().where(before.device_id == Loan.device_id, before.started_at < Loan.started_at)


def deliveries(scope: Scope, *columns):
    stmt = (select(*columns).join(Device, Device.id == Loan.device_id).join(Product, Product.id == Device.product_id)
            .where(group_filter(scope)))
    if scope.postcode_area:
        stmt = stmt.join(Citizen, Citizen.id == Loan.citizen_id).where(Citizen.postcode.startswith(scope.postcode_area))
    return stmt


def first_loans():
    """Each unit's first loan start: a delivery after it was by a unit lent before (one hash join,
    cheaper than asking per delivery)."""
    return select(Loan.device_id, func.min(Loan.started_at).label("first")).group_by(Loan.device_id).subquery()


def delivery_counts(session: Session, scope: Scope) -> list[DeliveryCount]:
    months = chart_months(scope)
    month = month_index(Loan.started_at, months).label("month")
    scoped = (Loan.started_at >= utc_start(scope.start)).label("scoped")
    first = first_loans()
    reused = Loan.started_at > first.c.first
    value = func.coalesce(Product.replacement_value, 0)
    stmt = deliveries(scope, month, scoped, func.count(), func.sum(case((reused, 1), else_=0)), func.sum(value),
                      func.sum(case((reused, value), else_=0)), func.count(Product.replacement_value)).join(
        first, first.c.device_id == Loan.device_id).where(
        Loan.started_at >= utc_start(gather_start(scope)), Loan.started_at < utc_start(scope.end))
    return [DeliveryCount(index if index < len(months) else -1, count, reused or 0, value or 0, reused_value or 0,
                          valued or 0, bool(in_scope))
            for index, in_scope, count, reused, value, reused_value, valued in session.execute(
                stmt.group_by(month, scoped))]


def scrapped_by_reason(session: Session, scope: Scope) -> dict[str, int]:
    reason = func.coalesce(func.nullif(DeviceEvent.note, ""), literal("Ikke oppgitt")).label("reason")
    stmt = (select(reason, func.count()).join(Device, Device.id == DeviceEvent.device_id)
            .join(Product, Product.id == Device.product_id)
            .where(DeviceEvent.to_state == S.SCRAPPED.value, DeviceEvent.occurred_at >= utc_start(scope.start),
                   DeviceEvent.occurred_at < utc_start(scope.end), group_filter(scope)).group_by(reason))
    return dict(session.execute(stmt).all())


def turnarounds(session: Session, scope: Scope) -> list[GroupDays]:
    in_group = Device.product_id.in_(select(Product.id).where(group_filter(scope))) if scope.product_group else True
    trips = turnaround_trips(session, utc_start(scope.start), utc_start(scope.end), in_group)
    group = func.substr(Product.iso_class, 1, GROUP_DIGITS).label("group")
    stmt = (select(group, trips.c.took, func.count()).join(Product, Product.id == trips.c.product_id)
            .where(trips.c.took.is_not(None)).group_by(group, trips.c.took))
    return [GroupDays(key, float(took), count) for key, took, count in session.execute(stmt)]


def utilisation(session: Session, scope: Scope) -> list[GroupUse]:
    """Per product group: days on loan in the period (each loan cut to it) and days the units were in
    the municipality's hands (from registration, or the period's start; a retired unit counts to its
    last change)."""
    start, end = utc_start(scope.start), utc_start(scope.end)
    group = func.substr(Product.iso_class, 1, GROUP_DIGITS).label("group")
    loan_from = case((Loan.started_at > start, Loan.started_at), else_=start)
    loan_to = case((and_(Loan.ended_at.is_not(None), Loan.ended_at < end), Loan.ended_at), else_=end)
    on_loan = deliveries(scope, group, func.sum(days_between(session, loan_from, loan_to))).where(
        Loan.started_at < end, or_(Loan.ended_at.is_(None), Loan.ended_at > start)).group_by(group)
    # Most units were in hand the whole period: only those registered or retired in it are counted by the day.
    whole = (scope.end - scope.start).days
    partly = or_(Device.registered_at > start, and_(Device.state.in_(RETIRED), Device.updated_at < end))
    unit_from = case((Device.registered_at > start, Device.registered_at), else_=start)
    unit_to = case((and_(Device.state.in_(RETIRED), Device.updated_at < end), Device.updated_at), else_=end)
    # Summed per product on the devices alone (no join per unit), then per group here.
    held = (select(Device.product_id, func.sum(case((partly, days_between(session, unit_from, unit_to)),
                                                    else_=literal(whole))))
            .where(Device.registered_at < end, or_(Device.state.not_in(RETIRED), Device.updated_at > start))
            .group_by(Device.product_id))
    if scope.product_group:
        held = held.where(Device.product_id.in_(select(Product.id).where(group_filter(scope))))
    groups = dict(session.execute(select(Product.id, func.substr(Product.iso_class, 1, GROUP_DIGITS))).all())
    unit_days: dict[str, float] = {}
    for product_id, days in session.execute(held):
        unit_days[groups[product_id]] = unit_days.get(groups[product_id], 0.0) + float(days or 0)
    loan_days = dict(session.execute(on_loan).all())
    return [GroupUse(key, float(loan_days.get(key) or 0), days) for key, days in unit_days.items()]


def idle_clause(scope: Scope):
    """Units free in stock that no loan has had for a year before the period's end."""
    since = utc_start(scope.end - timedelta(days=IDLE_DAYS))
    recent = exists().where(Loan.device_id == Device.id, or_(Loan.ended_at.is_(None), Loan.ended_at >= since))
    return and_(Device.state == S.AVAILABLE.value, Device.registered_at < since, ~recent)


def idle_units(session: Session, scope: Scope) -> int:
    stmt = (select(func.count()).select_from(Device).join(Product, Product.id == Device.product_id)
            .where(idle_clause(scope), group_filter(scope)))
    return session.scalar(stmt) or 0

