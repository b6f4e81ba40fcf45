"""Devices (hjelpemidler, one physical unit each): registration with a barcode, labels kept apart
from the unit, lookups, and moving a unit between the depot's locations."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ARRAY, Integer, bindparam, case, func, insert, or_, select, update
from sqlalchemy.orm import Session, joinedload

from ...catalog.models import Product
from ...core import bus
from ...core.db import utcnow
from ...core.errors import Conflict, InvalidState, ValidationFailed
from ...core.ids import DEVICE_PREFIX, looks_like_code, make_code, normalize_scan
from ...core.paging import PAGE_SIZE, Page, count_capped
from ..events import DeviceBecameAvailable, DeviceRegistered
from ..lifecycle import IN_DEPOT_STATES, STATE_LABELS, DeviceState
from ..models import Device, DeviceEvent, DeviceLabel
from .codes import refuse_as_device
from .history import append_event, change_state
from .placement import check_place_fit
from .locations import check_capacity, get_location, lock_location

MAX_LABELS_PER_REQUEST = 5000
_MAX_PRODUCTS_MATCHED = 1000
_DEVICE_BY_BARCODE = (select(Device).options(joinedload(Device.product), joinedload(Device.location))
                      .where(Device.barcode == bindparam("barcode")))


def device_by_barcode(session: Session, code: str) -> Device | None:
    return session.scalar(_DEVICE_BY_BARCODE, {"barcode": code})


def _issue_label(session: Session) -> DeviceLabel:
    label = DeviceLabel()
    session.add(label)
    session.flush()
    label.code = make_code(DEVICE_PREFIX, label.id)
    return label


def _claim_label(session: Session, code: str) -> DeviceLabel:
    label = session.scalar(select(DeviceLabel).where(DeviceLabel.code == normalize_scan(code)).with_for_update())
    if label is None:
        raise ValidationFailed.for_field("barcode", f"Etiketten {code} er ikke utstedt av lageret.")
    if label.device_id is not None or label.retired_at is not None:
        raise Conflict(f"Etiketten {code} er allerede i bruk.", {"barcode": code}, code="label_taken")
    return label


def register_device(session: Session, actor_id: int | None, product_id: int, serial_number: str | None = None,
                    owner: str = "kommune", nav_hms_nr: str | None = None, nav_serial: str | None = None,
                    location_code: str | None = None, condition: str = "good", barcode: str | None = None,
                    note: str = "") -> Device:
    """Register one unit and give it a barcode: a fresh one, or a pre-printed label being claimed."""
    product = session.get(Product, product_id)
    if product is None:
        raise ValidationFailed.for_field("product_id", f"Fant ikke produkt {product_id}.")
    if owner == "nav":
        nav_hms_nr = nav_hms_nr or product.hms_nr
        if not nav_hms_nr:
            raise ValidationFailed.for_field("nav_hms_nr", "NAV-eide hjelpemidler må ha HMS-nr.")
        if not nav_serial:
            raise ValidationFailed.for_field("nav_serial", "NAV-eide hjelpemidler må ha NAVs serienummer.")
        if session.scalar(select(Device.barcode).where(Device.nav_hms_nr == nav_hms_nr, Device.nav_serial == nav_serial)):
            raise Conflict(f"NAV-hjelpemiddel {nav_hms_nr} / {nav_serial} er allerede registrert.",
                           {"nav_hms_nr": nav_hms_nr, "nav_serial": nav_serial}, code="duplicate_device")
    elif nav_hms_nr or nav_serial:
        raise ValidationFailed.for_field("owner", "HMS-nr og NAV-serienummer brukes bare når NAV eier hjelpemiddelet.")
    if serial_number:
        existing = session.scalar(select(Device.barcode).where(Device.product_id == product_id,
                                                               Device.serial_number == serial_number))
        if existing:
            raise Conflict(f"Serienummer {serial_number} er allerede registrert for dette produktet ({existing}).",
                           {"serial_number": serial_number, "barcode": existing}, code="duplicate_serial")
    location = lock_location(session, location_code, "location_code") if location_code else None
    if location is not None:
        check_capacity(session, location)

    label = _claim_label(session, barcode) if barcode else _issue_label(session)
    state = DeviceState.AVAILABLE if location is not None else DeviceState.REGISTERED
    device = Device(barcode=label.code, product_id=product.id, serial_number=serial_number, owner=owner,
                    nav_hms_nr=nav_hms_nr, nav_serial=nav_serial, condition=condition, state=state,
                    location_id=location.id if location else None)
    device.product, device.location = product, location
    session.add(device)
    session.flush()
    label.device_id, label.claimed_at = device.id, utcnow()
    append_event(session, device, "registered", actor_id, to_state=state,
                 to_location_id=device.location_id, note=note)
    session.flush()
    bus.publish(session, DeviceRegistered(device.id, actor_id))
    if state == DeviceState.AVAILABLE:
        bus.publish(session, DeviceBecameAvailable(device.id, actor_id))
    return device


def get_device(session: Session, barcode: str) -> Device:
    code = normalize_scan(barcode)
    device = device_by_barcode(session, code)
    if device is None:
        raise refuse_as_device(session, code)
    return device


def get_device_by_id(session: Session, device_id: int) -> Device:
    return session.scalar(select(Device).options(joinedload(Device.product), joinedload(Device.location))
                          .where(Device.id == device_id))


def lock_device(session: Session, barcode: str) -> Device:
    """The unit, locked for the rest of the transaction so concurrent steps on it queue."""
    device = get_device(session, barcode)
    session.execute(select(Device.id).where(Device.id == device.id).with_for_update())
    session.refresh(device, ["state", "location_id"])
    return device


def _product_ids(session: Session, name: str | None = None, iso_class: str | None = None) -> list[int]:
    """Products by a piece of their name or HMS-nr, or by ISO class (a class takes its subclasses), as
    ids: an IN list of ids lets the database combine the indexes, where a subquery would make it scan."""
    stmt = select(Product.id).order_by(Product.id).limit(_MAX_PRODUCTS_MATCHED)
    if name:
        stmt = stmt.where(or_(func.lower(Product.name).contains(name.lower(), autoescape=True),
                              Product.hms_nr == name))
    if iso_class:
        stmt = stmt.where(Product.iso_class.startswith(iso_class, autoescape=True))
    return list(session.scalars(stmt))


def _device_filter(session: Session, q: str | None, product_id: int | None, iso_class: str | None, state: str | None,
                   owner: str | None, location_code: str | None) -> list:
    where = []
    if q and q.strip():
        key = normalize_scan(q)
        if looks_like_code(key):
            where.append(Device.barcode == key)  # a scanned or typed barcode is one unit: an indexed lookup
        else:
            text = q.strip()
            where.append(or_(Device.serial_number == text, Device.nav_serial == text,
                             Device.product_id.in_(_product_ids(session, name=text))))
    if product_id is not None:
        where.append(Device.product_id == product_id)
    if iso_class:
        where.append(Device.product_id.in_(_product_ids(session, iso_class=iso_class.replace(" ", ""))))
    if state:
        where.append(Device.state == state)
    if owner:
        where.append(Device.owner == owner)
    if location_code:
        where.append(Device.location_id == get_location(session, location_code, field="location_code").id)
    return where


def _keyset(session: Session, where: list, after: int | None, before: int | None, limit: int,
            offset: int) -> list[Device]:
    stmt = select(Device).options(joinedload(Device.product), joinedload(Device.location)).where(*where)
    if before is not None and after is None:
        return list(session.scalars(stmt.where(Device.id > before).order_by(Device.id).limit(limit).offset(offset)))[::-1]
    if after is not None:
        stmt = stmt.where(Device.id < after)
    return list(session.scalars(stmt.order_by(Device.id.desc()).limit(limit).offset(offset)))


def list_devices(session: Session, product_id: int | None = None, state: str | None = None,
                 owner: str | None = None, location_code: str | None = None, q: str | None = None,
                 iso_class: str | None = None, after: int | None = None, before: int | None = None,
                 limit: int = 50, offset: int = 0) -> list[Device]:
    """Newest first. ``after``/``before`` are the id of the last/first unit of the page one came from:
    a deep page costs what the first does, where ``offset`` reads and throws away every row before it."""
    where = _device_filter(session, q, product_id, iso_class, state, owner, location_code)
    return _keyset(session, where, after, before, limit, offset)


def device_page(session: Session, product_id: int | None = None, state: str | None = None, owner: str | None = None,
                location_code: str | None = None, q: str | None = None, iso_class: str | None = None,
                after: int | None = None, before: int | None = None, limit: int = PAGE_SIZE, offset: int = 0) -> Page:
    """A page of ``list_devices`` with a capped count of all that match, and whether units lie on either side."""
    where = _device_filter(session, q, product_id, iso_class, state, owner, location_code)
    rows = _keyset(session, where, after, before, limit + 1, offset)
    backwards = before is not None and after is None
    beyond = len(rows) > limit
    rows = (rows[1:] if beyond else rows) if backwards else rows[:limit]
    total, capped = count_capped(session, select(Device.id).where(*where))
    return Page(rows, total, capped, size=limit,
                has_next=beyond if not backwards else bool(rows),
                has_previous=beyond if backwards else (after is not None or offset > 0),
                first_key=rows[0].id if rows else None, last_key=rows[-1].id if rows else None)


def not_in_depot(barcode: str, state: str) -> InvalidState:
    """Why a unit cannot be moved between the depot's places: the system has it elsewhere."""
    hint = " Ta imot returen først (Utlån og retur → Ta imot retur)." if state == DeviceState.RETURNED else ""
    return InvalidState(f"{barcode} er «{STATE_LABELS[state]}» og er ikke på lageret; den kan ikke flyttes hit.{hint}",
                        {"current_state": state, "allowed": sorted(IN_DEPOT_STATES)})


@dataclass(frozen=True)
class MoveResult:
    device: Device
    moved: bool


def move_device(session: Session, barcode: str, location_code: str, actor_id: int | None, note: str = "",
                force: bool = False) -> MoveResult:
    """Put away or move a unit inside the depot; a first put-away makes a registered unit available.
    A place that does not fit the unit (``placement``) is refused unless ``force`` says the person
    confirmed it."""
    device = lock_device(session, barcode)
    location = lock_location(session, location_code, "location_code")
    if device.state not in IN_DEPOT_STATES:
        raise not_in_depot(device.barcode, device.state)
    if device.location_id == location.id:
        return MoveResult(device, moved=False)
    check_capacity(session, location, moving_device_id=device.id)
    if not force:
        check_place_fit(session, device, location)
    if device.state == DeviceState.REGISTERED:
        change_state(session, device, DeviceState.AVAILABLE, actor_id, kind="putaway", note=note, location_id=location.id)
    else:
        from_location = device.location_id
        device.location_id = location.id
        append_event(session, device, "moved", actor_id, from_state=device.state, to_state=device.state,
                     from_location_id=from_location, to_location_id=location.id, note=note)
    device.location = location
    session.flush()
    return MoveResult(device, moved=True)


@dataclass(frozen=True)
class BulkMoveResult:
    moved: list[int]
    refused: dict[int, str]  # device id → its state, for units this cannot move (see move_devices_in_bulk)


def move_devices_in_bulk(session: Session, moves: dict[int, int], actor_id: int | None, note: str = "",
                         data: dict | None = None) -> BulkMoveResult:
    """``move_device`` for many units at once, into places already known to be right (a stocktake
    found them standing there, so neither the fit nor the capacity is asked): a constant number of
    statements however many units. Units not in the depot are refused as ``move_device`` refuses
    them; a registered one too, since its first put-away changes its state (``move_device`` does
    that, one by one). A unit already in its place is neither moved nor refused."""
    if not moves:
        return BulkMoveResult([], {})
    rows = session.execute(select(Device.id, Device.state, Device.location_id)
                           .where(Device.id.in_(list(moves))).with_for_update()).all()
    refused = {row.id: row.state for row in rows
               if row.state not in IN_DEPOT_STATES or row.state == DeviceState.REGISTERED}
    going = [row for row in rows if row.id not in refused and row.location_id != moves[row.id]]
    if going:
        now = utcnow()
        session.execute(insert(DeviceEvent.__table__), [
            dict(device_id=row.id, kind="moved", actor_id=actor_id, from_state=row.state, to_state=row.state,
                 from_location_id=row.location_id, to_location_id=moves[row.id], note=note, data=data, occurred_at=now)
            for row in going])
        session.execute(_to_new_places({row.id: moves[row.id] for row in going}, now,
                                       session.get_bind().dialect.name == "postgresql"))
        moved_ids = {row.id for row in going}
        for instance in list(session.identity_map.values()):
            if isinstance(instance, Device) and instance.id in moved_ids:
                session.expire(instance)
    return BulkMoveResult([row.id for row in going], refused)


def _to_new_places(places: dict[int, int], now, postgresql: bool):
    devices = Device.__table__
    if postgresql:
        # Two arrays joined to the units by key: no statement of thousands of parameters to convert, and
        # no CASE of a thousand branches read for every row.
        pairs = select(func.unnest(bindparam("ids", list(places), type_=ARRAY(Integer))).label("id"),
                       func.unnest(bindparam("places", list(places.values()), type_=ARRAY(Integer))).label("place")
                       ).subquery()
        return (update(devices).where(devices.c.id == pairs.c.id)
                .values(location_id=pairs.c.place, updated_at=now))
    return (update(devices).where(devices.c.id.in_(list(places)))
            .values(location_id=case(places, value=devices.c.id), updated_at=now))


def replace_device_label(session: Session, barcode: str, actor_id: int | None, note: str = "") -> Device:
    """Retire the unit's label (worn, lost) and give it a new code; the old code still finds it."""
    device = lock_device(session, barcode)
    old = session.scalar(select(DeviceLabel).where(DeviceLabel.code == device.barcode))
    old.retired_at = utcnow()
    label = _issue_label(session)
    label.device_id, label.claimed_at = device.id, utcnow()
    device.barcode = label.code
    append_event(session, device, "label_replaced", actor_id, from_state=device.state, to_state=device.state,
                 note=note, data={"old_barcode": old.code, "new_barcode": label.code})
    session.flush()
    return device


def issue_blank_labels(session: Session, count: int) -> list[str]:
    if not 1 <= count <= MAX_LABELS_PER_REQUEST:
        raise ValidationFailed.for_field("count", f"Antall må være 1–{MAX_LABELS_PER_REQUEST}.")
    labels = [DeviceLabel() for _ in range(count)]
    session.add_all(labels)
    session.flush()
    for label in labels:
        label.code = make_code(DEVICE_PREFIX, label.id)
    session.flush()
    return [label.code for label in labels]
