"""The forecast for the pages and the API: gather the inputs (``gathering``), run the pure model, and
the backtest from the history as it was. Never imports Flask, never commits."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..catalog.iso import format_iso_class
from ..catalog.models import Product
from ..core.errors import ValidationFailed
from ..core.text import local_today
from ..lending.fit import needs_fitting_products
from ..lending.models import Loan, LoanExtension, Need
from ..lending.services import URGENCY_LABELS
from ..nav.models import NavOrderLine
from ..stock.lifecycle import DeviceState
from ..stock.models import Device, DeviceEvent
from . import gathering
from .backtest import RETURN_FLOW, BacktestResult, behaviour_from_counts, History, LoanRecord, NeedRecord, StateChange, backtest, group_of
from .gathering import ProductRow, _as_date, _day, _in_scope, check_scope
from .model import DEFAULT_DAYS, ForecastDay, ReturnBehaviour, combine, first_shortfall, forecast, median

S = DeviceState
PAGE_SIZE = 25


@dataclass(frozen=True)
class Forecast:
    """One product's forecast, or one ISO class's (``product`` None)."""

    product: ProductRow | None
    iso_class: str
    turnaround_days: float
    behaviour: ReturnBehaviour
    series: list[ForecastDay]

    @property
    def first_shortfall(self) -> date | None:
        return first_shortfall(self.series)

    @property
    def shortfall_days(self) -> int:
        return sum(1 for day in self.series if day.shortfall)


def _order(forecasts: list[Forecast]) -> list[Forecast]:
    """Shortfalls first, the earliest at the top; then by name."""
    return sorted(forecasts, key=lambda f: (f.first_shortfall is None, f.first_shortfall or date.max,
                                            f.product.name if f.product else f.iso_class))


def forecast_products(session: Session, product_id: int | None = None, iso_class: str | None = None,
                      days: int = DEFAULT_DAYS, as_of: date | None = None) -> list[Forecast]:
    """Each product's forecast in scope (one product, the products of an ISO class, or all), shortfalls first."""
    check_scope(product_id, iso_class)
    as_of = as_of or local_today()
    products = gathering.scope_products(session, product_id, iso_class)
    found = gathering.gather(session, product_id, iso_class, as_of)
    queues = gathering.queues_by_product(gathering.waiting_needs(session, product_id, iso_class))
    result = []
    for product in products:
        result.append(_forecast(product, product.iso_class, found.get(product.id, gathering.Gathered()),
                                queues.get(product.id, {}), as_of, days))
    return _order(result)


def _forecast(product, iso_class: str, gathered: gathering.Gathered, queues, as_of: date, days: int) -> Forecast:
    series = combine([forecast(inputs, days) for inputs in gathered.to_inputs(as_of, queues)])
    return Forecast(product, iso_class, gathered.turnaround_days, gathered.return_behaviour, series)


def forecast_iso_class(session: Session, iso_class: str, days: int = DEFAULT_DAYS, as_of: date | None = None) -> Forecast:
    """The ISO class as one stock: its products' units together, each waiting need once."""
    as_of = as_of or local_today()
    gathering.scope_products(session, None, iso_class)
    found = gathering.gather(session, None, iso_class, as_of)
    queues = gathering.one_queue(gathering.waiting_needs(session, None, iso_class))
    return _forecast(None, iso_class, gathering.merged(found), queues, as_of, days)


# --- as files (``core.exports``) -------------------------------------------------------------------

FORECAST_HEADINGS = ("Produkt", "HMS-nr", "ISO-klasse", "Ledige i dag", "Ledige siste dag", "Første mangel",
                     "Dager med mangel", "Klargjøringstid (dager)")
DAY_HEADINGS = ("Dag", "Ledige", "Ventet inn", "Til køen", "Ut på runde", "Mangel", "Behov som mangler")


def forecast_export_rows(forecasts: list[Forecast]):
    """The page's per-product table, every row (one per product in scope, already computed)."""
    return ((f.product.name, f.product.hms_nr, format_iso_class(f.iso_class), f.series[0].available,
             f.series[-1].available, f.first_shortfall, f.shortfall_days, round(f.turnaround_days, 1))
            for f in forecasts if f.series)


def day_export_rows(forecast_for: Forecast | None):
    """One product's (or ISO class's) days; without either there are no days to give."""
    if forecast_for is None:
        raise ValidationFailed.for_field("product_id", "Velg et produkt eller en ISO-klasse for å laste ned dagene.")
    return ((day.day, day.available, round(day.incoming, 1), day.outgoing, day.planned_out, day.shortfall,
             "; ".join(f"trengs {need.needed_by:%d.%m.%Y} ({URGENCY_LABELS.get(need.urgency, need.urgency)}), "
                       f"mangler {need.missing}" for need in day.needs_affected) or None)
            for day in forecast_for.series)


# --- the backtest ---------------------------------------------------------------------------------

def history_since(session: Session, as_of: date, product_id: int | None = None, iso_class: str | None = None,
                  today: date | None = None) -> History:
    """The history the backtest needs, aggregated in SQL: today's counts, the events since ``as_of``
    by product, day and step, the loans open then, the queue then, and what was measured by then."""
    today = today or local_today()
    after = gathering.start_of(as_of + timedelta(days=1))
    scope = _in_scope(Device.product_id, product_id, iso_class)
    products = gathering.scope_products(session, product_id, iso_class)
    now = dict(session.execute(select(Device.product_id, func.count()).where(Device.state == S.AVAILABLE, scope)
                               .group_by(Device.product_id)).all())
    in_flow = dict(session.execute(select(Device.product_id, func.count()).where(
        Device.state.in_(sorted(RETURN_FLOW)), scope).group_by(Device.product_id)).all())
    watched = sorted(RETURN_FLOW | {S.AVAILABLE})
    day = _day(DeviceEvent.occurred_at)
    changes = tuple(StateChange(pid, _as_date(on), from_state, to_state, count) for pid, on, from_state, to_state, count
                    in session.execute(
                        select(Device.product_id, day, DeviceEvent.from_state, DeviceEvent.to_state, func.count())
                        .join(Device, Device.id == DeviceEvent.device_id)
                        .where(DeviceEvent.occurred_at >= after,
                               or_(DeviceEvent.from_state.in_(watched), DeviceEvent.to_state.in_(watched)), scope)
                        .group_by(Device.product_id, day, DeviceEvent.from_state, DeviceEvent.to_state)))
    # The end agreed then: before an extension made later, its previous end.
    end_then = func.coalesce(select(func.min(LoanExtension.previous_end))
                             .where(LoanExtension.loan_id == Loan.id, LoanExtension.created_at >= after)
                             .scalar_subquery(), Loan.expected_end)
    loans = tuple(LoanRecord(pid, as_of, _as_date(end), None, None, count) for pid, end, count in session.execute(
        select(Device.product_id, end_then, func.count()).join(Device, Device.id == Loan.device_id)
        .where(Loan.started_at < after, or_(Loan.ended_at.is_(None), Loan.ended_at >= after), end_then.is_not(None), scope)
        .group_by(Device.product_id, end_then)))
    behaviour = {pid: behaviour_from_counts(ended, extended or 0, late or 0, float(late_days or 0))
                 for pid, ended, extended, late, late_days
                 in session.execute(gathering.behaviour_stmt(session, scope, as_of - timedelta(days=1)))}
    turnaround: dict[int, dict[int, int]] = {}
    for pid, took, count in session.execute(gathering.turnaround_stmt(session, scope, as_of - timedelta(days=1))):
        if took is not None and took >= 0:
            turnaround.setdefault(pid, {})[int(took)] = count + turnaround.get(pid, {}).get(int(took), 0)
    ended_at = func.coalesce(Need.closed_at, Need.status_changed_at)
    needs = tuple(
        NeedRecord(need_id=need_id, product_id=pid, registered_on=_as_date(registered), needed_by=_as_date(needed_by),
                   urgency=urgency, urgency_rank=rank, quantity=quantity,
                   served_on=_as_date(delivered) if delivered else None,
                   closed_on=_as_date(closed) if closed and status in ("closed", "cancelled") else None)
        for pid, need_id, registered, needed_by, urgency, rank, quantity, delivered, closed, status in session.execute(
            select(Product.id, Need.id, Need.registered_at, Need.needed_by, Need.urgency, Need.urgency_rank,
                   Need.quantity, Need.delivered_at, ended_at, Need.status)
            .join(Product, needs_fitting_products())
            .where(Need.registered_at < after, Need.status.not_in(("sent_to_nav", "registered", "rejected")),
                   or_(Need.delivered_at.is_(None), Need.delivered_at >= after),
                   _in_scope(Product.id, product_id, iso_class))
            .limit(gathering.MAX_WAITING)))
    nav: dict[int, dict[date, int]] = {}
    for pid, on, quantity in session.execute(
            select(Product.id, NavOrderLine.expected_on, func.sum(NavOrderLine.quantity))
            .join(Product, Product.hms_nr == NavOrderLine.hms_nr)
            .where(NavOrderLine.first_seen_at < after, NavOrderLine.expected_on >= as_of,
                   NavOrderLine.state != "cancelled", _in_scope(Product.id, product_id, iso_class))
            .group_by(Product.id, NavOrderLine.expected_on)):
        nav.setdefault(pid, {})[_as_date(on)] = int(quantity or 0)
    return History(today=today, available_now=now, in_return_flow_now=in_flow, changes=changes, loans=loans,
                   needs=needs,
                   turnaround_days={pid: median(h) for pid, h in turnaround.items()},
                   nav_deliveries=nav, behaviour=behaviour,
                   groups={p.id: group_of(p.iso_class) for p in products})


def backtest_forecast(session: Session, days: int = DEFAULT_DAYS, product_id: int | None = None,
                      iso_class: str | None = None, today: date | None = None) -> BacktestResult:
    """The forecast the service would have made ``days`` days ago against what happened since."""
    check_scope(product_id, iso_class)
    today = today or local_today()
    as_of = today - timedelta(days=days)
    history = history_since(session, as_of, product_id, iso_class, today)
    return backtest(history, as_of, days + 1)

