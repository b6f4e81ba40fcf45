from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload

from ..catalog.models import Product
from ..citizens.models import Citizen
from ..core.auth import User
from ..core.db import utcnow
from ..core.errors import Conflict, Forbidden, InvalidState, NotFound, ValidationFailed
from ..core.text import local_time
from ..documents.runs import DeliveryLogData, LogItem, LogStop, PickLine, PickListData
from ..lending import services as lending
from ..lending.models import Loan, Need, Reservation
from ..stock.lifecycle import STATE_LABELS
from ..stock.models import Device, Location
from ..stock.services import append_event, get_location, lock_device, transition_device
from .geo import DEPOT_POSITION, postcode_position
from .models import OUTCOMES, DeliveryRun, Stop, StopItem
from .routing import RoutePoint, RouteSettings, group_by_area, order_route

KIND_LABELS = {"delivery": "Levering", "pickup": "Henting", "repair": "Reparasjon"}
OUTCOME_LABELS = {"delivered": "Levert", "collected": "Hentet", "repair_done": "Reparert", "not_home": "Ikke hjemme",
                  "refused": "Avvist", "not_visited": "Ikke besøkt"}
RUN_STATUS_LABELS = {"planned": "Planlagt", "in_progress": "Underveis", "finished": "Ferdig"}
_SUCCESS = {"delivered", "collected", "repair_done"}


# --- runs -----------------------------------------------------------------------------------

def get_run(session: Session, run_id: int, for_update: bool = False) -> DeliveryRun:
    stmt = select(DeliveryRun).options(joinedload(DeliveryRun.van)).where(DeliveryRun.id == run_id)
    if for_update:
        stmt = stmt.with_for_update(of=DeliveryRun)
    run = session.scalar(stmt)
    if run is None:
        raise NotFound(f"Fant ikke kjørerunde {run_id}.", {"run_id": run_id})
    return run


def _driver_id(session: Session, username: str | None) -> int | None:
    if not username:
        return None
    user = session.scalar(select(User).where(User.username == username))
    if user is None or user.role not in ("sjafor", "admin"):
        raise ValidationFailed.for_field("driver", f"Fant ingen sjåfør «{username}».")
    return user.id


def _van_id(session: Session, code: str | None) -> int | None:
    if not code:
        return None
    van = get_location(session, code, field="van")
    if van.kind != "van":
        raise ValidationFailed.for_field("van", f"{van.code} er ikke en bil.")
    return van.id


def create_run(session: Session, actor_id: int, run_date: date, driver: str | None = None, van: str | None = None,
               note: str = "") -> DeliveryRun:
    run = DeliveryRun(run_date=run_date, driver_id=_driver_id(session, driver), van_location_id=_van_id(session, van),
                      note=note, created_by_id=actor_id)
    session.add(run)
    session.flush()
    return get_run(session, run.id)


def list_runs(session: Session, run_date: date | None = None, driver_id: int | None = None) -> list[DeliveryRun]:
    stmt = select(DeliveryRun).options(joinedload(DeliveryRun.van)).order_by(DeliveryRun.run_date.desc(), DeliveryRun.id)
    if run_date is not None:
        stmt = stmt.where(DeliveryRun.run_date == run_date)
    if driver_id is not None:
        stmt = stmt.where((DeliveryRun.driver_id == driver_id) | DeliveryRun.driver_id.is_(None))
    return list(session.scalars(stmt.limit(200)))


def check_run_access(run: DeliveryRun, role: str, user_id: int) -> None:
    """Drivers work on their own runs (or runs not yet given a driver)."""
    if role == "sjafor" and run.driver_id not in (None, user_id):
        raise Forbidden("Denne kjørerunden er en annen sjåførs.", {"run_id": run.id})


# --- stops from the lending process ---------------------------------------------------------

def _stop_for(session: Session, kind: str, citizen: Citizen, need: Need | None, address: str | None) -> Stop:
    # A delivery address other than home (at a daughter's, a care home) carries its own postcode.
    found = re.search(r"\b(\d{4})\b", address or "")
    postcode = found.group(1) if found else citizen.postcode
    lat, lon = postcode_position(postcode)
    stop = Stop(kind=kind, citizen_id=citizen.id, need_id=need.id if need else None,
                address=address or f"{citizen.address}, {citizen.postcode} {citizen.city}".strip(), postcode=postcode,
                latitude=lat, longitude=lon, urgent=bool(need and need.urgency == "discharge"))
    stop.citizen = citizen
    session.add(stop)
    session.flush()
    return stop


def _joinable_stop(session: Session, kind: str, citizen_id: int, address: str | None) -> Stop | None:
    """The citizen's open stop at the same address that has not left the depot yet: every unit for
    one door (several needs, or a unit reserved or asked back after planning) is one visit."""
    on_the_road = select(DeliveryRun.id).where(DeliveryRun.status != "planned")
    stmt = select(Stop).where(Stop.kind == kind, Stop.status == "open", Stop.citizen_id == citizen_id,
                              or_(Stop.run_id.is_(None), Stop.run_id.not_in(on_the_road)))
    if address is not None:
        stmt = stmt.where(Stop.address == address)
    return session.scalar(stmt.order_by(Stop.id).limit(1))


def collect_open_stops(session: Session) -> list[Stop]:
    """Make stops for reserved units not yet on a stop (one per citizen and delivery address) and for
    units awaiting pickup (one per citizen); returns every open stop not on a run."""
    on_stop = select(StopItem.device_id).where(StopItem.active.is_(True))
    reservations = session.execute(
        select(Reservation, Need).join(Need, Need.id == Reservation.need_id)
        .join(Device, Device.id == Reservation.device_id)
        .where(Reservation.status == "active", Device.state == "reserved", Reservation.device_id.not_in(on_stop))
        .order_by(Need.id, Reservation.id)).all()
    stops: dict[tuple, Stop] = {}
    for reservation, need in reservations:
        key = ("delivery", need.citizen_id, need.delivery_address)
        if key not in stops:
            stops[key] = (_joinable_stop(session, "delivery", need.citizen_id, need.delivery_address)
                          or _stop_for(session, "delivery", session.get(Citizen, need.citizen_id), need,
                                       need.delivery_address))
        stops[key].urgent = stops[key].urgent or need.urgency == "discharge"
        session.add(StopItem(stop_id=stops[key].id, device_id=reservation.device_id, reservation_id=reservation.id))
    loans = session.scalars(select(Loan).where(Loan.status == "return_requested", Loan.device_id.not_in(on_stop))
                            .order_by(Loan.citizen_id, Loan.id)).all()
    for loan in loans:
        key = ("pickup", loan.citizen_id)
        if key not in stops:
            stops[key] = (_joinable_stop(session, "pickup", loan.citizen_id, None)
                          or _stop_for(session, "pickup", session.get(Citizen, loan.citizen_id), None, None))
        session.add(StopItem(stop_id=stops[key].id, device_id=loan.device_id, loan_id=loan.id))
    session.flush()
    return list(session.scalars(select(Stop).options(joinedload(Stop.citizen))
                                .where(Stop.status == "open", Stop.run_id.is_(None)).order_by(Stop.id)))


def release_reservation_items(session: Session, reservation_id: int, reason: str = "") -> None:
    """A reservation ended (need cancelled, unit swapped, handed over elsewhere): its unit leaves any
    open stop; a stop left with nothing to deliver is dropped, its reason kept."""
    for item in session.scalars(select(StopItem).where(StopItem.reservation_id == reservation_id,
                                                       StopItem.active.is_(True))):
        item.active = False
        session.flush()
        stop = session.get(Stop, item.stop_id)
        left = session.scalar(select(func.count()).select_from(StopItem)
                              .where(StopItem.stop_id == stop.id, StopItem.active.is_(True)))
        if stop.status == "open" and not left:
            stop.status, stop.outcome_note = "dropped", reason
            if stop.run_id is not None:
                _renumber(session, stop.run_id, [s.id for s in run_stops(session, stop.run_id)
                                                 if s.id != stop.id and s.status != "dropped"])
                stop.sequence = 0
    session.flush()


def add_repair_stop(session: Session, actor_id: int, device_barcode: str, note: str) -> Stop:
    """A repair visit to a unit on loan at the citizen's home."""
    device = lock_device(session, device_barcode)
    loan = session.scalar(select(Loan).where(Loan.device_id == device.id, Loan.status != "ended"))
    if loan is None:
        raise InvalidState(f"{device.barcode} er ikke utlånt; reparer den på lageret.",
                           {"current_state": device.state, "allowed": ["on_loan"]})
    stop = _stop_for(session, "repair", session.get(Citizen, loan.citizen_id), None, None)
    stop.note = note
    session.add(StopItem(stop_id=stop.id, device_id=device.id, loan_id=loan.id))
    session.flush()
    return stop


def _route_points(stops: list[Stop]) -> list[RoutePoint]:
    def minutes(value):
        return value.hour * 60 + value.minute if value else None

    return [RoutePoint(s.id, s.latitude, s.longitude, s.postcode, s.urgent, minutes(s.window_start), minutes(s.window_end))
            for s in stops]


def _renumber(session: Session, run_id: int, ordered_ids: list[int]) -> None:
    for sequence, stop_id in enumerate(ordered_ids, start=1):
        stop = session.get(Stop, stop_id)
        stop.run_id, stop.sequence = run_id, sequence


def plan_runs(session: Session, actor_id: int, run_date: date, runs: list[dict] | None = None) -> list[DeliveryRun]:
    """Propose the day's runs: every open stop, grouped by area over the runs asked for (or the day's
    planned runs, or one new run), each ordered into a route from the depot. Staff adjust afterwards."""
    stops = collect_open_stops(session)
    planned = [run for run in list_runs(session, run_date) if run.status == "planned"]
    for spec in runs or []:
        planned.append(create_run(session, actor_id, run_date, spec.get("driver"), spec.get("van")))
    if not planned:
        planned = [create_run(session, actor_id, run_date)]
    settings = RouteSettings(depot=DEPOT_POSITION)
    existing = {run.id: _route_points([s for s in run_stops(session, run.id) if s.status == "open"]) for run in planned}
    # A stop in an area a run already serves joins that run, so re-planning never splits an area.
    run_of_area: dict[str, int] = {}
    for run in planned:
        for point in existing[run.id]:
            run_of_area.setdefault(point.postcode or "?", run.id)
    ungrouped = []
    for point in _route_points(stops):
        if (point.postcode or "?") in run_of_area:
            existing[run_of_area[point.postcode or "?"]].append(point)
        else:
            ungrouped.append(point)
    for run, group in zip(planned, group_by_area(ungrouped, len(planned))):
        _renumber(session, run.id, order_route(existing[run.id] + group, settings))
    session.flush()
    return [get_run(session, run.id) for run in planned]


def set_stop_window(session: Session, stop_id: int, window_start, window_end) -> Stop:
    """When the citizen can receive the visit; planning respects it."""
    stop = session.get(Stop, stop_id)
    if stop is None:
        raise NotFound(f"Fant ikke stopp {stop_id}.", {"stop_id": stop_id})
    if stop.status != "open":
        raise InvalidState("Bare åpne stopp kan endres.", {"current_state": stop.status, "allowed": ["open"]})
    if window_start and window_end and window_end <= window_start:
        raise ValidationFailed.for_field("window_end", "Slutten må være etter starten.")
    stop.window_start, stop.window_end = window_start, window_end
    session.flush()
    return stop


def move_stop(session: Session, stop_id: int, run_id: int | None, position: int | None = None) -> Stop:
    """Move an open stop to another run (at a position), or back to planning with run_id None."""
    stop = session.get(Stop, stop_id)
    if stop is None:
        raise NotFound(f"Fant ikke stopp {stop_id}.", {"stop_id": stop_id})
    if stop.status != "open":
        raise InvalidState("Bare åpne stopp kan flyttes.", {"current_state": stop.status, "allowed": ["open"]})
    old_run = stop.run_id
    if run_id is not None:
        target = get_run(session, run_id)
        if target.status == "finished":
            raise InvalidState("Kjørerunden er ferdig.", {"current_state": target.status, "allowed": ["planned", "in_progress"]})
    if old_run is not None:
        _renumber(session, old_run, [s.id for s in run_stops(session, old_run) if s.id != stop.id])
    if run_id is None:
        stop.run_id, stop.sequence = None, 0
    else:
        others = [s.id for s in run_stops(session, run_id) if s.id != stop.id]
        index = len(others) if position is None else max(0, min(position - 1, len(others)))
        _renumber(session, run_id, others[:index] + [stop.id] + others[index:])
    session.flush()
    return stop


def run_stops(session: Session, run_id: int) -> list[Stop]:
    return list(session.scalars(select(Stop).options(joinedload(Stop.citizen))
                                .where(Stop.run_id == run_id, Stop.status != "dropped").order_by(Stop.sequence, Stop.id)))


def unplanned_stops(session: Session) -> list[Stop]:
    return list(session.scalars(select(Stop).options(joinedload(Stop.citizen))
                                .where(Stop.status == "open", Stop.run_id.is_(None)).order_by(Stop.urgent.desc(), Stop.id)))


@dataclass(frozen=True)
class ItemView:
    id: int
    stop_id: int
    barcode: str
    product: str
    state: str
    location_code: str | None
    location_path: str
    location_x: float | None
    location_y: float | None
    picked: bool
    active: bool


def stop_items(session: Session, stop_ids: list[int]) -> dict[int, list[ItemView]]:
    items: dict[int, list[ItemView]] = {stop_id: [] for stop_id in stop_ids}
    if not stop_ids:
        return items
    rows = session.execute(
        select(StopItem.id, StopItem.stop_id, Device.barcode, Product.name, Device.state, Location.code, Location.path,
               Location.x, Location.y, StopItem.picked_at, StopItem.active)
        .join(Device, Device.id == StopItem.device_id).join(Product, Product.id == Device.product_id)
        .outerjoin(Location, Location.id == Device.location_id)
        .where(StopItem.stop_id.in_(stop_ids)).order_by(StopItem.id))
    for row in rows:
        items[row[1]].append(ItemView(*row[:9], picked=row[9] is not None, active=row[10]))
    return items


# --- picking --------------------------------------------------------------------------------

def _walk_key(item: ItemView) -> tuple:
    path = (item.location_path or "").split(" / ")
    zone = path[1] if len(path) > 1 else (item.location_code or "")
    return (item.location_code is None, zone, item.location_x if item.location_x is not None else 1e9,
            item.location_y if item.location_y is not None else 1e9, item.location_code or "", item.barcode)


def pick_list(session: Session, run_id: int) -> list[tuple[Stop, ItemView]]:
    """Delivery units of the run in the order a person walks the depot: zone, then along the racks."""
    stops = [s for s in run_stops(session, run_id) if s.kind == "delivery" and s.status == "open"]
    items = stop_items(session, [s.id for s in stops])
    lines = [(stop, item) for stop in stops for item in items[stop.id] if item.active]
    return sorted(lines, key=lambda line: _walk_key(line[1]))


@dataclass(frozen=True)
class PickResult:
    barcode: str
    stop_id: int
    substituted_for: str | None
    remaining: int


def pick_device(session: Session, actor_id: int, run_id: int, barcode: str) -> PickResult:
    """A scan at the shelf: the right unit ticks its line; an equivalent free unit may replace the
    planned one (recorded); anything else is refused with the reason."""
    run = get_run(session, run_id, for_update=True)
    if run.status == "finished":
        raise InvalidState("Kjørerunden er ferdig.", {"current_state": run.status, "allowed": ["planned", "in_progress"]})
    device = lock_device(session, barcode)
    item_row = session.scalar(select(StopItem).join(Stop, Stop.id == StopItem.stop_id)
                              .where(StopItem.device_id == device.id, StopItem.active.is_(True), Stop.run_id == run_id,
                                     Stop.kind == "delivery"))
    substituted_for = None
    if item_row is None:
        item_row, substituted_for = _substitute(session, actor_id, run_id, device, pick_list(session, run_id))
    elif item_row.picked_at is not None:
        raise Conflict(f"{device.barcode} er allerede plukket.", {"barcode": device.barcode}, code="already_picked")
    stop = session.get(Stop, item_row.stop_id)
    if device.state != "reserved":
        raise InvalidState(f"{device.barcode} er «{STATE_LABELS[device.state]}» og kan ikke plukkes.",
                           {"current_state": device.state, "allowed": ["reserved"]})
    transition_device(session, device, "picked", actor_id, kind="picked", location_id=run.van_location_id,
                      note=f"Plukket til kjørerunde {run.id}, stopp {stop.sequence}")
    item_row.picked_at, item_row.picked_by_id = utcnow(), actor_id
    session.flush()
    remaining = sum(1 for _stop, item in pick_list(session, run_id) if not item.picked)
    return PickResult(device.barcode, stop.id, substituted_for, remaining)


def _substitute(session: Session, actor_id: int, run_id: int, device: Device, lines) -> tuple[StopItem, str]:
    reserved = session.scalar(select(Reservation.need_id).where(Reservation.device_id == device.id,
                                                                Reservation.status == "active"))
    if reserved is not None:
        raise Conflict(f"{device.barcode} er reservert for noen andre.", {"barcode": device.barcode},
                       code="reserved_for_other")
    other = session.scalar(select(StopItem).where(StopItem.device_id == device.id, StopItem.active.is_(True)))
    if other is not None:
        raise Conflict(f"{device.barcode} skal til en annen stopp eller kjørerunde.", {"barcode": device.barcode},
                       code="on_other_stop")
    if device.state != "available":
        raise InvalidState(f"{device.barcode} er «{STATE_LABELS[device.state]}» og kan ikke plukkes.",
                           {"current_state": device.state, "allowed": ["available", "reserved"]})
    for stop, item in lines:
        if item.picked:
            continue
        planned = session.get(StopItem, item.id)
        planned_device = session.get(Device, planned.device_id)
        if planned_device.product_id != device.product_id:
            continue
        # Off the stop first: releasing its reservation would otherwise drop the stop as left empty.
        planned.active = False
        session.flush()
        reservation = lending.change_reservation(session, actor_id, planned.reservation_id, device.barcode)
        replacement = StopItem(stop_id=stop.id, device_id=device.id, reservation_id=reservation.id,
                               substituted_for_device_id=planned_device.id)
        session.add(replacement)
        session.flush()
        append_event(session, device, "substituted", actor_id, from_state="reserved", to_state="reserved",
                     note=f"Erstatter {planned_device.barcode} på kjørerunde {run_id}")
        return replacement, planned_device.barcode
    raise Conflict(f"{device.barcode} er ikke på denne plukklisten, og ingen linje venter på samme produkt.",
                   {"barcode": device.barcode}, code="wrong_product")


# --- on the road ----------------------------------------------------------------------------

def start_run(session: Session, actor_id: int, run_id: int, odometer_start: int | None = None) -> DeliveryRun:
    run = get_run(session, run_id, for_update=True)
    if run.status != "planned":
        raise InvalidState(f"Kjørerunden er «{RUN_STATUS_LABELS[run.status]}».",
                           {"current_state": run.status, "allowed": ["planned"]})
    for stop in run_stops(session, run_id):
        for item in session.scalars(select(StopItem).where(StopItem.stop_id == stop.id, StopItem.active.is_(True),
                                                           StopItem.picked_at.is_not(None))):
            transition_device(session, session.get(Device, item.device_id), "out_for_delivery", actor_id,
                              kind="departed", note=f"Kjørerunde {run.id}")
    run.status, run.departed_at, run.odometer_start = "in_progress", utcnow(), odometer_start
    session.flush()
    return run


def _follow_up(session: Session, stop: Stop, reason: str) -> Stop:
    """The units of a failed stop go back to planning on a fresh stop; the failed one stays in the log."""
    fresh = Stop(kind=stop.kind, citizen_id=stop.citizen_id, need_id=stop.need_id, address=stop.address,
                 postcode=stop.postcode, latitude=stop.latitude, longitude=stop.longitude, urgent=stop.urgent,
                 window_start=stop.window_start, window_end=stop.window_end, follow_up_of_id=stop.id,
                 note=f"Nytt forsøk: {reason}")
    session.add(fresh)
    session.flush()
    for item in session.scalars(select(StopItem).where(StopItem.stop_id == stop.id, StopItem.active.is_(True))):
        item.active = False
        session.flush()
        # Not picked: a failed delivery's units went back to reserved and are picked again for the next run.
        session.add(StopItem(stop_id=fresh.id, device_id=item.device_id, reservation_id=item.reservation_id,
                             loan_id=item.loan_id))
    session.flush()
    return fresh


def record_outcome(session: Session, actor_id: int, role: str, run_id: int, stop_id: int, outcome: str,
                   received_by: str = "", note: str = "", loan_days: int = 90) -> Stop:
    run = get_run(session, run_id, for_update=True)
    check_run_access(run, role, actor_id)
    stop = session.get(Stop, stop_id)
    if stop is None or stop.run_id != run.id:
        raise NotFound(f"Stopp {stop_id} er ikke på kjørerunde {run_id}.", {"stop_id": stop_id})
    if stop.status != "open":
        raise InvalidState(f"Stoppet er allerede registrert ({OUTCOME_LABELS.get(stop.outcome, stop.outcome)}).",
                           {"current_state": stop.status, "allowed": ["open"]})
    if outcome not in OUTCOMES[stop.kind]:
        raise ValidationFailed.for_field("outcome", f"For {KIND_LABELS[stop.kind].lower()} må utfallet være en av: "
                                         + ", ".join(OUTCOMES[stop.kind]) + ".")
    if run.status != "in_progress":
        raise InvalidState(f"Kjørerunden er «{RUN_STATUS_LABELS[run.status]}»; utfall registreres underveis.",
                           {"current_state": run.status, "allowed": ["in_progress"]})
    if outcome == "refused" and not note.strip():
        raise ValidationFailed.for_field("note", "Skriv hvorfor hjelpemiddelet ble avvist.")
    items = list(session.scalars(select(StopItem).where(StopItem.stop_id == stop.id, StopItem.active.is_(True))))
    now = utcnow()
    unpicked = [i for i in items if i.picked_at is None] if outcome == "delivered" else []
    if unpicked:
        barcodes = [session.get(Device, i.device_id).barcode for i in unpicked]
        raise InvalidState("Noe på stoppet er ikke plukket: " + ", ".join(barcodes) + ".",
                           {"current_state": "not_picked", "allowed": ["picked"], "barcodes": barcodes})
    # Settled before the units move, so the lending steps below see a stop that is no longer open.
    stop.status = "done" if outcome in _SUCCESS else "failed"
    van_code = run.van.code if run.van else None
    if outcome == "delivered":
        for item in items:
            lending.hand_over(session, actor_id, session.get(Device, item.device_id).barcode,
                              received_by=received_by, loan_days=loan_days, at=now)
    elif outcome == "collected":
        for item in items:
            lending.receive_return(session, actor_id, session.get(Device, item.device_id).barcode,
                                   location_code=van_code, note=f"Hentet på kjørerunde {run.id}")
    elif outcome == "repair_done":
        for item in items:
            device = session.get(Device, item.device_id)
            append_event(session, device, "repaired", actor_id, from_state=device.state, to_state=device.state,
                         note=note or "Reparert hos bruker", data={"run_id": run.id, "stop_id": stop.id})
    else:
        for item in items:
            device = session.get(Device, item.device_id)
            if device.state in ("picked", "out_for_delivery"):
                transition_device(session, device, "reserved", actor_id, kind="delivery_failed",
                                  note=f"{OUTCOME_LABELS[outcome]}: {note}".strip(": "))
        _follow_up(session, stop, f"{OUTCOME_LABELS[outcome]} {local_time(now).strftime('%d.%m')}" + (f" – {note}" if note else ""))
    for item in items:
        item.active = False
    stop.outcome, stop.outcome_note, stop.received_by, stop.completed_at = outcome, note, received_by, now
    session.flush()
    return stop


def finish_run(session: Session, actor_id: int, role: str, run_id: int, odometer_end: int | None = None) -> DeliveryRun:
    run = get_run(session, run_id, for_update=True)
    check_run_access(run, role, actor_id)
    if run.status != "in_progress":
        raise InvalidState(f"Kjørerunden er «{RUN_STATUS_LABELS[run.status]}».",
                           {"current_state": run.status, "allowed": ["in_progress"]})
    if odometer_end is not None and run.odometer_start is not None and odometer_end < run.odometer_start:
        raise ValidationFailed.for_field("odometer_end", "Kilometerstanden ved retur kan ikke være lavere enn ved start.")
    for stop in run_stops(session, run_id):
        if stop.status == "open":
            record_outcome(session, actor_id, role, run_id, stop.id, "not_visited", note="Ikke rukket på runden")
    run.status, run.returned_at, run.odometer_end = "finished", utcnow(), odometer_end
    session.flush()
    return run


# --- documents ------------------------------------------------------------------------------

def _people(session: Session, run: DeliveryRun) -> tuple[str, str]:
    driver = session.get(User, run.driver_id) if run.driver_id else None
    return (driver.full_name or driver.username) if driver else "", (run.van.code + (f" {run.van.name}" if run.van.name else "")) if run.van else ""


def pick_list_data(session: Session, run_id: int, depot_name: str) -> PickListData:
    run = get_run(session, run_id)
    driver, van = _people(session, run)
    lines = tuple(
        PickLine(barcode=item.barcode, product=item.product, location_code=item.location_code or "–",
                 zone=((item.location_path or "").split(" / ") + ["", ""])[1] or (item.location_code or "Uten plass"),
                 stop_sequence=stop.sequence, stop_name=stop.citizen.name, picked=item.picked)
        for stop, item in pick_list(session, run_id))
    return PickListData(title=f"Plukkliste – kjørerunde {run.id}", run_date=run.run_date.strftime("%d.%m.%Y"),
                        driver=driver, van=van, depot_name=depot_name, printed_at=local_time(utcnow()), lines=lines)


def delivery_log_data(session: Session, run_id: int, depot_name: str) -> DeliveryLogData:
    run = get_run(session, run_id)
    driver, van = _people(session, run)
    stops = run_stops(session, run_id)
    items = stop_items(session, [s.id for s in stops])
    action = {"delivery": "Lever", "pickup": "Hent", "repair": "Reparer"}

    def window(stop: Stop) -> str:
        if not stop.window_start and not stop.window_end:
            return ""
        return f"{stop.window_start.strftime('%H:%M') if stop.window_start else ''}–{stop.window_end.strftime('%H:%M') if stop.window_end else ''}"

    def clock(value: datetime | None) -> str:
        return local_time(value).strftime("%H:%M") if value else ""

    log_stops = []
    for stop in stops:
        citizen = stop.citizen
        shown = [i for i in items[stop.id] if i.active or stop.status != "open"]
        log_stops.append(LogStop(
            sequence=stop.sequence, kind=KIND_LABELS[stop.kind], name=citizen.name, address=stop.address,
            postcode_city="" if stop.postcode and stop.postcode in stop.address else f"{citizen.postcode} {citizen.city}".strip(),
            phone=citizen.phone,
            contact=" ".join(filter(None, [citizen.contact_name, citizen.contact_phone])),
            access_notes=citizen.access_notes, time_window=window(stop),
            items=tuple(LogItem(i.barcode, i.product, action[stop.kind]) for i in shown), urgent=stop.urgent,
            outcome=OUTCOME_LABELS.get(stop.outcome or "", ""), completed_at=clock(stop.completed_at),
            received_by=stop.received_by, note=stop.outcome_note or stop.note))
    return DeliveryLogData(
        title=f"Kjørebok – kjørerunde {run.id}", run_date=run.run_date.strftime("%d.%m.%Y"), driver=driver, van=van,
        depot_name=depot_name, printed_at=local_time(utcnow()), stops=tuple(log_stops),
        odometer_start=str(run.odometer_start or ""), odometer_end=str(run.odometer_end or ""),
        departed_at=clock(run.departed_at), returned_at=clock(run.returned_at))


@dataclass
class StopView:
    stop: Stop
    items: list[ItemView]

    def __getattr__(self, name):
        return getattr(self.stop, name)


@dataclass
class RunView:
    """A run with its stops and their units, for answers and pages; reads through to the run."""

    run: DeliveryRun
    driver: str | None
    driver_name: str | None
    stops: list[StopView]

    def __getattr__(self, name):
        return getattr(self.run, name)


def run_view(session: Session, run_id: int) -> RunView:
    run = get_run(session, run_id)
    stops = run_stops(session, run_id)
    items = stop_items(session, [s.id for s in stops])
    user = session.get(User, run.driver_id) if run.driver_id else None
    return RunView(run, user.username if user else None, (user.full_name or user.username) if user else None, [StopView(s, [i for i in items[s.id] if i.active or s.status != "open"]) for s in stops])


def device_run(session: Session, device_id: int) -> dict | None:
    """The latest run a unit travelled on: what a scan of a unit in a van reports."""
    row = session.execute(select(DeliveryRun.id, DeliveryRun.run_date, Stop.sequence)
                          .join(Stop, Stop.run_id == DeliveryRun.id).join(StopItem, StopItem.stop_id == Stop.id)
                          .where(StopItem.device_id == device_id).order_by(StopItem.id.desc()).limit(1)).first()
    return {"id": row.id, "run_date": row.run_date, "stop_sequence": row.sequence} if row else None
