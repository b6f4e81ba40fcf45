"""Admin's follow-up of the fnr access log (Normen: logs are kept *and* read): per user and day, how
many searches, misses and reveals, with those above a threshold flagged."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.orm import Session

from ...core.auth import User
from ...core.db import LOCAL_ZONE, local_date
from ...core.errors import ValidationFailed
from ..models import FnrAccess

MAX_DAYS = 366


@dataclass(frozen=True)
class FollowUpRow:
    user_id: int
    username: str
    full_name: str
    day: date
    lookups: int
    misses: int
    reveals: int
    flagged: bool


@dataclass(frozen=True)
class FollowUpPage:
    rows: list[FollowUpRow]
    total: int
    date_from: date
    date_to: date
    threshold: int


def _count(condition) -> object:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def access_follow_up(session: Session, date_from: date, date_to: date, threshold: int, username: str | None = None,
                     flagged_only: bool = False, limit: int = 50, offset: int = 0) -> FollowUpPage:
    """Days are Norwegian days (midnight in Oslo). A user is flagged on a day when their searches and reveals together
    exceed ``threshold``. Newest day first, the busiest user first within a day."""
    if date_to < date_from:
        raise ValidationFailed.for_field("date_to", "Til-datoen kan ikke være før fra-datoen.")
    if (date_to - date_from).days >= MAX_DAYS:
        raise ValidationFailed.for_field("date_from", f"Velg høyst {MAX_DAYS} dager om gangen.")
    start = datetime.combine(date_from, time.min, LOCAL_ZONE)
    end = datetime.combine(date_to + timedelta(days=1), time.min, LOCAL_ZONE)
    day = local_date(FnrAccess.accessed_at).label("day")
    lookups = _count(FnrAccess.action == "lookup")
    misses = _count(and_(FnrAccess.action == "lookup", FnrAccess.citizen_id.is_(None)))
    reveals = _count(FnrAccess.action.in_(("reveal", "nav_lookup", "export")))
    used = lookups + reveals
    grouped = (select(FnrAccess.user_id, day, lookups.label("lookups"), misses.label("misses"),
                      reveals.label("reveals"), used.label("used"))
               .where(FnrAccess.accessed_at >= start, FnrAccess.accessed_at < end)
               .group_by(FnrAccess.user_id, day))
    if username:
        grouped = grouped.where(FnrAccess.user_id.in_(select(User.id).where(User.username == username.strip())))
    if flagged_only:
        grouped = grouped.having(used > threshold)
    sub = grouped.subquery()
    total = session.scalar(select(func.count(literal(1))).select_from(sub)) or 0
    rows = session.execute(
        select(sub, User.username, User.full_name).join(User, User.id == sub.c.user_id)
        .order_by(sub.c.day.desc(), sub.c.used.desc(), User.username).limit(limit).offset(offset)).all()
    return FollowUpPage(
        rows=[FollowUpRow(user_id=row.user_id, username=row.username, full_name=row.full_name,
                          day=row.day if isinstance(row.day, date) else date.fromisoformat(str(row.day)),
                          lookups=int(row.lookups), misses=int(row.misses), reveals=int(row.reveals),
                          flagged=int(row.used) > threshold) for row in rows],
        total=total, date_from=date_from, date_to=date_to, threshold=threshold)


FOLLOW_UP_HEADINGS = ("Dato", "Navn", "Brukernavn", "Søk", "Bom", "Visninger", "Over terskelen")


def follow_up_export_rows(session: Session, date_from: date, date_to: date, threshold: int,
                          username: str | None = None, flagged_only: bool = False, **_paging):
    """Every user and day of the period as rows for a download (``core.exports``): counts only, never
    whom they searched for. A period is at most ``MAX_DAYS``, so the rows are bounded by the users."""
    page = access_follow_up(session, date_from, date_to, threshold, username, flagged_only, limit=2_000_000_000)
    return ((row.day, row.full_name, row.username, row.lookups, row.misses, row.reveals, row.flagged)
            for row in page.rows)
