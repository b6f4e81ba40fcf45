"""Monthly checkpoints of the history: units at each place by state at the start of each month, so
the depot at any past moment is one checkpoint plus at most a month of events, not the whole history.
Each checkpoint is made from the one before and the month's events: an event takes one unit from
the place and state it left and puts one where it went (``from_*`` and ``to_*``)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import Integer, delete, func, insert, literal, select, union_all
from sqlalchemy.orm import Session

from ...core.db import UtcDateTime
from ...stock.models import DeviceEvent
from ..models import MARKER, NO_PLACE, PlaceCheckpoint


def month_start(moment: datetime) -> datetime:
    moment = moment.astimezone(timezone.utc)
    return datetime(moment.year, moment.month, 1, tzinfo=timezone.utc)


def next_month(moment: datetime) -> datetime:
    return datetime(moment.year + moment.month // 12, moment.month % 12 + 1, 1, tzinfo=timezone.utc)


def _moves(since: datetime | None, until: datetime, place_ids=None):
    """Each event in [since, until] as −1 where it left and +1 where it went (of the places, if given)."""
    def window(stmt):
        stmt = stmt.where(DeviceEvent.occurred_at <= until) if until is not None else stmt
        return stmt.where(DeviceEvent.occurred_at >= since) if since is not None else stmt

    left = select(func.coalesce(DeviceEvent.from_location_id, NO_PLACE).label("place_id"),
                  DeviceEvent.from_state.label("state"), literal(-1, Integer).label("units")).where(
        DeviceEvent.from_state.is_not(None))
    went = select(func.coalesce(DeviceEvent.to_location_id, NO_PLACE), DeviceEvent.to_state, literal(1, Integer))
    if place_ids is not None:
        left = left.where(DeviceEvent.from_location_id.in_(place_ids))
        went = went.where(DeviceEvent.to_location_id.in_(place_ids))
    return [window(left), window(went)]


def build_checkpoints(session: Session, now: datetime) -> int:
    """Checkpoints for every month start up to ``now`` that has none, oldest first; how many were made."""
    first_event = session.scalar(select(func.min(DeviceEvent.occurred_at)))
    if first_event is None:
        return 0
    latest = session.scalar(select(func.max(PlaceCheckpoint.starts_at)))
    built = 0
    if latest is None:  # the month the history starts in starts empty
        latest = month_start(first_event)
        session.execute(insert(PlaceCheckpoint).values(starts_at=latest, place_id=MARKER, state="", units=0))
        built += 1
    while (starts := next_month(latest)) <= now:
        # Events strictly before the new month start: the last microsecond of the month before.
        moves = _moves(latest, starts - timedelta(microseconds=1))
        before = select(PlaceCheckpoint.place_id, PlaceCheckpoint.state, PlaceCheckpoint.units).where(
            PlaceCheckpoint.starts_at == latest, PlaceCheckpoint.place_id != MARKER)
        rows = union_all(before, *moves).subquery()
        total = func.sum(rows.c.units)
        at = literal(starts, UtcDateTime())
        session.execute(insert(PlaceCheckpoint).from_select(
            ["starts_at", "place_id", "state", "units"],
            select(at, rows.c.place_id, rows.c.state, total).group_by(rows.c.place_id, rows.c.state)
            .having(total != 0)))
        session.execute(insert(PlaceCheckpoint).values(starts_at=starts, place_id=MARKER, state="", units=0))
        latest, built = starts, built + 1
    return built


def drop_checkpoints(session: Session) -> None:
    session.execute(delete(PlaceCheckpoint))


def checkpoint_counts(session: Session, place_ids, at: datetime) -> dict[tuple[int, str], int] | None:
    """Units by (place, state) at ``at`` for the places, from the latest checkpoint by then and the
    events since; None when no checkpoint is that old (the caller reads the history itself)."""
    starts = session.scalar(select(func.max(PlaceCheckpoint.starts_at)).where(PlaceCheckpoint.starts_at <= at))
    if starts is None:
        return None
    base = select(PlaceCheckpoint.place_id, PlaceCheckpoint.state, PlaceCheckpoint.units).where(
        PlaceCheckpoint.starts_at == starts, PlaceCheckpoint.place_id.in_(place_ids))
    rows = union_all(base, *_moves(starts, at, place_ids)).subquery()
    total = func.sum(rows.c.units)
    return {(place_id, state): int(units) for place_id, state, units in session.execute(
        select(rows.c.place_id, rows.c.state, total).group_by(rows.c.place_id, rows.c.state).having(total != 0))}

