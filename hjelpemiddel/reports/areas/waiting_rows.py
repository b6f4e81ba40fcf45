"""Ventetid's and NAV's gathering: one plain row per need delivered in full (registered, needed by,
delivered), per decision and per NAV application, read in one statement each with only the columns
the figures use; the scope's filters in SQL. A need of several units is delivered when its last unit
is (its «delivered» events counted up to its quantity)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from ...catalog.models import Product
from ...citizens.models import Citizen
from ...lending.models import Need, NeedEvent
from ..model import Scope
from ._calendar import gather_start, utc_start

# A need of several units delivered in parts is read when its first unit came up to a year before the
# period: waiting longer than that for the rest is outside what the report can say.
PARTS_WINDOW = timedelta(days=366)


@dataclass(frozen=True)
class DeliveredNeed:
    need_id: int
    urgency: str
    registered_at: datetime
    delivered_at: datetime  # the last unit's delivery
    needed_by: date
    discharge_date: date | None = None
    discharge_time: time | None = None
    postcode: str = ""
    application_type: str = "short_term"
    sent_at: datetime | None = None  # to NAV: the therapist's decision to send the application


@dataclass(frozen=True)
class Decision:
    need_id: int
    registered_at: datetime
    decided_at: datetime
    approved: bool


def _filters(scope: Scope):
    clauses = []
    if scope.postcode_area:
        clauses.append(Citizen.postcode.like(f"{scope.postcode_area}%"))
    if scope.product_group:
        clauses.append(func.coalesce(Product.iso_class, Need.iso_class).like(f"{scope.product_group}%"))
    return clauses


def _joined(stmt):
    return stmt.join(Citizen, Citizen.id == Need.citizen_id).outerjoin(Product, Product.id == Need.product_id)


def filtered(stmt, scope: Scope):
    """A statement over needs with the scope's postcode area and product group applied."""
    return _joined(stmt).where(*_filters(scope))


def completed_at():
    """When a need's last unit was delivered: its first delivery for one unit, else the delivery that
    made its count (None while units are missing)."""
    deliveries = (select(func.max(NeedEvent.occurred_at)).where(NeedEvent.need_id == Need.id,
                                                                NeedEvent.kind == "delivered")
                  .having(func.count() >= Need.quantity).scalar_subquery())
    return case((Need.quantity == 1, Need.delivered_at), else_=deliveries)


def delivered_statement(scope: Scope, start: date | None = None):
    """Needs delivered in full from ``start`` (default: the first chart month) to the scope's end."""
    first, end = utc_start(start or gather_start(scope)), utc_start(scope.end)
    stmt = _joined(select(Need.id, Need.urgency, Need.registered_at, completed_at().label("done_at"), Need.needed_by, Need.discharge_date,
                          Need.discharge_time, Citizen.postcode, Need.application_type, Need.decided_at,
                          Need.quantity, func.coalesce(Product.name, Need.iso_class).label("what")))
    stmt = stmt.where(Need.delivered_at < end,
                      or_(and_(Need.quantity == 1, Need.delivered_at >= first),
                          and_(Need.quantity > 1, Need.delivered_at >= first - PARTS_WINDOW)), *_filters(scope))
    return stmt, first, end


def delivered_needs(session: Session, scope: Scope) -> list[DeliveredNeed]:
    stmt, first, end = delivered_statement(scope)
    needs = stmt.subquery()
    rows = session.execute(select(needs).where(needs.c.done_at >= first, needs.c.done_at < end))
    return [DeliveredNeed(row.id, row.urgency, row.registered_at, row.done_at, row.needed_by, row.discharge_date,
                          row.discharge_time, row.postcode, row.application_type,
                          row.decided_at if row.application_type == "long_term" else None) for row in rows]


def decisions(session: Session, scope: Scope) -> list[Decision]:
    """The municipality's own decisions (short-term loans approved or refused) from the first chart month."""
    first, end = utc_start(gather_start(scope)), utc_start(scope.end)
    stmt = _joined(select(Need.id, Need.registered_at, Need.decided_at, Need.status, Need.nav_status)).where(
        Need.decided_at >= first, Need.decided_at < end, Need.application_type == "short_term", *_filters(scope))
    return [Decision(row.id, row.registered_at, row.decided_at, row.status != "rejected") for row in session.execute(stmt)]


def nav_applications(session: Session, scope: Scope) -> dict[str, int]:
    """Applications sent to NAV in the period by where they stand at NAV now."""
    first, end = utc_start(scope.start), utc_start(scope.end)
    stmt = _joined(select(Need.nav_status, func.count())).where(
        Need.application_type == "long_term", Need.nav_status.is_not(None), Need.decided_at >= first,
        Need.decided_at < end, *_filters(scope)).group_by(Need.nav_status)
    return {status: count for status, count in session.execute(stmt)}
