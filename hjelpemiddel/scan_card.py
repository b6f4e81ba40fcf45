"""The scan answer for a unit's own barcode, the hot path of the scan station and the scanners.

Read as plain rows in two statements (the unit with its product, place, holder and whether lending
holds it back; its history; a third only for a unit in a van, or held) and built straight into the JSON the API answers. It is the same
answer as ``ScanOut`` over ``queries.scan`` (``tests/integration/test_scan_card.py`` compares them
for units in every situation); any other code (a location, a retired label, a serial number, a
wrong check digit) goes the general way, ``queries.scan``."""
from __future__ import annotations

from functools import lru_cache

from sqlalchemy import bindparam, literal_column, select
from sqlalchemy.engine import Connection

from .catalog.iso import format_iso_class
from .catalog.models import Product
from .citizens.models import Citizen
from .citizens.services import masked_name
from .core.ids import code_kind, normalize_scan
from .lending.holds import Hold, active_holds, held_clause, scan_hold
from .lending.models import Loan
from .queries import RUN_OF_DEVICE
from .stock.lifecycle import EVENT_LABELS, HELD_STATES, STATE_LABELS
from .stock.models import Device, Location
from .stock.services.history import HISTORY

# Plain table columns, not the ORM's: the statement's cache key is then cheap to compute on every
# scan. The open loan joins through the partial unique index on loans (device_id) where status <>
# 'ended', written as a literal so that the planner of a prepared statement can match the index.
_device, _product, _location = Device.__table__.c, Product.__table__.c, Location.__table__.c
_loan, _citizen = Loan.__table__.c, Citizen.__table__.c
_CARD = (
    select(_device.id, _device.barcode, _device.serial_number, _device.owner, _device.nav_hms_nr, _device.nav_serial,
           _device.condition, _device.state, _device.registered_at,
           _product.id.label("product_id"), _product.name.label("product_name"), _product.hms_nr, _product.iso_class,
           _location.code.label("location_code"), _location.barcode.label("location_barcode"),
           _location.name.label("location_name"), _location.path, _location.kind,
           _citizen.name.label("holder_name"), _loan.expected_end, _loan.status.label("loan_status"))
    .select_from(Device.__table__.join(Product.__table__, _product.id == _device.product_id)
                 .outerjoin(Location.__table__, _location.id == _device.location_id)
                 .outerjoin(Loan.__table__, (_loan.device_id == _device.id) & (_loan.status != literal_column("'ended'")))
                 .outerjoin(Citizen.__table__, _citizen.id == _loan.citizen_id))
    .where(_device.barcode == bindparam("barcode"))
)


@lru_cache(maxsize=8)
def _card(holds: tuple[Hold, ...]):
    # Whether lending holds the unit back rides along as a column, so a held unit (rare) costs the
    # statement that says why, and every other scan none. The holds are wired when the app is made.
    return _CARD.add_columns(held_clause(holds).label("held"))


def _iso(value) -> str | None:
    return None if value is None else value.isoformat()


def scan_card(connection: Connection, raw: str) -> dict | None:
    """The API's scan answer when ``raw`` is the barcode of a unit; None for any other code."""
    code = normalize_scan(raw)
    if not code or code_kind(code) != "device":
        return None
    row = connection.execute(_card(active_holds()), {"barcode": code}).first()
    if row is None:
        return None  # a retired label, or unknown: the general way says which
    holder = run = location = None
    if row.state in HELD_STATES and row.holder_name is not None:
        holder = {"name": masked_name(row.holder_name), "loan_until": _iso(row.expected_end),
                  "loan_status": row.loan_status}
    if row.location_code is not None:
        location = {"code": row.location_code, "barcode": row.location_barcode, "name": row.location_name,
                    "path": row.path}
        if row.kind == "van":
            found = connection.execute(RUN_OF_DEVICE, {"device_id": row.id}).first()
            if found is not None:
                run = {"id": found.id, "run_date": found.run_date.isoformat(), "stop_sequence": found.sequence}
    history = [
        {"id": event_id, "occurred_at": _iso(occurred_at), "kind": kind, "kind_label": EVENT_LABELS.get(kind, kind),
         "from_state": from_state, "to_state": to_state, "to_state_label": STATE_LABELS.get(to_state, to_state or ""),
         "from_location": from_location, "to_location": to_location, "actor": actor, "note": note, "data": data}
        for event_id, occurred_at, kind, from_state, to_state, from_location, to_location, actor, note, data
        in connection.execute(HISTORY, {"device_id": row.id})
    ]
    return {
        "kind": "device", "scanned_code": code, "retired_label": False, "location": None,
        "holder": holder, "run": run, "history": history,
        "hold": scan_hold(connection, row.id, row.state) if row.held else None,
        "device": {
            "id": row.id, "barcode": row.barcode, "serial_number": row.serial_number, "owner": row.owner,
            "nav_hms_nr": row.nav_hms_nr, "nav_serial": row.nav_serial, "condition": row.condition,
            "state": row.state, "state_label": STATE_LABELS[row.state], "location": location,
            "registered_at": _iso(row.registered_at),
            "product": {"id": row.product_id, "name": row.product_name, "hms_nr": row.hms_nr,
                        "iso_class": row.iso_class, "iso_class_display": format_iso_class(row.iso_class)},
        },
    }
