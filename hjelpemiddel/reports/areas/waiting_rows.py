"""Ventetid's and NAV's gathering: sums over ``need_waits`` (one row per need delivered in full,
written by ``reports.waits``) grouped by urgency and waiting to a tenth of a day, by chart month, by
postcode area; decisions summed from the needs the same way. A year at a million devices is some
75,000 needs: a few thousand groups come back, whatever the period."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Integer, case, cast, func, select
from sqlalchemy.orm import Session

from ...catalog.models import Product
from ...citizens.models import Citizen
from ...lending.models import Need
from ..model import Scope
from ..models import NeedWait
from ..targets import Target
from ._calendar import add_months, chart_months, days_between, gather_start, month_index, utc_start

# To the nearest tenth of a day (144 minutes): medians and percentiles are read from these counts.
TENTHS = (NeedWait.waiting_minutes + 72) // 144
NAV_TENTHS = (NeedWait.nav_minutes + 72) // 144


@dataclass(frozen=True)
class WaitBucket:
    """Needs delivered in full in the scope with the same urgency and waiting (``days``, to a tenth)."""

    urgency: str
    days: float
    count: int
    on_time: int = 0
    within_target: int = 0


@dataclass(frozen=True)
class DayCount:
    """So many needs (or decisions) took ``days`` in the group ``key`` (a chart month's index, an area)."""

    key: object
    days: float
    count: int


@dataclass(frozen=True)
class DecisionBucket:
    month: int  # the chart month's index; -1 before them
    approved: bool
    days: float  # registered → decided, to a tenth of a day
    count: int
    scoped: int  # of them, decided in the scope


def waits(scope: Scope, first: date | None = None, *columns):
    """A statement over the needs delivered in full in the scope (from ``first`` for the chart months)."""
    stmt = select(*columns).where(NeedWait.delivered_on >= (first or scope.start), NeedWait.delivered_on < scope.end)
    if scope.postcode_area:
        stmt = stmt.where(NeedWait.postcode.startswith(scope.postcode_area))
    if scope.product_group:
        stmt = stmt.where(NeedWait.product_group.startswith(scope.product_group))
    return stmt


def target_met(targets: dict[str, Target]):
    """In SQL: the need came within its urgency's target (working days, or hours)."""
    return case(*((NeedWait.urgency == urgency,
                   (NeedWait.working_days <= target.amount) if target.unit == "working_days"
                   else (NeedWait.waiting_minutes <= target.amount * 60))
                  for urgency, target in targets.items()), else_=False)


def _count_if(condition):
    return func.sum(case((condition, 1), else_=0))


def wait_buckets(session: Session, scope: Scope, targets: dict[str, Target]) -> list[WaitBucket]:
    tenths = TENTHS.label("tenths")
    stmt = waits(scope, None, NeedWait.urgency, tenths, func.count(), _count_if(NeedWait.on_time),
                  _count_if(target_met(targets))).group_by(NeedWait.urgency, tenths)
    return [WaitBucket(urgency, tenth / 10, count, on_time or 0, met or 0)
            for urgency, tenth, count, on_time, met in session.execute(stmt)]


def _month_of(day_column, months: list[date]):
    return case(*((day_column < add_months(first, 1), index) for index, first in enumerate(months)), else_=-1)


def month_buckets(session: Session, scope: Scope, nav: bool = False) -> list[DayCount]:
    """Waiting (or, ``nav``, sent to NAV → delivered) per chart month."""
    months = chart_months(scope)
    month, tenths = _month_of(NeedWait.delivered_on, months).label("month"), (NAV_TENTHS if nav else TENTHS).label("t")
    stmt = waits(scope, gather_start(scope), month, tenths, func.count()).group_by(month, tenths)
    if nav:
        stmt = stmt.where(NeedWait.nav_minutes.is_not(None))
    return [DayCount(index, tenth / 10, count) for index, tenth, count in session.execute(stmt) if index >= 0]


def nav_buckets(session: Session, scope: Scope) -> list[DayCount]:
    tenths = NAV_TENTHS.label("t")
    stmt = waits(scope, None, tenths, func.count()).where(NeedWait.nav_minutes.is_not(None)).group_by(tenths)
    return [DayCount(None, tenth / 10, count) for tenth, count in session.execute(stmt)]


def area_buckets(session: Session, scope: Scope, digits: int) -> list[DayCount]:
    area, tenths = func.substr(NeedWait.postcode, 1, digits).label("area"), TENTHS.label("t")
    stmt = waits(scope, None, area, tenths, func.count()).group_by(area, tenths)
    return [DayCount(key or "?", tenth / 10, count) for key, tenth, count in session.execute(stmt)]


def filtered(stmt, scope: Scope):
    """A statement over needs with the scope's postcode area and product group applied."""
    if scope.postcode_area:
        stmt = stmt.join(Citizen, Citizen.id == Need.citizen_id).where(Citizen.postcode.startswith(scope.postcode_area))
    if scope.product_group:
        stmt = stmt.outerjoin(Product, Product.id == Need.product_id).where(
            func.coalesce(Product.iso_class, Need.iso_class).startswith(scope.product_group))
    return stmt


def decision_buckets(session: Session, scope: Scope) -> list[DecisionBucket]:
    """The municipality's own decisions (short-term loans) from the first chart month to the scope's end."""
    months = chart_months(scope)
    first, start, end = utc_start(gather_start(scope)), utc_start(scope.start), utc_start(scope.end)
    month = month_index(Need.decided_at, months).label("month")
    tenths = cast(func.round(days_between(session, Need.registered_at, Need.decided_at) * 10), Integer).label("t")
    approved = (Need.status != "rejected").label("approved")
    stmt = filtered(select(month, approved, tenths, func.count(), _count_if(Need.decided_at >= start)), scope)
    stmt = stmt.where(Need.decided_at >= first, Need.decided_at < end, Need.application_type == "short_term")
    return [DecisionBucket(index if index < len(months) else -1, bool(ok), tenth / 10, count, scoped or 0)
            for index, ok, tenth, count, scoped in session.execute(stmt.group_by(month, approved, tenths))]


def nav_applications(session: Session, scope: Scope) -> dict[str, int]:
    """Applications sent to NAV in the period by where they stand at NAV now."""
    first, end = utc_start(scope.start), utc_start(scope.end)
    stmt = filtered(select(Need.nav_status, func.count()), scope).where(
        Need.application_type == "long_term", Need.nav_status.is_not(None), Need.decided_at >= first,
        Need.decided_at < end).group_by(Need.nav_status)
    return {status: count for status, count in session.execute(stmt)}
