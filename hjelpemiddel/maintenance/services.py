from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..catalog.models import Product
from ..core import bus
from ..core.db import utcnow
from ..core.errors import Conflict, InvalidState, NotFound, ValidationFailed
from ..stock.lifecycle import STATE_LABELS
from ..stock.models import Device, DeviceEvent
from ..stock.services import append_event, get_device, get_location, lock_device, transition_device
from .checklists import Checklist, checklist_for
from .models import REPAIR_PLACES, Inspection, RepairOrder

CLEANING_METHODS = {
    "washer_disinfector": "Vaskemaskin/dekontaminator",
    "manual_wash": "Manuell vask og desinfeksjon",
    "steam": "Damprens",
    "disinfectant_wipe": "Avtørking med desinfeksjonsmiddel",
    "laundry": "Tekstilvask (seil, trekk)",
}


def awaits_nav_decision(session: Session, device: Device) -> bool:
    """A NAV unit received back is not readied for reuse until the depot has settled it with NAV."""
    if device.owner != "nav" or device.state != "returned":
        return False
    last = session.scalar(select(DeviceEvent.kind).where(
        DeviceEvent.device_id == device.id, DeviceEvent.kind.in_(("return_received", "nav_kept_for_reuse")))
        .order_by(DeviceEvent.id.desc()).limit(1))
    return last == "return_received"


def clean_device(session: Session, actor_id: int, barcode: str, method: str, note: str = "") -> Device:
    """Cleaning done (method and who recorded); the unit goes on to inspection."""
    if method not in CLEANING_METHODS:
        raise ValidationFailed.for_field("method", "Ukjent vaskemetode. Gyldige: " + ", ".join(CLEANING_METHODS) + ".")
    device = lock_device(session, barcode)
    if awaits_nav_decision(session, device):
        raise InvalidState(f"{device.barcode} eies av NAV: avgjør først om den sendes tilbake til NAV eller "
                           "beholdes for gjenbruk etter avtale med NAV.",
                           {"current_state": device.state, "owner": "nav", "allowed": ["return_to_nav", "keep_for_reuse"]})
    if device.state not in ("returned", "cleaning"):
        raise InvalidState(f"{device.barcode} er «{STATE_LABELS[device.state]}»; bare returnerte hjelpemidler vaskes her.",
                           {"current_state": device.state, "allowed": ["returned", "cleaning"]})
    transition_device(session, device, "inspection", actor_id, kind="cleaned", note=note,
                      data={"method": method, "method_label": CLEANING_METHODS[method]})
    session.flush()
    return device


def checklist_for_device(session: Session, barcode: str) -> Checklist:
    device = get_device(session, barcode)
    return checklist_for(device.product.iso_class)


def inspect_device(session: Session, actor_id: int, barcode: str, results: dict[str, bool], note: str = "",
                   on_fail: str = "repair", fail_reason: str = "", location_code: str | None = None) -> Inspection:
    """Kontroll against the product type's checklist: every item answered. Pass → available (and
    offered to the queue); fail → repair, or scrapping with a reason."""
    device = lock_device(session, barcode)
    if device.state != "inspection":
        raise InvalidState(f"{device.barcode} er «{STATE_LABELS[device.state]}»; bare vaskede hjelpemidler kontrolleres.",
                           {"current_state": device.state, "allowed": ["inspection"]})
    checklist = checklist_for(session.get(Product, device.product_id).iso_class)
    missing = sorted(set(checklist.items) - set(results))
    unknown = sorted(set(results) - set(checklist.items))
    if missing or unknown:
        details = {}
        if missing:
            details["missing"] = missing
        if unknown:
            details["unknown"] = unknown
        raise ValidationFailed("Sjekklisten er ikke fullstendig besvart: " + ", ".join(missing + unknown) + ".",
                               {"results": [details]})
    passed = all(results.values())
    if not passed and on_fail == "scrap" and not fail_reason.strip():
        raise ValidationFailed.for_field("fail_reason", "Kassering krever en begrunnelse.")
    location_id = get_location(session, location_code, field="location_code").id if location_code else None
    outcome = "available" if passed else ("scrapped" if on_fail == "scrap" else "in_repair")
    failed_items = [checklist.items[key] for key, ok in results.items() if not ok]
    inspection = Inspection(device_id=device.id, inspector_id=actor_id, checklist=checklist.name, results=results,
                            passed=passed, outcome=outcome, note=note if passed else (fail_reason or note))
    session.add(inspection)
    session.flush()
    transition_device(session, device, outcome, actor_id, kind="inspected", location_id=location_id,
                      note=note if passed else "; ".join(filter(None, [fail_reason, *failed_items])),
                      data={"passed": passed, "checklist": checklist.name, "inspection_id": inspection.id})
    session.flush()
    return inspection


def devices_in_maintenance(session: Session) -> list[Device]:
    from sqlalchemy.orm import joinedload

    return list(session.scalars(select(Device).options(joinedload(Device.product), joinedload(Device.location))
                                .where(Device.state.in_(("returned", "cleaning", "inspection", "in_repair")))
                                .order_by(Device.updated_at)))


# --- repairs --------------------------------------------------------------------------------

_DEPOT_REPAIR_FROM = {"on_loan": "on_loan", "available": "inspection", "returned": "inspection",
                      "inspection": "inspection"}


def get_repair(session: Session, repair_id: int, for_update: bool = False) -> RepairOrder:
    repair = session.get(RepairOrder, repair_id, with_for_update=for_update)
    if repair is None:
        raise NotFound(f"Fant ikke reparasjon {repair_id}.", {"repair_id": repair_id})
    return repair


def open_repair(session: Session, actor_id: int, barcode: str, place: str, description: str) -> RepairOrder:
    """A repair order: at the citizen's home (the unit stays on loan; a repair visit is planned) or
    at the depot (the unit goes to repair and comes back to where it was)."""
    if place not in REPAIR_PLACES:
        raise ValidationFailed.for_field("place", "Må være home (hos bruker) eller depot (på lageret).")
    if not description.strip():
        raise ValidationFailed.for_field("description", "Beskriv hva som er galt.")
    device = lock_device(session, barcode)
    if session.scalar(select(RepairOrder.id).where(RepairOrder.device_id == device.id, RepairOrder.status == "open")):
        raise Conflict(f"{device.barcode} har allerede en åpen reparasjon.", {"barcode": device.barcode},
                       code="repair_open")
    repair = RepairOrder(device_id=device.id, place=place, description=description.strip(), created_by_id=actor_id)
    if place == "home":
        if device.state != "on_loan":
            raise InvalidState(f"{device.barcode} er «{STATE_LABELS[device.state]}»; reparasjon hos bruker krever at "
                               "hjelpemiddelet er utlånt.", {"current_state": device.state, "allowed": ["on_loan"]})
        repair.stop_id = bus.ask(session, "plan_repair_visit", device=device, actor_id=actor_id, note=description)
        append_event(session, device, "repair_opened", actor_id, from_state=device.state, to_state=device.state,
                     note=f"Reparasjon hos bruker: {description}")
    else:
        if device.state not in _DEPOT_REPAIR_FROM:
            raise InvalidState(f"{device.barcode} er «{STATE_LABELS[device.state]}» og kan ikke tas inn til reparasjon.",
                               {"current_state": device.state, "allowed": sorted(_DEPOT_REPAIR_FROM)})
        repair.resume_state = _DEPOT_REPAIR_FROM[device.state]
        transition_device(session, device, "in_repair", actor_id, kind="repair_opened",
                          note=f"Reparasjon på lageret: {description}")
    session.add(repair)
    session.flush()
    return repair


def complete_repair(session: Session, actor_id: int, repair_id: int, work_done: str, minutes_spent: int,
                    parts_used: list[dict] | None = None) -> RepairOrder:
    """The repair is done: what was done, the parts used and the minutes spent go into the unit's
    history; a unit repaired at the depot goes back on loan, or on to inspection."""
    repair = get_repair(session, repair_id, for_update=True)
    if repair.status != "open":
        raise InvalidState("Reparasjonen er allerede avsluttet.", {"current_state": repair.status, "allowed": ["open"]})
    if not work_done.strip():
        raise ValidationFailed.for_field("work_done", "Skriv hva som ble gjort.")
    if minutes_spent is None or minutes_spent < 1:
        raise ValidationFailed.for_field("minutes_spent", "Oppgi tidsbruk i minutter (minst 1).")
    parts = []
    for index, part in enumerate(parts_used or []):
        quantity = part.get("antall", part.get("quantity", 1))
        name = str(part.get("navn") or part.get("name") or "").strip()
        if not name:
            raise ValidationFailed.for_field(f"parts_used[{index}].navn", "Delen må ha et navn.")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise ValidationFailed.for_field(f"parts_used[{index}].antall", "Antall må være minst 1.")
        parts.append({"hmsnr": part.get("hmsnr"), "navn": name, "antall": quantity})
    device = session.get(Device, repair.device_id)
    session.refresh(device, with_for_update=True)
    summary = f"{work_done.strip()} ({minutes_spent} min" + (
        "; deler: " + ", ".join(f"{p['antall']} × {p['navn']}" for p in parts) if parts else "") + ")"
    data = {"repair_id": repair.id, "minutes_spent": minutes_spent, "parts_used": parts}
    if repair.place == "depot" and device.state == "in_repair":
        transition_device(session, device, repair.resume_state or "inspection", actor_id, kind="repaired",
                          note=summary, data=data)
    else:
        append_event(session, device, "repaired", actor_id, from_state=device.state, to_state=device.state,
                     note=summary, data=data)
    repair.status, repair.work_done, repair.minutes_spent, repair.parts_used = "done", work_done.strip(), minutes_spent, parts
    repair.completed_by_id, repair.completed_at = actor_id, utcnow()
    session.flush()
    return repair


def list_repairs(session: Session, device_id: int | None = None, status: str | None = None) -> list[RepairOrder]:
    stmt = select(RepairOrder).order_by(RepairOrder.id.desc()).limit(200)
    if device_id is not None:
        stmt = stmt.where(RepairOrder.device_id == device_id)
    if status:
        stmt = stmt.where(RepairOrder.status == status)
    return list(session.scalars(stmt))
