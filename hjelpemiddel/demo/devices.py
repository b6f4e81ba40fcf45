"""The demo's ~3,000 devices: planned per ISO class (a few models dominate, deliveries over the years,
serials, NAV's share), put in the zones' bins, and written in bulk, row for row as ``register_device``
followed by ``move_device`` (put-away) would write them: a label whose code is made from the label id
and is the device's barcode, a "registered" event and a "putaway" event. (``register_device`` per unit
is many times slower.)
"""
from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from ..core.ids import DEVICE_PREFIX, make_code
from ..maintenance.models import RepairOrder
from ..stock.models import Device, DeviceEvent, DeviceLabel
from .bulk import bulk_insert
from .catalog import CLASSES, ClassPlan, ProductSpec
from .depot import Bin

_REPAIR_NOTES = {
    "120606": ("Bremsene tar ikke", "Knekt håndtak", "Løst hjul"),
    "122203": ("Punktert dekk", "Løs fotstøtte", "Slitt setetrekk"),
    "122218": ("Punktert dekk", "Tiltfunksjonen henger", "Slitt setetrekk"),
    "122306": ("Feil på styreboksen", "Batteriet lader ikke"),
    "123603": ("Feil på håndkontrollen", "Batteriet lader ikke"),
    "123612": ("Feil på håndkontrollen", "Slitt løftebånd"),
    "181210": ("Motoren går ikke", "Defekt håndkontroll"),
}
# The cause each note stands for (maintenance.models.REPAIR_CAUSES), for the failure figures.
_REPAIR_CAUSES = {
    "Bremsene tar ikke": "brakes", "Knekt håndtak": "frame", "Løst hjul": "wheels", "Punktert dekk": "wheels",
    "Løs fotstøtte": "frame", "Slitt setetrekk": "upholstery", "Tiltfunksjonen henger": "motor",
    "Feil på styreboksen": "control", "Batteriet lader ikke": "battery", "Feil på håndkontrollen": "control",
    "Slitt løftebånd": "other", "Motoren går ikke": "motor", "Defekt håndkontroll": "control",
}
_AWAITING_PUTAWAY_SHARE = 0.01
_IN_REPAIR_SHARE = 0.03
_OLDEST_DAYS = 2900
_WORKDAY_MINUTES = (6 * 60 + 30, 13 * 60 + 30)  # UTC, 07:30–14:30 Norwegian winter time


@dataclass(frozen=True)
class Moment:
    """A time relative to the day of loading: ``days`` before today, at ``minute`` (UTC) of that day."""

    days: int
    minute: int

    def at(self, today: datetime) -> datetime:
        return today - timedelta(days=self.days) + timedelta(minutes=self.minute)

    def later(self, minutes: int) -> Moment:
        return Moment(self.days, self.minute + minutes)


@dataclass
class DevicePlan:
    product: int  # index into the product plan
    serial_number: str | None
    owner: str
    nav_hms_nr: str | None
    nav_serial: str | None
    condition: str
    registered: Moment
    putaway: Moment | None  # None: still waiting in the receiving area
    repair: Moment | None = None
    repair_note: str = ""
    bin: Bin | None = None


def _split(total: int, weights: list[float]) -> list[int]:
    """``total`` in whole parts proportional to ``weights`` (largest remainder)."""
    if not weights:
        return []
    exact = [total * w / sum(weights) for w in weights]
    counts = [math.floor(e) for e in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: (counts[i] - exact[i], i))
    for i in by_remainder[:total - sum(counts)]:
        counts[i] += 1
    return counts


def _workday_moment(rng: random.Random, days: int) -> Moment:
    return Moment(days, rng.randint(*_WORKDAY_MINUTES))


def _serial_prefix(supplier: str) -> str:
    words = supplier.split()
    return "".join(w[0] for w in words).upper() if len(words) > 1 else supplier[:3].upper()


def _new_serial(rng: random.Random, supplier: str, taken: set[str]) -> str:
    while True:
        serial = f"{_serial_prefix(supplier)}{rng.randint(1_000_000, 9_999_999)}"
        if serial not in taken:
            taken.add(serial)
            return serial


def _condition(rng: random.Random, age_days: int) -> str:
    if age_days < 120:
        return rng.choices(("new", "good"), (8, 2))[0]
    return rng.choices(("good", "fair", "poor"), (65, 27, 8))[0]


def plan_devices(rng: random.Random, products: list[ProductSpec]) -> list[DevicePlan]:
    devices: list[DevicePlan] = []
    nav_serials = iter(rng.sample(range(100_000, 1_000_000), sum(plan.devices for plan in CLASSES.values())))
    for iso, plan in CLASSES.items():
        members = [i for i, p in enumerate(products) if p.iso_class == iso and p.individually_tracked]
        # Squared weights: a few models dominate a class, as in a real depot.
        counts = _split(plan.devices, [rng.uniform(0.3, 1.0) ** 2 for _ in members])
        for index, count in zip(members, counts):
            devices += _plan_product_devices(rng, index, products[index], plan, count, nav_serials)
    return devices


def _plan_product_devices(rng: random.Random, index: int, product: ProductSpec, plan: ClassPlan, count: int,
                          nav_serials: Iterator[int]) -> list[DevicePlan]:
    # Units arrive in a few deliveries over the years, not one by one.
    deliveries = rng.sample(range(3, _OLDEST_DAYS), rng.randint(1, 4))
    serials: set[str] = set()
    planned = []
    for _ in range(count):
        registered = _workday_moment(rng, rng.choice(deliveries))
        serial = _new_serial(rng, product.supplier, serials) if rng.random() < plan.serial_share else None
        nav = product.hms_nr is not None and rng.random() < plan.nav_share
        planned.append(DevicePlan(
            index, serial, "nav" if nav else "kommune", product.hms_nr if nav else None,
            f"{next(nav_serials):06d}" if nav else None, _condition(rng, registered.days), registered,
            putaway=registered.later(rng.randint(5, 180))))
    return planned


def add_recent_history(rng: random.Random, devices: list[DevicePlan], products: list[ProductSpec]) -> None:
    """Yesterday's delivery, not yet put away, and a few units sent to repair lately."""
    for device in rng.sample(devices, round(len(devices) * _AWAITING_PUTAWAY_SHARE)):
        device.registered, device.putaway, device.condition = _workday_moment(rng, 1), None, "new"
    repairable = [d for d in devices if d.putaway is not None and d.registered.days > 30
                  and products[d.product].iso_class in _REPAIR_NOTES]
    for device in rng.sample(repairable, round(len(devices) * _IN_REPAIR_SHARE)):
        device.repair = _workday_moment(rng, rng.randint(1, 25))
        device.repair_note = rng.choice(_REPAIR_NOTES[products[device.product].iso_class])


def assign_bins(devices: list[DevicePlan], products: list[ProductSpec], bins: list[Bin]) -> None:
    """Fill each zone's bins in order, evenly to the zone's fill ratio, so every bin has room left."""
    for zone in sorted({plan.zone for plan in CLASSES.values()}):
        zone_bins = [b for b in bins if b.zone == zone]
        placed = [d for d in devices if d.putaway is not None and CLASSES[products[d.product].iso_class].zone == zone]
        room = sum(b.capacity for b in zone_bins)
        if len(placed) > room:
            raise RuntimeError(f"demo zone {zone} holds {room} devices, {len(placed)} planned")
        slots = [b for b in zone_bins for _ in range(min(b.capacity, math.ceil(b.capacity * len(placed) / room)))]
        for device, bin_ in zip(placed, slots):
            device.bin = bin_


# --- writing the devices --------------------------------------------------------------------

def insert_devices(session: Session, devices: list[DevicePlan], product_ids: list[int], actor_id: int | None,
                    today: datetime) -> None:
    # Oldest first, so ids and barcodes grow with time as they would at the registration desk.
    devices = sorted(devices, key=lambda d: (-d.registered.days, d.registered.minute))
    registered = [d.registered.at(today) for d in devices]
    label_ids = bulk_insert(session, DeviceLabel, [{"issued_at": at} for at in registered])
    codes = [make_code(DEVICE_PREFIX, label_id) for label_id in label_ids]
    device_ids = bulk_insert(session, Device, [_device_row(d, code, product_ids[d.product], today)
                                                for d, code in zip(devices, codes)])
    session.execute(update(DeviceLabel), [
        {"id": label_id, "code": code, "device_id": device_id, "claimed_at": at}
        for label_id, code, device_id, at in zip(label_ids, codes, device_ids, registered)])
    # A unit in repair has its repair order, so the workshop can record what it did.
    in_repair = [(d, device_id) for d, device_id in zip(devices, device_ids) if d.putaway and d.repair]
    repair_ids = dict(zip((device_id for _d, device_id in in_repair), bulk_insert(session, RepairOrder, [
        {"device_id": device_id, "place": "depot", "status": "open", "description": d.repair_note,
         "resume_state": "inspection", "created_by_id": actor_id, "created_at": d.repair.at(today),
         "work_done": "", "parts_used": [], "cause": _REPAIR_CAUSES.get(d.repair_note)}
        for d, device_id in in_repair])))
    events = [event for d, device_id in zip(devices, device_ids)
              for event in _device_events(d, device_id, today, actor_id, repair_ids.get(device_id))]
    events.sort(key=lambda e: (e["occurred_at"], e["device_id"]))
    bulk_insert(session, DeviceEvent, events)


def _device_row(device: DevicePlan, code: str, product_id: int, today: datetime) -> dict:
    if device.putaway is None:
        state, last_change = "registered", device.registered
    elif device.repair is not None:
        state, last_change = "in_repair", device.repair
    else:
        state, last_change = "available", device.putaway
    return {"barcode": code, "product_id": product_id, "serial_number": device.serial_number, "owner": device.owner,
            "nav_hms_nr": device.nav_hms_nr, "nav_serial": device.nav_serial, "condition": device.condition,
            "state": state, "location_id": device.bin.id if device.bin else None,
            "registered_at": device.registered.at(today), "updated_at": last_change.at(today)}


def _event(device_id: int, kind: str, at: datetime, actor_id: int | None, from_state: str | None, to_state: str,
           from_location: int | None, to_location: int | None, note: str = "", data: dict | None = None) -> dict:
    return {"device_id": device_id, "occurred_at": at, "actor_id": actor_id, "kind": kind, "from_state": from_state,
            "to_state": to_state, "from_location_id": from_location, "to_location_id": to_location,
            "note": note, "data": data}


def _device_events(device: DevicePlan, device_id: int, today: datetime, actor_id: int | None,
                   repair_id: int | None) -> list[dict]:
    """The events ``register_device`` (without a location), ``move_device`` and ``open_repair`` write."""
    events = [_event(device_id, "registered", device.registered.at(today), actor_id, None, "registered", None, None)]
    if device.putaway is None:
        return events
    bin_id = device.bin.id
    events.append(_event(device_id, "putaway", device.putaway.at(today), actor_id, "registered", "available",
                         None, bin_id))
    if device.repair is not None:
        events.append(_event(device_id, "repair_opened", device.repair.at(today), actor_id, "available", "in_repair",
                             bin_id, bin_id, f"Reparasjon på lageret: {device.repair_note}", {"repair_id": repair_id}))
    return events
