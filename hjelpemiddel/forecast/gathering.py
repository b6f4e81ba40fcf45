"""The forecast's inputs gathered from the database, aggregated in SQL per product (GROUP BY product):
a constant number of statements whatever the scope (one product, an ISO class, all) and however many
units. The rules are the other packages': which unit fits which need (``lending.fit``), the queue's
order (``lending.services.reservations.QUEUE_ORDER``), the states of the return flow
(``stock.lifecycle``). Never imports Flask, never commits."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import Date, and_, case, exists, func, literal, select
from sqlalchemy.orm import Session, aliased

from ..catalog.models import Product
from ..core.db import LOCAL_ZONE, local_date
from ..core.errors import NotFound, ValidationFailed
from ..core.text import local_today
from ..lending.fit import OWNER_FOR, needs_fitting_products
from ..lending.models import Loan, LoanExtension, Need, Reservation
from ..lending.services.reservations import QUEUE_ORDER
from ..logistics.models import DeliveryRun, Stop, StopItem
from ..nav.models import NavOrderLine
from ..stock.lifecycle import DeviceState
from ..stock.models import Device, DeviceEvent
from .backtest import RETURN_FLOW, behaviour_from_counts
from .model import ForecastInput, LoanEnd, ReturnBehaviour, WaitingNeed, median

S = DeviceState
# How far back loans and returns are measured from.
HISTORY_DAYS = 365
TURNAROUND_HISTORY_DAYS = 180
MAX_WAITING = 5000
RETURN_FLOW_DAYS = 60


@dataclass(frozen=True)
class ProductRow:
    id: int
    name: str
    hms_nr: str | None
    iso_class: str


@dataclass
class Pool:
    """The units of one owner (the municipality's, NAV's) of a product, and what comes to them."""

    available: int = 0
    return_flow: dict[date, int] = field(default_factory=dict)
    loan_ends: dict[tuple[date, bool], int] = field(default_factory=dict)
    nav: dict[date, int] = field(default_factory=dict)
    planned_out: dict[date, int] = field(default_factory=dict)

    def merge(self, other: "Pool") -> None:
        self.available += other.available
        for mine, theirs in ((self.return_flow, other.return_flow), (self.loan_ends, other.loan_ends),
                             (self.nav, other.nav), (self.planned_out, other.planned_out)):
            for key, value in theirs.items():
                mine[key] = mine.get(key, 0) + value


@dataclass
class Gathered:
    """Per product, the aggregates a forecast is built from (merged for an ISO class): a pool per
    owner, and how the product's loans ended and how long its units took from return to available."""

    pools: dict[str, Pool] = field(default_factory=lambda: defaultdict(Pool))
    behaviour: list = field(default_factory=lambda: [0, 0, 0, 0.0])  # ended, extended, late, late days
    turnaround: dict[int, int] = field(default_factory=dict)  # days → how many returns took that long

    def merge(self, other: "Gathered") -> None:
        for owner, pool in other.pools.items():
            self.pools[owner].merge(pool)
        for key, value in other.turnaround.items():
            self.turnaround[key] = self.turnaround.get(key, 0) + value
        self.behaviour = [a + b for a, b in zip(self.behaviour, other.behaviour)]

    @property
    def turnaround_days(self) -> float:
        return median(self.turnaround)

    @property
    def return_behaviour(self) -> ReturnBehaviour:
        return behaviour_from_counts(*self.behaviour) if self.behaviour[0] else ReturnBehaviour()

    def to_inputs(self, as_of: date, waiting: dict[str, tuple[WaitingNeed, ...]]) -> list[ForecastInput]:
        """One input per owner: a need waits for units of the owner its kind of loan takes (``lending.fit``)."""
        owners = sorted(set(self.pools) | set(waiting)) or ["kommune"]
        return [ForecastInput(
            as_of=as_of, available_now=pool.available, turnaround_days=self.turnaround_days,
            behaviour=self.return_behaviour,
            loan_ends=tuple(LoanEnd(on, count, planned) for (on, planned), count in sorted(pool.loan_ends.items())),
            in_turnaround=dict(pool.return_flow), nav_deliveries=dict(pool.nav), planned_out=dict(pool.planned_out),
            waiting=waiting.get(owner, ()))
            for owner in owners for pool in [self.pools.get(owner, Pool())]]


def start_of(day: date) -> datetime:
    """The first moment of a local day, for comparing with stored times."""
    return datetime.combine(day, time.min, tzinfo=LOCAL_ZONE)


def _day(column):
    # The Norwegian day a unit came back: a unit received at 00:30 came back today, not yesterday (UTC).
    return local_date(column)


def days_between(session: Session, later, earlier):
    """Whole days from ``earlier`` to ``later`` (dates or timestamps), in the database's dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return func.cast(later, Date) - func.cast(earlier, Date)
    return func.julianday(func.date(later)) - func.julianday(func.date(earlier))


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def scope_products(session: Session, product_id: int | None = None, iso_class: str | None = None) -> list[ProductRow]:
    stmt = select(Product.id, Product.name, Product.hms_nr, Product.iso_class).order_by(Product.name, Product.id)
    if product_id is not None:
        stmt = stmt.where(Product.id == product_id)
    elif iso_class:
        stmt = stmt.where(Product.iso_class.startswith(iso_class))
    rows = [ProductRow(*row) for row in session.execute(stmt)]
    if not rows and (product_id is not None or iso_class):
        raise NotFound("Fant ingen produkter i dette utvalget.", {"product_id": product_id, "iso_class": iso_class})
    return rows


def _in_scope(column, product_id: int | None, iso_class: str | None):
    if product_id is not None:
        return column == product_id
    if iso_class:
        return column.in_(select(Product.id).where(Product.iso_class.startswith(iso_class)))
    return literal(True)


def _booked_ahead():
    """Units already promised to a need: their return is that need's, not the shelf's."""
    return exists().where(Reservation.device_id == Device.id, Reservation.status == "active")


def gather(session: Session, product_id: int | None = None, iso_class: str | None = None,
           as_of: date | None = None) -> dict[int, Gathered]:
    """The aggregates per product in scope as of today: seven statements, each grouped by product."""
    as_of = as_of or local_today()
    scope = _in_scope(Device.product_id, product_id, iso_class)
    found: dict[int, Gathered] = defaultdict(Gathered)

    for pid, owner, count in session.execute(select(Device.product_id, Device.owner, func.count()).where(
            Device.state == S.AVAILABLE, scope).group_by(Device.product_id, Device.owner)):
        found[pid].pools[owner].available = count

    # Units back longer ago than any turnaround are due now: one group per product for them, not a day each.
    floor = start_of(as_of - timedelta(days=RETURN_FLOW_DAYS))
    later = func.greatest if session.get_bind().dialect.name == "postgresql" else func.max
    came_back = _day(later(Device.updated_at, floor))
    for pid, owner, day, count in session.execute(
            select(Device.product_id, Device.owner, came_back, func.count())
            .where(Device.state.in_(sorted(RETURN_FLOW)), scope, ~_booked_ahead())
            .group_by(Device.product_id, Device.owner, came_back)):
        found[pid].pools[owner].return_flow[_as_date(day)] = count

    # An open loan is back on its pickup run's day when one is planned, else at its expected end.
    collect = (select(StopItem.device_id, func.min(DeliveryRun.run_date).label("run_date"))
               .join(Stop, Stop.id == StopItem.stop_id).join(DeliveryRun, DeliveryRun.id == Stop.run_id)
               .where(StopItem.active, StopItem.action == "collect").group_by(StopItem.device_id).subquery())
    back_on = func.coalesce(collect.c.run_date, Loan.expected_end)
    planned = collect.c.run_date.is_not(None)
    for pid, owner, day, is_planned, count in session.execute(
            select(Device.product_id, Device.owner, back_on, planned, func.count())
            .join(Device, Device.id == Loan.device_id).outerjoin(collect, collect.c.device_id == Loan.device_id)
            .where(Loan.status != "ended", back_on.is_not(None), scope, ~_booked_ahead())
            .group_by(Device.product_id, Device.owner, back_on, planned)):
        found[pid].pools[owner].loan_ends[(_as_date(day), bool(is_planned))] = count

    for pid, ended, extended, late, late_days in session.execute(behaviour_stmt(session, scope, as_of)):
        found[pid].behaviour = [ended, extended or 0, late or 0, float(late_days or 0)]

    for pid, days, count in session.execute(turnaround_stmt(session, scope, as_of)):
        if days is not None and days >= 0:
            found[pid].turnaround[int(days)] = found[pid].turnaround.get(int(days), 0) + count

    # NAV's units for the depot's stock; a line tied to a need is that need's unit, not the queue's.
    line_scope = _in_scope(Product.id, product_id, iso_class)
    for pid, day, quantity in session.execute(
            select(Product.id, NavOrderLine.expected_on, func.sum(NavOrderLine.quantity - NavOrderLine.received_quantity))
            .join(Product, Product.hms_nr == NavOrderLine.hms_nr)
            .where(NavOrderLine.state == "expected", NavOrderLine.expected_on.is_not(None),
                   NavOrderLine.need_id.is_(None), line_scope)
            .group_by(Product.id, NavOrderLine.expected_on)):
        found[pid].pools["nav"].nav[_as_date(day)] = max(0, int(quantity or 0))

    for pid, owner, day, count in session.execute(
            select(Device.product_id, Device.owner, DeliveryRun.run_date, func.count())
            .select_from(StopItem).join(Device, Device.id == StopItem.device_id)
            .join(Stop, Stop.id == StopItem.stop_id).join(DeliveryRun, DeliveryRun.id == Stop.run_id)
            .where(StopItem.active, StopItem.action == "deliver", DeliveryRun.run_date >= as_of, scope)
            .group_by(Device.product_id, Device.owner, DeliveryRun.run_date)):
        found[pid].pools[owner].planned_out[_as_date(day)] = count
    return found


def behaviour_stmt(session: Session, scope, as_of: date):
    """Per product, of the loans ended in the last year before ``as_of``: how many, how many extended,
    how many of the others back after their expected end, and their days late in all."""
    since = as_of - timedelta(days=HISTORY_DAYS)
    extended = exists().where(LoanExtension.loan_id == Loan.id)
    first_end = func.coalesce(select(func.min(LoanExtension.previous_end)).where(LoanExtension.loan_id == Loan.id)
                              .scalar_subquery(), Loan.expected_end)
    late_by = days_between(session, Loan.ended_at, first_end)
    is_late = and_(~extended, late_by > 0)
    return (select(Device.product_id, func.count(),
                   func.sum(case((extended, 1), else_=0)), func.sum(case((is_late, 1), else_=0)),
                   func.sum(case((is_late, late_by), else_=0)))
            .join(Device, Device.id == Loan.device_id)
            .where(Loan.status == "ended", Loan.ended_at >= start_of(since), Loan.ended_at < start_of(as_of + timedelta(days=1)),
                   Loan.expected_end.is_not(None), scope)
            .group_by(Device.product_id))


def turnaround_trips(session: Session, first: datetime, end: datetime, scope=True):
    """Each unit readied after inspection from ``first`` to ``end`` with its product and the whole days
    since it was received at the depot (into cleaning) before that: the one definition of a
    turnaround, for the forecast and the reports (partial indexes ``ix_device_events_readied`` and
    ``ix_device_events_received``)."""
    received = aliased(DeviceEvent)
    last_received = (select(func.max(received.id))
                     .where(received.device_id == DeviceEvent.device_id, received.to_state == S.CLEANING,
                            received.id < DeviceEvent.id).correlate(DeviceEvent).scalar_subquery())
    that = aliased(DeviceEvent)
    received_at = select(that.occurred_at).where(that.id == last_received).scalar_subquery()
    return (select(Device.product_id.label("product_id"),
                   days_between(session, DeviceEvent.occurred_at, received_at).label("took"))
            .join(Device, Device.id == DeviceEvent.device_id)
            .where(DeviceEvent.to_state == S.AVAILABLE, DeviceEvent.from_state == S.INSPECTION,
                   DeviceEvent.occurred_at >= first, DeviceEvent.occurred_at < end, scope)
            .subquery())


def turnaround_stmt(session: Session, scope, as_of: date):
    """Turnarounds per product and number of days in the half year before ``as_of``."""
    since = as_of - timedelta(days=TURNAROUND_HISTORY_DAYS)
    trips = turnaround_trips(session, start_of(since), start_of(as_of + timedelta(days=1)), scope)
    return (select(trips.c.product_id, trips.c.took, func.count())
            .where(trips.c.took.is_not(None)).group_by(trips.c.product_id, trips.c.took))


def waiting_needs(session: Session, product_id: int | None = None, iso_class: str | None = None
                  ) -> list[tuple[int, str, WaitingNeed]]:
    """The queue for the products in scope whose units would fit (a need for an ISO class waits for
    every product in it): (product, the owner whose units it takes, need) in the queue's order, each
    need with the units it still lacks."""
    supplied = (select(func.count()).where(Reservation.need_id == Need.id, Reservation.status == "active")
                .scalar_subquery()
                + select(func.count()).where(Loan.need_id == Need.id).scalar_subquery())
    missing = Need.quantity - supplied
    rows = session.execute(
        select(Product.id, Need.application_type, Need.id, Need.needed_by, Need.urgency, missing)
        .join(Product, needs_fitting_products())
        .where(Need.status == "approved", missing > 0, _in_scope(Product.id, product_id, iso_class))
        .order_by(*QUEUE_ORDER, Product.id).limit(MAX_WAITING))
    return [(pid, OWNER_FOR[application], WaitingNeed(need_id, _as_date(needed_by), urgency, int(lacking)))
            for pid, application, need_id, needed_by, urgency, lacking in rows]


def queues_by_product(waiting: list[tuple[int, str, WaitingNeed]]) -> dict[int, dict[str, tuple[WaitingNeed, ...]]]:
    queues: dict[int, dict[str, list[WaitingNeed]]] = defaultdict(lambda: defaultdict(list))
    for pid, owner, need in waiting:
        queues[pid][owner].append(need)
    return {pid: {owner: tuple(queue) for owner, queue in by_owner.items()} for pid, by_owner in queues.items()}


def one_queue(waiting: list[tuple[int, str, WaitingNeed]]) -> dict[str, tuple[WaitingNeed, ...]]:
    """The queue of several products together: each need once, in the queue's order."""
    seen: dict[str, dict[int, WaitingNeed]] = defaultdict(dict)
    for _, owner, need in waiting:
        seen[owner].setdefault(need.need_id, need)
    return {owner: tuple(needs.values()) for owner, needs in seen.items()}


def check_scope(product_id: int | None, iso_class: str | None) -> None:
    if product_id is not None and iso_class:
        raise ValidationFailed.for_field("iso_class", "Velg enten et produkt eller en ISO-klasse, ikke begge.")


def merged(gathered: dict[int, Gathered]) -> Gathered:
    total = Gathered()
    for item in gathered.values():
        total.merge(item)
    return total
