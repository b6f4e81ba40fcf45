"""Approving a stocktake's adjustments, one line or all: a unit found in another bin is moved there
through the stock rules (``move_device``, ``move_devices_in_bulk``); a missing unit gets an event in
its history. The life cycle has no state for a lost unit, and quarantine is for incidents, recalls
and damage at the place a unit stands, so a missing unit keeps its state and place and its history
says it was not found. Every event names the stocktake."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ...core.db import utcnow
from ...core.errors import AppError, Conflict, NotFound
from ...stock.lifecycle import DeviceState
from ...stock.models import Device, Location
from ...stock.services import (lock_device, move_device, move_devices_in_bulk, not_in_depot, record_event,
                               record_events_in_bulk)
from ..models import Stocktake, StocktakeLine
from .scope import check_closed, get_stocktake, root_of

L = StocktakeLine
MISSING_EVENT = "stocktake_missing"
BATCH = 1000


def _reason(session: Session, stocktake: Stocktake) -> str:
    root = root_of(session, stocktake)
    return f"Varetelling nr. {stocktake.id} ({root.code})"


def _event_data(stocktake: Stocktake) -> dict:
    return {"stocktake_id": stocktake.id}


def _moved_since(barcode: str, now_code: str | None) -> Conflict:
    return Conflict(f"{barcode} er flyttet etter at tellingen ble avsluttet (nå {now_code or 'uten plass'}); "
                    "justeringen godkjennes ikke. Tell plassen på nytt.", {"barcode": barcode}, code="moved_since_count")


def approve_line(session: Session, actor_id: int | None, stocktake_id: int, line_id: int) -> StocktakeLine:
    """Approve one adjustment. A unit moved by a real event since the count closed is refused: the
    count no longer says where it is."""
    stocktake = get_stocktake(session, stocktake_id)
    check_closed(stocktake)
    line = session.scalar(select(L).where(L.id == line_id, L.stocktake_id == stocktake.id).with_for_update())
    if line is None:
        raise NotFound(f"Fant ingen linje {line_id} i varetelling nr. {stocktake.id}.", {"line_id": line_id})
    if line.decision != "pending":
        raise Conflict("Denne linjen har ingen justering som venter på godkjenning.", {"line_id": line_id},
                       code="nothing_to_approve")
    device = lock_device(session, session.get(Device, line.device_id).barcode)
    if device.location_id != line.expected_location_id:
        now = session.get(Location, device.location_id) if device.location_id else None
        raise _moved_since(device.barcode, now.code if now else None)
    reason = _reason(session, stocktake)
    if line.outcome == "missing":
        record_event(session, device, MISSING_EVENT, actor_id, note=f"{reason}: ikke funnet",
                     data=_event_data(stocktake))
    else:
        _move_where_counted(session, device, session.get(Location, line.counted_location_id), actor_id, reason,
                            _event_data(stocktake))
    line.decision, line.decided_at, line.decided_by_id = "approved", utcnow(), actor_id
    session.flush()
    return line


def _move_where_counted(session: Session, device: Device, counted: Location, actor_id: int | None, reason: str,
                        data: dict) -> None:
    """The unit stands there, so neither the place's fit nor its capacity is asked (as for all at once)."""
    note = f"{reason}: funnet på {counted.code}"
    if device.state == DeviceState.REGISTERED:  # a first put-away changes the state: the one-by-one rule
        move_device(session, device.barcode, counted.code, actor_id, note=note, force=True)
        return
    moved = move_devices_in_bulk(session, {device.id: counted.id}, actor_id, note=note, data=data)
    if moved.refused:
        raise not_in_depot(device.barcode, moved.refused[device.id])


@dataclass
class ApproveSummary:
    approved: int = 0
    left: int = 0
    examples: list[str] = field(default_factory=list)  # a few of the lines left, in words

    def leave(self, text: str) -> None:
        self.left += 1
        if len(self.examples) < 20:
            self.examples.append(text)


def approve_all(session: Session, actor_id: int | None, stocktake_id: int, batch: int = BATCH) -> ApproveSummary:
    """Approve every pending adjustment, a batch at a time in a constant number of statements per
    batch (the lines with their units locked, the events, the units' places, the decisions). Lines
    whose unit moved since the count closed, or is not in the depot, are left pending and named."""
    stocktake = get_stocktake(session, stocktake_id, lock=True)
    check_closed(stocktake)
    reason, data = _reason(session, stocktake), _event_data(stocktake)
    summary, last = ApproveSummary(), 0
    while True:
        rows = session.execute(
            select(L.id, L.device_id, L.outcome, L.expected_location_id, L.counted_location_id,
                   Device.location_id, Device.state, Device.barcode)
            .join(Device, Device.id == L.device_id)
            .where(L.stocktake_id == stocktake.id, L.decision == "pending", L.id > last)
            .order_by(L.id).limit(batch).with_for_update(of=Device)).all()
        if not rows:
            break
        last = rows[-1].id
        done, missing, moves, first_putaways = [], [], {}, []
        for row in rows:
            if row.location_id != row.expected_location_id:
                summary.leave(f"{row.barcode}: flyttet etter at tellingen ble avsluttet.")
            elif row.outcome == "missing":
                missing.append(row.device_id)
                done.append(row.id)
            elif row.state == DeviceState.REGISTERED:
                first_putaways.append(row)
            else:
                moves[row.device_id] = row.counted_location_id
        result = move_devices_in_bulk(session, moves, actor_id, note=f"{reason}: funnet på en annen plass", data=data)
        for row in rows:
            if row.device_id in result.refused:
                summary.leave(f"{row.barcode}: er ikke på lageret i systemet; ta imot eller flytt den for seg.")
            elif row.device_id in moves:
                done.append(row.id)
        for row in first_putaways:  # a first put-away makes the unit available: the state rule, one by one
            counted = session.get(Location, row.counted_location_id)
            try:
                with session.begin_nested():
                    move_device(session, row.barcode, counted.code, actor_id,
                                note=f"{reason}: funnet på {counted.code}", force=True)
            except AppError as refused:
                summary.leave(f"{row.barcode}: {refused.message}")
                continue
            done.append(row.id)
        record_events_in_bulk(session, missing, MISSING_EVENT, actor_id, note=f"{reason}: ikke funnet", data=data)
        if done:
            # The batch is every pending line in its id range: the range and the few left name them, where
            # an IN list of a thousand ids would be a statement of a thousand parameters.
            approved = set(done)
            left = [row.id for row in rows if row.id not in approved]
            session.execute(update(L.__table__)
                            .where(L.stocktake_id == stocktake.id, L.decision == "pending", L.id >= rows[0].id,
                                   L.id <= last, L.id.not_in(left))
                            .values(decision="approved", decided_at=utcnow(), decided_by_id=actor_id))
        summary.approved += len(done)
    session.flush()
    return summary
