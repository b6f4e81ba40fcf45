from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, joinedload

from ..catalog.models import Product
from ..citizens.models import Citizen
from ..citizens.services import add_caseworker
from ..core import bus
from ..core.db import utcnow
from ..core.text import local_time, local_today
from ..core.errors import Conflict, Forbidden, InvalidState, NotFound, ValidationFailed
from ..stock.lifecycle import STATE_LABELS
from ..stock.models import Device
from ..stock.services import get_location, lock_device, transition_device
from .models import Loan, LoanExtension, Need, NeedEvent, Reservation

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
NAV_STATUS_LABELS = {"sent": "Sendt til NAV", "approved": "Innvilget av NAV",
                     "delivery_expected": "Levering fra NAV ventet", "received": "Mottatt fra NAV"}
RETURN_REASON_LABELS = {"need_ended": "Behovet er over", "worn_out": "Utslitt", "moved": "Flyttet",
                        "deceased": "Død", "other": "Annet"}
# Needs in these statuses may have units reserved for them.
_RESERVABLE = frozenset({"approved", "reserved", "on_loan", "sent_to_nav"})
# A device in these states is on its way back and may be booked ahead for the next need.
_BOOKABLE_AHEAD = frozenset({"on_loan", "awaiting_pickup", "returned", "cleaning", "inspection"})


# --- needs ----------------------------------------------------------------------------------

def record_need_event(session: Session, need: Need, kind: str, actor_id: int | None, note: str = "",
           device_id: int | None = None, data: dict | None = None) -> None:
    session.add(NeedEvent(need_id=need.id, kind=kind, status=need.status, actor_id=actor_id, note=note,
                          device_id=device_id, data=data))


def _set_status(need: Need, status: str) -> None:
    if need.status != status:
        need.status = status
        need.status_changed_at = utcnow()


def home_address(citizen: Citizen) -> str:
    """Where a need is delivered unless the therapist names another address."""
    return f"{citizen.address}, {citizen.postcode} {citizen.city}".strip()


def get_need(session: Session, need_id: int, for_update: bool = False) -> Need:
    stmt = select(Need).where(Need.id == need_id)
    if for_update:
        stmt = stmt.with_for_update()
    need = session.scalar(stmt)
    if need is None:
        raise NotFound(f"Fant ikke behov {need_id}.", {"need_id": need_id})
    return need


def register_need(session: Session, actor_id: int, role: str, citizen_id: int, needed_by: date, urgency: str,
                  application_type: str, product_id: int | None = None, iso_class: str | None = None,
                  quantity: int = 1, discharge_date: date | None = None, delivery_address: str | None = None,
                  notes: str = "", requested_by: str = "") -> Need:
    from ..citizens.services import check_citizen_access

    try:
        citizen = check_citizen_access(session, role, actor_id, citizen_id)
    except NotFound:
        raise ValidationFailed.for_field("citizen_id", f"Fant ingen innbygger {citizen_id} som du har tilgang til.") from None
    if product_id is None and iso_class is None:
        raise ValidationFailed.for_field("product_id", "Oppgi et produkt eller en ISO-klasse.")
    product = session.get(Product, product_id) if product_id is not None else None
    if product_id is not None and product is None:
        raise ValidationFailed.for_field("product_id", f"Fant ikke produkt {product_id}.")
    if urgency == "discharge" and discharge_date is None:
        raise ValidationFailed.for_field("discharge_date", "Utskrivning fra sykehus krever utskrivningsdato.")
    need = Need(citizen_id=citizen_id, product_id=product_id, iso_class=None if product_id else iso_class,
                quantity=quantity, needed_by=needed_by, urgency=urgency, urgency_rank=URGENCY_RANK[urgency],
                discharge_date=discharge_date, notes=notes, requested_by=requested_by,
                delivery_address=delivery_address or home_address(citizen),
                application_type=application_type, status="registered", registered_by_id=actor_id)
    need.citizen, need.product = citizen, product
    session.add(need)
    session.flush()
    add_caseworker(session, citizen_id, actor_id)
    record_need_event(session, need, "registered", actor_id, note=notes)
    session.flush()
    return need


def decide_need(session: Session, actor_id: int, role: str, need_id: int, decision: str, reason: str = "") -> Need:
    """Vedtak: approve or reject a short-term application (depot staff), or send a long-term one
    to NAV (therapist). An approved need is served from stock at once where a unit is free."""
    need = get_need(session, need_id, for_update=True)
    if need.status != "registered":
        raise InvalidState(
            f"Søknaden er allerede behandlet (status «{NEED_STATUS_LABELS[need.status]}»).",
            {"current_state": need.status, "allowed": []},
        )
    if decision == "reject":
        if not reason.strip():
            raise ValidationFailed.for_field("reason", "Et avslag må ha en begrunnelse.")
        if role not in ("lager", "admin", "terapeut"):
            raise Forbidden("Rollen kan ikke avslå søknader.", {"role": role})
        _set_status(need, "rejected")
    elif decision == "approve":
        if need.application_type != "short_term":
            raise InvalidState("Langtidslån søkes hos NAV; bruk «send_to_nav».",
                               {"current_state": need.status, "allowed": ["send_to_nav", "reject"]})
        if role not in ("lager", "admin"):
            raise Forbidden("Bare lageret kan innvilge korttidslån.", {"role": role, "required": ["lager"]})
        _set_status(need, "approved")
    elif decision == "send_to_nav":
        if need.application_type != "long_term":
            raise InvalidState("Korttidslån avgjøres av kommunen; bruk «approve».",
                               {"current_state": need.status, "allowed": ["approve", "reject"]})
        if role not in ("terapeut", "admin"):
            raise Forbidden("Bare terapeuten sender søknader til NAV.", {"role": role, "required": ["terapeut"]})
        _set_status(need, "sent_to_nav")
        need.nav_status = "sent"
    else:
        raise ValidationFailed.for_field("decision", "Må være approve, reject eller send_to_nav.")
    need.decision_reason, need.decided_by_id, need.decided_at = reason, actor_id, utcnow()
    record_need_event(session, need, f"decision_{decision}", actor_id, note=reason)
    session.flush()
    if need.status == "approved":
        _fill_from_stock(session, need, actor_id)
    return need


def set_nav_status(session: Session, actor_id: int | None, need_id: int, nav_status: str, note: str = "") -> Need:
    """NAV's progress on a long-term application (the NAV integration feeds this)."""
    need = get_need(session, need_id, for_update=True)
    if need.application_type != "long_term":
        raise InvalidState("Bare langtidslån følges hos NAV.", {"current_state": need.status, "allowed": []})
    need.nav_status = nav_status
    if need.status == "registered":
        _set_status(need, "sent_to_nav")
    record_need_event(session, need, f"nav_{nav_status}", actor_id, note=note)
    session.flush()
    return need


def cancel_need(session: Session, actor_id: int, need_id: int, reason: str) -> Need:
    need = get_need(session, need_id, for_update=True)
    if need.status not in ("registered", "approved", "reserved", "sent_to_nav"):
        raise InvalidState(f"Et behov med status «{NEED_STATUS_LABELS[need.status]}» kan ikke kanselleres.",
                           {"current_state": need.status, "allowed": ["registered", "approved", "reserved", "sent_to_nav"]})
    for reservation in session.scalars(select(Reservation).where(Reservation.need_id == need.id,
                                                                 Reservation.status == "active")):
        _release(session, reservation, actor_id, "behovet ble kansellert")
    _set_status(need, "cancelled")
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


def _refresh_status(session: Session, need: Need) -> None:
    if need.status not in _RESERVABLE and need.status not in ("returning",):
        return
    supply = need_supply(session, need.id)
    loaned = supply.on_loan + supply.returning + supply.ended
    if loaned >= need.quantity and supply.ended >= need.quantity:
        _set_status(need, "closed")
        need.closed_at = utcnow()
    elif loaned >= need.quantity and supply.returning + supply.ended >= need.quantity:
        _set_status(need, "returning")
    elif loaned >= need.quantity:
        _set_status(need, "on_loan")
    elif supply.supplied >= need.quantity:
        _set_status(need, "reserved")
    elif need.status != "sent_to_nav":
        _set_status(need, "approved")


def open_slots(session: Session, need: Need) -> int:
    return need.quantity - need_supply(session, need.id).supplied


# --- reservations: the one check --------------------------------------------------------------

# Short-term loans come from municipal stock; NAV's units go out only on NAV's long-term loans.
_OWNER_FOR = {"short_term": "kommune", "long_term": "nav"}


def device_fits_need(device: Device, product: Product, need: Need) -> bool:
    if need.product_id is not None:
        return device.product_id == need.product_id
    return product.iso_class.startswith(need.iso_class)


def _check_need_can_take_a_unit(session: Session, need: Need) -> None:
    if need.status not in _RESERVABLE:
        raise InvalidState(f"Behovet har status «{NEED_STATUS_LABELS[need.status]}» og kan ikke få hjelpemidler.",
                           {"current_state": need.status, "allowed": sorted(_RESERVABLE)})
    if open_slots(session, need) <= 0:
        raise Conflict("Behovet har allerede fått alle hjelpemidlene det trenger.", {"need_id": need.id},
                       code="need_fully_supplied")


def claim_device_for_need(session: Session, device: Device, need: Need, actor_id: int | None,
                          note: str = "") -> Reservation:
    """Tie one unit to one need. Every path that does so (reserve, change, scan at pick, scan at
    hand-over, the queue) comes through here, so a unit never serves two needs."""
    active = session.scalar(select(Reservation).where(Reservation.device_id == device.id, Reservation.status == "active"))
    if active is not None:
        if active.need_id == need.id:
            return active
        raise Conflict(f"{device.barcode} er reservert for et annet behov.",
                       {"barcode": device.barcode, "reserved_for_need": active.need_id}, code="reserved_for_other")
    product = session.get(Product, device.product_id)
    if device.owner != _OWNER_FOR[need.application_type]:
        raise Conflict(f"{device.barcode} eies av {'NAV' if device.owner == 'nav' else 'kommunen'} og kan ikke brukes "
                       f"til {'korttidslån' if need.application_type == 'short_term' else 'langtidslån'}.",
                       {"barcode": device.barcode, "owner": device.owner, "need_id": need.id}, code="wrong_owner")
    if not device_fits_need(device, product, need):
        raise Conflict(f"{device.barcode} ({product.name}) passer ikke behovet.",
                       {"barcode": device.barcode, "need_id": need.id}, code="wrong_product")
    _check_need_can_take_a_unit(session, need)
    if device.state == "available":
        transition_device(session, device, "reserved", actor_id, note=f"Reservert for behov {need.id}")
    elif device.state not in _BOOKABLE_AHEAD:
        raise InvalidState(
            f"{device.barcode} er «{STATE_LABELS[device.state]}» og kan ikke reserveres.",
            {"current_state": device.state, "allowed": ["available", *sorted(_BOOKABLE_AHEAD)]},
        )
    reservation = Reservation(need_id=need.id, device_id=device.id, created_by_id=actor_id)
    reservation.need, reservation.device = need, device
    session.add(reservation)
    session.flush()
    _refresh_status(session, need)
    record_need_event(session, need, "reserved", actor_id, note=note, device_id=device.id, data={"barcode": device.barcode})
    return reservation


def _fitting_available(need: Need):
    stmt = (select(Device).join(Product, Product.id == Device.product_id).options(joinedload(Device.product))
            .where(Device.state == "available", Device.owner == _OWNER_FOR[need.application_type]))
    if need.product_id is not None:
        stmt = stmt.where(Device.product_id == need.product_id)
    else:
        stmt = stmt.where(Product.iso_class.startswith(need.iso_class))
    # Oldest first among equivalents, as the Nordic assistive-technology centres rotate stock;
    # SKIP LOCKED lets concurrent reservations take different units instead of queueing.
    return stmt.order_by(Device.registered_at, Device.id).limit(1).with_for_update(skip_locked=True, of=Device)


def _fill_from_stock(session: Session, need: Need, actor_id: int | None) -> list[Reservation]:
    made = []
    while open_slots(session, need) > 0:
        device = session.scalar(_fitting_available(need))
        if device is None:
            break
        made.append(claim_device_for_need(session, device, need, actor_id))
    return made


def queue_position(session: Session, need: Need) -> int:
    ahead = session.scalar(select(func.count()).select_from(Need).where(
        Need.status == "approved",
        or_(Need.urgency_rank < need.urgency_rank,
            and_(Need.urgency_rank == need.urgency_rank, Need.needed_by < need.needed_by),
            and_(Need.urgency_rank == need.urgency_rank, Need.needed_by == need.needed_by, Need.id < need.id))))
    return ahead + 1


def reserve_for_need(session: Session, actor_id: int, need_id: int, device_barcode: str | None = None) -> Reservation:
    """Reserve a named unit, or the oldest free unit that fits; with none free the need waits in the queue."""
    need = get_need(session, need_id, for_update=True)
    if device_barcode:
        return claim_device_for_need(session, lock_device(session, device_barcode), need, actor_id)
    _check_need_can_take_a_unit(session, need)
    device = session.scalar(_fitting_available(need))
    if device is None:
        raise Conflict("Ingen ledige hjelpemidler passer; behovet står i kø.",
                       {"need_id": need.id, "queue_position": queue_position(session, need)}, code="no_device_available")
    return claim_device_for_need(session, device, need, actor_id)


def _release(session: Session, reservation: Reservation, actor_id: int | None, reason: str) -> None:
    reservation.status, reservation.ended_at, reservation.end_reason = "cancelled", utcnow(), reason
    session.flush()
    bus.publish(session, "reservation_ended", reservation_id=reservation.id, reason=reason)
    device = session.get(Device, reservation.device_id)
    if device.state in ("reserved", "picked"):
        transition_device(session, device, "available", actor_id, note=reason)


def cancel_reservation(session: Session, actor_id: int, reservation_id: int, reason: str) -> Reservation:
    reservation = session.get(Reservation, reservation_id)
    if reservation is None:
        raise NotFound(f"Fant ikke reservasjon {reservation_id}.", {"reservation_id": reservation_id})
    if reservation.status != "active":
        raise InvalidState(f"Reservasjonen er allerede {reservation.status}.",
                           {"current_state": reservation.status, "allowed": ["active"]})
    need = get_need(session, reservation.need_id, for_update=True)
    reservation.need, reservation.device = need, session.get(Device, reservation.device_id)
    _release(session, reservation, actor_id, reason or "reservasjon opphevet")
    _refresh_status(session, need)
    record_need_event(session, need, "reservation_cancelled", actor_id, note=reason, device_id=reservation.device_id)
    session.flush()
    return reservation


def change_reservation(session: Session, actor_id: int, reservation_id: int, device_barcode: str) -> Reservation:
    """Swap the unit held for a need; the new one passes the same check as any reservation."""
    reservation = session.get(Reservation, reservation_id)
    if reservation is None or reservation.status != "active":
        raise NotFound(f"Fant ingen aktiv reservasjon {reservation_id}.", {"reservation_id": reservation_id})
    need = get_need(session, reservation.need_id, for_update=True)
    new_device = lock_device(session, device_barcode)
    if new_device.id == reservation.device_id:
        return reservation
    _release(session, reservation, actor_id, "byttet til " + new_device.barcode)
    return claim_device_for_need(session, new_device, need, actor_id, note="byttet enhet")


# --- the queue ------------------------------------------------------------------------------

def offer_device_to_queue(session: Session, device_id: int, actor_id: int | None = None) -> Reservation | None:
    """A unit has become available: hold it for its booked need, else the head of the queue."""
    device = session.get(Device, device_id)
    if device is None or device.state != "available":
        return None
    booked = session.scalar(select(Reservation).where(Reservation.device_id == device.id, Reservation.status == "active"))
    product = session.get(Product, device.product_id)
    if booked is not None:
        transition_device(session, device, "reserved", actor_id, note=f"Forhåndsreservert for behov {booked.need_id}")
        return booked
    candidates = session.scalars(
        select(Need).where(Need.status == "approved", Need.application_type == {"kommune": "short_term", "nav": "long_term"}[device.owner],
                           or_(Need.product_id == device.product_id,
                               and_(Need.product_id.is_(None), func.substr(product.iso_class, 1, func.length(Need.iso_class)) == Need.iso_class)))
        .order_by(Need.urgency_rank, Need.needed_by, Need.id).limit(10)
    )
    for need in candidates:
        if open_slots(session, need) > 0:
            return claim_device_for_need(session, device, need, actor_id, note="tilbudt fra køen")
    return None


def waiting_needs(session: Session, limit: int = 200) -> list[Need]:
    return list(session.scalars(select(Need).options(joinedload(Need.citizen), joinedload(Need.product))
                                .where(Need.status == "approved")
                                .order_by(Need.urgency_rank, Need.needed_by, Need.id).limit(limit)))


# --- loans ----------------------------------------------------------------------------------

def hand_over(session: Session, actor_id: int, device_barcode: str, need_id: int | None = None,
              received_by: str = "", loan_days: int = 90, at: datetime | None = None) -> Loan:
    """The loan starts: at the depot counter, or at the door on a delivery run. The scanned unit
    must be the one held for the need (or a free equivalent, held for it now)."""
    device = lock_device(session, device_barcode)
    reservation = session.scalar(select(Reservation).where(Reservation.device_id == device.id,
                                                           Reservation.status == "active"))
    if reservation is None and need_id is None:
        raise InvalidState(f"{device.barcode} er «{STATE_LABELS[device.state]}» og ikke reservert for noe behov.",
                           {"current_state": device.state, "allowed": ["reserved", "picked", "out_for_delivery"]})
    need = get_need(session, need_id if need_id is not None else reservation.need_id, for_update=True)
    reservation = claim_device_for_need(session, device, need, actor_id, note="utlevering")
    if device.state not in ("reserved", "picked", "out_for_delivery"):
        raise InvalidState(f"{device.barcode} er «{STATE_LABELS[device.state]}» og kan ikke lånes ut nå.",
                           {"current_state": device.state, "allowed": ["reserved", "picked", "out_for_delivery"]})
    started = at or utcnow()
    transition_device(session, device, "on_loan", actor_id, kind="loan_started",
                      note=f"Utlånt{', mottatt av ' + received_by if received_by else ''}")
    device.location_id = None
    reservation.status, reservation.ended_at = "fulfilled", started
    session.flush()
    bus.publish(session, "reservation_ended", reservation_id=reservation.id, reason="utlevert")
    loan = Loan(device_id=device.id, citizen_id=need.citizen_id, need_id=need.id, loan_type=need.application_type,
                started_at=started, received_by=received_by,
                expected_end=(local_time(started).date() + timedelta(days=loan_days))
                if need.application_type == "short_term" else None)
    session.add(loan)
    session.flush()
    if need.delivered_at is None:
        need.delivered_at = started
        need.lead_time_minutes = int((started - need.registered_at).total_seconds() // 60)
    _refresh_status(session, need)
    record_need_event(session, need, "delivered", actor_id, device_id=device.id, note=received_by,
           data={"barcode": device.barcode, "loan_id": loan.id})
    session.flush()
    return get_loan(session, loan.id)


def get_loan(session: Session, loan_id: int, for_update: bool = False) -> Loan:
    """The loan with its unit, product and citizen loaded (what every answer about a loan shows)."""
    stmt = (select(Loan).options(joinedload(Loan.device).joinedload(Device.product), joinedload(Loan.citizen))
            .where(Loan.id == loan_id))
    if for_update:
        stmt = stmt.with_for_update(of=Loan)
    loan = session.scalar(stmt)
    if loan is None:
        raise NotFound(f"Fant ikke utlån {loan_id}.", {"loan_id": loan_id})
    return loan


def extend_loan(session: Session, actor_id: int, loan_id: int, new_end: date, reason: str,
                today: date | None = None) -> Loan:
    loan = get_loan(session, loan_id, for_update=True)
    if loan.status != "active":
        raise InvalidState(f"Utlånet er «{loan.status}» og kan ikke forlenges.",
                           {"current_state": loan.status, "allowed": ["active"]})
    today = today or local_today()
    if new_end <= today or (loan.expected_end and new_end <= loan.expected_end):
        raise ValidationFailed.for_field("new_end", "Ny sluttdato må være etter dagens og etter nåværende sluttdato.")
    if not reason.strip():
        raise ValidationFailed.for_field("reason", "Oppgi grunnen til forlengelsen.")
    booked = session.scalar(select(Reservation).where(Reservation.device_id == loan.device_id,
                                                      Reservation.status == "active"))
    if booked is not None:
        raise Conflict("Hjelpemiddelet er reservert for et senere behov; utlånet kan ikke forlenges. "
                       "Reserver en annen enhet til innbyggeren.",
                       {"loan_id": loan.id, "reserved_for_need": booked.need_id}, code="reserved_for_later_need")
    session.add(LoanExtension(loan_id=loan.id, previous_end=loan.expected_end, new_end=new_end, reason=reason,
                              actor_id=actor_id))
    loan.expected_end = new_end
    if loan.need_id:
        record_need_event(session, get_need(session, loan.need_id), "loan_extended", actor_id, note=reason,
               device_id=loan.device_id, data={"new_end": new_end.isoformat()})
    session.flush()
    return loan


def request_return(session: Session, actor_id: int, loan_id: int, reason: str, note: str = "") -> Loan:
    """The need ended (or the unit is worn out, the citizen moved or died): the unit awaits pickup."""
    loan = get_loan(session, loan_id, for_update=True)
    if loan.status != "active":
        raise InvalidState(f"Utlånet er allerede «{loan.status}».", {"current_state": loan.status, "allowed": ["active"]})
    device = session.get(Device, loan.device_id)
    transition_device(session, device, "awaiting_pickup", actor_id, kind="return_requested",
                      note=RETURN_REASON_LABELS[reason] + (f": {note}" if note else ""))
    loan.status, loan.return_reason, loan.return_note, loan.return_requested_at = "return_requested", reason, note, utcnow()
    session.flush()
    if loan.need_id:
        need = get_need(session, loan.need_id, for_update=True)
        _refresh_status(session, need)
        record_need_event(session, need, "return_requested", actor_id, device_id=device.id, note=note, data={"reason": reason})
    session.flush()
    return loan


def receive_return(session: Session, actor_id: int, device_barcode: str, location_code: str | None = None,
                   note: str = "") -> Loan:
    """A returned unit is scanned in at the depot; it is kept from lending until cleaned and inspected."""
    location_id = get_location(session, location_code, field="location_code").id if location_code else None
    device = lock_device(session, device_barcode)
    loan_id = session.scalar(select(Loan.id).where(Loan.device_id == device.id, Loan.status != "ended"))
    loan = get_loan(session, loan_id, for_update=True) if loan_id is not None else None
    if loan is None:
        raise InvalidState(f"{device.barcode} er «{STATE_LABELS[device.state]}» og er ikke utlånt; ingen retur å ta imot.",
                           {"current_state": device.state, "allowed": ["on_loan", "awaiting_pickup"]})
    transition_device(session, device, "returned", actor_id, kind="return_received", note=note, location_id=location_id)
    loan.status, loan.ended_at = "ended", utcnow()
    if loan.return_requested_at is None:
        loan.return_requested_at = loan.ended_at
    session.flush()
    if loan.need_id:
        need = get_need(session, loan.need_id, for_update=True)
        _refresh_status(session, need)
        record_need_event(session, need, "returned", actor_id, device_id=device.id, note=note)
    session.flush()
    return loan


def list_loans_for(session: Session, role: str, user_id: int, citizen_id: int | None = None,
                   status: str | None = None, limit: int = 50, offset: int = 0) -> list[Loan]:
    """Depot staff see every loan; a therapist the loans of one of their citizens."""
    from ..citizens.services import check_citizen_access

    if role == "terapeut":
        if citizen_id is None:
            raise ValidationFailed.for_field("citizen_id", "Terapeuter ser utlån per innbygger: oppgi citizen_id.")
        check_citizen_access(session, role, user_id, citizen_id)
    return list_loans(session, citizen_id, status, limit, offset)


def list_loans(session: Session, citizen_id: int | None = None, status: str | None = None,
               limit: int = 100, offset: int = 0) -> list[Loan]:
    stmt = (select(Loan).options(joinedload(Loan.device).joinedload(Device.product), joinedload(Loan.citizen))
            .order_by(Loan.id.desc()).limit(limit).offset(offset))
    if citizen_id is not None:
        stmt = stmt.where(Loan.citizen_id == citizen_id)
    if status:
        stmt = stmt.where(Loan.status == status)
    return list(session.scalars(stmt))


# --- what therapists and the depot see ------------------------------------------------------

@dataclass(frozen=True)
class Unit:
    barcode: str
    product_name: str
    state: str
    reservation_id: int | None
    loan_id: int | None
    loan_status: str | None
    expected_end: date | None
    since: datetime


def need_units(session: Session, need_ids: list[int]) -> dict[int, list[Unit]]:
    """The units held for or lent to each need, newest first (two queries for any number of needs)."""
    units: dict[int, list[Unit]] = {need_id: [] for need_id in need_ids}
    if not need_ids:
        return units
    for reservation, device, product in session.execute(
            select(Reservation, Device, Product).join(Device, Device.id == Reservation.device_id)
            .join(Product, Product.id == Device.product_id)
            .where(Reservation.need_id.in_(need_ids), Reservation.status == "active")):
        units[reservation.need_id].append(Unit(device.barcode, product.name, device.state, reservation.id, None, None,
                                               None, reservation.created_at))
    for loan, device, product in session.execute(
            select(Loan, Device, Product).join(Device, Device.id == Loan.device_id)
            .join(Product, Product.id == Device.product_id).where(Loan.need_id.in_(need_ids))):
        state = device.state if loan.status != "ended" else "returned"
        units[loan.need_id].append(Unit(device.barcode, product.name, state, None, loan.id, loan.status,
                                        loan.expected_end, loan.ended_at or loan.return_requested_at or loan.started_at))
    for listed in units.values():
        listed.sort(key=lambda unit: unit.since, reverse=True)
    return units


def need_timeline(session: Session, need_id: int) -> list[NeedEvent]:
    return list(session.scalars(select(NeedEvent).where(NeedEvent.need_id == need_id).order_by(NeedEvent.id)))


@dataclass
class NeedDetail:
    """A need with its units, timeline and place in the queue; reads through to the need."""

    need: Need
    units: list[Unit]
    timeline: list[NeedEvent]
    queue_position: int | None

    def __getattr__(self, name):
        return getattr(self.need, name)


def need_detail(session: Session, role: str, user_id: int, need_id: int) -> NeedDetail:
    need = check_need_access(session, role, user_id, need_id)
    return NeedDetail(need, need_units(session, [need.id])[need.id], need_timeline(session, need.id),
                      queue_position(session, need) if need.status == "approved" else None)


def list_needs(session: Session, role: str, user_id: int, status: str | None = None, citizen_id: int | None = None,
               limit: int = 50, offset: int = 0) -> list[Need]:
    from ..citizens.models import Caseworker

    stmt = (select(Need).options(joinedload(Need.citizen), joinedload(Need.product))
            .order_by(Need.urgency_rank, Need.needed_by, Need.id).limit(limit).offset(offset))
    if role == "terapeut":
        stmt = stmt.join(Caseworker, and_(Caseworker.citizen_id == Need.citizen_id, Caseworker.user_id == user_id))
    if status:
        stmt = stmt.where(Need.status == status)
    if citizen_id is not None:
        stmt = stmt.where(Need.citizen_id == citizen_id)
    return list(session.scalars(stmt))


def check_need_access(session: Session, role: str, user_id: int, need_id: int) -> Need:
    from ..citizens.services import check_citizen_access

    need = session.scalar(select(Need).options(joinedload(Need.citizen), joinedload(Need.product)).where(Need.id == need_id))
    if need is None:
        raise NotFound(f"Fant ikke behov {need_id}.", {"need_id": need_id})
    check_citizen_access(session, role, user_id, need.citizen_id)
    return need


def check_loan_access(session: Session, role: str, user_id: int, loan_id: int) -> Loan:
    from ..citizens.services import check_citizen_access

    loan = get_loan(session, loan_id)
    check_citizen_access(session, role, user_id, loan.citizen_id)
    return loan


def loans_awaiting_return(session: Session) -> list[Loan]:
    return list_loans(session, status="return_requested", limit=500)


def undecided_needs(session: Session) -> list[Need]:
    return list(session.scalars(select(Need).options(joinedload(Need.citizen), joinedload(Need.product))
                                .where(Need.status == "registered", Need.application_type == "short_term")
                                .order_by(Need.urgency_rank, Need.needed_by, Need.id)))


def masked_name(name: str) -> str:
    """«Astrid Olsen» → «Astrid O.»: enough to recognise at the door, not to identify on a screen."""
    parts = name.split()
    return " ".join(parts[:1] + [part[0] + "." for part in parts[1:]]) if parts else ""


def device_holder(session: Session, device_id: int) -> dict | None:
    row = session.execute(select(Citizen.name, Loan.expected_end, Loan.status)
                          .join(Citizen, Citizen.id == Loan.citizen_id)
                          .where(Loan.device_id == device_id, Loan.status != "ended")).first()
    if row is None:
        return None
    return {"name": masked_name(row.name), "loan_until": row.expected_end, "loan_status": row.status}


@dataclass(frozen=True)
class ReadyUnit:
    reservation_id: int
    barcode: str
    product_name: str
    location_code: str | None
    citizen_name: str
    needed_by: date
    urgency: str


def units_ready_for_hand_over(session: Session, limit: int = 200) -> list[ReadyUnit]:
    """Reserved units still on the shelf, the most urgent need first: what to fetch next."""
    from ..stock.models import Location

    rows = session.execute(
        select(Reservation.id, Device.barcode, Product.name, Location.code, Citizen.name, Need.needed_by, Need.urgency)
        .join(Device, Device.id == Reservation.device_id).join(Product, Product.id == Device.product_id)
        .outerjoin(Location, Location.id == Device.location_id).join(Need, Need.id == Reservation.need_id)
        .join(Citizen, Citizen.id == Need.citizen_id)
        .where(Reservation.status == "active", Device.state == "reserved")
        .order_by(Need.urgency_rank, Need.needed_by, Reservation.id).limit(limit))
    return [ReadyUnit(*row) for row in rows]
