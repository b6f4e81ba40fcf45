"""The backtest, pure: the forecast the service would have made on a past day, from the history as it
was then, against what happened.

The history is the device events (a ``StateChange`` is one event, or ``count`` alike ones on one day),
the loans and the needs. Units available on a day are counted back from today's: each event after that
day into «available» was one unit fewer then, each out of it one more. The same goes for the units in
the return flow. Loans are taken as they stood (open then, with the end agreed before any later
extension), their behaviour measured from loans that had ended by then; needs as the queue held them.
The error is the mean absolute difference, per day, between forecast and actual available units,
per product and per product group (the ISO class's first 4 digits).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from .model import (ForecastDay, ForecastInput, LoanEnd, ReturnBehaviour, WaitingNeed, forecast)

AVAILABLE = "available"
RETURN_FLOW = frozenset({"returned", "cleaning", "inspection"})


@dataclass(frozen=True)
class StateChange:
    product_id: int
    on: date
    from_state: str | None
    to_state: str | None
    count: int = 1


@dataclass(frozen=True)
class LoanRecord:
    """A loan (or ``count`` alike): ``expected_end`` as first agreed; ``extended_on`` its first extension."""

    product_id: int
    started_on: date
    expected_end: date | None
    ended_on: date | None = None
    extended_on: date | None = None
    count: int = 1


@dataclass(frozen=True)
class NeedRecord:
    need_id: int
    product_id: int
    registered_on: date
    needed_by: date
    urgency: str
    urgency_rank: int
    quantity: int = 1
    served_on: date | None = None
    closed_on: date | None = None


@dataclass(frozen=True)
class History:
    today: date
    available_now: dict[int, int]
    in_return_flow_now: dict[int, int] = field(default_factory=dict)
    changes: tuple[StateChange, ...] = ()
    loans: tuple[LoanRecord, ...] = ()
    needs: tuple[NeedRecord, ...] = ()
    # Median days from return to available, as measured from the history before the backtest's day.
    turnaround_days: dict[int, float] = field(default_factory=dict)
    nav_deliveries: dict[int, dict[date, int]] = field(default_factory=dict)
    # Loan behaviour measured elsewhere (in SQL) as of the backtest's day; else measured from ``loans``.
    behaviour: dict[int, ReturnBehaviour] = field(default_factory=dict)
    groups: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ProductBacktest:
    product_id: int
    group: str
    forecast: list[ForecastDay]
    actual: list[int]
    mean_absolute_error: float


@dataclass(frozen=True)
class GroupError:
    group: str
    products: int
    mean_absolute_error: float
    mean_actual: float


@dataclass(frozen=True)
class BacktestResult:
    as_of: date
    days: int
    products: list[ProductBacktest]
    groups: list[GroupError]


def _counts_on(now: dict[int, int], changes, day: date, today: date, states) -> dict[int, int]:
    """Units per product in ``states`` at the end of ``day``: today's count, undoing every later event."""
    counts = dict(now)
    for change in changes:
        if day < change.on <= today:
            delta = (change.to_state in states) - (change.from_state in states)
            if delta:
                counts[change.product_id] = counts.get(change.product_id, 0) - delta * change.count
    return counts


def actual_available(history: History, start: date, days: int) -> dict[int, list[int]]:
    """Units available per product at the end of each day from ``start`` (never below zero)."""
    net: dict[int, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for change in history.changes:
        delta = (change.to_state == AVAILABLE) - (change.from_state == AVAILABLE)
        if delta and change.on <= history.today:
            net[change.product_id][change.on] += delta * change.count
    series: dict[int, list[int]] = {}
    for product_id in set(history.available_now) | set(net):
        after = net.get(product_id, {})
        level = history.available_now.get(product_id, 0) - sum(n for d, n in after.items() if d > start)
        row = [max(0, level)]
        for offset in range(1, days):
            level += after.get(start + timedelta(days=offset), 0)
            row.append(max(0, level))
        series[product_id] = row
    return series


def measure_behaviour(loans, before: date) -> dict[int, ReturnBehaviour]:
    """Per product, from the loans ended before ``before``: the share extended, the share of the others
    back after their expected end, and their mean days late."""
    totals: dict[int, list[float]] = defaultdict(lambda: [0, 0, 0, 0.0])
    for loan in loans:
        if loan.ended_on is None or loan.ended_on >= before or loan.expected_end is None:
            continue
        row = totals[loan.product_id]
        row[0] += loan.count
        if loan.extended_on is not None:
            row[1] += loan.count
        elif loan.ended_on > loan.expected_end:
            row[2] += loan.count
            row[3] += (loan.ended_on - loan.expected_end).days * loan.count
    return {product_id: behaviour_from_counts(*row) for product_id, row in totals.items()}


def behaviour_from_counts(ended: int, extended: int, late: int, late_days_total: float) -> ReturnBehaviour:
    if ended <= 0:
        return ReturnBehaviour()
    not_extended = ended - extended
    return ReturnBehaviour(extended_share=extended / ended,
                           late_share=late / not_extended if not_extended else 0.0,
                           late_days=late_days_total / late if late else 0.0)


def inputs_as_of(history: History, as_of: date) -> dict[int, ForecastInput]:
    """The forecast's inputs per product as the service would have gathered them on ``as_of``."""
    available = _counts_on(history.available_now, history.changes, as_of, history.today, {AVAILABLE})
    in_flow = _counts_on(history.in_return_flow_now, history.changes, as_of, history.today, RETURN_FLOW)
    behaviour = measure_behaviour(history.loans, as_of)
    behaviour.update(history.behaviour)
    ends: dict[int, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for loan in history.loans:
        open_then = loan.started_on <= as_of and (loan.ended_on is None or loan.ended_on > as_of)
        if open_then and loan.expected_end is not None and (loan.extended_on is None or loan.extended_on > as_of):
            ends[loan.product_id][loan.expected_end] += loan.count
    waiting: dict[int, list[NeedRecord]] = defaultdict(list)
    for need in history.needs:
        if need.registered_on <= as_of and (need.served_on is None or need.served_on > as_of) \
                and (need.closed_on is None or need.closed_on > as_of):
            waiting[need.product_id].append(need)
    products = set(available) | set(in_flow) | set(ends) | set(waiting) | set(history.nav_deliveries)
    products |= set(history.groups)
    inputs = {}
    for product_id in products:
        turnaround = history.turnaround_days.get(product_id, 0.0)
        # Units in the return flow then came back on unknown days: half a turnaround ago, on average.
        came_back = as_of - timedelta(days=round(turnaround / 2))
        queue = sorted(waiting.get(product_id, []), key=lambda n: (n.urgency_rank, n.needed_by, n.need_id))
        inputs[product_id] = ForecastInput(
            as_of=as_of, available_now=max(0, available.get(product_id, 0)), turnaround_days=turnaround,
            behaviour=behaviour.get(product_id, ReturnBehaviour()),
            loan_ends=tuple(LoanEnd(on, count) for on, count in sorted(ends.get(product_id, {}).items())),
            in_turnaround={came_back: max(0, in_flow.get(product_id, 0))},
            nav_deliveries={d: n for d, n in history.nav_deliveries.get(product_id, {}).items() if d >= as_of},
            waiting=tuple(WaitingNeed(n.need_id, n.needed_by, n.urgency, n.quantity) for n in queue))
    return inputs


def group_of(iso_class: str | None) -> str:
    return (iso_class or "")[:4]


def backtest(history: History, as_of: date, days: int) -> BacktestResult:
    """The forecast made on ``as_of`` against what happened, for the days up to today (at most ``days``)."""
    span = max(1, min(days, (history.today - as_of).days + 1))
    actual = actual_available(history, as_of, span)
    results = []
    for product_id, data in sorted(inputs_as_of(history, as_of).items()):
        series = forecast(data, span)
        truth = actual.get(product_id, [0] * span)
        error = sum(abs(day.available - real) for day, real in zip(series, truth)) / span
        results.append(ProductBacktest(product_id, history.groups.get(product_id, ""), series, truth, round(error, 3)))
    return BacktestResult(as_of, span, results, errors_by_group(results))


def errors_by_group(results: list[ProductBacktest]) -> list[GroupError]:
    grouped: dict[str, list[ProductBacktest]] = defaultdict(list)
    for result in results:
        grouped[result.group].append(result)
    rows = []
    for group, members in sorted(grouped.items()):
        error = sum(m.mean_absolute_error for m in members) / len(members)
        level = sum(sum(m.actual) / max(1, len(m.actual)) for m in members) / len(members)
        rows.append(GroupError(group, len(members), round(error, 3), round(level, 2)))
    return sorted(rows, key=lambda row: (-row.mean_absolute_error, row.group))
