"""What a report is made of, pure: the scope it covers, its figures, its charts and the rows behind a
figure. Area modules (``areas/``) turn database rows into these; pages, the API and the monthly PDF
only render them. Small statistics helpers live here so every area computes a median the same way."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Scope:
    """A period ``start`` ≤ day < ``end`` (Oslo days), optionally one postcode area (a postcode's
    first 1–4 digits) and one product group (an ISO 9999 class's first digits)."""

    start: date
    end: date
    postcode_area: str | None = None
    product_group: str | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def previous(self) -> Scope:
        """The period of the same length just before, for «against the previous period»."""
        return Scope(self.start - timedelta(days=self.days), self.start, self.postcode_area, self.product_group)


@dataclass(frozen=True)
class Figure:
    """One number a manager reads. ``value`` None: nothing to compute from in the scope (shown as
    «–», never as 0). ``how`` is the «slik regnes det» text; the rows behind it are the area's
    ``rows(…, key, …)``."""

    key: str
    title: str
    value: float | None
    unit: str  # "dager", "timer", "%", "stk", "km", "kr"
    how: str
    count: int | None = None  # how many rows the figure is computed from


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class Chart:
    """A chart and its numbers: ``kind`` «line» (a time series), «bars» (one bar per label) or
    «histogram» (a distribution in buckets). ``labels`` name the x positions; every series has one
    value per label. The page shows the same numbers as a table beside it."""

    key: str
    title: str
    kind: str
    labels: tuple[str, ...]
    series: tuple[Series, ...]
    unit: str = ""


@dataclass(frozen=True)
class Section:
    """A report area's page: its figures and charts."""

    area: str
    title: str
    figures: tuple[Figure, ...]
    charts: tuple[Chart, ...] = ()


def percentile(values: list[float], share: float) -> float | None:
    """The value at ``share`` (0–1) by linear interpolation between closest ranks; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * share
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def weighted_percentile(values: list[tuple[float, int]], share: float) -> float | None:
    """``model.percentile`` of the values each repeated its count of times, without repeating them."""
    ordered = sorted((value, count) for value, count in values if count > 0)
    total = sum(count for _value, count in ordered)
    if not total:
        return None
    position = (total - 1) * share
    low, high = math.floor(position), math.ceil(position)
    at, seen = {}, 0
    for value, count in ordered:
        for rank in (low, high):
            if seen <= rank < seen + count:
                at[rank] = value
        seen += count
    return at[low] + (at[high] - at[low]) * (position - low)


def median(values: list[float]) -> float | None:
    return percentile(values, 0.5)


def share(part: int, whole: int) -> float | None:
    """A percentage, None when there is nothing to divide by."""
    return None if whole == 0 else 100.0 * part / whole


@dataclass(frozen=True)
class RowsPage:
    """The rows behind one figure, a page of them: headings and plain values (texts in bokmål,
    dates as dates, numbers as numbers), ``total`` capped like every list's count."""

    title: str
    columns: tuple[str, ...]
    rows: list[tuple]
    total: int
    page: int = 1
    per_page: int = 50
