"""Picking (plukking): the run's units to deliver, in the order a person walks the depot, ticked off
by scanning each at its shelf. A free unit of the same product may replace a planned one."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...core.db import utcnow
from ...core.errors import Conflict, InvalidState
from ...lending import services as lending
from ...stock.lifecycle import DeviceState, refusal
from ...stock.models import Device
from ...stock.services import change_state, device_from_scan, lock_device, record_event, zone_of
from ..models import Stop, StopItem
from .runs import ItemView, get_run, run_stops, stop_items

S = DeviceState


def _walk_key(item: ItemView) -> tuple:
    return (item.location_code is None, zone_of(item.location_path, item.location_code),
            item.location_x if item.location_x is not None else 1e9,
            item.location_y if item.location_y is not None else 1e9, item.location_code or "", item.barcode)


def pick_list(session: Session, run_id: int) -> list[tuple[Stop, ItemView]]:
    """Units to deliver on the run's open visits, in the order a person walks the depot: zone, then
    along the racks."""
    stops = [s for s in run_stops(session, run_id) if s.status == "open"]
    items = stop_items(session, [s.id for s in stops])
    lines = [(stop, item) for stop in stops for item in items[stop.id] if item.active and item.action == "deliver"]
    return sorted(lines, key=lambda line: _walk_key(line[1]))


@dataclass(frozen=True)
class PickResult:
    barcode: str
    stop_id: int
    substituted_for: str | None
    remaining: int


def _planned_item(session: Session, run_id: int, device_id: int) -> StopItem | None:
    return session.scalar(select(StopItem).join(Stop, Stop.id == StopItem.stop_id)
                          .where(StopItem.device_id == device_id, StopItem.active.is_(True), Stop.run_id == run_id,
                                 StopItem.action == "deliver"))


def pick_device(session: Session, actor_id: int, run_id: int, barcode: str) -> PickResult:
    """A scan at the shelf: the right unit ticks its line; an equivalent free unit may replace the
    planned one (recorded); anything else is refused with the reason."""
    run = get_run(session, run_id, for_update=True)
    if run.status == "finished":
        raise InvalidState("Kjørerunden er ferdig.", {"current_state": run.status, "allowed": ["planned", "in_progress"]})
    # The scan is read as every scanning page reads it (a shelf label, a wrong check digit, an old label).
    device = lock_device(session, device_from_scan(session, barcode).barcode)
    lending.check_may_lend(session, device)
    item = _planned_item(session, run_id, device.id)
    substituted_for = None
    if item is None:
        item, substituted_for = _substitute(session, actor_id, run_id, device)
    elif item.picked_at is not None:
        raise Conflict(f"{device.barcode} er allerede plukket.", {"barcode": device.barcode}, code="already_picked")
    stop = session.get(Stop, item.stop_id)
    if device.state != S.RESERVED:
        raise refusal(device.barcode, device.state, [S.RESERVED], "plukkes")
    change_state(session, device, S.PICKED, actor_id, kind="picked", location_id=run.van_location_id,
                 note=f"Plukket til kjørerunde {run.id}, stopp {stop.sequence}")
    item.picked_at, item.picked_by_id = utcnow(), actor_id
    session.flush()
    remaining = sum(1 for _stop, line in pick_list(session, run_id) if not line.picked)
    return PickResult(device.barcode, stop.id, substituted_for, remaining)


def _substitute(session: Session, actor_id: int, run_id: int, device: Device) -> tuple[StopItem, str]:
    """The scanned unit is free and of the same product as a line still to pick: it takes that
    line's place. The swap goes through lending, so the need, the visit and both units' histories
    say so; the planned unit stays on its shelf, free for the queue."""
    if lending.active_reservation(session, device.id) is not None:
        raise Conflict(f"{device.barcode} er reservert for noen andre.", {"barcode": device.barcode},
                       code="reserved_for_other")
    if session.scalar(select(StopItem.id).where(StopItem.device_id == device.id, StopItem.active.is_(True))):
        raise Conflict(f"{device.barcode} skal til en annen stopp eller kjørerunde.", {"barcode": device.barcode},
                       code="on_other_stop")
    if device.state != S.AVAILABLE:
        raise refusal(device.barcode, device.state, [S.AVAILABLE, S.RESERVED], "plukkes")
    for _stop, line in pick_list(session, run_id):
        planned = session.get(StopItem, line.id)
        planned_device = session.get(Device, planned.device_id)
        if line.picked or planned_device.product_id != device.product_id:
            continue
        reservation = lending.change_reservation(session, actor_id, planned.reservation_id, device.barcode)
        record_event(session, device, "substituted", actor_id,
                     note=f"Erstatter {planned_device.barcode} på kjørerunde {run_id}",
                     data={"replaces": planned_device.barcode, "run_id": run_id})
        item = session.scalar(select(StopItem).where(StopItem.reservation_id == reservation.id,
                                                     StopItem.active.is_(True)))
        return item, planned_device.barcode
    raise Conflict(f"{device.barcode} er ikke på denne plukklisten, og ingen linje venter på samme produkt.",
                   {"barcode": device.barcode}, code="wrong_product")
