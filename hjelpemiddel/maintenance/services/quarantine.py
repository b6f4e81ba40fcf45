"""Quarantine (karantene): any unit taken out of use for an incident, a recall or damage, listed until
it is released back to the state it came from, or to repair or scrapping."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...catalog.models import Product
from ...core.errors import Conflict, InvalidState, ValidationFailed
from ...core.db import utcnow
from ...core.sorting import SortOrder, order_by_columns
from ...stock.lifecycle import QUARANTINE_FROM, STATE_LABELS, DeviceState, check_release, release_back, release_targets
from ...stock.models import Device, Location
from ...stock.services import KEEP, apply_state, change_state, get_location, lock_device
from ..models import QUARANTINE_REASONS, Quarantine
from .repairs import open_depot_repair

S = DeviceState
REASON_LABELS = {"incident": "Uhell", "recall": "Tilbakekalling", "damage": "Skade"}
assert set(REASON_LABELS) == set(QUARANTINE_REASONS)


def open_quarantine(session: Session, device_id: int) -> Quarantine | None:
    return session.scalar(select(Quarantine).where(Quarantine.device_id == device_id, Quarantine.released_at.is_(None)))


def quarantine_device(session: Session, actor_id: int | None, barcode: str, reason: str, note: str = "") -> Quarantine:
    """Take a unit out of use at once, wherever it is. A unit held for a need is let go (the need
    gets another unit if one is free)."""
    if reason not in REASON_LABELS:
        raise ValidationFailed.for_field("reason", "Velg uhell, tilbakekalling eller skade.")
    device = lock_device(session, barcode)
    if device.state == S.QUARANTINED:
        raise Conflict(f"{device.barcode} er allerede i karantene.", {"barcode": device.barcode},
                       code="already_quarantined")
    if device.state not in QUARANTINE_FROM:
        raise InvalidState(f"{device.barcode} er «{STATE_LABELS[device.state]}» og kan ikke settes i karantene.",
                           {"current_state": device.state, "allowed": sorted(s.value for s in QUARANTINE_FROM)})
    quarantine = Quarantine(device_id=device.id, reason=reason, note=note.strip(), from_state=device.state,
                            from_location_id=device.location_id, opened_by_id=actor_id)
    session.add(quarantine)
    session.flush()
    text = f"{REASON_LABELS[reason]}: {note.strip()}".rstrip(": ")
    change_state(session, device, S.QUARANTINED, actor_id, kind="quarantined", note=text,
                 data={"reason": reason, "quarantine_id": quarantine.id})
    return quarantine


def release_device(session: Session, actor_id: int | None, barcode: str, to_state: str | None = None,
                   note: str = "", location_code: str | None = None) -> Quarantine:
    """Out of quarantine: back to the state it came from (a unit that was held for a need is free
    again), or to repair (with a repair order, then inspection), or scrapped (with a reason)."""
    device = lock_device(session, barcode)
    quarantine = open_quarantine(session, device.id)
    if device.state != S.QUARANTINED or quarantine is None:
        raise InvalidState(f"{device.barcode} er «{STATE_LABELS[device.state]}» og ikke i karantene.",
                           {"current_state": device.state, "allowed": [S.QUARANTINED.value]})
    target = DeviceState(to_state) if to_state else release_back(quarantine.from_state)
    check_release(quarantine.from_state, target)
    if target == S.SCRAPPED and not note.strip():
        raise ValidationFailed.for_field("note", "Kassering krever en begrunnelse.")
    location_id = get_location(session, location_code, field="location_code").id if location_code else KEEP
    quarantine.released_at, quarantine.released_by_id = utcnow(), actor_id
    quarantine.released_to, quarantine.release_note = target.value, note.strip()
    session.flush()
    text = f"Sluppet fra karantene til «{STATE_LABELS[target]}»" + (f": {note.strip()}" if note.strip() else "")
    data = {"quarantine_id": quarantine.id}
    if target == S.IN_REPAIR:
        open_depot_repair(session, actor_id, device, note.strip() or REASON_LABELS[quarantine.reason],
                          kind="quarantine_released", data=data, location_id=location_id)
    else:
        apply_state(session, device, target, actor_id, "quarantine_released", text, data, location_id)
    return quarantine


@dataclass(frozen=True)
class QuarantinedUnit:
    quarantine: Quarantine
    barcode: str
    product_name: str
    location_code: str | None
    release_to: list[DeviceState]

    def __getattr__(self, name):
        return getattr(self.quarantine, name)


def release_options(quarantine: Quarantine) -> list[DeviceState]:
    return release_targets(quarantine.from_state)


QUARANTINE_SORTS = {"siden": (Quarantine.opened_at,), "strekkode": (Device.barcode,),
                    "produkt": (Product.name,), "arsak": (Quarantine.reason, Quarantine.opened_at)}


def list_quarantined(session: Session, reason: str | None = None, q: str | None = None, limit: int = 50,
                     offset: int = 0, sort: SortOrder = SortOrder("siden", descending=True)
                     ) -> tuple[list[QuarantinedUnit], int]:
    """Units in quarantine now, newest first unless ``sort`` says otherwise, with where each may be
    released to; and how many match."""
    stmt = quarantined_stmt(reason, q)
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = session.execute(stmt.order_by(*order_by_columns(QUARANTINE_SORTS, sort, Quarantine.id))
                           .limit(limit).offset(offset))
    return [QuarantinedUnit(quarantine, barcode, name, code, release_targets(quarantine.from_state))
            for quarantine, barcode, name, code in rows], total


def quarantined_stmt(reason: str | None = None, q: str | None = None):
    stmt = (select(Quarantine, Device.barcode, Product.name, Location.code)
            .join(Device, Device.id == Quarantine.device_id).join(Product, Product.id == Device.product_id)
            .outerjoin(Location, Location.id == Device.location_id).where(Quarantine.released_at.is_(None)))
    if reason:
        stmt = stmt.where(Quarantine.reason == reason)
    if q:
        pattern = f"%{q.strip().lower()}%"
        stmt = stmt.where(func.lower(Device.barcode).like(pattern) | func.lower(Product.name).like(pattern)
                          | func.lower(Quarantine.note).like(pattern))
    return stmt
