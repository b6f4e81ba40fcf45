"""Repairs (reparasjon) of one unit, at the citizen's home or at the depot: what was wrong, what was
done, the parts used and the minutes spent, so the unit's history shows what it has cost."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...catalog.models import Product
from ...core import bus
from ...core.db import LOCAL_ZONE, utcnow
from ...core.errors import Conflict, InvalidState, NotFound, ValidationFailed
from ...stock.lifecycle import DeviceState, refusal
from ...stock.models import Device, DeviceEvent
from ...stock.services import KEEP, change_state, lock_device, record_event
from ..events import RepairVisitNeeded
from ..models import REPAIR_CAUSES, REPAIR_PLACES, RepairOrder
from ..warranty import Warranty, warranty_for
from .parts import use_spare_parts

S = DeviceState
# Units that may be taken in for repair at the depot (a quarantined one through its release).
_OPEN_AT_DEPOT_FROM = (S.ON_LOAN, S.AVAILABLE, S.CLEANING, S.INSPECTION)
_REPAIRABLE = (*_OPEN_AT_DEPOT_FROM, S.QUARANTINED)
_LOAN_ENDED = ("collected", "handed_in", "return_received")


def resume_after_repair(session: Session, device: Device) -> DeviceState:
    """Where a unit repaired at the depot goes next: back on the loan it was taken from; to the wash
    if it has not been washed since its last loan ended (whatever it went through since); otherwise
    through inspection before anyone gets it."""
    if device.state == S.ON_LOAN:
        return S.ON_LOAN
    last = session.scalar(select(DeviceEvent.kind).where(
        DeviceEvent.device_id == device.id, DeviceEvent.kind.in_((*_LOAN_ENDED, "cleaned")))
        .order_by(DeviceEvent.id.desc()).limit(1))
    return S.CLEANING if last in _LOAN_ENDED else S.INSPECTION


def get_repair(session: Session, repair_id: int, for_update: bool = False) -> RepairOrder:
    repair = session.get(RepairOrder, repair_id, with_for_update=for_update)
    if repair is None:
        raise NotFound(f"Fant ikke reparasjon {repair_id}.", {"repair_id": repair_id})
    return repair


def _check_cause(cause: str | None) -> str | None:
    if cause is not None and cause not in REPAIR_CAUSES:
        raise ValidationFailed.for_field("cause", "Velg en årsak fra listen.")
    return cause


def device_warranty(session: Session, device: Device, today=None) -> Warranty:
    """The unit's warranty by the one rule: delivered the day it was registered here (a NAV unit is
    registered when it is received from NAV or found at a citizen's home)."""
    product = device.product if "product" in device.__dict__ else session.get(Product, device.product_id)
    delivered = device.registered_at.astimezone(LOCAL_ZONE).date()
    return warranty_for(delivered, product.iso_class, device.owner, product.supplier,
                        today or utcnow().astimezone(LOCAL_ZONE).date())


def has_open_repair(session: Session, device_id: int) -> bool:
    return session.scalar(select(RepairOrder.id).where(RepairOrder.device_id == device_id,
                                                       RepairOrder.status == "open").limit(1)) is not None


def _refuse_second_open_repair(session: Session, device: Device) -> None:
    if has_open_repair(session, device.id):
        raise Conflict(f"{device.barcode} har allerede en åpen reparasjon.", {"barcode": device.barcode},
                       code="repair_open")


def open_depot_repair(session: Session, actor_id: int | None, device: Device, description: str,
                      kind: str = "repair_opened", data: dict | None = None, location_id=KEEP,
                      note: str | None = None, cause: str | None = None) -> RepairOrder:
    """The unit (locked by the caller) goes to repair at the depot with an order to record the work on;
    ``note``: the history's line when the step that sent it there says more (a failed inspection)."""
    _refuse_second_open_repair(session, device)
    if device.state not in _REPAIRABLE:
        raise refusal(device.barcode, device.state, _OPEN_AT_DEPOT_FROM, "tas inn til reparasjon")
    repair = RepairOrder(device_id=device.id, place="depot", description=description.strip() or "Reparasjon",
                         created_by_id=actor_id, cause=_check_cause(cause), resume_state=resume_after_repair(session, device).value)
    session.add(repair)
    session.flush()
    change_state(session, device, S.IN_REPAIR, actor_id, kind=kind, location_id=location_id,
                 note=note or f"Reparasjon på lageret: {description}".rstrip(": "), data={**(data or {}), "repair_id": repair.id})
    return repair


def open_repair(session: Session, actor_id: int, barcode: str, place: str, description: str,
                cause: str | None = None) -> RepairOrder:
    """A repair order: at the citizen's home (the unit stays on loan; a repair visit is planned) or
    at the depot (the unit goes to repair and comes back to where it was, through inspection)."""
    if place not in REPAIR_PLACES:
        raise ValidationFailed.for_field("place", "Velg hos bruker eller på lageret.")
    if not description.strip():
        raise ValidationFailed.for_field("description", "Beskriv hva som er galt.")
    _check_cause(cause)
    device = lock_device(session, barcode)
    if place == "depot":
        return open_depot_repair(session, actor_id, device, description.strip(), cause=cause)
    _refuse_second_open_repair(session, device)
    if device.state != S.ON_LOAN:
        raise refusal(device.barcode, device.state, [S.ON_LOAN], "repareres hos bruker")
    repair = RepairOrder(device_id=device.id, place=place, description=description.strip(), created_by_id=actor_id,
                         cause=cause)
    session.add(repair)
    session.flush()
    record_event(session, device, "repair_opened", actor_id, note=f"Reparasjon hos bruker: {description}",
                 data={"repair_id": repair.id})
    bus.publish(session, RepairVisitNeeded(repair.id, device.id, actor_id, description.strip()))
    return repair


def _parts(parts_used: list[dict] | None) -> list[dict]:
    parts = []
    for index, part in enumerate(parts_used or []):
        quantity = part.get("antall", part.get("quantity", 1))
        name = str(part.get("navn") or part.get("name") or "").strip()
        if not name:
            raise ValidationFailed.for_field(f"parts_used[{index}].navn", "Delen må ha et navn.")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise ValidationFailed.for_field(f"parts_used[{index}].antall", "Antall må være minst 1.")
        parts.append({"hmsnr": part.get("hmsnr"), "navn": name, "antall": quantity})
    return parts


def complete_repair(session: Session, actor_id: int, repair_id: int, work_done: str, minutes_spent: int,
                    parts_used: list[dict] | None = None, cause: str | None = None,
                    stock_parts: list[dict] | None = None) -> RepairOrder:
    """The repair is done: what was done, the parts used and the minutes spent go into the unit's
    history; a unit repaired at the depot goes back on loan, back to the wash, or to inspection.
    ``stock_parts`` (``spare_part_id``, ``quantity``) come out of the municipality's stock in the same
    transaction, all or none; a NAV unit's parts come from NAV's delbestilling instead."""
    repair = get_repair(session, repair_id, for_update=True)
    if repair.status != "open":
        raise InvalidState("Reparasjonen er allerede avsluttet.", {"current_state": repair.status, "allowed": ["open"]})
    if not work_done.strip():
        raise ValidationFailed.for_field("work_done", "Skriv hva som ble gjort.")
    if minutes_spent is None or minutes_spent < 1:
        raise ValidationFailed.for_field("minutes_spent", "Oppgi tidsbruk i minutter (minst 1).")
    _check_cause(cause)
    parts = _parts(parts_used)
    device = lock_device(session, session.get(Device, repair.device_id).barcode)
    if stock_parts and device.owner == "nav":
        raise Conflict(f"{device.barcode} eies av NAV: deler til den bestilles fra NAV (delbestilling), "
                       "ikke fra kommunens reservedelslager.", {"barcode": device.barcode, "owner": "nav"},
                       code="nav_owned")
    parts += use_spare_parts(session, actor_id, repair.id, stock_parts or [])
    summary = f"{work_done.strip()} ({minutes_spent} min" + (
        "; deler: " + ", ".join(f"{p['antall']} × {p['navn']}" for p in parts) if parts else "") + ")"
    data = {"repair_id": repair.id, "minutes_spent": minutes_spent, "parts_used": parts}
    if repair.place == "depot" and device.state == S.IN_REPAIR:
        change_state(session, device, repair.resume_state or S.INSPECTION, actor_id, kind="repaired",
                     note=summary, data=data)
    else:
        record_event(session, device, "repaired", actor_id, note=summary, data=data)
    repair.status, repair.work_done, repair.minutes_spent, repair.parts_used = "done", work_done.strip(), minutes_spent, parts
    repair.completed_by_id, repair.completed_at = actor_id, utcnow()
    if cause is not None:
        repair.cause = cause
    session.flush()
    return repair


def list_repairs(session: Session, device_id: int | None = None, status: str | None = None) -> list[RepairOrder]:
    stmt = select(RepairOrder).order_by(RepairOrder.id.desc()).limit(200)
    if device_id is not None:
        stmt = stmt.where(RepairOrder.device_id == device_id)
    if status:
        stmt = stmt.where(RepairOrder.status == status)
    return list(session.scalars(stmt))


_SCRAPPABLE = (S.AVAILABLE, S.IN_REPAIR)


def scrap_device(session: Session, actor_id: int | None, barcode: str, reason: str) -> Device:
    """Kassering of a unit on the shelf or beyond repair; an open repair order is closed with it."""
    if not reason.strip():
        raise ValidationFailed.for_field("reason", "Kassering krever en begrunnelse.")
    device = lock_device(session, barcode)
    if device.state not in _SCRAPPABLE:
        raise refusal(device.barcode, device.state, _SCRAPPABLE, "kasseres her",
                      "En enhet i kontroll kasseres fra kontrollen, en i karantene når den slippes.")
    for repair in session.scalars(select(RepairOrder).where(RepairOrder.device_id == device.id,
                                                            RepairOrder.status == "open")):
        repair.status, repair.completed_by_id, repair.completed_at = "cancelled", actor_id, utcnow()
        repair.work_done = f"Kassert: {reason.strip()}"
    change_state(session, device, S.SCRAPPED, actor_id, kind="scrapped", note=reason.strip())
    return device
