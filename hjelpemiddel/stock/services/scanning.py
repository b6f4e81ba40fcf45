"""What a scanned or typed code is. Who holds a unit and which run it is on are read above the
packages, in ``hjelpemiddel.queries``, which completes the scan card."""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ...catalog.models import Product
from ...core.errors import Conflict, ValidationFailed
from ...core.ids import code_kind, normalize_scan
from ..models import Device, DeviceLabel, Location
from .codes import (bad_check_digit, location_by_scan, not_a_device, unknown_code, unknown_device_code,
                    unknown_location_code)
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
    hold: str | None = None  # why lending keeps the unit back while its state still says free


def _device_scan(session: Session, device: Device, scanned: str, retired: bool = False) -> ScanResult:
    return ScanResult("device", scanned, device=device, history=device_history(session, device.id),
                      retired_label=retired)


def _devices_where(session: Session, *criteria) -> list[Device]:
    stmt = (select(Device).options(joinedload(Device.product), joinedload(Device.location))
            .join(Product, Product.id == Device.product_id).where(*criteria).limit(20))
    return list(session.scalars(stmt).unique())


@dataclass(frozen=True)
class ScannedCode:
    """What a code names, without the unit's history: the answer every scanning page shares."""

    kind: str  # "device" | "location"
    code: str
    device: Device | None = None
    location: Location | None = None
    retired_label: bool = False


def classify_scan(session: Session, raw: str) -> ScannedCode:
    """What a scanned or typed code is: our device or location barcode, a location code, NAV's
    hmsnr + serienr, or a manufacturer serial number. Anything else is refused with the one message
    for its kind (``codes``): a wrong check digit, an unknown barcode, an unknown code."""
    code = normalize_scan(raw)
    if not code:
        raise ValidationFailed.for_field("code", "Tom kode.")
    kind = code_kind(code)
    if kind == "bad_check_digit":
        raise bad_check_digit(code)
    if kind == "device":
        device = device_by_barcode(session, code)
        if device is not None:
            return ScannedCode("device", code, device=device)
        label = session.scalar(select(DeviceLabel).where(DeviceLabel.code == code, DeviceLabel.device_id.is_not(None)))
        if label is not None:
            return ScannedCode("device", code, device=get_device_by_id(session, label.device_id), retired_label=True)
        raise unknown_device_code(code)
    location = location_by_scan(session, code)
    if location is not None:
        return ScannedCode("location", code, location=location)
    if kind == "location":
        raise unknown_location_code(code)

    raw_clean = raw.strip()
    match = _HMS_SERIAL_RE.match(raw_clean)
    if match:
        hms, serial = match.groups()
        candidates = _devices_where(session, ((Device.nav_hms_nr == hms) & (Device.nav_serial == serial))
                                    | ((Product.hms_nr == hms) & (Device.serial_number == serial)))
    else:
        candidates = _devices_where(session, (Device.serial_number == raw_clean) | (Device.nav_serial == raw_clean))
    if len(candidates) == 1:
        return ScannedCode("device", code, device=candidates[0])
    if candidates:
        raise Conflict(f"«{raw_clean}» passer på flere hjelpemidler; skann strekkoden i stedet.",
                       {"code": raw_clean, "barcodes": [d.barcode for d in candidates]}, code="ambiguous_code")
    raise unknown_code(raw_clean)


def device_from_scan(session: Session, raw: str) -> Device:
    """The unit a scan names where only a unit will do (picking): a location's label is refused
    by name, everything else as ``classify_scan`` refuses it."""
    scanned = classify_scan(session, raw)
    if scanned.device is None:
        raise not_a_device(scanned.code, scanned.location)
    return scanned.device


def find_by_scan(session: Session, raw: str) -> ScanResult:
    """The scan station's card: the unit with its history, or the location."""
    scanned = classify_scan(session, raw)
    if scanned.device is None:
        return ScanResult("location", scanned.code, location=scanned.location)
    return _device_scan(session, scanned.device, scanned.code, retired=scanned.retired_label)
