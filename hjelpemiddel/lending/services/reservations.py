"""Reservations: one unit held for one need, on every path (reserve, swap, scan at pick, hand-over,
the queue), and the queue that gets the next unit that becomes free."""
from __future__ import annotations

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, joinedload

from ...catalog.models import Product
from ...core import bus
from ...core.db import utcnow
from ...core.errors import Conflict, InvalidState, NotFound
from ...core.paging import PAGE_SIZE, Page, offset_page
from ...maintenance.services import check_inspection_current, not_overdue_clause, overdue_since
from ...stock.events import DeviceBecameAvailable, DeviceQuarantined
from ...stock.lifecycle import DeviceState, refusal
from ...stock.models import Device
from ...stock.services import change_state, lock_device
from ..events import ReservationEnded, ReservationReplaced
from ..fit import Candidate, needs_fitting, owner_fits, product_fits, units_fitting
from ..holds import check_not_held, held_reason, not_held_clause
from ..models import Need, Reservation
from .needs import check_need_can_take_a_unit, get_need, open_slots, record_need_event, refresh_status

S = DeviceState
# A unit in these states is on its way back and may be booked ahead for the next need; it becomes
# reserved only once it is available again (cleaned and inspected).
_BOOKABLE_AHEAD = frozenset({S.ON_LOAN, S.AWAITING_PICKUP, S.RETURNED, S.CLEANING, S.INSPECTION})
_HELD_STATES = frozenset({S.RESERVED, S.PICKED})
# The queue's order: urgency, then needed-by date, then who came first (also the forecast's).
QUEUE_ORDER = (Need.urgency_rank, Need.needed_by, Need.id)


def active_reservation(session: Session, device_id: int) -> Reservation | None:
    return session.scalar(select(Reservation).where(Reservation.device_id == device_id, Reservation.status == "active"))


def check_may_lend(session: Session, device: Device) -> None:
    """The lending rules every unit meets whenever it is reserved, picked or handed over."""
    check_inspection_current(session, device)
    check_not_held(session, device)


def claim_device_for_need(session: Session, device: Device, need: Need, actor_id: int | None,
                          note: str = "") -> Reservation:
    """Tie one unit to one need. Every path that does so comes through here, so a unit never serves
    two needs (a partial unique index backs it), and none past its periodic inspection is lent."""
    check_may_lend(session, device)
    active = active_reservation(session, device.id)
    if active is not None:
        if active.need_id == need.id:
            return active
        raise Conflict(f"{device.barcode} er reservert for et annet behov.",
                       {"barcode": device.barcode, "reserved_for_need": active.need_id}, code="reserved_for_other")
    candidate = Candidate.of(device, session.get(Product, device.product_id))
    if not owner_fits(candidate, need):
        raise Conflict(f"{device.barcode} eies av {'NAV' if device.owner == 'nav' else 'kommunen'} og kan ikke brukes "
                       f"til {'korttidslån' if need.application_type == 'short_term' else 'langtidslån'}.",
                       {"barcode": device.barcode, "owner": device.owner, "need_id": need.id}, code="wrong_owner")
    if not product_fits(candidate, need):
        raise Conflict(f"{device.barcode} ({session.get(Product, device.product_id).name}) passer ikke behovet.",
                       {"barcode": device.barcode, "need_id": need.id}, code="wrong_product")
    check_need_can_take_a_unit(session, need)
    if device.state == S.AVAILABLE:
        change_state(session, device, S.RESERVED, actor_id, kind="reserved", note=f"Reservert for behov {need.id}")
    elif device.state not in _BOOKABLE_AHEAD:
        raise refusal(device.barcode, device.state, [S.AVAILABLE, *sorted(_BOOKABLE_AHEAD)], "reserveres")
    reservation = Reservation(need_id=need.id, device_id=device.id, created_by_id=actor_id)
    reservation.need, reservation.device = need, device
    session.add(reservation)
    session.flush()
    refresh_status(session, need)
    record_need_event(session, need, "reserved", actor_id, note=note, device_id=device.id, data={"barcode": device.barcode})
    return reservation


def _fitting_available(need: Need):
    stmt = (select(Device).join(Product, Product.id == Device.product_id).options(joinedload(Device.product))
            .where(Device.state == S.AVAILABLE, units_fitting(need), not_overdue_clause(),
                   not_held_clause()))
    # Oldest first among equivalents, as the Nordic assistive-technology centres rotate stock;
    # SKIP LOCKED lets concurrent reservations take different units instead of queueing.
    return stmt.order_by(Device.registered_at, Device.id).limit(1).with_for_update(skip_locked=True, of=Device)


def fill_from_stock(session: Session, need: Need, actor_id: int | None) -> list[Reservation]:
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
    check_need_can_take_a_unit(session, need)
    device = session.scalar(_fitting_available(need))
    if device is None:
        raise Conflict("Ingen ledige hjelpemidler passer; behovet står i kø.",
                       {"need_id": need.id, "queue_position": queue_position(session, need)}, code="no_device_available")
    return claim_device_for_need(session, device, need, actor_id)


def _close(session: Session, reservation: Reservation, reason: str) -> None:
    reservation.status, reservation.ended_at, reservation.end_reason = "cancelled", utcnow(), reason
    session.flush()


def _free_unit(session: Session, device: Device, actor_id: int | None, reason: str) -> None:
    """A unit no longer held goes back to being free (and is offered to the queue)."""
    if device.state in _HELD_STATES:
        change_state(session, device, S.AVAILABLE, actor_id, kind="released", note=reason)


def end_reservation(session: Session, reservation: Reservation, actor_id: int | None, reason: str) -> None:
    """The unit is let go: free again, and off any visit planned for it."""
    _close(session, reservation, reason)
    bus.publish(session, ReservationEnded(reservation.id, reservation.device_id, reason))
    _free_unit(session, session.get(Device, reservation.device_id), actor_id, reason)


def cancel_reservation(session: Session, actor_id: int, reservation_id: int, reason: str) -> Reservation:
    reservation = session.get(Reservation, reservation_id)
    if reservation is None:
        raise NotFound(f"Fant ikke reservasjon {reservation_id}.", {"reservation_id": reservation_id})
    if reservation.status != "active":
        raise InvalidState("Reservasjonen er allerede avsluttet.",
                           {"current_state": reservation.status, "allowed": ["active"]})
    need = get_need(session, reservation.need_id, for_update=True)
    reservation.need, reservation.device = need, session.get(Device, reservation.device_id)
    end_reservation(session, reservation, actor_id, reason or "reservasjon opphevet")
    refresh_status(session, need)
    record_need_event(session, need, "reservation_cancelled", actor_id, note=reason, device_id=reservation.device_id)
    session.flush()
    return reservation


def change_reservation(session: Session, actor_id: int, reservation_id: int, device_barcode: str) -> Reservation:
    """Swap the unit held for a need. The new unit passes the same check as any reservation; it is
    claimed before the old one is freed, so the freed unit can never fall back to this need."""
    reservation = session.get(Reservation, reservation_id)
    if reservation is None or reservation.status != "active":
        raise NotFound(f"Fant ingen aktiv reservasjon {reservation_id}.", {"reservation_id": reservation_id})
    need = get_need(session, reservation.need_id, for_update=True)
    new_device = lock_device(session, device_barcode)
    if new_device.id == reservation.device_id:
        return reservation
    old_device = session.get(Device, reservation.device_id)
    _close(session, reservation, "byttet til " + new_device.barcode)
    replacement = claim_device_for_need(session, new_device, need, actor_id, note=f"byttet fra {old_device.barcode}")
    bus.publish(session, ReservationReplaced(reservation.id, replacement.id, old_device.id, new_device.id, actor_id))
    _free_unit(session, old_device, actor_id, f"Byttet ut med {new_device.barcode} for behov {need.id}")
    return replacement


# --- reacting to stock ----------------------------------------------------------------------

def offer_device_to_queue(session: Session, event: DeviceBecameAvailable) -> Reservation | None:
    """A unit has become available: hold it for its booked need, else the head of the queue."""
    device = session.get(Device, event.device_id)
    if device is None or device.state != S.AVAILABLE:
        return None
    if overdue_since(session, device.id) is not None:
        _let_go(session, device.id, event.actor_id, "periodisk kontroll forfalt",
                "har passert fristen for periodisk kontroll")
        return None
    held = held_reason(session, device.id)
    if held is not None:
        _let_go(session, device.id, event.actor_id, "holdt tilbake", held)
        return None
    booked = active_reservation(session, device.id)
    if booked is not None:
        change_state(session, device, S.RESERVED, event.actor_id, kind="reserved",
                     note=f"Forhåndsreservert for behov {booked.need_id}")
        return booked
    candidate = Candidate.of(device, session.get(Product, device.product_id))
    candidates = session.scalars(select(Need).where(Need.status == "approved", needs_fitting(candidate))
                                 .order_by(*QUEUE_ORDER).limit(10))
    for need in candidates:
        if open_slots(session, need) > 0:
            return claim_device_for_need(session, device, need, event.actor_id, note="tilbudt fra køen")
    return None


def _let_go(session: Session, device_id: int, actor_id: int | None, ended: str, happened: str) -> None:
    """The unit no longer serves its need: the need gets another unit if one is free."""
    reservation = active_reservation(session, device_id)
    if reservation is None:
        return
    need = get_need(session, reservation.need_id, for_update=True)
    end_reservation(session, reservation, actor_id, ended)
    refresh_status(session, need)
    barcode = session.get(Device, device_id).barcode
    # The need's history is append-only: its entry names the unit taking over before that unit is claimed.
    replacement = session.scalar(_fitting_available(need)) if need.status == "approved" else None
    outcome = f"{replacement.barcode} erstatter den" if replacement else "ingen ledig enhet erstatter den ennå"
    record_need_event(session, need, "reservation_cancelled", actor_id,
                      note=f"{barcode} {happened}; {outcome}.", device_id=device_id,
                      data={"barcode": barcode, "replaced_by": replacement.barcode if replacement else None})
    if replacement is not None:
        claim_device_for_need(session, replacement, need, actor_id)
        fill_from_stock(session, need, actor_id)


def let_go_of_quarantined(session: Session, event: DeviceQuarantined) -> None:
    """A unit taken out of use no longer serves its need."""
    _let_go(session, event.device_id, event.actor_id, f"satt i karantene: {event.reason}".rstrip(": "),
            "ble satt i karantene")


def waiting_needs(session: Session, number: int = 1, size: int = PAGE_SIZE) -> Page:
    """Approved needs with no unit yet, in the queue's order."""
    return offset_page(session, select(Need).options(joinedload(Need.citizen), joinedload(Need.product))
                       .where(Need.status == "approved")
                       .order_by(*QUEUE_ORDER), number, size)

