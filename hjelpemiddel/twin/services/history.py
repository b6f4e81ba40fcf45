"""Time travel: the depot as its append-only history says it stood at a past moment. Every event
records where the unit went and in what state (``to_location_id``, ``to_state``), so a unit's place
at a moment is its last event before it. Indexes (migration 0015): events by place and time find
the units that ever stood in a zone by then; events by unit and time find each one's last event."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from ...catalog.models import Product
from ...stock.lifecycle import STATE_LABELS
from ...stock.models import Device, DeviceEvent, Location
from .checkpoints import checkpoint_counts
from .places import GROUPS


def _last_events(place_ids, at: datetime):
    """The last event by ``at`` of each unit that stood at one of the places by then, if it left it there."""
    ever_there = (select(DeviceEvent.device_id).where(DeviceEvent.to_location_id.in_(place_ids),
                                                      DeviceEvent.occurred_at <= at).distinct().subquery())
    later = aliased(DeviceEvent)
    last_id = (select(later.id).where(later.device_id == ever_there.c.device_id, later.occurred_at <= at)
               .order_by(later.occurred_at.desc(), later.id.desc()).limit(1).scalar_subquery())
    last = select(last_id.label("event_id")).select_from(ever_there).subquery()
    return (select(DeviceEvent).join(last, last.c.event_id == DeviceEvent.id)
            .where(DeviceEvent.to_location_id.in_(place_ids)))


def counts_at(session: Session, place_ids: set[int], at: datetime) -> dict[int, dict[str, int]]:
    """Units at each of the places at ``at``, by group, as on the map: from the month's checkpoint
    and the events since when there is one, else from each unit's last event."""
    found = checkpoint_counts(session, list(place_ids), at)
    if found is not None:
        rows = [(place_id, state, units) for (place_id, state), units in found.items()]
    else:
        events = _last_events(list(place_ids), at).subquery()
        rows = session.execute(select(events.c.to_location_id, events.c.to_state, func.count())
                               .group_by(events.c.to_location_id, events.c.to_state))
    counts: dict[int, dict[str, int]] = {}
    for place_id, state, units in rows:
        group = GROUPS.get(state)
        if group:
            into = counts.setdefault(place_id, {})
            into[group] = into.get(group, 0) + units
    return counts


@dataclass(frozen=True)
class UnitThere:
    barcode: str
    product: str
    state: str
    place_code: str
    since: datetime

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)


def units_at_stmt(place_ids: set[int], at: datetime | None):
    """The units at the places (now, or at ``at``) as barcode, product, state, place and since, in
    barcode order: a page reads a slice of it, a download every row (``streamed``)."""
    if at is None:
        since = (select(func.max(DeviceEvent.occurred_at)).where(DeviceEvent.device_id == Device.id)
                 .scalar_subquery())
        stmt = (select(Device.barcode, Product.name, Device.state, Location.code, since)
                .join(Product, Product.id == Device.product_id).join(Location, Location.id == Device.location_id)
                .where(Device.location_id.in_(place_ids)))
    else:
        events = _last_events(list(place_ids), at).subquery()
        stmt = (select(Device.barcode, Product.name, events.c.to_state, Location.code, events.c.occurred_at)
                .join(events, events.c.device_id == Device.id).join(Product, Product.id == Device.product_id)
                .join(Location, Location.id == events.c.to_location_id))
    return stmt.order_by(Device.barcode)


def units_at(session: Session, place_ids: set[int], at: datetime | None, limit: int, offset: int
             ) -> tuple[list[UnitThere], int]:
    """The units at the places (now, or at ``at``), a page of them in barcode order, and how many."""
    if at is None:
        total = session.scalar(select(func.count()).select_from(Device).where(Device.location_id.in_(place_ids)))
    else:
        total = session.scalar(select(func.count()).select_from(_last_events(list(place_ids), at).subquery()))
    rows = session.execute(units_at_stmt(place_ids, at).limit(limit).offset(offset))
    return [UnitThere(*row) for row in rows], total or 0


@dataclass(frozen=True)
class UnitThen:
    barcode: str
    at: datetime
    state: str | None
    place_code: str | None
    place_name: str | None
    event_kind: str | None
    since: datetime | None

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, "Ikke registrert ennå") if self.state else "Ikke registrert ennå"


def device_at(session: Session, device_id: int, barcode: str, at: datetime) -> UnitThen:
    """Where the unit was and in what state at ``at``: its last event by then."""
    row = session.execute(
        select(DeviceEvent.to_state, Location.code, Location.name, DeviceEvent.kind, DeviceEvent.occurred_at)
        .outerjoin(Location, and_(Location.id == DeviceEvent.to_location_id))
        .where(DeviceEvent.device_id == device_id, DeviceEvent.occurred_at <= at)
        .order_by(DeviceEvent.occurred_at.desc(), DeviceEvent.id.desc()).limit(1)).first()
    return UnitThen(barcode, at, *row) if row else UnitThen(barcode, at, None, None, None, None, None)
