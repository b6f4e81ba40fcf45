"""The periodic inspection of a unit under a maintenance plan, at the depot or at the citizen's home:
checklist answers, result, who, when and the next due date; a failed one sends the unit to repair."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...catalog.models import Product
from ...core.errors import InvalidState
from ...stock.lifecycle import DeviceState, refusal
from ...stock.models import Device
from ...stock.services import get_device, lock_device, record_event
from ..models import Inspection
from .cleaning import checked_answers, inspection_text
from .plans import due_date, schedule_for_product, schedule_inspections
from .repairs import has_open_repair, open_depot_repair, open_repair

S = DeviceState
AT_DEPOT = (S.REGISTERED, S.AVAILABLE, S.RESERVED, S.INSPECTION, S.IN_REPAIR)
AT_HOME = (S.ON_LOAN, S.AWAITING_PICKUP)
_SENT_TO_REPAIR_FROM = (S.AVAILABLE, S.INSPECTION)


def record_periodic_inspection(session: Session, actor_id: int, barcode: str, results: dict[str, bool],
                               reasons: dict[str, str] | None = None, note: str = "") -> Inspection:
    """A unit's periodic inspection against its plan's checklist. Passed: the next due date is one
    interval on. Failed: the unit stays due (so it is not lent) and goes to repair — at the depot at
    once, at home as a repair visit."""
    device = lock_device(session, barcode)
    if device.state not in (*AT_DEPOT, *AT_HOME):
        raise refusal(device.barcode, device.state, [*AT_DEPOT, *AT_HOME], "få periodisk kontroll")
    product = session.get(Product, device.product_id)
    schedule = schedule_for_product(session, product)
    if not schedule.periodic:
        raise InvalidState(f"{product.name} har ingen plan for periodisk kontroll. Legg inn en kontrollplan først.",
                           {"product_id": product.id, "current_state": device.state, "allowed": []},
                           code="no_maintenance_plan")
    failures = checked_answers(schedule.checklist, results, reasons or {})
    verdict = inspection_text(schedule.checklist, failures)
    history = ". ".join(filter(None, ["Periodisk " + verdict[0].lower() + verdict[1:], note.strip()]))
    place = "home" if device.state in AT_HOME else "depot"
    inspection = Inspection(device_id=device.id, inspector_id=actor_id, checklist=schedule.checklist.name,
                            results=results, passed=not failures, outcome=device.state, note=history,
                            kind="periodic", place=place, due_on=due_date(session, device.id))
    session.add(inspection)
    session.flush()
    if not failures:
        schedule_inspections(session, device_ids=[device.id])
    inspection.next_due_on = due_date(session, device.id)
    data = {"passed": not failures, "inspection_id": inspection.id, "failures": failures, "place": place,
            "next_due_on": inspection.next_due_on.isoformat() if inspection.next_due_on else None}
    if failures:
        _send_to_repair(session, actor_id, device, schedule.checklist, failures, history, data)
        inspection.outcome = device.state
    else:
        record_event(session, device, "periodic_inspection", actor_id, note=history, data=data)
    session.flush()
    return inspection


def _send_to_repair(session: Session, actor_id: int, device: Device, checklist, failures: dict[str, str],
                    history: str, data: dict) -> None:
    what = "; ".join(f"{checklist.items[key]}: {reason}" for key, reason in failures.items())
    repairing = has_open_repair(session, device.id)
    if device.state in _SENT_TO_REPAIR_FROM and not repairing:
        open_depot_repair(session, actor_id, device, what, kind="periodic_inspection", data=data,
                          note=f"{history}. Til reparasjon på lageret.")
        return
    record_event(session, device, "periodic_inspection", actor_id, note=history, data=data)
    if device.state == S.ON_LOAN and not repairing:
        open_repair(session, actor_id, device.barcode, "home", f"Periodisk kontroll ikke bestått – {what}")


def inspection_history(session: Session, barcode: str, limit: int = 50) -> list[Inspection]:
    """A unit's inspections, newest first (after each loan and periodic)."""
    device = get_device(session, barcode)
    return list(session.scalars(select(Inspection).where(Inspection.device_id == device.id)
                                .order_by(Inspection.inspected_at.desc(), Inspection.id.desc()).limit(limit)))
