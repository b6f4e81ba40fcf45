"""Logistikk's gathering: one row per finished run with its visits counted in SQL (a constant number of
statements whatever the number of runs), the discharge needs of the period, and the rows behind each
figure for people (run numbers, dates, postcodes; never a citizen)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, case, exists, func, literal, select
from sqlalchemy.orm import Session

from ...catalog.models import Product
from ...citizens.models import Citizen
from ...core.db import LOCAL_ZONE, utcnow
from ...lending.models import Need
from ...logistics.models import FAILURES, DeliveryRun, Stop, StopItem
from ...stock.models import Device
from ..model import RowsPage, Scope
from ._calendar import gather_start, rows_page, utc_start, yes_no

REASONS = {"not_home": "Ikke hjemme", "refused": "Avvist"}


@dataclass(frozen=True)
class RunRow:
    """A finished run of the delivery log and its visits by what came of them (a visit fails when
    nothing on it succeeded; its reason is its units')."""

    run_id: int
    run_date: date
    done: int = 0
    not_home: int = 0
    refused: int = 0
    not_visited: int = 0
    odometer_start: int | None = None
    odometer_end: int | None = None

    @property
    def made(self) -> int:
        """Visits where the driver was at the door (not those left «Ikke besøkt»)."""
        return self.done + self.not_home + self.refused

    @property
    def failed(self) -> int:
        return self.not_home + self.refused

    @property
    def km(self) -> int | None:
        if self.odometer_start is None or self.odometer_end is None or self.odometer_end < self.odometer_start:
            return None
        return self.odometer_end - self.odometer_start


@dataclass(frozen=True)
class DischargeRow:
    """A need for a hospital discharge: by when (the discharge time, or the end of the discharge day)
    and when its first unit was delivered."""

    need_id: int
    discharge_date: date
    discharge_time: time | None
    delivered_at: datetime | None

    @property
    def deadline(self) -> datetime:
        if self.discharge_time is not None:
            return datetime.combine(self.discharge_date, self.discharge_time, LOCAL_ZONE)
        return utc_start(self.discharge_date + timedelta(days=1))


def discharge_in_time(row: DischargeRow, now: datetime) -> bool | None:
    """Delivered by the deadline: True; delivered after it, or not delivered when it has passed: False;
    not delivered and the deadline still ahead: None (not counted yet)."""
    if row.delivered_at is not None:
        return row.delivered_at <= row.deadline if row.discharge_time is not None else row.delivered_at < row.deadline
    return None if now < row.deadline else False


# A failed visit's reason is its units' (they share one when nothing succeeded); refusal weighs most.
_REASON_RANK = {"refused": 1, "not_home": 2, "not_visited": 3}
_RANK_REASON = {rank: reason for reason, rank in _REASON_RANK.items()}


def _reason():
    rank = case(*((StopItem.outcome == reason, rank) for reason, rank in _REASON_RANK.items()), else_=3)
    return (select(func.min(rank)).where(StopItem.stop_id == Stop.id, StopItem.outcome.in_(FAILURES))
            .scalar_subquery())


def _visit_filters(scope: Scope) -> list:
    where = []
    if scope.postcode_area:
        where.append(Stop.postcode.startswith(scope.postcode_area, autoescape=True))
    if scope.product_group:
        # Probing each visit's units: cheaper than hashing every visit ever made with a unit of the group.
        group = select(Product.id).where(Product.iso_class.startswith(scope.product_group, autoescape=True))
        where.append(exists().where(StopItem.stop_id == Stop.id, Device.id == StopItem.device_id,
                                    Device.product_id.in_(group)))
    return where


def _finished_runs(first: date, end: date):
    return and_(DeliveryRun.status == "finished", DeliveryRun.run_date >= first, DeliveryRun.run_date < end)


def _run_counts(scope: Scope, first: date, filtered: bool):
    """Per run: visits done and failed by reason, as one grouped statement over the runs' stops.
    ``filtered``: those counts for the visits in the postcode area or with a unit of the product group,
    then the same for all visits (kilometres need them) and how many visits matched — one pass, since
    matching a visit's units is what costs."""
    filters = _visit_filters(scope) if filtered else []
    visits = (select(Stop.run_id, Stop.status, case((Stop.status == "failed", _reason()), else_=0).label("rank"),
                     (case((and_(*filters), 1), else_=0) if filters else literal(1)).label("matched"))
              .join(DeliveryRun, DeliveryRun.id == Stop.run_id)
              .where(_finished_runs(first, scope.end), Stop.status.in_(("done", "failed")))
              .subquery())

    def counts(only_matched: bool) -> list:
        def counted(condition):
            if only_matched:
                condition = and_(condition, visits.c.matched == 1)
            return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)
        return [counted(visits.c.status == "done"), counted(visits.c.rank == 2), counted(visits.c.rank == 1),
                counted(visits.c.rank == 3)]
    extra = [*counts(False), func.coalesce(func.sum(visits.c.matched), 0)] if filters else []
    return (select(DeliveryRun.id, DeliveryRun.run_date, *counts(bool(filters)), DeliveryRun.odometer_start,
                   DeliveryRun.odometer_end, *extra)
            .outerjoin(visits, visits.c.run_id == DeliveryRun.id)
            .where(_finished_runs(first, scope.end)).group_by(DeliveryRun.id))


def _matching(stmt):
    """Only the runs with a visit that matched the filters (the statement's last column)."""
    return stmt.having(list(stmt.selected_columns)[-1] > 0)


def run_rows(session: Session, scope: Scope) -> tuple[list[RunRow], list[RunRow]]:
    """The finished runs from the first chart month to the scope's end: with a postcode area or product
    group only those with a matching visit, counting those visits; and every run with all its visits."""
    filtered = bool(scope.postcode_area or scope.product_group)
    rows = session.execute(_run_counts(scope, gather_start(scope), filtered)).all()
    all_runs = [RunRow(row[0], row[1], *(row[8:12] if filtered else row[2:6]), row[6], row[7]) for row in rows]
    return ([RunRow(*row[:8]) for row in rows if row[12] > 0] if filtered else all_runs), all_runs


def _discharges(scope: Scope):
    stmt = (select(Need.id, Need.discharge_date, Need.discharge_time, Need.delivered_at)
            .where(Need.urgency == "discharge", Need.discharge_date >= scope.start, Need.discharge_date < scope.end,
                   Need.status.not_in(("rejected", "cancelled"))))
    if scope.postcode_area:
        stmt = stmt.join(Citizen, Citizen.id == Need.citizen_id).where(
            Citizen.postcode.startswith(scope.postcode_area, autoescape=True))
    if scope.product_group:
        stmt = stmt.outerjoin(Product, Product.id == Need.product_id).where(
            func.coalesce(Product.iso_class, Need.iso_class).startswith(scope.product_group, autoescape=True))
    return stmt


def discharge_rows(session: Session, scope: Scope) -> list[DischargeRow]:
    return [DischargeRow(*row) for row in session.execute(_discharges(scope))]


# --- the rows behind each figure ----------------------------------------------------------------

def _runs_page(session: Session, scope: Scope, page: int) -> RowsPage:
    filtered = bool(scope.postcode_area or scope.product_group)
    stmt = _run_counts(scope, scope.start, filtered).order_by(DeliveryRun.run_date, DeliveryRun.id)
    if filtered:
        stmt = _matching(stmt)
    return rows_page(session, "Ferdige kjørerunder", ("Runde", "Dato", "Utført", "Ikke hjemme", "Avvist",
                                                       "Ikke rukket", "Km"), stmt, page,
                     lambda r: (*r[:6], RunRow(*r[:8]).km))


def _km_page(session: Session, scope: Scope, page: int) -> RowsPage:
    stmt = (_run_counts(scope, scope.start, False)
            .where(DeliveryRun.odometer_start.is_not(None), DeliveryRun.odometer_end.is_not(None))
            .order_by(DeliveryRun.run_date, DeliveryRun.id))
    return rows_page(session, "Kjørerunder med kilometerstand", ("Runde", "Dato", "Km ved start", "Km ved retur",
                                                                  "Km", "Besøk"), stmt, page,
                     lambda r: (r[0], r[1], r[6], r[7], RunRow(*r[:8]).km, RunRow(*r[:8]).made))


def _failed_page(reasons: tuple[str, ...], title: str):
    ranks = [_REASON_RANK[reason] for reason in reasons]

    def read(session: Session, scope: Scope, page: int) -> RowsPage:
        rank = _reason()
        stmt = (select(Stop.id, DeliveryRun.id, DeliveryRun.run_date, Stop.postcode, rank)
                .join(DeliveryRun, DeliveryRun.id == Stop.run_id)
                .where(_finished_runs(scope.start, scope.end), Stop.status == "failed", rank.in_(ranks),
                       *_visit_filters(scope))
                .order_by(DeliveryRun.run_date, Stop.id))
        labels = {**REASONS, "not_visited": "Ikke rukket"}
        return rows_page(session, title, ("Besøk", "Runde", "Dato", "Postnummer", "Grunn"), stmt, page,
                         lambda r: (r[0], r[1], r[2], r[3], labels[_RANK_REASON[r[4]]]))
    return read


def _discharge_page(session: Session, scope: Scope, page: int) -> RowsPage:
    now = utcnow()
    stmt = _discharges(scope).order_by(Need.discharge_date, Need.id)

    def shape(r) -> tuple:
        row = DischargeRow(*r)
        verdict = discharge_in_time(row, now)
        return (row.need_id, row.discharge_date, row.discharge_time,
                row.delivered_at.astimezone(LOCAL_ZONE).replace(tzinfo=None) if row.delivered_at else None,
                "Ikke ennå" if verdict is None else yes_no(verdict))
    return rows_page(session, "Behov ved utskrivning", ("Behov", "Utskrivningsdato", "Klokkeslett", "Levert",
                                                         "I tide"), stmt, page, shape)


ROWS = {
    "stops_per_run": _runs_page,
    "stops_per_run_median": _runs_page,
    "failed_visits": _failed_page(("not_home", "refused"), "Mislykkede besøk"),
    "failed_share": _failed_page(("not_home", "refused"), "Mislykkede besøk"),
    "not_visited": _failed_page(("not_visited",), "Besøk som ikke ble rukket"),
    "km_per_stop": _km_page,
    "discharge_on_time": _discharge_page,
}
