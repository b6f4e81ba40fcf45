"""Washing (vask/klargjøring) and inspection (kontroll) of a unit that came back: the only way from
a loan back to the shelf."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from ...catalog.models import Product
from ...core.errors import InvalidState, ValidationFailed
from ...core.ids import looks_like_code, normalize_scan
from ...core.paging import PAGE_SIZE, Page, offset_page
from ...stock.lifecycle import DeviceState, refusal
from ...stock.models import Device, DeviceEvent
from ...stock.services import KEEP, change_state, get_device, get_location, lock_device
from ..checklists import Checklist
from ..models import Inspection
from .plans import due_date, schedule_for_product, schedule_inspections

S = DeviceState
CLEANING_METHODS = {
    "washer_disinfector": "Vaskemaskin/dekontaminator",
    "manual_wash": "Manuell vask og desinfeksjon",
    "steam": "Damprens",
    "disinfectant_wipe": "Avtørking med desinfeksjonsmiddel",
    "laundry": "Tekstilvask (seil, trekk)",
}
IN_MAINTENANCE = (S.RETURNED, S.CLEANING, S.INSPECTION, S.IN_REPAIR)
REASON_MAX = 500  # a failed point's reason; the same bound as the API's


def awaits_nav_decision(session: Session, device: Device) -> bool:
    """A NAV unit received back is not readied for reuse until the depot has settled it with NAV."""
    if device.owner != "nav" or device.state != S.CLEANING:
        return False
    last = session.scalar(select(DeviceEvent.kind).where(
        DeviceEvent.device_id == device.id, DeviceEvent.kind.in_(("return_received", "nav_kept_for_reuse")))
        .order_by(DeviceEvent.id.desc()).limit(1))
    return last == "return_received"


def clean_device(session: Session, actor_id: int, barcode: str, method: str, note: str = "") -> Device:
    """Washing done (method and who recorded): the unit goes on to inspection."""
    if method not in CLEANING_METHODS:
        raise ValidationFailed.for_field("method", "Ukjent vaskemetode. Velg en av: "
                                         + ", ".join(CLEANING_METHODS.values()) + ".")
    device = lock_device(session, barcode)
    if awaits_nav_decision(session, device):
        raise InvalidState(f"{device.barcode} eies av NAV: avgjør først om den sendes tilbake til NAV eller "
                           "beholdes for gjenbruk etter avtale med NAV.",
                           {"current_state": device.state, "owner": "nav", "allowed": ["return_to_nav", "keep_for_reuse"]})
    if device.state != S.CLEANING:
        raise refusal(device.barcode, device.state, [S.CLEANING], "vaskes",
                      "Ta imot returen på lageret først." if device.state == S.RETURNED else "")
    # The method is what the next person asks about (was the sling laundered?): it leads the history line.
    change_state(session, device, S.INSPECTION, actor_id, kind="cleaned",
                 note=". ".join(filter(None, [f"Vaskemetode: {CLEANING_METHODS[method]}", note.strip()])),
                 data={"method": method, "method_label": CLEANING_METHODS[method]})
    session.flush()
    return device


def checklist_for_device(session: Session, barcode: str) -> Checklist:
    """The checklist of the unit's maintenance plan, else of its product type."""
    return schedule_for_product(session, get_device(session, barcode).product).checklist


def check_inspectable(device: Device) -> None:
    if device.state != S.INSPECTION:
        raise refusal(device.barcode, device.state, [S.INSPECTION], "kontrolleres")


def inspection_text(checklist: Checklist, failures: dict[str, str]) -> str:
    """The history's line for an inspection: «Kontroll bestått», or every failed point with its reason."""
    if not failures:
        return "Kontroll bestått"
    return "Kontroll ikke bestått: " + "; ".join(f"{checklist.items[key]} – {reason}" for key, reason in failures.items())


def _point_problem(message: str, keys: list[str], problem: str) -> ValidationFailed:
    # The message names the points in words; the details (by checklist key) are for programs and pages.
    error = ValidationFailed(message, {"reasons": {key: [problem] for key in keys}})
    error.summarised = True
    return error


def _failures(checklist: Checklist, results: dict[str, bool], reasons: dict[str, str]) -> dict[str, str]:
    """Each failed point with why, in the checklist's order; a failed point without a reason is refused,
    since otherwise the history reads like a pass."""
    failed = [key for key in checklist.items if results.get(key) is False]
    unexplained = [key for key in failed if not (reasons.get(key) or "").strip()]
    if unexplained:
        named = ", ".join(f"«{checklist.items[key]}»" for key in unexplained)
        raise _point_problem(f"Skriv hva som er galt for hvert punkt med avvik: {named}.", unexplained,
                             "Skriv hva som er galt.")
    failures = {key: " ".join(reasons[key].split()) for key in failed}
    too_long = [key for key, reason in failures.items() if len(reason) > REASON_MAX]
    if too_long:
        raise _point_problem(f"Grunnen for «{checklist.items[too_long[0]]}» kan ha høyst {REASON_MAX} tegn.",
                             too_long, f"Høyst {REASON_MAX} tegn.")
    return failures


def checked_answers(checklist: Checklist, results: dict[str, bool], reasons: dict[str, str]) -> dict[str, str]:
    """Every point of the checklist answered, none unknown, each failed one with its reason: the
    failures by point."""
    missing = sorted(set(checklist.items) - set(results))
    unknown = sorted(set(results) - set(checklist.items))
    if missing or unknown:
        details = {}
        if missing:
            details["missing"] = missing
        if unknown:
            details["unknown"] = unknown
        named = [checklist.items.get(key, key) for key in missing + unknown]
        raise ValidationFailed("Sjekklisten er ikke fullstendig besvart: " + ", ".join(named) + ".",
                               {"results": [details]})
    return _failures(checklist, results, reasons)


def inspect_device(session: Session, actor_id: int, barcode: str, results: dict[str, bool], note: str = "",
                   on_fail: str = "repair", fail_reason: str = "", location_code: str | None = None,
                   reasons: dict[str, str] | None = None, periodic: bool = False) -> Inspection:
    """Kontroll against the product type's checklist: every item answered, every failed one with a
    reason (``reasons``, by item). Pass → available (and offered to the queue); fail → repair, or
    scrapping with a reason."""
    device = lock_device(session, barcode)
    check_inspectable(device)
    product = session.get(Product, device.product_id)
    schedule = schedule_for_product(session, product)
    # A plan inspected after each loan uses its own checklist, and that inspection is its periodic one.
    periodic = periodic or (schedule.periodic and schedule.after_each_loan)
    checklist = schedule.checklist
    failures = checked_answers(checklist, results, reasons or {})
    passed = not failures
    if not passed and on_fail == "scrap" and not fail_reason.strip():
        raise ValidationFailed.for_field("fail_reason", "Kassering krever en begrunnelse.")
    location_id = get_location(session, location_code, field="location_code").id if location_code else KEEP
    outcome = S.AVAILABLE if passed else (S.SCRAPPED if on_fail == "scrap" else S.IN_REPAIR)
    verdict = inspection_text(checklist, failures)
    history = ". ".join(filter(None, [verdict, fail_reason.strip(), note.strip()]))
    inspection = Inspection(device_id=device.id, inspector_id=actor_id, checklist=checklist.name, results=results,
                            passed=passed, outcome=outcome.value, note=history,
                            kind="periodic" if periodic and passed else "after_loan",
                            due_on=due_date(session, device.id) if periodic and passed else None)
    session.add(inspection)
    session.flush()
    if inspection.kind == "periodic":
        schedule_inspections(session, device_ids=[device.id])
        inspection.next_due_on = due_date(session, device.id)
    data = {"passed": passed, "checklist": checklist.name, "inspection_id": inspection.id, "failures": failures}
    if outcome == S.IN_REPAIR:
        from .repairs import open_depot_repair

        what = "; ".join(filter(None, [fail_reason.strip(), *(f"{checklist.items[k]}: {r}" for k, r in failures.items())]))
        open_depot_repair(session, actor_id, device, what, kind="inspected", data=data, location_id=location_id,
                          note=f"{history}. Til reparasjon på lageret.")
    else:
        change_state(session, device, outcome, actor_id, kind="inspected", location_id=location_id, note=history,
                     data=data)
    session.flush()
    return inspection


def devices_in_maintenance(session: Session, number: int = 1, size: int = PAGE_SIZE, q: str | None = None) -> Page:
    """Units back for washing, inspection or repair, the latest to arrive first (what was just put
    on the receiving bench is what the person at the washer looks for). ``q``: a barcode or a piece
    of a product's name. Read along ``ix_devices_in_maintenance`` (migration 0011), so a page costs
    the same with 50 units in maintenance or 500,000."""
    return offset_page(session, in_maintenance_stmt(session, q), number, size)


def in_maintenance_stmt(session: Session, q: str | None = None):
    """The list behind ``devices_in_maintenance`` and its download; a search by product name reads the
    matching products' ids first (at most 1,000)."""
    stmt = (select(Device).options(joinedload(Device.product), joinedload(Device.location))
            .where(Device.state.in_(IN_MAINTENANCE)).order_by(Device.updated_at.desc(), Device.id.desc()))
    if q and q.strip():
        key = normalize_scan(q)
        if looks_like_code(key):
            stmt = stmt.where(Device.barcode == key)
        else:
            products = select(Product.id).where(func.lower(Product.name).contains(q.strip().lower(), autoescape=True))
            stmt = stmt.where(Device.product_id.in_(list(session.scalars(products.limit(1000)))))
    return stmt
