"""Closing a count and its result: each line's outcome judged against where the system has the unit
now (so a unit moved by a real event during the count, which the history records, is not reported
wrongly), and the lists, summary and report of the result."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import and_, case, func, select, update
from sqlalchemy.orm import Session, aliased

from ...catalog.models import Product
from ...core.auth import User
from ...core.db import utcnow
from ...core.paging import PAGE_SIZE, Page, offset_page
from ...core.text import local_time
from ...stock.lifecycle import EVENT_LABELS
from ...stock.models import Device, DeviceEvent, Location
from ..models import ADJUSTED_OUTCOMES, OUTCOMES, Stocktake, StocktakeLine
from .scope import check_closed, check_counting, get_stocktake, root_of, scope_ids

OUTCOME_LABELS = {"found": "Funnet på riktig plass", "misplaced": "Feil plass", "unexpected": "Uventet",
                  "missing": "Mangler", "moved": "Flyttet under tellingen"}
DECISION_LABELS = {"pending": "Venter på godkjenning", "approved": "Godkjent"}
assert set(OUTCOME_LABELS) == set(OUTCOMES)
MAX_REPORT_LINES = 100_000

L = StocktakeLine


def close_stocktake(session: Session, actor_id: int | None, stocktake_id: int) -> Stocktake:
    """End the count and judge every line in a constant number of statements. A counted unit is found
    where the system has it, misplaced when the system has it elsewhere in the scope, unexpected
    when not in the scope at all. An expected unit not counted is missing if the system still has it
    in the scope. A unit that an event moved after it was scanned, or out of the scope before it
    was, was moved during the count: nothing to adjust."""
    stocktake = get_stocktake(session, stocktake_id, lock=True)
    check_counting(stocktake)
    root = root_of(session, stocktake)
    now = select(Device.location_id).where(Device.id == L.device_id).scalar_subquery()
    here = now.in_(scope_ids(root))
    counted = L.counted_at.is_not(None)
    outcome = case(
        (and_(counted, now.is_distinct_from(L.system_location_id)), "moved"),
        (and_(counted, now == L.counted_location_id), "found"),
        (and_(counted, here), "misplaced"),
        (counted, "unexpected"),
        (here, "missing"),
        else_="moved")
    session.execute(update(L.__table__).where(L.stocktake_id == stocktake.id).values(outcome=outcome))
    # Where the system has each unit now, which the result shows and approving checks against.
    session.execute(update(L.__table__).where(L.stocktake_id == stocktake.id, L.outcome != "moved")
                    .values(expected_location_id=now,
                            decision=case((L.outcome.in_(ADJUSTED_OUTCOMES), "pending"), else_=None)))
    stocktake.status, stocktake.closed_at, stocktake.closed_by_id = "closed", utcnow(), actor_id
    session.flush()
    return stocktake


@dataclass(frozen=True)
class ResultLine:
    id: int
    barcode: str
    product_name: str
    outcome: str
    expected_code: str | None
    counted_code: str | None
    decision: str | None
    counted_by: str | None
    counted_at: datetime | None
    device_id: int
    # For a unit moved during the count: what its history says moved it (kind, when, where to).
    moved_by: tuple[str, datetime, str | None] | None = None

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS[self.outcome]

    @property
    def decision_label(self) -> str:
        return DECISION_LABELS.get(self.decision, "")

    @property
    def remark(self) -> str:
        """The decision, or for a unit moved during the count what moved it, as its history says."""
        if self.moved_by is None:
            return self.decision_label
        kind, occurred_at, code = self.moved_by
        return (f"{EVENT_LABELS.get(kind, 'Endret')} {local_time(occurred_at):%d.%m.%Y %H:%M}, "
                f"nå {'på ' + code if code else 'ikke på lageret'}")


_EXPECTED, _COUNTED = aliased(Location), aliased(Location)


def _lines(stocktake_id: int, outcome: str | None):
    stmt = (select(L.id, Device.barcode, Product.name, L.outcome, _EXPECTED.code, _COUNTED.code, L.decision,
                   User.username, L.counted_at, L.device_id)
            .join(Device, Device.id == L.device_id).join(Product, Product.id == Device.product_id)
            .outerjoin(_EXPECTED, _EXPECTED.id == L.expected_location_id)
            .outerjoin(_COUNTED, _COUNTED.id == L.counted_location_id)
            .outerjoin(User, User.id == L.counted_by_id)
            .where(L.stocktake_id == stocktake_id))
    if outcome:
        stmt = stmt.where(L.outcome == outcome)
    return stmt.order_by(L.outcome, L.id) if outcome is None else stmt.order_by(L.id)


def result_page(session: Session, stocktake_id: int, outcome: str | None = None, number: int = 1,
                size: int = PAGE_SIZE) -> Page:
    """A page of the result, all outcomes or one."""
    stocktake = get_stocktake(session, stocktake_id)
    check_closed(stocktake)
    page = offset_page(session, _lines(stocktake_id, outcome), number, size, scalars=False)
    page.items = _with_history(session, stocktake, [ResultLine(*row) for row in page.items])
    return page


def result_lines(session: Session, stocktake_id: int, outcome: str | None = None) -> list[ResultLine]:
    """Every line of the result (for the PDF and the CSV)."""
    stocktake = get_stocktake(session, stocktake_id)
    check_closed(stocktake)
    lines = [ResultLine(*row) for row in session.execute(_lines(stocktake_id, outcome).limit(MAX_REPORT_LINES))]
    return _with_history(session, stocktake, lines)


def _with_history(session: Session, stocktake: Stocktake, lines: list[ResultLine]) -> list[ResultLine]:
    """Each moved line with the last event since the count began that changed the unit's place:
    the history says why the count has nothing to adjust. One read per thousand moved lines."""
    moved = [line.device_id for line in lines if line.outcome == "moved"]
    last: dict[int, tuple[str, datetime, str | None]] = {}
    for start in range(0, len(moved), 1000):
        rows = session.execute(
            select(DeviceEvent.device_id, DeviceEvent.kind, DeviceEvent.occurred_at, Location.code)
            .outerjoin(Location, Location.id == DeviceEvent.to_location_id)
            .where(DeviceEvent.device_id.in_(moved[start:start + 1000]),
                   DeviceEvent.occurred_at >= stocktake.started_at,
                   DeviceEvent.from_location_id.is_distinct_from(DeviceEvent.to_location_id))
            .order_by(DeviceEvent.id))
        for device_id, kind, occurred_at, code in rows:
            last[device_id] = (kind, occurred_at, code)
    return [replace(line, moved_by=last.get(line.device_id)) if line.outcome == "moved" else line for line in lines]


def result_summary(session: Session, stocktake_id: int) -> dict[str, int]:
    """How many lines have each outcome, and ``pending``: adjustments not yet approved."""
    summary = {outcome: 0 for outcome in OUTCOMES}
    rows = session.execute(select(L.outcome, func.count(), func.count(case((L.decision == "pending", 1))))
                           .where(L.stocktake_id == stocktake_id, L.outcome.is_not(None)).group_by(L.outcome))
    pending = 0
    for outcome, count, waiting in rows:
        summary[outcome], pending = count, pending + waiting
    summary["pending"] = pending
    return summary


@dataclass(frozen=True)
class StocktakeReport:
    number: int
    scope: str
    blind: bool
    started_at: datetime
    closed_at: datetime | None
    expected_units: int
    summary: dict[str, int]
    lines: list[ResultLine]
    summary_labels: dict[str, str]


def stocktake_report(session: Session, stocktake_id: int) -> StocktakeReport:
    stocktake = get_stocktake(session, stocktake_id)
    root = root_of(session, stocktake)
    lines = result_lines(session, stocktake_id)
    return StocktakeReport(stocktake.id, f"{root.code} {root.name}".strip(), stocktake.blind, stocktake.started_at,
                           stocktake.closed_at, stocktake.expected_units, result_summary(session, stocktake_id), lines,
                           {**OUTCOME_LABELS, "pending": "Venter på godkjenning"})
