"""Whether a place fits a unit moved into it, judged by what already stands there (a location has
no declared purpose): units ready to lend and units that are not (waiting for the wash or the
inspection, in repair, in quarantine) are not mixed, and a unit ready to lend joins units of its own
product or ISO 9999 class. A mismatch is a warning: the person may move it anyway."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ...catalog.models import Product
from ...core.errors import Conflict
from ..lifecycle import NOT_READY_STATES, READY_STATES, STATE_LABELS
from ..models import Device, Location

# ISO 9999 class level (6 digits); NAV's 8-digit codes refine it.
_ISO_CLASS_DIGITS = 6


@dataclass(frozen=True)
class Mismatch:
    reason: str  # "state" | "product"
    message: str


def _first_other(session: Session, location: Location, device: Device, *criteria):
    return session.execute(
        select(Device.state, Product.name).join(Product, Product.id == Device.product_id)
        .where(Device.location_id == location.id, Device.id != device.id, *criteria)
        .order_by(Device.id).limit(1)).first()


def place_mismatches(session: Session, device: Device, location: Location) -> list[Mismatch]:
    """Why ``location`` does not fit ``device`` (product loaded), empty when it fits."""
    found: list[Mismatch] = []
    state = STATE_LABELS[device.state]
    if device.state in NOT_READY_STATES:
        if _first_other(session, location, device, Device.state.in_(READY_STATES)) is not None:
            found.append(Mismatch("state", f"{device.barcode} er «{state}», men på {location.code} står "
                                           "hjelpemidler som er klare til utlån."))
        return found
    if device.state not in READY_STATES:
        return found
    unready = _first_other(session, location, device, Device.state.in_(NOT_READY_STATES))
    if unready is not None:
        found.append(Mismatch("state", f"{device.barcode} er «{state}», men på {location.code} står hjelpemidler "
                                       f"som ikke er klare til utlån (for eksempel «{STATE_LABELS[unready.state]}»)."))
    ready = Device.state.in_(READY_STATES)
    other = _first_other(session, location, device, ready)
    if other is not None:
        iso = device.product.iso_class[:_ISO_CLASS_DIGITS]
        same_kind = _first_other(session, location, device, ready, or_(
            Device.product_id == device.product_id,
            func.substr(Product.iso_class, 1, _ISO_CLASS_DIGITS) == iso))
        if same_kind is None:
            found.append(Mismatch("product", f"På {location.code} står andre typer hjelpemidler (for eksempel "
                                             f"«{other.name}»), ikke «{device.product.name}»."))
    return found


def check_place_fit(session: Session, device: Device, location: Location) -> None:
    """Refuse a move into a place that does not fit, unless the person confirmed it (``force``)."""
    mismatches = place_mismatches(session, device, location)
    if mismatches:
        raise Conflict(" ".join(m.message for m in mismatches) + " Velg «Flytt likevel» hvis det er riktig.",
                       {"barcode": device.barcode, "location_code": location.code,
                        "reasons": [m.reason for m in mismatches]}, code="place_mismatch")
