"""Whether a place fits a unit moved into it, judged by what already stands there (a location has
no declared purpose): units ready to lend and units that are not (waiting for the wash or the
inspection, in repair, in quarantine) are not mixed in one place, and a unit ready to lend goes to a
zone that already stores its ISO 9999 class (zones are where a depot keeps a kind of device; bins
within a zone mix products), or back to a place it stood before. A mismatch is a warning: the
person may move it anyway."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ...catalog.iso import format_iso_class, iso_title
from ...catalog.models import Product
from ...core.errors import Conflict
from ..lifecycle import NOT_READY_STATES, READY_STATES, STATE_LABELS, DeviceState
from ..models import Device, DeviceEvent, Location
from .locations import PATH_SEPARATOR, zone_of

# ISO 9999 class level (6 digits); NAV's 8-digit codes refine it.
_ISO_CLASS_DIGITS = 6
# Where devices are stored by kind; the depot itself (a default receiving place) and vans hold anything.
_STORAGE_KINDS = frozenset({"zone", "rack", "shelf", "bin"})


@dataclass(frozen=True)
class Mismatch:
    reason: str  # "state" | "product"
    message: str


def _first_other(session: Session, location: Location, device: Device, *criteria):
    """The first other unit in ``location`` itself that meets ``criteria``."""
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
    # A quarantine is declared where a unit stands (a recall reaches the shelf), so a quarantined
    # unit says nothing about what its place is for.
    unready = _first_other(session, location, device, Device.state.in_(NOT_READY_STATES - {DeviceState.QUARANTINED}))
    if unready is not None:
        found.append(Mismatch("state", f"{device.barcode} er «{state}», men på {location.code} står hjelpemidler "
                                       f"som ikke er klare til utlån (for eksempel «{STATE_LABELS[unready.state]}»)."))
    if location.kind in _STORAGE_KINDS:
        mismatch = _zone_mismatch(session, device, location)
        if mismatch is not None:
            found.append(mismatch)
    return found


def _zone_mismatch(session: Session, device: Device, location: Location) -> Mismatch | None:
    zone_code = zone_of(location.path, location.code)
    zone = session.scalar(select(Location).where(Location.code == zone_code))
    if zone is None:
        return None
    # The zone and everything below it: its path is the zone's own path followed by the zone's code.
    prefix = f"{zone.path}{PATH_SEPARATOR}{zone.code}".lstrip(" /")
    in_zone = Device.location_id.in_(select(Location.id).where(or_(
        Location.id == zone.id, Location.path == prefix, Location.path.startswith(prefix + PATH_SEPARATOR))))
    ready = Device.state.in_(READY_STATES)
    iso = device.product.iso_class[:_ISO_CLASS_DIGITS]
    # The place itself first: one unit of the class right there settles it without a walk of the zone.
    same_class = or_(Device.product_id == device.product_id,
                     func.substr(Product.iso_class, 1, _ISO_CLASS_DIGITS) == iso)
    if _first_other(session, location, device, ready, same_class) is not None:
        return None
    # Back where it stood before (its home shelf, while the rest of its kind are out on loan).
    if session.scalar(select(DeviceEvent.id).where(DeviceEvent.device_id == device.id,
                                                   DeviceEvent.to_location_id == location.id).limit(1)) is not None:
        return None
    other = session.execute(
        select(Product.name).join(Device, Device.product_id == Product.id)
        .where(in_zone, ready, Device.id != device.id).limit(1)).first()
    if other is None:
        return None  # an empty zone: nothing says what it is for
    if session.scalar(select(Device.id).join(Product, Product.id == Device.product_id)
                      .where(in_zone, ready, same_class, Device.id != device.id).limit(1)) is not None:
        return None
    kind = iso_title(iso) or f"ISO {format_iso_class(iso)}"
    where = zone.name or zone.code
    return Mismatch("product", f"I «{where}» står ingen hjelpemidler av samme type som «{device.product.name}» "
                               f"({kind}), bare andre, for eksempel «{other.name}».")


def check_place_fit(session: Session, device: Device, location: Location) -> None:
    """Refuse a move into a place that does not fit, unless the person confirmed it (``force``)."""
    mismatches = place_mismatches(session, device, location)
    if mismatches:
        raise Conflict(" ".join(m.message for m in mismatches) + " Velg «Flytt likevel» hvis det er riktig.",
                       {"barcode": device.barcode, "location_code": location.code,
                        "reasons": [m.reason for m in mismatches]}, code="place_mismatch")
