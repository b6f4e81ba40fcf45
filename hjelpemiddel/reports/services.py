"""What the report pages, the API and the monthly report ask: a scope from what people typed (or a
preset), an area's section, the rows behind one of its figures, every area at once."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from ..core.errors import NotFound
from .areas import AREAS
from .areas._calendar import add_months
from .model import RowsPage, Scope, Section

PERIODS = {
    "maned": "Denne måneden",
    "forrige-maned": "Forrige måned",
    "12-maneder": "Siste 12 måneder",
    "i-ar": "I år",
    "i-fjor": "I fjor",
}
DEFAULT_PERIOD = "12-maneder"


def scope_for(query: dict, today: date) -> Scope:
    """A preset, or from–to as typed (both days included; one of them alone: a year up to «til», or
    from «fra» until today)."""
    start, last = query.get("fra"), query.get("til")
    if start or last:
        last = last or max(start, today)
        start = start or last - timedelta(days=364)
        return Scope(start, last + timedelta(days=1), query.get("postnummer"), query.get("produktgruppe"))
    period = query.get("periode") or DEFAULT_PERIOD
    tomorrow = today + timedelta(days=1)
    start, end = {
        "maned": (add_months(today, 0), tomorrow),
        "forrige-maned": (add_months(today, -1), add_months(today, 0)),
        "12-maneder": (add_months(today, -11), tomorrow),
        "i-ar": (date(today.year, 1, 1), tomorrow),
        "i-fjor": (date(today.year - 1, 1, 1), date(today.year, 1, 1)),
    }[period]
    return Scope(start, end, query.get("postnummer"), query.get("produktgruppe"))


def month_scope(month: str) -> Scope:
    """«2026-11» → that whole month."""
    year, number = int(month[:4]), int(month[5:7])
    start = date(year, number, 1)
    return Scope(start, add_months(start, 1))


def area_for(key: str):
    area = AREAS.get(key)
    if area is None:
        raise NotFound(f"Fant ingen rapport «{key}».", {"area": key})
    return area


def list_areas() -> list[tuple[str, str]]:
    return [(key, area.TITLE) for key, area in AREAS.items()]


def build_report(session: Session, key: str, scope: Scope) -> Section:
    return area_for(key).build(session, scope)


def build_rows(session: Session, key: str, figure_key: str, scope: Scope, page: int = 1) -> RowsPage:
    return area_for(key).rows(session, scope, figure_key, page)


def iterate_rows(session: Session, key: str, figure_key: str, scope: Scope, first: RowsPage):
    """Every row behind a figure (as far as its pages go: their count is capped), page by page."""
    page = first
    while True:
        yield from page.rows
        if page.page * page.per_page >= min(page.total, 1000) or not page.rows:
            return
        page = build_rows(session, key, figure_key, scope, page.page + 1)


def build_overview(session: Session, scope: Scope) -> list[Section]:
    return [area.build(session, scope) for area in AREAS.values()]
