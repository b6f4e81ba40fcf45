"""Bounded lists: a page of rows with an honest count, by offset (short work lists) or by key
(long lists, where ``OFFSET 500000`` would read half a million rows to throw them away).

Counts are capped: counting 400,000 rows on every view costs more than the page itself, and
a person needs «over 1 000», not the exact figure. ``count_capped`` reads at most
``COUNT_CAP + 1`` rows, and an offset page lies no deeper than that: beyond it, search or filter."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")
COUNT_CAP = 1_000
PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


def count_capped(session: Session, stmt: Select, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """How many rows ``stmt`` gives, read no further than ``cap``: (count, whether it was capped)."""
    limited = stmt.order_by(None).limit(cap + 1).subquery()
    total = session.scalar(select(func.count()).select_from(limited))
    return (cap, True) if total > cap else (total, False)


@dataclass
class Page(Generic[T]):
    """One page of a list. ``number`` is 1-based for offset pages; key pages carry the keys of
    their first and last row (``first_key``/``last_key``) and whether rows lie beyond each end."""

    items: list[T]
    total: int
    capped: bool = False
    number: int = 1
    size: int = PAGE_SIZE
    has_next: bool = False
    has_previous: bool = False
    first_key: Any = None
    last_key: Any = None
    cut: bool = False  # rows lie beyond the deepest page offered: a search or filter reaches them

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    @property
    def start(self) -> int:
        """1-based position of the first row (offset pages only)."""
        return (self.number - 1) * self.size + 1 if self.items else 0

    @property
    def end(self) -> int:
        return self.start + len(self.items) - 1 if self.items else 0


def page_number(raw: Any) -> int:
    """A page number from a query string: anything odd is the first page, never an error."""
    try:
        number = int(str(raw))
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), 1_000_000)


def last_page_number(total: int, size: int) -> int:
    return max((total - 1) // size + 1, 1)


def counted_page(items: list, total: int, number: int, size: int) -> Page:
    """A page whose rows and total were read by the caller (``number`` already within the total)."""
    return Page(items, total, number=number, size=size, has_previous=number > 1, has_next=number * size < total)


def list_page(items: list, number: int, size: int) -> Page:
    """Page ``number`` of a list already in memory; a page past the end shows the last one."""
    number = min(max(number, 1), last_page_number(len(items), size))
    return counted_page(items[(number - 1) * size:number * size], len(items), number, size)


def offset_page(session: Session, stmt: Select, number: int = 1, size: int = PAGE_SIZE, scalars: bool = True,
                cap: int = COUNT_CAP) -> Page:
    """Page ``number`` of ``stmt`` (which carries its own ORDER BY): two statements, whatever the size."""
    size = min(max(size, 1), MAX_PAGE_SIZE)
    # Offset pages are for work lists, read from the top; deeper than the count's cap a search narrows them.
    deepest = max(cap // size, 1)
    number = min(max(number, 1), deepest)
    total, capped = count_capped(session, stmt, cap)
    if not capped and total and (number - 1) * size >= total:
        number = (total - 1) // size + 1  # a page past the end (rows went away) shows the last one
    query = stmt.limit(size + 1).offset((number - 1) * size)
    rows = list(session.scalars(query).unique() if scalars else session.execute(query))
    more = len(rows) > size
    return Page(rows[:size], total, capped, number, size, has_next=more and number < deepest,
                has_previous=number > 1, cut=more and number >= deepest)


def streamed(session: Session, stmt: Select, scalars: bool = False, size: int = 500):
    """Every row of ``stmt`` for a download (``core.exports``), read ``size`` at a time (a server-side
    cursor on PostgreSQL), so memory stays bounded however many match. A generator: nothing is read
    before the response starts sending, after the request's commit."""
    result = session.execute(stmt.execution_options(yield_per=size))
    yield from (result.scalars() if scalars else result)


def in_batches(rows, size: int = 500):
    """``rows`` as lists of ``size``: for a download whose rows need a second read per batch."""
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
