"""Reads across packages, above them all: what a scan of a unit shows besides the unit itself (who
holds it, which run it is on). Packages never ask each other these questions; pages and the API
read them here. Nothing here writes."""
from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from .citizens.models import Citizen
from .citizens.services import masked_name
from .lending.models import Loan
from .logistics.models import DeliveryRun, Stop, StopItem
from .stock.lifecycle import HELD_STATES
from .stock.models import Device
from .stock.services import ScanResult, find_by_scan


def device_holder(session: Session, device: Device) -> dict | None:
    """The citizen who has the unit, masked; asked only for a unit out with a citizen, which keeps
    a shelf scan at two statements."""
    if device.state not in HELD_STATES:
        return None
    row = session.execute(select(Citizen.name, Loan.expected_end, Loan.status)
                          .join(Citizen, Citizen.id == Loan.citizen_id)
                          .where(Loan.device_id == device.id, Loan.status != "ended")).first()
    if row is None:
        return None
    return {"name": masked_name(row.name), "loan_until": row.expected_end, "loan_status": row.status}


def device_run(session: Session, device: Device) -> dict | None:
    """The latest run a unit in a van travelled on (asked only for units in a van)."""
    if device.location is None or device.location.kind != "van":
        return None
    row = session.execute(select(DeliveryRun.id, DeliveryRun.run_date, Stop.sequence)
                          .join(Stop, Stop.run_id == DeliveryRun.id).join(StopItem, StopItem.stop_id == Stop.id)
                          .where(StopItem.device_id == device.id).order_by(StopItem.id.desc()).limit(1)).first()
    return {"id": row.id, "run_date": row.run_date, "stop_sequence": row.sequence} if row else None


def scan(session: Session, raw: str) -> ScanResult:
    """A scan as the scan station shows it: the unit or location, and for a unit out of the depot
    who holds it or which run it is on."""
    found = find_by_scan(session, raw)
    if found.device is None:
        return found
    return replace(found, holder=device_holder(session, found.device), run=device_run(session, found.device))
