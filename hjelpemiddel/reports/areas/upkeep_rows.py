"""Vedlikehold's gathering: periodic inspections counted per Oslo day and on time or late in SQL, units
overdue from ``inspection_due``, the repairs of the chart months as plain rows, incidents counted per
injury; and the rows behind each figure (barcodes, products, dates; never a citizen)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Float, and_, case, cast, func, or_, select, union
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
from ..model import RowsPage, Scope, median, percentile
from ._calendar import gather_start, in_scope, rows_page, utc_start, yes_no

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


def repair_stats(rows: list[RepairRow]) -> RepairStats:
    days = [row.days for row in rows]
    minutes = [row.minutes for row in rows if row.minutes is not None]
    return RepairStats(len(rows), sum(minutes), len(minutes), median(days), percentile(days, 0.9))


def summarize_repairs(scope: Scope, rows: list[RepairRow]) -> RepairSummary:
    """``rows``: the repairs completed from the first chart month to the scope's end."""
    scoped = [row for row in rows if in_scope(row.completed_on, scope)]
    months: dict[tuple[date, str], list[float]] = {}
    for row in rows:
        months.setdefault((row.completed_on.replace(day=1), row.place), []).append(row.days)
    return RepairSummary(repair_stats(scoped), {place: repair_stats([row for row in scoped if row.place == place])
                                                for place in PLACE_LABELS},
                         {key: median(days) for key, days in months.items()})


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


def _days(session: Session, start, end):
    """``end - start`` in days with fractions, in SQL (so a year's repairs come back as one number each)."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.extract("epoch", end - start), Float) / 86400.0
    return func.julianday(end) - func.julianday(start)


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


def repair_rows(session: Session, scope: Scope) -> list[RepairRow]:
    """The repairs completed from the first chart month to the scope's end, one row each."""
    columns = (local_date(RepairOrder.completed_at), RepairOrder.place,
               _days(session, RepairOrder.created_at, RepairOrder.completed_at), RepairOrder.minutes_spent)
    return [RepairRow(*row) for row in session.execute(_repairs(scope, True, columns, gather_start(scope)))]


def _repair_summary_sql(session: Session, scope: Scope) -> RepairSummary:
    """``summarize_repairs`` in PostgreSQL's own aggregates (a year at a million units is some 100,000
    repairs: their medians are computed where they lie, two rows per month come back)."""
    days = _days(session, RepairOrder.created_at, RepairOrder.completed_at)
    stats = (func.count(), func.coalesce(func.sum(RepairOrder.minutes_spent), 0), func.count(RepairOrder.minutes_spent),
             func.percentile_cont(0.5).within_group(days), func.percentile_cont(0.9).within_group(days))
    groups = {place: RepairStats(*values) for place, *values in session.execute(
        _repairs(scope, True, (RepairOrder.place, *stats)).group_by(func.rollup(RepairOrder.place)))}
    month = func.date_trunc("month", local_date(RepairOrder.completed_at))
    monthly = _repairs(scope, True, (month, RepairOrder.place, stats[3]), gather_start(scope))
    return RepairSummary(groups.pop(None, RepairStats()), {place: groups.get(place, RepairStats())
                                                           for place in PLACE_LABELS},
                         {(first.date(), place): value for first, place, value in
                          session.execute(monthly.group_by(month, RepairOrder.place))})


def repair_summary(session: Session, scope: Scope) -> RepairSummary:
    if session.get_bind().dialect.name == "postgresql":
        return _repair_summary_sql(session, scope)
    return summarize_repairs(scope, repair_rows(session, scope))


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
