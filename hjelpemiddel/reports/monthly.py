"""The monthly report: every area's figures for a month beside the month before and the same month a
year before, with the area's charts, as a PDF; made on demand and by the worker on the 1st, and kept."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.text import local_time
from ..documents.monthly_report import AreaBlock, FigureLine, monthly_report_pdf
from .areas import AREAS
from .models import MonthlyReport
from .areas._calendar import add_months
from .services import month_scope

MONTH_NAMES = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
               "november", "desember")


def month_label(month: str) -> str:
    return f"{MONTH_NAMES[int(month[5:7]) - 1]} {month[:4]}"


def month_key(day: date) -> str:
    return f"{day:%Y-%m}"


def monthly_blocks(session: Session, month: str) -> list[AreaBlock]:
    scope = month_scope(month)
    before = month_scope(month_key(add_months(scope.start, -1)))
    year_before = month_scope(month_key(add_months(scope.start, -12)))
    blocks = []
    for area in AREAS.values():
        section = area.build(session, scope)
        earlier = [{figure.key: figure.value for figure in area.build(session, other).figures}
                   for other in (before, year_before)]
        blocks.append(AreaBlock(section.title, tuple(
            FigureLine(figure.title, figure.unit, (figure.value, earlier[0].get(figure.key), earlier[1].get(figure.key)),
                       figure.how) for figure in section.figures), section.charts))
    return blocks


def make_monthly_report(session: Session, month: str, depot: str, now: datetime) -> bytes:
    return monthly_report_pdf(month_label(month), monthly_blocks(session, month), depot, local_time(now))


def store_monthly_report(session: Session, month: str, depot: str, now: datetime,
                         actor_id: int | None = None) -> MonthlyReport:
    """Make the month's report and keep it, replacing one made before."""
    pdf = make_monthly_report(session, month, depot, now)
    report = session.scalar(select(MonthlyReport).where(MonthlyReport.month == month))
    if report is None:
        report = MonthlyReport(month=month, pdf=pdf, created_by_id=actor_id, created_at=now)
        session.add(report)
    else:
        report.pdf, report.created_by_id, report.created_at = pdf, actor_id, now
    session.flush()
    return report


def make_due_monthly_report(session: Session, today: date, depot: str, now: datetime) -> str | None:
    """The previous month's report, once: on the 1st, or the first day after it the worker runs."""
    month = month_key(add_months(today, -1))
    if session.scalar(select(MonthlyReport.id).where(MonthlyReport.month == month)) is not None:
        return None
    store_monthly_report(session, month, depot, now)
    return month


def list_monthly_reports(session: Session, limit: int = 24) -> list[tuple[str, str, datetime]]:
    rows = session.execute(select(MonthlyReport.month, MonthlyReport.created_at)
                           .order_by(MonthlyReport.month.desc()).limit(limit))
    return [(month, month_label(month), created_at) for month, created_at in rows]


def stored_monthly_report(session: Session, month: str) -> bytes | None:
    return session.scalar(select(MonthlyReport.pdf).where(MonthlyReport.month == month))
