"""Loans (utlån): hand-over at the counter or at the door, extensions, the return request, collection
by the driver, and receiving the unit back at the depot, where it waits to be washed."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ...citizens.services import check_citizen_access, may_see_citizen
from ...core import bus
from ...core.db import utcnow
from ...core.errors import Conflict, InvalidState, NotFound, ValidationFailed
from ...core.paging import PAGE_SIZE, Page, offset_page
from ...core.text import local_time, local_today
from ...stock.lifecycle import STATE_LABELS, DeviceState, refusal
from ...stock.models import Device, DeviceEvent
from ...stock.services import KEEP, change_state, get_location, lock_device, receiving_place
from ..events import LoanEndedAtDepot, NeedDelivered, ReservationEnded
from ..models import Loan, LoanExtension, Reservation
from .needs import get_need, record_need_event, refresh_status
from .reservations import active_reservation, claim_device_for_need

S = DeviceState
LOAN_STATUS_LABELS = {"active": "Aktivt", "return_requested": "Retur bestilt", "ended": "Avsluttet"}
RETURN_REASON_LABELS = {"need_ended": "Behovet er over", "worn_out": "Utslitt", "moved": "Flyttet",
                        "deceased": "Død", "other": "Annet"}
_LENDABLE = (S.RESERVED, S.PICKED, S.OUT_FOR_DELIVERY)


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


def open_loan(session: Session, device_id: int) -> Loan | None:
    loan_id = session.scalar(select(Loan.id).where(Loan.device_id == device_id, Loan.status != "ended"))
    return get_loan(session, loan_id, for_update=True) if loan_id is not None else None


def check_loan_access(session: Session, role: str, user_id: int, loan_id: int) -> Loan:
    """The loan, if the caller may see its citizen; an unknown loan and another's answer the same."""
    loan = get_loan(session, loan_id)
    if not may_see_citizen(session, role, user_id, loan.citizen_id):
        raise NotFound(f"Fant ikke utlån {loan_id}.", {"loan_id": loan_id})
    return loan


# --- the loan starts --------------------------------------------------------------------------

def _start_loan(session: Session, actor_id: int, device_barcode: str, need_id: int | None, received_by: str,
                loan_days: int, at: datetime | None) -> tuple[Loan, Reservation]:
    device = lock_device(session, device_barcode)
    reservation = active_reservation(session, device.id)
    if reservation is None and need_id is None:
        raise InvalidState(f"{device.barcode} er «{STATE_LABELS[device.state]}» og ikke reservert for noe behov.",
                           {"current_state": device.state, "allowed": [str(s) for s in _LENDABLE]})
    need = get_need(session, need_id if need_id is not None else reservation.need_id, for_update=True)
    reservation = claim_device_for_need(session, device, need, actor_id, note="utlevering")
    if device.state not in _LENDABLE:
        raise refusal(device.barcode, device.state, _LENDABLE, "lånes ut nå")
    started = at or utcnow()
    change_state(session, device, S.ON_LOAN, actor_id, kind="loan_started",
                 note=f"Utlånt{', mottatt av ' + received_by if received_by else ''}")
    reservation.status, reservation.ended_at = "fulfilled", started
    loan = Loan(device_id=device.id, citizen_id=need.citizen_id, need_id=need.id, loan_type=need.application_type,
                started_at=started, received_by=received_by,
                expected_end=(local_time(started).date() + timedelta(days=loan_days))
                if need.application_type == "short_term" else None)
    session.add(loan)
    session.flush()
    if need.delivered_at is None:
        need.delivered_at = started
        need.lead_time_minutes = int((started - need.registered_at).total_seconds() // 60)
    refresh_status(session, need)
    record_need_event(session, need, "delivered", actor_id, device_id=device.id, note=received_by,
                      data={"barcode": device.barcode, "loan_id": loan.id})
    session.flush()
    bus.publish(session, NeedDelivered(need.id))
    return loan, reservation


def hand_over(session: Session, actor_id: int, device_barcode: str, need_id: int | None = None,
              received_by: str = "", loan_days: int = 90, at: datetime | None = None) -> Loan:
    """The loan starts at the depot counter: the scanned unit must be the one held for the need (or
    a free equivalent, held for it now). A delivery planned for it is no longer needed."""
    loan, reservation = _start_loan(session, actor_id, device_barcode, need_id, received_by, loan_days, at)
    bus.publish(session, ReservationEnded(reservation.id, reservation.device_id, "utlevert på lageret"))
    return get_loan(session, loan.id)


def deliver_at_door(session: Session, actor_id: int, device_barcode: str, received_by: str = "",
                    loan_days: int = 90, at: datetime | None = None) -> Loan:
    """The loan starts at the citizen's door, on the visit the driver is recording."""
    loan, _reservation = _start_loan(session, actor_id, device_barcode, None, received_by, loan_days, at)
    return loan


def extend_loan(session: Session, actor_id: int, loan_id: int, new_end: date, reason: str,
                today: date | None = None) -> Loan:
    loan = get_loan(session, loan_id, for_update=True)
    if loan.status != "active":
        raise InvalidState(f"Utlånet er «{LOAN_STATUS_LABELS[loan.status]}» og kan ikke forlenges.",
                           {"current_state": loan.status, "allowed": ["active"]})
    today = today or local_today()
    if new_end <= today or (loan.expected_end and new_end <= loan.expected_end):
        raise ValidationFailed.for_field("new_end", "Ny sluttdato må være etter dagens og etter nåværende sluttdato.")
    if not reason.strip():
        raise ValidationFailed.for_field("reason", "Oppgi grunnen til forlengelsen.")
    booked = active_reservation(session, loan.device_id)
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


# --- the unit comes back ----------------------------------------------------------------------

def request_return(session: Session, actor_id: int, loan_id: int, reason: str, note: str = "") -> Loan:
    """The need ended (or the unit is worn out, the citizen moved or died): the unit awaits pickup."""
    loan = get_loan(session, loan_id, for_update=True)
    if loan.status != "active":
        raise InvalidState(f"Utlånet er allerede «{LOAN_STATUS_LABELS[loan.status]}».",
                           {"current_state": loan.status, "allowed": ["active"]})
    device = session.get(Device, loan.device_id)
    change_state(session, device, S.AWAITING_PICKUP, actor_id, kind="return_requested",
                 note=RETURN_REASON_LABELS[reason] + (f": {note}" if note else ""))
    loan.status, loan.return_reason, loan.return_note, loan.return_requested_at = "return_requested", reason, note, utcnow()
    session.flush()
    if loan.need_id:
        need = get_need(session, loan.need_id, for_update=True)
        refresh_status(session, need)
        record_need_event(session, need, "return_requested", actor_id, device_id=device.id, note=note, data={"reason": reason})
    session.flush()
    return loan


def _end_loan(session: Session, loan: Loan, actor_id: int | None, note: str) -> None:
    loan.status, loan.ended_at = "ended", utcnow()
    if loan.return_requested_at is None:
        loan.return_requested_at = loan.ended_at
    session.flush()
    if loan.need_id:
        need = get_need(session, loan.need_id, for_update=True)
        refresh_status(session, need)
        record_need_event(session, need, "returned", actor_id, device_id=loan.device_id, note=note)


def _no_return(device: Device) -> InvalidState:
    held = (S.ON_LOAN, S.AWAITING_PICKUP)
    return InvalidState(f"{device.barcode} er «{STATE_LABELS[device.state]}» og er ikke utlånt; det er ingen retur "
                        "å ta imot.", {"current_state": device.state, "allowed": [str(s) for s in held]})


def collect_unit(session: Session, actor_id: int, device_barcode: str, van_location_id: int | None,
                 note: str = "") -> Loan:
    """The driver collected the unit at the door: the loan ends and the unit rides in the van until
    it is received at the depot."""
    device = lock_device(session, device_barcode)
    loan = open_loan(session, device.id)
    if loan is None:
        raise _no_return(device)
    change_state(session, device, S.RETURNED, actor_id, kind="collected", note=note, location_id=van_location_id)
    _end_loan(session, loan, actor_id, note)
    return loan


@dataclass(frozen=True)
class Receipt:
    device: Device
    loan: Loan | None
    location_code: str | None
    already_received: bool
    message: str


def _received_after_last_loan(session: Session, device: Device) -> DeviceEvent | None:
    last = session.execute(select(DeviceEvent).where(DeviceEvent.device_id == device.id,
                                                     DeviceEvent.kind.in_(("loan_started", "nav_loan_imported",
                                                                           "return_received")))
                           .order_by(DeviceEvent.id.desc()).limit(1)).scalar()
    return last if last is not None and last.kind == "return_received" else None


def receive_at_depot(session: Session, actor_id: int, device_barcode: str, location_code: str | None = None,
                     note: str = "", receiving_location: str | None = None) -> Receipt:
    """A unit is scanned in at the depot, whether it came in a van (collected), over the counter
    (handed in, which ends its loan now) or as a NAV return. It goes to the receiving place (the
    named location, else the depot's receiving location, else the depot) and waits to be washed;
    nothing lends it before it is washed and inspected. A second scan says it is already received."""
    device = lock_device(session, device_barcode)
    # A collected unit's loan ended at the door; any other unit coming back ends its loan here.
    loan = open_loan(session, device.id) if device.state != S.RETURNED else None
    if device.state != S.RETURNED and loan is None:
        earlier = _received_after_last_loan(session, device)
        if earlier is not None:
            when = local_time(earlier.occurred_at).strftime("%d.%m.%Y kl. %H:%M")
            return Receipt(device, None, device.location.code if device.location else None, True,
                           f"{device.barcode} er allerede mottatt ({when}) og står som «{STATE_LABELS[device.state]}».")
        raise _no_return(device)
    location = (get_location(session, location_code, field="location_code") if location_code
                else receiving_place(session, receiving_location))
    if loan is not None:
        change_state(session, device, S.RETURNED, actor_id, kind="handed_in", note=note or "Levert inn på lageret")
        _end_loan(session, loan, actor_id, note)
        bus.publish(session, LoanEndedAtDepot(loan.id, device.id, "levert inn på lageret"))
    change_state(session, device, S.CLEANING, actor_id, kind="return_received", note=note,
                 location_id=location.id if location else KEEP)
    where = f" på {location.code}" if location else ""
    if device.owner == "nav":
        then = "Den eies av NAV: avgjør om den sendes tilbake til NAV eller beholdes for gjenbruk."
    else:
        then = "Den venter på vask og kontroll før den kan lånes ut igjen."
    return Receipt(device, loan, location.code if location else None, False,
                   f"{device.barcode} er mottatt{where}. {then}")


def list_loans(session: Session, citizen_id: int | None = None, status: str | None = None,
               limit: int = 100, offset: int = 0) -> list[Loan]:
    stmt = (select(Loan).options(joinedload(Loan.device).joinedload(Device.product), joinedload(Loan.citizen))
            .order_by(Loan.id.desc()).limit(limit).offset(offset))
    if citizen_id is not None:
        stmt = stmt.where(Loan.citizen_id == citizen_id)
    if status:
        stmt = stmt.where(Loan.status == status)
    return list(session.scalars(stmt))


def list_loans_for(session: Session, role: str, user_id: int, citizen_id: int | None = None,
                   status: str | None = None, limit: int = 50, offset: int = 0) -> list[Loan]:
    """Depot staff see every loan; a therapist the loans of one of their citizens."""
    check_loan_scope(session, role, user_id, citizen_id)
    return list_loans(session, citizen_id, status, limit, offset)


def check_loan_scope(session: Session, role: str, user_id: int, citizen_id: int | None) -> None:
    if role == "terapeut":
        if citizen_id is None:
            raise ValidationFailed.for_field("citizen_id", "Terapeuter ser utlån per innbygger: velg en innbygger.")
        check_citizen_access(session, role, user_id, citizen_id)


def loans_awaiting_return(session: Session, number: int = 1, size: int = PAGE_SIZE) -> Page:
    """Loans whose unit is to be fetched, the oldest request first (it has waited longest)."""
    return offset_page(session, select(Loan).options(joinedload(Loan.device).joinedload(Device.product),
                                                     joinedload(Loan.citizen))
                       .where(Loan.status == "return_requested").order_by(Loan.return_requested_at, Loan.id),
                       number, size)
