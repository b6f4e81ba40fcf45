"""What the logistics and upkeep areas share: Oslo days as UTC bounds, the twelve chart months ending
with a scope, and a page of rows behind a figure (capped like every list)."""
from __future__ import annotations

from datetime import date, datetime, time, timezone

from sqlalchemy import Select, case, func
from sqlalchemy.orm import Session

from ...core.db import LOCAL_ZONE
from ...core.paging import COUNT_CAP, count_capped
from ..model import RowsPage, Scope

PER_PAGE = 50
MONTHS = ("jan", "feb", "mar", "apr", "mai", "jun", "jul", "aug", "sep", "okt", "nov", "des")


def utc_start(day: date) -> datetime:
    """The moment an Oslo day begins, in UTC (what timestamp columns hold)."""
    return datetime.combine(day, time(), LOCAL_ZONE).astimezone(timezone.utc)


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def chart_months(scope: Scope, count: int = 12) -> list[date]:
    """The first days of the ``count`` months ending with the one the scope's last day lies in."""
    last = month_start(max(scope.start, scope.end.fromordinal(scope.end.toordinal() - 1)))
    return [add_months(last, offset) for offset in range(1 - count, 1)]


def gather_start(scope: Scope) -> date:
    """The first day anything is read from: the scope's start or the first chart month, the earlier."""
    return min(scope.start, chart_months(scope)[0])


def month_label(first: date) -> str:
    return f"{MONTHS[first.month - 1]} {first.year % 100:02d}"


def in_scope(day: date | None, scope: Scope) -> bool:
    return day is not None and scope.start <= day < scope.end


def rows_page(session: Session, title: str, columns: tuple[str, ...], stmt: Select, page: int,
              shape=lambda row: tuple(row)) -> RowsPage:
    """A page of ``stmt``'s rows (already ordered), the total capped at 1 000 and the page no deeper."""
    total, _capped = count_capped(session, stmt)
    last_page = max(1, -(-min(total, COUNT_CAP) // PER_PAGE))
    page = min(max(1, page), last_page)
    rows = session.execute(stmt.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return RowsPage(title, columns, [shape(row) for row in rows], total, page, PER_PAGE)


def yes_no(value: bool) -> str:
    return "Ja" if value else "Nei"


def days_between(session: Session, start, end):
    """``end - start`` in days with fractions, in SQL (so a year's repairs come back as one number each)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date_part("epoch", end - start) / 86400.0  # float, where EXTRACT is numeric
    return func.julianday(end) - func.julianday(start)


def month_index(moment, months: list[date]):
    """Which chart month (0–11) a timestamp lies in, -1 before them: comparisons with the months' UTC
    starts, cheaper per row than converting each timestamp to an Oslo day."""
    return case((moment < utc_start(months[0]), -1),
                *((moment < utc_start(add_months(first, 1)), index) for index, first in enumerate(months)),
                else_=len(months))
