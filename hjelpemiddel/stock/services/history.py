"""A device's append-only history, and ``change_state``: the one way a device changes state."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session

from ...core import bus
from ...core.auth import User
from ...core.db import utcnow
from ..events import DeviceBecameAvailable, DeviceQuarantined, DeviceRetired
from ..lifecycle import AWAY_STATES, FINAL_STATES, DeviceState, check_transition
from ..models import Device, DeviceEvent, Location

KEEP = object()  # change_state: leave the unit where it is


def append_event(session: Session, device: Device, kind: str, actor_id: int | None, *,
                 from_state: str | None = None, to_state: str | None = None,
                 from_location_id: int | None = None, to_location_id: int | None = None,
                 note: str = "", data: dict | None = None, at: datetime | None = None) -> DeviceEvent:
    event = DeviceEvent(device_id=device.id, kind=kind, actor_id=actor_id, from_state=from_state,
                        to_state=to_state, from_location_id=from_location_id, to_location_id=to_location_id,
                        note=note, data=data, occurred_at=at or utcnow())
    session.add(event)
    return event


def record_event(session: Session, device: Device, kind: str, actor_id: int | None, note: str = "",
                 data: dict | None = None) -> DeviceEvent:
    """Something happened to the unit that changes neither its state nor its place (a repair at
    home, a part ordered, a return reported to NAV)."""
    return append_event(session, device, kind, actor_id, from_state=device.state, to_state=device.state,
                        from_location_id=device.location_id, to_location_id=device.location_id, note=note, data=data)


def record_events_in_bulk(session: Session, device_ids: list[int], kind: str, actor_id: int | None, note: str = "",
                          data: dict | None = None) -> int:
    """``record_event`` for many units in a constant number of statements; how many were written."""
    if not device_ids:
        return 0
    rows = session.execute(select(Device.id, Device.state, Device.location_id).where(Device.id.in_(device_ids))).all()
    now = utcnow()
    session.execute(insert(DeviceEvent.__table__), [
        dict(device_id=row.id, kind=kind, actor_id=actor_id, from_state=row.state, to_state=row.state,
             from_location_id=row.location_id, to_location_id=row.location_id, note=note, data=data, occurred_at=now)
        for row in rows])
    return len(rows)


def change_state(session: Session, device: Device, to_state: str, actor_id: int | None, kind: str = "state_changed",
                 note: str = "", data: dict | None = None, location_id: int | None | object = KEEP) -> DeviceEvent:
    """Checked against the life cycle; the place follows the state (a unit with a citizen or gone
    has none, otherwise it stays put unless ``location_id`` says where it went), and the event
    records the real from → to of both."""
    check_transition(device.state, to_state)
    return apply_state(session, device, to_state, actor_id, kind, note, data, location_id)


def apply_state(session: Session, device: Device, to_state: str, actor_id: int | None, kind: str, note: str,
                data: dict | None, location_id) -> DeviceEvent:
    """The write behind ``change_state``, for a step already checked (a quarantine release)."""
    from_state, from_location = device.state, device.location_id
    if to_state in AWAY_STATES:
        location_id = None
    elif location_id is KEEP:
        location_id = from_location
    device.state, device.location_id = DeviceState(to_state), location_id
    event = append_event(session, device, kind, actor_id, from_state=from_state, to_state=to_state,
                         from_location_id=from_location, to_location_id=location_id, note=note, data=data)
    if to_state == DeviceState.AVAILABLE:
        session.flush()
        bus.publish(session, DeviceBecameAvailable(device.id, actor_id))
    elif to_state == DeviceState.QUARANTINED:
        session.flush()
        bus.publish(session, DeviceQuarantined(device.id, actor_id, note))
    elif to_state in FINAL_STATES:
        bus.publish(session, DeviceRetired(device.id))
    return event


@dataclass(frozen=True)
class HistoryEntry:
    id: int
    occurred_at: datetime
    kind: str
    from_state: str | None
    to_state: str | None
    from_location: str | None
    to_location: str | None
    actor: str | None
    note: str
    data: dict | None


# Scanning is the hot path: its statements are built once, not per request, from plain table
# columns (the ORM's annotated ones cost a cache-key walk on every execution).
_event, _user = DeviceEvent.__table__.c, User.__table__.c
_FROM_LOCATION, _TO_LOCATION = Location.__table__.alias("from_location"), Location.__table__.alias("to_location")
HISTORY = (
    select(_event.id, _event.occurred_at, _event.kind, _event.from_state, _event.to_state,
           _FROM_LOCATION.c.code, _TO_LOCATION.c.code, _user.username, _event.note, _event.data)
    .select_from(DeviceEvent.__table__.outerjoin(User.__table__, _user.id == _event.actor_id)
                 .outerjoin(_FROM_LOCATION, _FROM_LOCATION.c.id == _event.from_location_id)
                 .outerjoin(_TO_LOCATION, _TO_LOCATION.c.id == _event.to_location_id))
    .where(_event.device_id == bindparam("device_id"))
    .order_by(_event.id)
)


def device_history(session: Session, device_id: int) -> list[HistoryEntry]:
    # Plain columns need none of the ORM's entity machinery: run them as Core on the session's connection.
    return [HistoryEntry(*row) for row in session.connection().execute(HISTORY, {"device_id": device_id})]
