"""Needs (behov) and their applications (søknad): registration, the decision (vedtak), NAV's progress
on long-term applications, cancellation, and the need's status as its units come and go."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from ...catalog.models import Product
from ...citizens.services import add_caseworker, check_citizen_access, may_see_citizen
from ...core import bus
from ...core.db import utcnow
from ...core.errors import Conflict, Forbidden, InvalidState, NotFound, ValidationFailed
from ...core.text import field_label
from ..events import NeedSentToNav
from ..models import Loan, Need, NeedEvent, Reservation

URGENCY_RANK = {"discharge": 0, "urgent": 1, "normal": 2}
NEED_STATUS_LABELS = {
    "registered": "Registrert, venter på vedtak",
    "approved": "Innvilget, venter på hjelpemiddel",
    "rejected": "Avslått",
    "sent_to_nav": "Søknad sendt til NAV",
    "reserved": "Reservert",
    "on_loan": "Utlånt",
    "returning": "Retur bestilt",
    "closed": "Avsluttet",
    "cancelled": "Kansellert",
}
NAV_STATUS_LABELS = {"sent": "Sendt til NAV", "approved": "Innvilget av NAV", "rejected": "Avslått av NAV",
                     "delivery_expected": "Levering fra NAV ventet", "received": "Mottatt fra NAV"}
# A need's timeline as the therapist reads it; kinds not named here read as «Endret».
NEED_EVENT_LABELS = {
    "registered": "Behov registrert", "decision_approve": "Innvilget", "decision_reject": "Avslått",
    "decision_send_to_nav": "Søknad sendt til NAV", "reserved": "Hjelpemiddel reservert",
    "reservation_cancelled": "Reservasjon opphevet", "delivered": "Levert", "return_requested": "Retur bestilt",
    "returned": "Returnert", "cancelled": "Kansellert", "loan_extended": "Utlån forlenget",
    "nav_registered": "Registrert hos NAV", "recalled": "Tilbakekalt", **{f"nav_{key}": label for key, label in NAV_STATUS_LABELS.items()},
}
# Needs in these statuses may have units reserved for them.
RESERVABLE = frozenset({"approved", "reserved", "on_loan", "sent_to_nav"})
_CANCELLABLE = ("registered", "approved", "reserved", "sent_to_nav")


def _labels(statuses) -> str:
    return ", ".join(f"«{NEED_STATUS_LABELS[s]}»" for s in statuses)


def record_need_event(session: Session, need: Need, kind: str, actor_id: int | None, note: str = "",
                      device_id: int | None = None, data: dict | None = None) -> None:
    session.add(NeedEvent(need_id=need.id, kind=kind, status=need.status, actor_id=actor_id, note=note,
                          device_id=device_id, data=data))


def set_status(need: Need, status: str) -> None:
    if need.status != status:
        need.status = status
        need.status_changed_at = utcnow()


def get_need(session: Session, need_id: int, for_update: bool = False) -> Need:
    stmt = select(Need).where(Need.id == need_id)
    if for_update:
        stmt = stmt.with_for_update()
    need = session.scalar(stmt)
    if need is None:
        raise NotFound(f"Fant ikke behov {need_id}.", {"need_id": need_id})
    return need


def check_need_access(session: Session, role: str, user_id: int, need_id: int) -> Need:
    """The need, if the caller may see its citizen; an unknown need and another's answer the same."""
    need = session.scalar(select(Need).options(joinedload(Need.citizen), joinedload(Need.product)).where(Need.id == need_id))
    if need is None or not may_see_citizen(session, role, user_id, need.citizen_id):
        raise NotFound(f"Fant ikke behov {need_id}.", {"need_id": need_id})
    return need


def _citizen_for_need(session: Session, role: str, actor_id: int, citizen_id: int):
    try:
        return check_citizen_access(session, role, actor_id, citizen_id)
    except NotFound:
        raise ValidationFailed.for_field("citizen_id", f"Fant ingen innbygger {citizen_id} som du har tilgang til.") from None


def _row_problem(session: Session, product_id: int | None, iso_class: str | None) -> tuple[str, str] | None:
    """What is wrong with one product line (field, message), or None."""
    if product_id is None and iso_class is None:
        return "product_id", "Oppgi et produkt eller en ISO-klasse."
    if product_id is not None and session.get(Product, product_id) is None:
        return "product_id", f"Fant ikke produkt {product_id}."
    return None


def _check_discharge(urgency: str, discharge_date: date | None, discharge_time: time | None) -> None:
    if urgency == "discharge" and discharge_date is None:
        raise ValidationFailed.for_field("discharge_date", "Utskrivning fra sykehus krever utskrivningsdato.")
    if discharge_time is not None and discharge_date is None:
        raise ValidationFailed.for_field("discharge_date", "Et klokkeslett for utskrivning trenger en dato.")


def _add_need(session: Session, actor_id: int, citizen, product_id: int | None, iso_class: str | None,
              quantity: int, needed_by: date, urgency: str, application_type: str, discharge_date: date | None,
              discharge_time: time | None, delivery_address: str | None, notes: str, requested_by: str) -> Need:
    product = session.get(Product, product_id) if product_id is not None else None
    need = Need(citizen_id=citizen.id, product_id=product_id, iso_class=None if product_id else iso_class,
                quantity=quantity, needed_by=needed_by, urgency=urgency, urgency_rank=URGENCY_RANK[urgency],
                discharge_date=discharge_date, discharge_time=discharge_time, notes=notes, requested_by=requested_by,
                delivery_address=delivery_address or citizen.home_address,
                application_type=application_type, status="registered", registered_by_id=actor_id)
    need.citizen, need.product = citizen, product
    session.add(need)
    session.flush()
    record_need_event(session, need, "registered", actor_id, note=notes)
    return need


def register_need(session: Session, actor_id: int, role: str, citizen_id: int, needed_by: date, urgency: str,
                  application_type: str, product_id: int | None = None, iso_class: str | None = None,
                  quantity: int = 1, discharge_date: date | None = None, discharge_time: time | None = None,
                  delivery_address: str | None = None, notes: str = "", requested_by: str = "") -> Need:
    citizen = _citizen_for_need(session, role, actor_id, citizen_id)
    problem = _row_problem(session, product_id, iso_class)
    if problem:
        raise ValidationFailed.for_field(*problem)
    _check_discharge(urgency, discharge_date, discharge_time)
    need = _add_need(session, actor_id, citizen, product_id, iso_class, quantity, needed_by, urgency,
                     application_type, discharge_date, discharge_time, delivery_address, notes, requested_by)
    add_caseworker(session, citizen_id, actor_id)
    session.flush()
    return need


def register_needs(session: Session, actor_id: int, role: str, citizen_id: int, rows: list[dict], needed_by: date,
                   urgency: str, application_type: str, discharge_date: date | None = None,
                   discharge_time: time | None = None, delivery_address: str | None = None, notes: str = "",
                   requested_by: str = "") -> list[Need]:
    """Several products for one citizen at once («a basket»): one need per row (``product_id`` or
    ``iso_class``, and ``quantity``), sharing the dates, urgency and application. Every row is checked
    before any is written, so the basket is saved whole or not at all; a bad row is named by its
    index under ``rows`` (the page reads it as «Produkter, rad 2, Produkt: …»)."""
    citizen = _citizen_for_need(session, role, actor_id, citizen_id)
    if not rows:
        raise ValidationFailed.for_field("rows", "Legg minst ett produkt i kurven.")
    problems: dict[int, dict[str, list[str]]] = {}
    for index, row in enumerate(rows):
        problem = _row_problem(session, row.get("product_id"), row.get("iso_class"))
        if problem:
            problems[index] = {problem[0]: [problem[1]]}
    if problems:
        first = min(problems)
        [(field, [message])] = problems[first].items()
        raise ValidationFailed(f"Rad {first + 1}: {field_label(field)}: {message} Ingenting er lagret.",
                               {"rows": problems})
    _check_discharge(urgency, discharge_date, discharge_time)
    needs = [_add_need(session, actor_id, citizen, row.get("product_id"), row.get("iso_class"), row.get("quantity", 1),
                       needed_by, urgency, application_type, discharge_date, discharge_time, delivery_address, notes,
                       requested_by) for row in rows]
    add_caseworker(session, citizen_id, actor_id)
    session.flush()
    return needs


def decide_need(session: Session, actor_id: int, role: str, need_id: int, decision: str, reason: str = "") -> Need:
    """Vedtak: approve or reject a short-term application (depot staff), or send a long-term one
    to NAV (therapist). An approved need is served from stock at once where a unit is free."""
    from .reservations import fill_from_stock

    need = get_need(session, need_id, for_update=True)
    if need.status != "registered":
        raise InvalidState(f"Søknaden er allerede behandlet (status «{NEED_STATUS_LABELS[need.status]}»).",
                           {"current_state": need.status, "allowed": ["registered"]})
    if decision == "reject":
        if not reason.strip():
            raise ValidationFailed.for_field("reason", "Et avslag må ha en begrunnelse.")
        if role not in ("lager", "admin", "terapeut"):
            raise Forbidden("Rollen kan ikke avslå søknader.", {"role": role})
        set_status(need, "rejected")
    elif decision == "approve":
        if need.application_type != "short_term":
            raise InvalidState("Langtidslån søkes hos NAV: send søknaden til NAV i stedet.",
                               {"current_state": need.status, "allowed": ["send_to_nav", "reject"]})
        if role not in ("lager", "admin"):
            raise Forbidden("Bare lageret kan innvilge korttidslån.", {"role": role, "required": ["lager"]})
        set_status(need, "approved")
    elif decision == "send_to_nav":
        if need.application_type != "long_term":
            raise InvalidState("Korttidslån avgjøres av kommunen: innvilg eller avslå søknaden.",
                               {"current_state": need.status, "allowed": ["approve", "reject"]})
        if role not in ("terapeut", "admin"):
            raise Forbidden("Bare terapeuten sender søknader til NAV.", {"role": role, "required": ["terapeut"]})
        set_status(need, "sent_to_nav")
        need.nav_status = "sent"
    else:
        raise ValidationFailed.for_field("decision", "Velg innvilg, avslå eller send til NAV.")
    need.decision_reason, need.decided_by_id, need.decided_at = reason, actor_id, utcnow()
    record_need_event(session, need, f"decision_{decision}", actor_id, note=reason)
    session.flush()
    if need.status == "approved":
        fill_from_stock(session, need, actor_id)
    elif need.status == "sent_to_nav":
        bus.publish(session, NeedSentToNav(need.id, actor_id))
    return need


def set_nav_status(session: Session, actor_id: int | None, need_id: int, nav_status: str, note: str = "") -> Need:
    """NAV's progress on a long-term application (the NAV integration feeds this). NAV's refusal
    closes the need as rejected."""
    need = get_need(session, need_id, for_update=True)
    if need.application_type != "long_term":
        raise InvalidState("Bare langtidslån følges hos NAV.", {"current_state": need.status, "allowed": []})
    need.nav_status = nav_status
    if nav_status == "rejected" and need.status in ("registered", "sent_to_nav"):
        set_status(need, "rejected")
        need.decision_reason = note
    elif need.status == "registered":
        set_status(need, "sent_to_nav")
    record_need_event(session, need, f"nav_{nav_status}", actor_id, note=note)
    session.flush()
    return need


def cancel_need(session: Session, actor_id: int, need_id: int, reason: str) -> Need:
    from .reservations import end_reservation

    need = get_need(session, need_id, for_update=True)
    if need.status not in _CANCELLABLE:
        raise InvalidState(f"Et behov med status «{NEED_STATUS_LABELS[need.status]}» kan ikke kanselleres; "
                           f"bare behov som er {_labels(_CANCELLABLE)}.",
                           {"current_state": need.status, "allowed": list(_CANCELLABLE)})
    for reservation in session.scalars(select(Reservation).where(Reservation.need_id == need.id,
                                                                 Reservation.status == "active")):
        end_reservation(session, reservation, actor_id, "behovet ble kansellert")
    set_status(need, "cancelled")
    need.closed_at = utcnow()
    record_need_event(session, need, "cancelled", actor_id, note=reason)
    session.flush()
    return need


# --- units supplied and the need's status ---------------------------------------------------

@dataclass(frozen=True)
class Supply:
    reserved: int
    on_loan: int
    returning: int
    ended: int

    @property
    def supplied(self) -> int:
        return self.reserved + self.on_loan + self.returning + self.ended


def need_supply(session: Session, need_id: int) -> Supply:
    reserved = session.scalar(select(func.count()).select_from(Reservation)
                              .where(Reservation.need_id == need_id, Reservation.status == "active"))
    loans = dict(session.execute(select(Loan.status, func.count()).where(Loan.need_id == need_id).group_by(Loan.status)).all())
    return Supply(reserved, loans.get("active", 0), loans.get("return_requested", 0), loans.get("ended", 0))


def refresh_status(session: Session, need: Need) -> None:
    if need.status not in RESERVABLE and need.status != "returning":
        return
    supply = need_supply(session, need.id)
    loaned = supply.on_loan + supply.returning + supply.ended
    if loaned >= need.quantity and supply.ended >= need.quantity:
        set_status(need, "closed")
        need.closed_at = utcnow()
    elif loaned >= need.quantity and supply.returning + supply.ended >= need.quantity:
        set_status(need, "returning")
    elif loaned >= need.quantity:
        set_status(need, "on_loan")
    elif supply.supplied >= need.quantity:
        set_status(need, "reserved")
    elif need.status != "sent_to_nav":
        set_status(need, "approved")


def open_slots(session: Session, need: Need) -> int:
    return need.quantity - need_supply(session, need.id).supplied


def check_need_can_take_a_unit(session: Session, need: Need) -> None:
    if need.status not in RESERVABLE:
        raise InvalidState(f"Behovet har status «{NEED_STATUS_LABELS[need.status]}» og kan ikke få hjelpemidler.",
                           {"current_state": need.status, "allowed": sorted(RESERVABLE)})
    if open_slots(session, need) <= 0:
        raise Conflict("Behovet har allerede fått alle hjelpemidlene det trenger.", {"need_id": need.id},
                       code="need_fully_supplied")
