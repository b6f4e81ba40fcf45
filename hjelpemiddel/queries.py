"""Reads across packages, above them all: what a scan of a unit shows besides the unit itself (who
holds it, which run it is on), and what needs doing today (the start page). Packages never ask each
other these questions; pages and the API read them here. Nothing here writes."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, joinedload

from .citizens.models import Citizen
from .citizens.services import masked_name
from .incidents.services import IncidentToSend, incidents_to_send
from .lending.holds import scan_hold
from .lending.models import Loan, Need
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


def device_hold(session: Session, device: Device) -> str | None:
    """Why lending keeps a unit in the depot back (a recall's quarantine still to be written), or None."""
    return scan_hold(session, device.id, device.state)


RUN_OF_DEVICE = (
    select(DeliveryRun.id, DeliveryRun.run_date, Stop.sequence)
    .join(Stop, Stop.run_id == DeliveryRun.id).join(StopItem, StopItem.stop_id == Stop.id)
    .where(StopItem.device_id == bindparam("device_id")).order_by(StopItem.id.desc()).limit(1)
)


def device_run(session: Session, device: Device) -> dict | None:
    """The latest run a unit in a van travelled on (asked only for units in a van)."""
    if device.location is None or device.location.kind != "van":
        return None
    row = session.execute(RUN_OF_DEVICE, {"device_id": device.id}).first()
    return {"id": row.id, "run_date": row.run_date, "stop_sequence": row.sequence} if row else None


def scan(session: Session, raw: str) -> ScanResult:
    """A scan as the scan station shows it: the unit or location, and for a unit out of the depot
    who holds it or which run it is on; for one in the depot, why lending keeps it back if it does."""
    found = find_by_scan(session, raw)
    if found.device is None:
        return found
    device = found.device
    return replace(found, holder=device_holder(session, device), run=device_run(session, device),
                   hold=device_hold(session, device))


# A discharge still to be served: these statuses have no unit with the citizen yet.
_OPEN_FOR_DISCHARGE = ("registered", "approved", "sent_to_nav", "reserved")


@dataclass(frozen=True)
class TodaysWork:
    undecided: int  # short-term applications waiting for a decision
    discharges: list[Need]  # hospital discharges from today to Sunday not yet served, soonest first
    returns_to_receive: int  # loans whose return is ordered, the unit not yet back
    runs_today: int
    week_ends: date
    incidents_to_send: list[IncidentToSend] = ()  # serious incidents not yet sent to the authorities, soonest first


def todays_work(session: Session, today: date, discharge_limit: int = 20) -> TodaysWork:
    """What the start page counts: five small queries, whatever the size of the depot."""
    week_ends = today + timedelta(days=6 - today.weekday())
    undecided = session.scalar(select(func.count()).select_from(Need)
                               .where(Need.status == "registered", Need.application_type == "short_term"))
    discharges = list(session.scalars(
        select(Need).options(joinedload(Need.citizen), joinedload(Need.product))
        .where(Need.discharge_date.between(today, week_ends), Need.status.in_(_OPEN_FOR_DISCHARGE))
        .order_by(Need.discharge_date, Need.discharge_time, Need.id).limit(discharge_limit)))
    returns = session.scalar(select(func.count()).select_from(Loan).where(Loan.status == "return_requested"))
    runs = session.scalar(select(func.count()).select_from(DeliveryRun).where(DeliveryRun.run_date == today))
    return TodaysWork(undecided, discharges, returns, runs, week_ends, incidents_to_send(session, today))
