"""What a scanned or typed code is. Who holds a unit and which run it is on are read above the
packages, in ``hjelpemiddel.queries``, which completes the scan card."""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ...catalog.models import Product
from ...core.errors import Conflict, NotFound, ValidationFailed
from ...core.ids import DEVICE_PREFIX, LOCATION_PREFIX, looks_like_code, normalize_scan, parse_code
from ..models import Device, DeviceLabel, Location
from .devices import device_by_barcode, get_device_by_id
from .history import HistoryEntry, device_history

_HMS_SERIAL_RE = re.compile(r"^(\d{6})[\s/+:\-]+(\S+)$")


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


def _device_scan(session: Session, device: Device, scanned: str, retired: bool = False) -> ScanResult:
    return ScanResult("device", scanned, device=device, history=device_history(session, device.id),
                      retired_label=retired)


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
        device = device_by_barcode(session, code)
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
