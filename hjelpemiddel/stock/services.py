from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, aliased, joinedload

from ..catalog.iso import format_iso_class
from ..catalog.models import Product
from ..core import bus
from ..core.auth import User
from ..core.db import utcnow
from ..core.errors import Conflict, NotFound, ValidationFailed
from ..core.ids import DEVICE_PREFIX, LOCATION_PREFIX, looks_like_code, make_code, normalize_scan, parse_code
from ..documents.labels import LabelData, build_labels_pdf, build_labels_zpl
from .lifecycle import IN_DEPOT_STATES, STATE_LABELS, check_transition
from .models import LOCATION_KINDS, Device, DeviceEvent, DeviceLabel, Location

_KIND_RANK = {kind: rank for rank, kind in enumerate(LOCATION_KINDS)}
_LOCATION_CODE_RE = re.compile(r"^[A-ZÆØÅ0-9][A-ZÆØÅ0-9._\-]{0,39}$")
_HMS_SERIAL_RE = re.compile(r"^(\d{6})[\s/+:\-]+(\S+)$")
MAX_LABELS_PER_REQUEST = 5000


# --- locations ------------------------------------------------------------------------------

def normalize_location_code(code: str) -> str:
    return code.strip().upper()


def create_location(session: Session, code: str, kind: str, name: str = "", parent_code: str | None = None,
                    capacity: int | None = None, x: float | None = None, y: float | None = None) -> Location:
    code = normalize_location_code(code)
    if not _LOCATION_CODE_RE.match(code):
        raise ValidationFailed.for_field("code", "Koden kan bare ha bokstaver, sifre, punktum, - og _ (høyst 40 tegn).")
    if looks_like_code(code):
        raise ValidationFailed.for_field("code", "Koden kan ikke se ut som en strekkode (HJM/LOK + sifre).")
    if kind not in _KIND_RANK:
        raise ValidationFailed.for_field("kind", f"Ukjent type «{kind}». Gyldige: {', '.join(LOCATION_KINDS)}.")
    parent = None
    if parent_code:
        parent = session.scalar(select(Location).where(Location.code == normalize_location_code(parent_code)))
        if parent is None:
            raise ValidationFailed.for_field("parent_code", f"Fant ingen lokasjon «{parent_code}».")
        if kind == "van" and parent.kind != "depot":
            raise ValidationFailed.for_field("parent_code", "En bil hører til et lager.")
        if _KIND_RANK[kind] <= _KIND_RANK[parent.kind] or parent.kind == "van":
            raise ValidationFailed.for_field("kind", f"En «{kind}» kan ikke ligge under en «{parent.kind}».")
    elif kind != "depot":
        raise ValidationFailed.for_field("parent_code", "Alle lokasjoner unntatt lageret selv må ha en overordnet lokasjon.")
    if session.scalar(select(Location.id).where(Location.code == code)) is not None:
        raise Conflict(f"Lokasjonskoden «{code}» finnes allerede.", {"code": code})
    location = Location(code=code, kind=kind, name=name, parent_id=parent.id if parent else None,
                        path=f"{parent.path} / {parent.code}".lstrip(" /") if parent else "",
                        capacity=capacity, x=x, y=y)
    session.add(location)
    session.flush()
    location.barcode = make_code(LOCATION_PREFIX, location.id)
    session.flush()
    return location


def get_location(session: Session, code: str, field: str | None = None) -> Location:
    """By code or barcode. With ``field`` an unknown location is a bad field (422), else a 404."""
    key = normalize_scan(code)
    column = Location.barcode if key.startswith(LOCATION_PREFIX) and looks_like_code(key) else Location.code
    location = session.scalar(select(Location).where(column == key))
    if location is None:
        message = f"Fant ingen lokasjon «{code}»."
        if field:
            raise ValidationFailed.for_field(field, message)
        raise NotFound(message, {"code": code})
    return location


def list_locations(session: Session, kind: str | None = None, parent_code: str | None = None) -> list[Location]:
    stmt = select(Location).order_by(Location.path, Location.code)
    if kind:
        stmt = stmt.where(Location.kind == kind)
    if parent_code:
        stmt = stmt.where(Location.parent_id == get_location(session, parent_code, field="parent_code").id)
    return list(session.scalars(stmt))


def count_devices_by_location(session: Session) -> dict[int, int]:
    rows = session.execute(select(Device.location_id, func.count()).group_by(Device.location_id))
    return {location_id: count for location_id, count in rows if location_id is not None}


# --- events ---------------------------------------------------------------------------------

def append_event(session: Session, device: Device, kind: str, actor_id: int | None, *,
                 from_state: str | None = None, to_state: str | None = None,
                 from_location_id: int | None = None, to_location_id: int | None = None,
                 note: str = "", data: dict | None = None, at: datetime | None = None) -> DeviceEvent:
    event = DeviceEvent(device_id=device.id, kind=kind, actor_id=actor_id, from_state=from_state,
                        to_state=to_state, from_location_id=from_location_id, to_location_id=to_location_id,
                        note=note, data=data, occurred_at=at or utcnow())
    session.add(event)
    return event


def transition_device(session: Session, device: Device, to_state: str, actor_id: int | None, kind: str = "state_changed",
                      note: str = "", data: dict | None = None, location_id: int | None = None) -> DeviceEvent:
    """The one way a device changes state: checked against the life cycle, written as an event."""
    check_transition(device.state, to_state)
    from_state, from_location = device.state, device.location_id
    device.state = to_state
    if location_id is not None:
        device.location_id = location_id
    event = append_event(session, device, kind, actor_id, from_state=from_state, to_state=to_state,
                         from_location_id=from_location, to_location_id=device.location_id, note=note, data=data)
    if to_state == "available":
        session.flush()
        bus.publish(session, "device_available", device_id=device.id, actor_id=actor_id)
    return event


@dataclass(frozen=True)
class HistoryEntry:
    id: int
    occurred_at: datetime
    kind: str
    from_state: str | None
    to_state: str | None
    from_location: str | None
    to_location: str | None
    actor: str | None
    note: str
    data: dict | None


# Scanning is the hot path: its two statements are built once, not per request.
_FROM_LOCATION, _TO_LOCATION = aliased(Location, name="from_location"), aliased(Location, name="to_location")
_HISTORY = (
    select(DeviceEvent.id, DeviceEvent.occurred_at, DeviceEvent.kind, DeviceEvent.from_state, DeviceEvent.to_state,
           _FROM_LOCATION.code, _TO_LOCATION.code, User.username, DeviceEvent.note, DeviceEvent.data)
    .outerjoin(User, User.id == DeviceEvent.actor_id)
    .outerjoin(_FROM_LOCATION, _FROM_LOCATION.id == DeviceEvent.from_location_id)
    .outerjoin(_TO_LOCATION, _TO_LOCATION.id == DeviceEvent.to_location_id)
    .where(DeviceEvent.device_id == bindparam("device_id"))
    .order_by(DeviceEvent.id)
)
_DEVICE_BY_BARCODE = (select(Device).options(joinedload(Device.product), joinedload(Device.location))
                      .where(Device.barcode == bindparam("barcode")))


def device_history(session: Session, device_id: int) -> list[HistoryEntry]:
    # Plain columns need none of the ORM's entity machinery: run them as Core on the session's connection.
    return [HistoryEntry(*row) for row in session.connection().execute(_HISTORY, {"device_id": device_id})]


# --- devices --------------------------------------------------------------------------------

def _check_capacity(session: Session, location: Location, moving_device_id: int | None = None) -> None:
    if location.capacity is None:
        return
    stmt = select(func.count()).select_from(Device).where(Device.location_id == location.id)
    if moving_device_id is not None:
        stmt = stmt.where(Device.id != moving_device_id)
    if session.scalar(stmt) >= location.capacity:
        raise Conflict(f"Lokasjonen {location.code} er full ({location.capacity} plasser).",
                       {"location_code": location.code, "capacity": location.capacity}, code="location_full")


def _lock_location(session: Session, code: str, field: str) -> Location:
    location = get_location(session, code, field=field)
    # Serialises concurrent put-aways into the same bin so capacity holds (SQLite serialises writes anyway).
    session.execute(select(Location.id).where(Location.id == location.id).with_for_update())
    return location


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
    location = _lock_location(session, location_code, "location_code") if location_code else None
    if location is not None:
        _check_capacity(session, location)

    label = _claim_label(session, barcode) if barcode else _issue_label(session)
    state = "available" if location is not None else "registered"
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
    if state == "available":
        bus.publish(session, "device_available", device_id=device.id, actor_id=actor_id)
    return device


def get_device(session: Session, barcode: str) -> Device:
    device = session.scalar(_DEVICE_BY_BARCODE, {"barcode": normalize_scan(barcode)})
    if device is None:
        raise NotFound(f"Ukjent strekkode «{barcode}».", {"barcode": barcode})
    return device


def lock_device(session: Session, barcode: str) -> Device:
    """The unit, locked for the rest of the transaction so concurrent steps on it queue."""
    device = get_device(session, barcode)
    session.execute(select(Device.id).where(Device.id == device.id).with_for_update())
    session.refresh(device, ["state", "location_id"])
    return device


def list_devices(session: Session, product_id: int | None = None, state: str | None = None,
                 owner: str | None = None, location_code: str | None = None,
                 limit: int = 50, offset: int = 0) -> list[Device]:
    stmt = (select(Device).options(joinedload(Device.product), joinedload(Device.location))
            .order_by(Device.id.desc()).limit(limit).offset(offset))
    if product_id is not None:
        stmt = stmt.where(Device.product_id == product_id)
    if state:
        stmt = stmt.where(Device.state == state)
    if owner:
        stmt = stmt.where(Device.owner == owner)
    if location_code:
        stmt = stmt.where(Device.location_id == get_location(session, location_code, field="location_code").id)
    return list(session.scalars(stmt))


@dataclass(frozen=True)
class MoveResult:
    device: Device
    moved: bool


def move_device(session: Session, barcode: str, location_code: str, actor_id: int | None, note: str = "") -> MoveResult:
    """Put away or move a unit inside the depot; a first put-away makes a registered unit available."""
    device = lock_device(session, barcode)
    location = _lock_location(session, location_code, "location_code")
    if device.state not in IN_DEPOT_STATES:
        raise Conflict(
            f"{device.barcode} er «{STATE_LABELS[device.state]}» og er ikke på lageret; den kan ikke flyttes hit.",
            {"current_state": device.state, "allowed": sorted(IN_DEPOT_STATES)}, code="invalid_state",
        )
    if device.location_id == location.id:
        return MoveResult(device, moved=False)
    _check_capacity(session, location, moving_device_id=device.id)
    if device.state == "registered":
        transition_device(session, device, "available", actor_id, kind="putaway", note=note, location_id=location.id)
    else:
        from_location = device.location_id
        device.location_id = location.id
        append_event(session, device, "moved", actor_id, from_state=device.state, to_state=device.state,
                     from_location_id=from_location, to_location_id=location.id, note=note)
    device.location = location
    session.flush()
    return MoveResult(device, moved=True)


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


# --- scanning -------------------------------------------------------------------------------

@dataclass(frozen=True)
class ScanResult:
    kind: str  # "device" | "location"
    scanned_code: str
    device: Device | None = None
    history: list[HistoryEntry] | None = None
    location: Location | None = None
    retired_label: bool = False
    holder: dict | None = None
    run: dict | None = None


# Only a unit out with a citizen has a holder; asking only then keeps a shelf scan at two statements.
HELD_STATES = frozenset({"on_loan", "awaiting_pickup"})


def device_holder(session: Session, device: Device) -> dict | None:
    return bus.ask(session, "device_holder", device_id=device.id) if device.state in HELD_STATES else None


def device_run(session: Session, device: Device) -> dict | None:
    """The delivery run a unit in a van is on (asked only for units in a van)."""
    in_van = device.location is not None and device.location.kind == "van"
    return bus.ask(session, "device_run", device_id=device.id) if in_van else None


def _device_scan(session: Session, device: Device, scanned: str, retired: bool = False) -> ScanResult:
    return ScanResult("device", scanned, device=device, history=device_history(session, device.id),
                      retired_label=retired, holder=device_holder(session, device), run=device_run(session, device))


def _devices_where(session: Session, *criteria) -> list[Device]:
    stmt = (select(Device).options(joinedload(Device.product), joinedload(Device.location))
            .join(Product, Product.id == Device.product_id).where(*criteria).limit(20))
    return list(session.scalars(stmt).unique())


def find_by_scan(session: Session, raw: str) -> ScanResult:
    """What a scanned or typed code is: our device or location barcode, a location code,
    NAV's hmsnr + serienr, or a manufacturer serial number."""
    code = normalize_scan(raw)
    if not code:
        raise ValidationFailed.for_field("code", "Tom kode.")
    parsed = parse_code(code)
    if parsed and parsed[0] == DEVICE_PREFIX:
        device = session.scalar(_DEVICE_BY_BARCODE, {"barcode": code})
        if device is not None:
            return _device_scan(session, device, code)
        label = session.scalar(select(DeviceLabel).where(DeviceLabel.code == code, DeviceLabel.device_id.is_not(None)))
        if label is not None:
            return _device_scan(session, get_device_by_id(session, label.device_id), code, retired=True)
        raise NotFound(f"Ukjent strekkode «{code}».", {"code": code})
    if parsed and parsed[0] == LOCATION_PREFIX:
        location = session.scalar(select(Location).where(Location.barcode == code))
        if location is None:
            raise NotFound(f"Ukjent lokasjonsstrekkode «{code}».", {"code": code})
        return ScanResult("location", code, location=location)
    if looks_like_code(code):
        raise NotFound(f"Kontrollsifferet i «{code}» stemmer ikke. Skann på nytt eller tast koden nøye.",
                       {"code": code}, code="bad_check_digit")

    location = session.scalar(select(Location).where(Location.code == code))
    if location is not None:
        return ScanResult("location", code, location=location)

    raw_clean = raw.strip()
    match = _HMS_SERIAL_RE.match(raw_clean)
    if match:
        hms, serial = match.groups()
        candidates = _devices_where(session, ((Device.nav_hms_nr == hms) & (Device.nav_serial == serial))
                                    | ((Product.hms_nr == hms) & (Device.serial_number == serial)))
    else:
        candidates = _devices_where(session, (Device.serial_number == raw_clean) | (Device.nav_serial == raw_clean))
    if len(candidates) == 1:
        return _device_scan(session, candidates[0], code)
    if candidates:
        raise Conflict(f"«{raw_clean}» passer på flere hjelpemidler; skann strekkoden i stedet.",
                       {"code": raw_clean, "barcodes": [d.barcode for d in candidates]}, code="ambiguous_code")
    raise NotFound(f"Ukjent kode «{raw_clean}».", {"code": raw_clean})


def get_device_by_id(session: Session, device_id: int) -> Device:
    return session.scalar(select(Device).options(joinedload(Device.product), joinedload(Device.location))
                          .where(Device.id == device_id))


# --- labels ---------------------------------------------------------------------------------

OWNER_LABELS = {"kommune": "Kommunen", "nav": "NAV"}


def device_label_data(session: Session, barcodes: list[str], footer: str = "") -> list[LabelData]:
    """Label contents for the given devices, in the order given; unknown codes are named together."""
    codes = [normalize_scan(code) for code in barcodes]
    if not codes:
        raise ValidationFailed.for_field("barcodes", "Oppgi minst én strekkode.")
    if len(codes) > MAX_LABELS_PER_REQUEST:
        raise ValidationFailed.for_field("barcodes", f"Høyst {MAX_LABELS_PER_REQUEST} etiketter om gangen.")
    rows = session.execute(select(Device, Product).join(Product, Product.id == Device.product_id)
                           .where(Device.barcode.in_(set(codes))))
    by_code = {device.barcode: (device, product) for device, product in rows}
    unknown = [code for code in codes if code not in by_code]
    if unknown:
        raise NotFound("Ukjent strekkode: " + ", ".join(unknown[:20]) + ("…" if len(unknown) > 20 else ""),
                       {"unknown": unknown})
    return [_device_label(*by_code[code], footer) for code in codes]


def _device_label(device: Device, product: Product, footer: str) -> LabelData:
    lines = []
    if device.serial_number:
        lines.append(f"Serienr {device.serial_number}")
    if device.owner == "nav":
        lines.append(f"NAV {device.nav_hms_nr} / {device.nav_serial}")
    lines.append(f"ISO {format_iso_class(product.iso_class)}")
    return LabelData(code=device.barcode, title=product.name, lines=tuple(lines), footer=footer)


def location_label_data(session: Session, codes: list[str], footer: str = "") -> list[LabelData]:
    locations = [get_location(session, code) for code in codes]
    return [LabelData(code=loc.barcode, title=f"Lokasjon {loc.code}", lines=(loc.name,) if loc.name else (),
                      footer=footer) for loc in locations]


def render_labels(labels: list[LabelData], layout, start_position: int = 0) -> tuple[bytes, str]:
    """Bytes and media type for the layout's printer language."""
    if layout.kind == "zpl":
        return build_labels_zpl(labels, layout), "application/zpl"
    return build_labels_pdf(labels, layout, start_position), "application/pdf"
