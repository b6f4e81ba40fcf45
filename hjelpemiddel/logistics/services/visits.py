"""Visits from the lending process. Every unit to deliver, collect or repair at a citizen's door is
part of that door's one open visit that has not left the depot: a delivery and a pickup for the same
door become one exchange visit. Units leave a visit when their reservation ends or is swapped."""
from __future__ import annotations

import re
from datetime import date, time

from sqlalchemy import func, insert, or_, select, union
from sqlalchemy.orm import Session, joinedload

from ...citizens.models import Citizen
from ...core.db import utcnow
from ...core.errors import InvalidState, NotFound, ValidationFailed
from ...lending.events import LoanEndedAtDepot, ReservationEnded, ReservationReplaced
from ...lending.models import Loan, Need, Reservation
from ...lending.services import open_loan
from ...maintenance.events import RepairVisitNeeded
from ...maintenance.models import RepairOrder
from ...stock.lifecycle import DeviceState
from ...stock.models import Device
from ...stock.services import lock_device
from ..geo import postcode_position
from ..models import SUCCESS, DeliveryRun, Stop, StopItem
from .runs import get_run, renumber, run_stops, take_off_run

_POSTCODE = re.compile(r"\b(\d{4})\b")
_NOT_WORDS = re.compile(r"[^\wæøå]+")


def door_key(address: str) -> str:
    """The same door however the address was typed: case, spacing and punctuation do not matter."""
    return _NOT_WORDS.sub(" ", address.lower()).strip()


def _stop_fields(citizen: Citizen, address: str, not_before: date | None = None, need_id: int | None = None) -> dict:
    # A delivery address other than home (at a daughter's, a care home) carries its own postcode.
    found = _POSTCODE.search(address)
    postcode = found.group(1) if found else citizen.postcode
    lat, lon = postcode_position(postcode)
    return dict(citizen_id=citizen.id, need_id=need_id, address=address, postcode=postcode, latitude=lat,
                longitude=lon, not_before=not_before, urgent=False)


def _new_stop(session: Session, citizen: Citizen, address: str, not_before: date | None = None,
              need_id: int | None = None) -> Stop:
    stop = Stop(**_stop_fields(citizen, address, not_before, need_id))
    stop.citizen = citizen
    session.add(stop)
    session.flush()
    return stop


def _doors(session: Session, citizen_ids) -> dict[tuple[int, str], Stop]:
    """Each door's first open visit that has not left the depot and waits for no date."""
    doors: dict[tuple[int, str], Stop] = {}
    for stop in session.scalars(_open_visits(citizen_ids).where(Stop.not_before.is_(None))):
        doors.setdefault((stop.citizen_id, door_key(stop.address)), stop)
    return doors


def _open_visits(citizen_ids):
    """Visits still open that have not left the depot, of the given citizens."""
    on_the_road = select(DeliveryRun.id).where(DeliveryRun.status != "planned")
    return (select(Stop).where(Stop.status == "open", Stop.citizen_id.in_(citizen_ids),
                               or_(Stop.run_id.is_(None), Stop.run_id.not_in(on_the_road))).order_by(Stop.id))


def open_visit(session: Session, citizen: Citizen, address: str, not_before: date | None = None) -> Stop:
    """The door's open visit that has not left the depot (and waits for the same date), or a new one."""
    stmt = _open_visits([citizen.id]).where(Stop.not_before.is_(None) if not_before is None else Stop.not_before == not_before)
    door = door_key(address)
    for stop in session.scalars(stmt):
        if door_key(stop.address) == door:
            return stop
    return _new_stop(session, citizen, address, not_before)


def add_item(session: Session, stop: Stop, device_id: int, action: str, *, reservation_id: int | None = None,
             loan_id: int | None = None, repair_id: int | None = None,
             substituted_for_device_id: int | None = None) -> StopItem:
    item = StopItem(stop_id=stop.id, device_id=device_id, action=action, reservation_id=reservation_id,
                    loan_id=loan_id, repair_id=repair_id, substituted_for_device_id=substituted_for_device_id)
    session.add(item)
    session.flush()
    return item


def _delivered_at(delivery_address: str | None, citizen: Citizen) -> str:
    """Collect or repair where the unit was delivered: its need's address, else the citizen's home."""
    return delivery_address if delivery_address is not None else citizen.home_address


def _loan_address(session: Session, loan: Loan, citizen: Citizen) -> str:
    need = session.get(Need, loan.need_id) if loan.need_id else None
    return _delivered_at(need.delivery_address if need is not None else None, citizen)


def collect_open_stops(session: Session) -> list[Stop]:
    """Put every reserved unit not yet on a visit on its door's visit (to deliver), and every unit
    asked back (to collect); returns every open visit not on a run. A day's worth of units costs the
    same few statements as one: visits and items are made in memory and written in batches."""
    on_visit = select(StopItem.device_id).where(StopItem.active.is_(True))
    reserved = (select(Reservation.id, Reservation.device_id, Need.id, Need.citizen_id, Need.delivery_address,
                       Need.urgency)
                .join(Need, Need.id == Reservation.need_id).join(Device, Device.id == Reservation.device_id)
                .where(Reservation.status == "active", Device.state == DeviceState.RESERVED,
                       Reservation.device_id.not_in(on_visit)))
    asked_back = (select(Loan.id, Loan.device_id, Loan.citizen_id, Need.delivery_address)
                  .outerjoin(Need, Need.id == Loan.need_id)
                  .where(Loan.status == "return_requested", Loan.device_id.not_in(on_visit)))
    reservations = session.execute(reserved.order_by(Need.id, Reservation.id)).all()
    loans = session.execute(asked_back.order_by(Loan.citizen_id, Loan.id)).all()
    if reservations or loans:
        # By subquery, not by a list of ids: a busy day must not run into the database's parameter limit.
        whose = union(reserved.with_only_columns(Need.citizen_id), asked_back.with_only_columns(Loan.citizen_id))
        citizens = {c.id: c for c in session.scalars(select(Citizen).where(Citizen.id.in_(whose)))}
        # Each unit's door, once: (citizen, address, need, urgent, the item without its visit).
        units = [(citizen_id, address, need_id, urgency == "discharge",
                  dict(device_id=device_id, action="deliver", reservation_id=reservation_id))
                 for reservation_id, device_id, need_id, citizen_id, address, urgency in reservations]
        units += [(citizen_id, _delivered_at(address, citizens[citizen_id]), None, False,
                   dict(device_id=device_id, action="collect", loan_id=loan_id))
                  for loan_id, device_id, citizen_id, address in loans]
        doors = _doors(session, whose)
        new_doors: dict[tuple[int, str], dict] = {}
        for citizen_id, address, need_id, urgent, _item in units:
            key = (citizen_id, door_key(address))
            if key in doors:
                continue
            fields = new_doors.setdefault(key, _stop_fields(citizens[citizen_id], address))
            fields["urgent"] = fields["urgent"] or urgent
            fields["need_id"] = fields["need_id"] or need_id
        if new_doors:
            # One INSERT for the day's new visits (the ORM's unit of work would send one per visit on
            # SQLite, to learn each id); their ids are read back with the doors.
            session.execute(insert(Stop), list(new_doors.values()))
            doors = _doors(session, whose)
        items = []
        for citizen_id, address, need_id, urgent, item in units:
            stop = doors[citizen_id, door_key(address)]
            stop.urgent = stop.urgent or urgent
            stop.need_id = stop.need_id or need_id
            items.append({**item, "stop_id": stop.id})
        session.execute(insert(StopItem), items)
        session.flush()
    return list(session.scalars(select(Stop).options(joinedload(Stop.citizen))
                                .where(Stop.status == "open", Stop.run_id.is_(None)).order_by(Stop.id)))


def _remove(session: Session, item: StopItem, reason: str) -> None:
    item.active, item.removed_at, item.removed_reason = False, utcnow(), reason
    session.flush()


def settle_if_done(session: Session, stop: Stop, reason: str = "") -> None:
    """A visit with nothing left to do is settled: done or failed by what came of its units, or,
    when nothing was done on it at all, dropped (its reason kept) and the run closes ranks."""
    if stop.status != "open" or session.scalar(select(StopItem.id).where(
            StopItem.stop_id == stop.id, StopItem.active.is_(True)).limit(1)) is not None:
        return
    outcomes = set(session.scalars(select(StopItem.outcome).where(StopItem.stop_id == stop.id,
                                                                  StopItem.outcome.is_not(None))))
    if not outcomes:
        take_off_run(session, stop)
        stop.status, stop.outcome_note = "dropped", reason
        return
    stop.status = "done" if outcomes & set(SUCCESS.values()) else "failed"
    stop.completed_at = stop.completed_at or utcnow()


def _take_off_visits(session: Session, which, reason: str) -> None:
    for item in session.scalars(select(StopItem).where(which, StopItem.active.is_(True))):
        _remove(session, item, reason)
        settle_if_done(session, session.get(Stop, item.stop_id), reason)


def take_unit_off_visits(session: Session, event: ReservationEnded) -> None:
    """Handler: a reservation ended before its visit; the unit stays home."""
    _take_off_visits(session, StopItem.reservation_id == event.reservation_id, event.reason)


def take_returned_unit_off_visits(session: Session, event: LoanEndedAtDepot) -> None:
    """Handler: the unit came back over the counter; no driver is to collect or repair it at home."""
    _take_off_visits(session, StopItem.loan_id == event.loan_id, event.reason)


def swap_unit_on_visits(session: Session, event: ReservationReplaced) -> None:
    """Handler: another unit serves the need; it takes the old unit's place on the visit, and only
    it is listed from now on (pick list, delivery log, the driver's phone)."""
    new_barcode = session.get(Device, event.new_device_id).barcode
    for item in session.scalars(select(StopItem).where(StopItem.reservation_id == event.old_reservation_id,
                                                       StopItem.active.is_(True))):
        _remove(session, item, f"byttet ut med {new_barcode}")
        add_item(session, session.get(Stop, item.stop_id), event.new_device_id, item.action,
                 reservation_id=event.new_reservation_id, substituted_for_device_id=event.old_device_id)


def _lent_unit(session: Session, device_barcode: str, instead: str) -> tuple[Device, Loan, Citizen]:
    """The unit (locked) with its open loan and citizen: a visit to its door is for a unit on loan."""
    device = lock_device(session, device_barcode)
    loan = open_loan(session, device.id)
    if loan is None:
        raise InvalidState(f"{device.barcode} er ikke utlånt; {instead}.",
                           {"current_state": device.state, "allowed": [DeviceState.ON_LOAN.value]})
    return device, loan, session.get(Citizen, loan.citizen_id)


def add_repair_visit(session: Session, actor_id: int | None, device_barcode: str, note: str,
                     repair_id: int | None = None, not_before: date | None = None) -> Stop:
    """A repair visit to a unit on loan at the citizen's home (part of any visit to that door that
    waits for the same day)."""
    device, loan, citizen = _lent_unit(session, device_barcode, "reparer den på lageret")
    stop = open_visit(session, citizen, _loan_address(session, loan, citizen), not_before)
    stop.note = "; ".join(filter(None, [stop.note, note]))
    add_item(session, stop, device.id, "repair", loan_id=loan.id, repair_id=repair_id)
    if repair_id is not None:
        session.get(RepairOrder, repair_id).stop_id = stop.id
    return stop


def add_inspection_visit(session: Session, actor_id: int | None, device_barcode: str, due_on: date,
                         urgent: bool = False) -> Stop:
    """A periodic inspection of a unit at the citizen's home, on the next visit to that door (an
    overdue one first among the day's visits). A unit already on an open visit (to inspect it, repair it or
    collect it) keeps that visit: a unit is on one open visit at most."""
    device, loan, citizen = _lent_unit(session, device_barcode, "kontroller den på lageret")
    planned = session.scalar(select(StopItem).where(StopItem.device_id == device.id, StopItem.active.is_(True)))
    if planned is not None:
        return session.get(Stop, planned.stop_id)
    stop = open_visit(session, citizen, _loan_address(session, loan, citizen))
    stop.urgent = stop.urgent or urgent
    due = f"Periodisk kontroll av {device.barcode} (frist {due_on:%d.%m.%Y})"
    stop.note = "; ".join(filter(None, [stop.note, due]))
    add_item(session, stop, device.id, "inspect", loan_id=loan.id)
    return stop


def plan_repair_visit(session: Session, event: RepairVisitNeeded) -> None:
    """Handler: a repair at home was opened."""
    add_repair_visit(session, event.actor_id, session.get(Device, event.device_id).barcode, event.note,
                     repair_id=event.repair_id)


def postpone_repair_visit(session: Session, repair_id: int, not_before: date) -> Stop | None:
    """The repair waits for parts due on ``not_before``: its visit is not planned earlier (the rest of
    a visit to that door goes ahead without it). A repair with no visit waiting gets one for that day.
    A visit already on the road is left alone."""
    repair = session.get(RepairOrder, repair_id)
    if repair is None or repair.place != "home" or repair.status != "open":
        return None
    item = session.scalar(select(StopItem).where(StopItem.repair_id == repair_id, StopItem.active.is_(True)))
    if item is None:
        if open_loan(session, repair.device_id) is None:
            return None
        stop = add_repair_visit(session, None, session.get(Device, repair.device_id).barcode, "", repair_id, not_before)
    else:
        stop = session.get(Stop, item.stop_id)
        run = get_run(session, stop.run_id) if stop.run_id is not None else None
        if run is not None and run.status != "planned":
            return stop
        others = session.scalar(select(func.count()).select_from(StopItem).where(
            StopItem.stop_id == stop.id, StopItem.active.is_(True), StopItem.id != item.id))
        if others:
            later = open_visit(session, session.get(Citizen, stop.citizen_id), stop.address, not_before)
            _remove(session, item, f"venter på deler til {not_before:%d.%m.%Y}")
            add_item(session, later, item.device_id, "repair", loan_id=item.loan_id, repair_id=repair_id)
            stop = later
        elif run is not None and run.run_date < not_before:
            take_off_run(session, stop)
    stop.not_before = not_before
    repair.stop_id = stop.id
    session.flush()
    return stop


def _open_stop(session: Session, stop_id: int) -> Stop:
    stop = session.get(Stop, stop_id)
    if stop is None:
        raise NotFound(f"Fant ikke stopp {stop_id}.", {"stop_id": stop_id})
    if stop.status != "open":
        raise InvalidState("Bare åpne stopp kan endres.", {"current_state": stop.status, "allowed": ["open"]})
    return stop


def set_stop_window(session: Session, stop_id: int, window_start: time | None, window_end: time | None) -> Stop:
    """When the citizen can receive the visit; planning respects it."""
    stop = _open_stop(session, stop_id)
    if window_start and window_end and window_end <= window_start:
        raise ValidationFailed.for_field("window_end", "Slutten må være etter starten.")
    stop.window_start, stop.window_end = window_start, window_end
    session.flush()
    return stop


def move_stop(session: Session, stop_id: int, run_id: int | None, position: int | None = None) -> Stop:
    """Move an open visit to another run (at a position), or back to planning with run_id None."""
    stop = _open_stop(session, stop_id)
    if run_id is not None:
        target = get_run(session, run_id)
        if target.status == "finished":
            raise InvalidState("Kjørerunden er ferdig.", {"current_state": target.status,
                                                          "allowed": ["planned", "in_progress"]})
        if stop.not_before and target.run_date < stop.not_before:
            raise InvalidState(f"Besøket venter på deler og kan tidligst kjøres {stop.not_before:%d.%m.%Y}.",
                               {"not_before": stop.not_before.isoformat()})
    take_off_run(session, stop)
    if run_id is not None:
        others = [s.id for s in run_stops(session, run_id) if s.id != stop.id]
        index = len(others) if position is None else max(0, min(position - 1, len(others)))
        renumber(session, run_id, others[:index] + [stop.id] + others[index:])
    session.flush()
    return stop
