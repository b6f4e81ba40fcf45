"""The 30-day availability forecast (prognose), pure: plain data in, a series of days out.

Supply on a day is the units available now, plus what is expected back: units already in the return
flow (returned, cleaning, inspection) once the product's measured turnaround (median days from return
to available) has passed since they came back; loans at their expected end (or on the day of their
planned pickup run), weighted by how often loans of that kind were extended or came back late; and
NAV's expected deliveries. Returns are expected values, so they are summed as fractions and only
whole units are handed out (the floor of the running sum): the forecast never promises a unit that is
half expected.

Demand is the queue of waiting needs (behov), in the queue's order: each takes the next unit the day it
is there, whatever its needed-by date, as ``lending.services.offer_device_to_queue`` does. A day is
flagged when a need whose needed-by date has come is still short of units: those needs are affected.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

MAX_DAYS = 60
DEFAULT_DAYS = 30
EPSILON = 1e-9


@dataclass(frozen=True)
class ReturnBehaviour:
    """How loans of a product (or ISO class) actually ended, measured from history: the share
    extended (not back at the expected end), the share of the rest back late, and by how many days."""

    extended_share: float = 0.0
    late_share: float = 0.0
    late_days: float = 0.0


@dataclass(frozen=True)
class LoanEnd:
    """``count`` open loans expected back on ``on``; ``planned``: the pickup is on a run that day, so
    neither extension nor lateness applies."""

    on: date
    count: int = 1
    planned: bool = False


@dataclass(frozen=True)
class WaitingNeed:
    """A need in the queue still short of ``missing`` units. The queue order is the caller's."""

    need_id: int
    needed_by: date
    urgency: str
    missing: int = 1


@dataclass(frozen=True)
class ForecastInput:
    as_of: date
    available_now: int
    turnaround_days: float = 0.0
    behaviour: ReturnBehaviour = ReturnBehaviour()
    loan_ends: tuple[LoanEnd, ...] = ()
    # Units now in the return flow by the day they came back.
    in_turnaround: dict[date, int] = field(default_factory=dict)
    nav_deliveries: dict[date, int] = field(default_factory=dict)
    # Reserved units leaving on planned runs by day: already not available, shown for the picture.
    planned_out: dict[date, int] = field(default_factory=dict)
    waiting: tuple[WaitingNeed, ...] = ()


@dataclass(frozen=True)
class AffectedNeed:
    need_id: int
    needed_by: date
    urgency: str
    missing: int


@dataclass(frozen=True)
class ForecastDay:
    day: date
    available: int
    incoming: float
    outgoing: int
    planned_out: int
    shortfall: bool
    needs_affected: tuple[AffectedNeed, ...] = ()


def _returns_by_day(data: ForecastInput) -> dict[date, float]:
    """Expected units back on the shelf per day (fractions), before any is handed out."""
    back: dict[date, float] = {}
    turnaround = max(0, round(data.turnaround_days))

    def add(day: date, amount: float) -> None:
        if amount > 0:
            back[max(day, data.as_of)] = back.get(max(day, data.as_of), 0.0) + amount

    for came_back, count in data.in_turnaround.items():
        add(came_back + timedelta(days=turnaround), float(max(count, 0)))
    rates = data.behaviour
    for end in data.loan_ends:
        start = max(end.on, data.as_of)
        if end.planned:
            add(start + timedelta(days=turnaround), float(end.count))
            continue
        # An extended loan runs on for months (korttidsutlån: 3 months), beyond this horizon.
        returning = end.count * (1.0 - _share(rates.extended_share))
        late = returning * _share(rates.late_share)
        add(start + timedelta(days=turnaround), returning - late)
        add(start + timedelta(days=turnaround + late_days_of(rates)), late)
    for day, count in data.nav_deliveries.items():
        add(day, float(max(count, 0)))
    return back


def late_days_of(rates: ReturnBehaviour) -> int:
    return max(0, round(rates.late_days))


def _share(value: float) -> float:
    return min(1.0, max(0.0, value))


def forecast(data: ForecastInput, days: int = DEFAULT_DAYS) -> list[ForecastDay]:
    """The series for ``days`` days from ``as_of`` (day 0 is ``as_of`` itself)."""
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"days must be 1–{MAX_DAYS}")
    back = _returns_by_day(data)
    # Anything due before as_of was moved onto as_of by _returns_by_day.
    missing = [need.missing for need in data.waiting]
    expected = 0.0
    handed_out = 0
    series: list[ForecastDay] = []
    for offset in range(days):
        day = data.as_of + timedelta(days=offset)
        incoming = back.get(day, 0.0)
        expected += incoming
        free = max(0, data.available_now) + math.floor(expected + EPSILON) - handed_out
        outgoing = 0
        for index, need in enumerate(data.waiting):
            if free <= 0:
                break
            take = min(free, missing[index])
            if take > 0:
                missing[index] -= take
                free -= take
                outgoing += take
        handed_out += outgoing
        affected = tuple(AffectedNeed(need.need_id, need.needed_by, need.urgency, missing[index])
                         for index, need in enumerate(data.waiting)
                         if missing[index] > 0 and need.needed_by <= day)
        series.append(ForecastDay(day=day, available=free, incoming=round(incoming, 2), outgoing=outgoing,
                                  planned_out=data.planned_out.get(day, 0), shortfall=bool(affected),
                                  needs_affected=affected))
    return series


def combine(parts: list[list[ForecastDay]]) -> list[ForecastDay]:
    """Several pools of one product (the municipality's units and NAV's, each with its own queue) as one
    series: units and movements summed, a day short when any pool is."""
    if not parts:
        return []
    return [ForecastDay(day=days[0].day, available=sum(d.available for d in days),
                        incoming=round(sum(d.incoming for d in days), 2), outgoing=sum(d.outgoing for d in days),
                        planned_out=sum(d.planned_out for d in days), shortfall=any(d.shortfall for d in days),
                        needs_affected=tuple(n for d in days for n in d.needs_affected))
            for days in zip(*parts)]


def first_shortfall(series: list[ForecastDay]) -> date | None:
    return next((day.day for day in series if day.shortfall), None)


def median(histogram: dict[int, int]) -> float:
    """The median of values given as {value: how many}; 0 for none."""
    total = sum(count for count in histogram.values() if count > 0)
    if total == 0:
        return 0.0
    ordered = sorted((value, count) for value, count in histogram.items() if count > 0)

    def nth(position: int) -> int:
        seen = 0
        for value, count in ordered:
            seen += count
            if position < seen:
                return value
        return ordered[-1][0]

    if total % 2:
        return float(nth(total // 2))
    return (nth(total // 2 - 1) + nth(total // 2)) / 2
