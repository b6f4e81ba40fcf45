from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..catalog.models import Product
from ..core.errors import InvalidState, ValidationFailed
from ..stock.lifecycle import STATE_LABELS
from ..stock.models import Device
from ..stock.services import get_device, get_location, lock_device, transition_device
from .checklists import Checklist, checklist_for
from .models import Inspection

CLEANING_METHODS = {
    "washer_disinfector": "Vaskemaskin/dekontaminator",
    "manual_wash": "Manuell vask og desinfeksjon",
    "steam": "Damprens",
    "disinfectant_wipe": "Avtørking med desinfeksjonsmiddel",
    "laundry": "Tekstilvask (seil, trekk)",
}


def clean_device(session: Session, actor_id: int, barcode: str, method: str, note: str = "") -> Device:
    """Cleaning done (method and who recorded); the unit goes on to inspection."""
    if method not in CLEANING_METHODS:
        raise ValidationFailed.for_field("method", "Ukjent vaskemetode. Gyldige: " + ", ".join(CLEANING_METHODS) + ".")
    device = lock_device(session, barcode)
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
