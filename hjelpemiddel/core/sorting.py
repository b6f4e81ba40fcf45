"""Sortable columns: a list is sorted by one of the columns it offers, named in the query as
``sort=<key>&retning=stigende|synkende``. Anything else (an unknown key, a bad direction) sorts by
the list's default, never an error. Services take the key and direction as plain values and turn
them into ``ORDER BY`` with ``order_by_columns``; pages draw the headers with ``_sort.html``."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

ASCENDING, DESCENDING = "stigende", "synkende"
SORT_ARGS = ("sort", "retning")


@dataclass(frozen=True)
class SortOrder:
    key: str
    descending: bool = False


def sort_order(args: Mapping, keys, default: str, descending: bool = False) -> SortOrder:
    """The order the query asks for, if it is one of ``keys``; else the default."""
    key = args.get("sort", "")
    if key not in keys:
        return SortOrder(default, descending)
    return SortOrder(key, args.get("retning") == DESCENDING)


def order_by_columns(columns: Mapping[str, tuple], order: SortOrder, tie_breaker) -> list:
    """``ORDER BY`` for ``order`` over a list's sortable ``columns`` (key → columns), ending with
    ``tie_breaker`` so that pages never overlap."""
    chosen = columns.get(order.key) or next(iter(columns.values()))
    clauses = [column.desc() if order.descending else column.asc() for column in chosen]
    return clauses + [tie_breaker.desc() if order.descending else tie_breaker.asc()]
