"""Vedlikehold's gathering: periodic inspections counted per Oslo day and on time or late in SQL, units
overdue from ``inspection_due``, the repairs of the chart months as plain rows, incidents counted per
injury; and the rows behind each figure (barcodes, products, dates; never a citizen)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Integer, and_, case, cast, func, or_, select, union
from sqlalchemy.orm import Session

from ...catalog.models import Product
from ...citizens.models import Citizen
from ...core.db import LOCAL_ZONE, local_date
from ...core.text import local_today
from ...incidents.models import FLAGGED_INJURIES, Incident
from ...incidents.services import INJURY_LABELS
from ...lending.models import Loan
from ...logistics.models import Stop
from ...maintenance.models import Inspection, InspectionDue, RepairOrder
from ...stock.models import Device
from ..model import RowsPage, Scope
from ..model import weighted_percentile
from ._calendar import chart_months, days_between, gather_start, in_scope, month_index, rows_page, utc_start, yes_no

PLACE_LABELS = {"depot": "På lageret", "home": "Hos bruker"}


def is_on_time(done_on: date, due_on: date) -> bool:
    """A periodic inspection is on time when done (its Oslo day) on or before the due date it answered."""
    return done_on <= due_on


@dataclass(frozen=True)
class InspectionCount:
    """Periodic inspections done on one Oslo day, on time or late (``count`` of them)."""

    done_on: date
    on_time: bool
    count: int = 1


@dataclass(frozen=True)
class RepairRow:
    """A completed repair (not a cancelled one): the Oslo day it was completed, where, how many days from
    opened to completed (with fractions) and the minutes written on it."""

    completed_on: date
    place: str  # home | depot
    days: float
    minutes: int | None = None


@dataclass(frozen=True)
class RepairStats:
    """Completed repairs of one group: how many, the minutes written (and on how many), the median
    and 90th percentile of their days."""

    completed: int = 0
    minutes: int = 0
    with_minutes: int = 0
    median: float | None = None
    p90: float | None = None


@dataclass(frozen=True)
class RepairSummary:
    total: RepairStats
    by_place: dict[str, RepairStats]
    monthly: dict[tuple[date, str], float]  # median days by (month's first day, place)


@dataclass(frozen=True)
class RepairBucket:
    """Completed repairs of one month and place that took ``days`` (to a tenth of a day, which is how
    SQL groups them): ``count`` of them, ``scoped`` of which were completed in the scope, with
    ``minutes`` written on ``with_minutes`` of those."""

    month: date
    place: str
    days: float
    count: int = 1
    scoped: int = 1
    minutes: int = 0
    with_minutes: int = 0


def buckets_of(scope: Scope, rows: list[RepairRow]) -> list[RepairBucket]:
    """One repair each, as the SQL's groups would hold them."""
    buckets = []
    for row in rows:
        scoped = in_scope(row.completed_on, scope)
        written = scoped and row.minutes is not None
        buckets.append(RepairBucket(row.completed_on.replace(day=1), row.place, round(row.days, 1), 1, int(scoped),
                                    row.minutes if written else 0, int(written)))
    return buckets


def _stats(buckets: list[RepairBucket]) -> RepairStats:
    days = [(bucket.days, bucket.scoped) for bucket in buckets]
    return RepairStats(sum(bucket.scoped for bucket in buckets), sum(bucket.minutes for bucket in buckets),
                       sum(bucket.with_minutes for bucket in buckets), weighted_percentile(days, 0.5),
                       weighted_percentile(days, 0.9))


def summarize_buckets(buckets: list[RepairBucket]) -> RepairSummary:
    months: dict[tuple[date, str], list[tuple[float, int]]] = {}
    for bucket in buckets:
        months.setdefault((bucket.month, bucket.place), []).append((bucket.days, bucket.count))
    return RepairSummary(_stats(buckets), {place: _stats([b for b in buckets if b.place == place])
                                           for place in PLACE_LABELS},
                         {key: weighted_percentile(days, 0.5) for key, days in months.items()})


def summarize_repairs(scope: Scope, rows: list[RepairRow]) -> RepairSummary:
    """``rows``: the repairs completed from the first chart month to the scope's end."""
    return summarize_buckets(buckets_of(scope, rows))


@dataclass(frozen=True)
class Overdue:
    now: int
    at_end: int | None  # None when the period reaches today (then it is «now»)


def _between(column, first: date, end: date):
    return and_(column >= utc_start(first), column < utc_start(end))


def _in_group(stmt, device_id, scope: Scope):
    """Only units of the product group: joined to their unit (a hash over the group's units would
    read most of a million units for a large group)."""
    return stmt.join(Device, Device.id == device_id).where(Device.product_id.in_(_products(scope)))


def _products(scope: Scope):
    return select(Product.id).where(Product.iso_class.startswith(scope.product_group, autoescape=True))


def _periodic(stmt, first: date, end: date, scope: Scope):
    stmt = stmt.where(Inspection.kind == "periodic", _between(Inspection.inspected_at, first, end),
                      Inspection.due_on.is_not(None))
    return _in_group(stmt, Inspection.device_id, scope) if scope.product_group else stmt


def _on_time_sql():
    # The SQL twin of ``is_on_time``.
    return local_date(Inspection.inspected_at) <= Inspection.due_on


def inspection_counts(session: Session, scope: Scope) -> list[InspectionCount]:
    done_on, on_time = local_date(Inspection.inspected_at), case((_on_time_sql(), 1), else_=0)
    stmt = _periodic(select(done_on, on_time, func.count()), gather_start(scope), scope.end, scope)
    stmt = stmt.group_by(done_on, on_time)
    return [InspectionCount(day, bool(flag), count) for day, flag, count in session.execute(stmt)]


def _overdue_now(scope: Scope, today: date):
    stmt = select(InspectionDue.device_id, InspectionDue.due_on).where(InspectionDue.due_on < today)
    if scope.product_group:
        stmt = stmt.where(InspectionDue.product_id.in_(_products(scope)))
    if scope.postcode_area:
        stmt = stmt.where(InspectionDue.device_id.in_(
            select(Loan.device_id).join(Citizen, Citizen.id == Loan.citizen_id)
            .where(Loan.status != "ended", Citizen.postcode.startswith(scope.postcode_area, autoescape=True))))
    return stmt


def _overdue_at(scope: Scope, day: date):
    """Units past their due date on ``day`` (a past day): those whose present due date was already in
    force then and lay before it, and those inspected since against a due date before it."""
    last = select(Inspection.inspected_at).where(Inspection.id == InspectionDue.last_inspection_id).scalar_subquery()
    still = (select(InspectionDue.device_id, InspectionDue.due_on)
             .where(InspectionDue.due_on < day, or_(InspectionDue.last_inspection_id.is_(None), last < utc_start(day))))
    since = (select(Inspection.device_id, func.min(Inspection.due_on))
             .where(Inspection.kind == "periodic", Inspection.inspected_at >= utc_start(day), Inspection.due_on < day)
             .group_by(Inspection.device_id))
    if scope.product_group:
        still = still.where(InspectionDue.product_id.in_(_products(scope)))
        since = _in_group(since, Inspection.device_id, scope)
    both = union(still, since).subquery()
    return select(both.c[0].label("device_id"), func.min(both.c[1]).label("due_on")).group_by(both.c[0])


def overdue(session: Session, scope: Scope, today: date) -> Overdue:
    now = session.scalar(select(func.count()).select_from(_overdue_now(scope, today).subquery()))
    at_end = None
    if scope.end < today and not scope.postcode_area:
        at_end = session.scalar(select(func.count()).select_from(_overdue_at(scope, scope.end).subquery()))
    return Overdue(now or 0, at_end)


def _repairs(scope: Scope, completed: bool, columns=(RepairOrder.id,), first: date | None = None):
    """Repairs opened in the period, or completed in it (from ``first`` on, for the chart months)."""
    stmt = select(*columns)
    if completed:
        stmt = stmt.where(RepairOrder.status == "done", _between(RepairOrder.completed_at, first or scope.start,
                                                                 scope.end))
    else:
        stmt = stmt.where(_between(RepairOrder.created_at, scope.start, scope.end))
    if scope.product_group:
        stmt = _in_group(stmt, RepairOrder.device_id, scope)
    if scope.postcode_area:
        stmt = stmt.join(Stop, Stop.id == RepairOrder.stop_id).where(
            RepairOrder.place == "home", Stop.postcode.startswith(scope.postcode_area, autoescape=True))
    return stmt


def repairs_opened(session: Session, scope: Scope) -> int:
    return session.scalar(select(func.count()).select_from(_repairs(scope, False).subquery())) or 0


def repair_buckets(session: Session, scope: Scope) -> list[RepairBucket]:
    """The repairs completed from the first chart month to the scope's end, counted per month, place
    and tenth of a day in one statement (a year at a million units is some 100,000 repairs; some
    thousand groups come back)."""
    months = chart_months(scope)
    tenths = cast(func.round(days_between(session, RepairOrder.created_at, RepairOrder.completed_at) * 10), Integer)
    month = month_index(RepairOrder.completed_at, months)
    scoped = _between(RepairOrder.completed_at, scope.start, scope.end)
    columns = (month, RepairOrder.place, tenths, func.count(), func.count().filter(scoped),
               func.coalesce(func.sum(RepairOrder.minutes_spent).filter(scoped), 0),
               func.count(RepairOrder.minutes_spent).filter(scoped))
    stmt = _repairs(scope, True, columns, gather_start(scope)).group_by(month, RepairOrder.place, tenths)
    # Before the chart months (a scope longer than a year) a repair counts for the scope only.
    return [RepairBucket(months[index] if 0 <= index < len(months) else date.min, place, tenth / 10, *counts)
            for index, place, tenth, *counts in session.execute(stmt)]


def repair_summary(session: Session, scope: Scope) -> RepairSummary:
    return summarize_buckets(repair_buckets(session, scope))


def _incidents(scope: Scope):
    stmt = select(Incident.id, Incident.barcode, Incident.product_name, Incident.reported_at, Incident.injury).where(
        _between(Incident.reported_at, scope.start, scope.end))
    return _in_group(stmt, Incident.device_id, scope) if scope.product_group else stmt


def incident_counts(session: Session, scope: Scope) -> dict[str, int]:
    inner = _incidents(scope).subquery()
    return dict(session.execute(select(inner.c.injury, func.count()).group_by(inner.c.injury)).all())


# --- the rows behind each figure ----------------------------------------------------------------

def _local(moment: datetime | None):
    return moment.astimezone(LOCAL_ZONE).replace(tzinfo=None) if moment else None


def _inspections_page(late_only: bool):
    def read(session: Session, scope: Scope, page: int) -> RowsPage:
        stmt = (select(Inspection.id, Device.barcode, Product.name, local_date(Inspection.inspected_at),
                       Inspection.due_on, Inspection.place)
                .join(Device, Device.id == Inspection.device_id).join(Product, Product.id == Device.product_id)
                .where(Inspection.kind == "periodic", _between(Inspection.inspected_at, scope.start, scope.end),
                       Inspection.due_on.is_not(None))
                .order_by(Inspection.inspected_at, Inspection.id))
        if scope.product_group:
            stmt = stmt.where(Product.iso_class.startswith(scope.product_group, autoescape=True))
        if late_only:
            stmt = stmt.where(~_on_time_sql())
        return rows_page(session, "Sene periodiske kontroller" if late_only else "Periodiske kontroller",
                         ("Kontroll", "Strekkode", "Produkt", "Kontrollert", "Frist", "I tide", "Sted"), stmt, page,
                         lambda r: (*r[:5], yes_no(is_on_time(r[3], r[4])), PLACE_LABELS.get(r[5], r[5])))
    return read


def _units_page(overdue_stmt, title: str, session: Session, page: int) -> RowsPage:
    units = overdue_stmt.subquery()
    stmt = (select(Device.barcode, Product.name, units.c.due_on).join(Device, Device.id == units.c.device_id)
            .join(Product, Product.id == Device.product_id).order_by(units.c.due_on, Device.id))
    return rows_page(session, title, ("Strekkode", "Produkt", "Frist"), stmt, page)


def _overdue_now_page(session: Session, scope: Scope, page: int) -> RowsPage:
    return _units_page(_overdue_now(scope, local_today()), "Enheter på overtid nå", session, page)


def _overdue_at_end_page(session: Session, scope: Scope, page: int) -> RowsPage:
    # A period reaching today has no past end: its rows are today's.
    return _units_page(_overdue_at(scope, min(scope.end, local_today())), "Enheter på overtid ved periodens slutt",
                       session, page)


def _repairs_page(completed: bool):
    def read(session: Session, scope: Scope, page: int) -> RowsPage:
        shown = (RepairOrder.id, Device.barcode, Product.name, RepairOrder.place, RepairOrder.created_at,
                 case((RepairOrder.status == "done", RepairOrder.completed_at)), RepairOrder.minutes_spent)
        stmt = _repairs(scope, completed, shown)
        if not scope.product_group:
            stmt = stmt.join(Device, Device.id == RepairOrder.device_id)
        stmt = stmt.join(Product, Product.id == Device.product_id).order_by(RepairOrder.created_at, RepairOrder.id)

        def shape(r) -> tuple:
            days = (r[5] - r[4]).total_seconds() / 86400 if r[5] else None
            return (r[0], r[1], r[2], PLACE_LABELS.get(r[3], r[3]), _local(r[4]), _local(r[5]),
                    None if days is None else round(days, 1), r[6])
        return rows_page(session, "Ferdige reparasjoner" if completed else "Reparasjoner opprettet",
                         ("Reparasjon", "Strekkode", "Produkt", "Sted", "Opprettet", "Ferdig", "Dager", "Minutter"),
                         stmt, page, shape)
    return read


def _incidents_page(injuries: tuple[str, ...]):
    def read(session: Session, scope: Scope, page: int) -> RowsPage:
        stmt = _incidents(scope).where(Incident.injury.in_(injuries)).order_by(Incident.reported_at, Incident.id)
        return rows_page(session, "Uhell", ("Uhell", "Strekkode", "Produkt", "Meldt", "Skade"), stmt, page,
                         lambda r: (r[0], r[1], r[2], _local(r[3]), INJURY_LABELS.get(r[4], r[4])))
    return read


ROWS = {
    "inspections_on_time": _inspections_page(False),
    "inspections_late": _inspections_page(True),
    "overdue_now": _overdue_now_page,
    "overdue_at_end": _overdue_at_end_page,
    "repairs_opened": _repairs_page(False),
    "repairs_completed": _repairs_page(True),
    "repair_days_median": _repairs_page(True),
    "repair_days_p90": _repairs_page(True),
    "repair_days_depot": _repairs_page(True),
    "repair_days_home": _repairs_page(True),
    "repair_hours": _repairs_page(True),
    "incidents": _incidents_page(tuple(INJURY_LABELS)),
    "serious_incidents": _incidents_page(FLAGGED_INJURIES),
}
