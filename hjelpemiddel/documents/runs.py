"""What a pick list (plukkliste) and a delivery log (kjørebok) print: plain data for the builders."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class PickLine:
    barcode: str
    product: str
    location_code: str          # where to take it from ("–" when not on a shelf)
    zone: str                   # heading to group lines under, in walking order
    stop_sequence: int          # the stop on the run it belongs to
    stop_name: str              # the citizen's name (never an fnr)
    accessories: tuple[str, ...] = ()
    picked: bool = False


@dataclass(frozen=True)
class PickListData:
    title: str                  # e.g. "Plukkliste – kjørerunde 12"
    run_date: str               # "24.11.2026"
    driver: str
    van: str
    depot_name: str
    printed_at: datetime
    lines: tuple[PickLine, ...]  # already in the order a person walks the depot


@dataclass(frozen=True)
class LogItem:
    barcode: str
    product: str
    action: str                 # "Lever" | "Hent" | "Reparer"


@dataclass(frozen=True)
class LogStop:
    sequence: int
    kind: str                   # "Levering" | "Henting" | "Reparasjon"
    name: str
    address: str
    postcode_city: str
    phone: str
    contact: str
    access_notes: str
    time_window: str            # e.g. "10:00–12:00" or ""
    items: tuple[LogItem, ...]
    urgent: bool = False        # discharge from hospital: printed prominently
    outcome: str = ""           # filled in when the log is reprinted after the run
    completed_at: str = ""
    received_by: str = ""
    note: str = ""


@dataclass(frozen=True)
class DeliveryLogData:
    title: str                  # e.g. "Kjørebok – kjørerunde 12"
    run_date: str
    driver: str
    van: str
    depot_name: str
    printed_at: datetime
    stops: tuple[LogStop, ...]
    odometer_start: str = ""    # blank lines to fill in by hand when empty
    odometer_end: str = ""
    departed_at: str = ""
    returned_at: str = ""
    extra: dict = field(default_factory=dict)
