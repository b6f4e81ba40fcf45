"""The device list as rows for a download (``core.exports``): every unit the list's filters match."""
from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...catalog.models import Product
from ...core.paging import streamed
from ..lifecycle import STATE_LABELS
from ..models import Device, Location
from .devices import _device_filter
from .labels import OWNER_LABELS

DEVICE_HEADINGS = ("Strekkode", "Produkt", "HMS-nr", "ISO-klasse", "Serienummer", "NAVs serienummer", "Eier",
                   "Status", "Lokasjon", "Registrert")


def device_export_rows(session: Session, product_id: int | None = None, state: str | None = None,
                       owner: str | None = None, location_code: str | None = None, q: str | None = None,
                       iso_class: str | None = None) -> Iterator[tuple]:
    """Newest first, as the list; the filters are checked now (an unknown place is refused before the
    download starts), the rows read while it is sent."""
    where = _device_filter(session, q, product_id, iso_class, state, owner, location_code)
    stmt = (select(Device.barcode, Product.name, Product.hms_nr, Product.iso_class, Device.serial_number,
                   Device.nav_serial, Device.owner, Device.state, Location.code, Device.registered_at)
            .join(Product, Product.id == Device.product_id).outerjoin(Location, Location.id == Device.location_id)
            .where(*where).order_by(Device.id.desc()))
    return ((barcode, name, hms_nr, iso, serial, nav_serial, OWNER_LABELS.get(owner, owner),
             STATE_LABELS.get(device_state, device_state), code, registered)
            for barcode, name, hms_nr, iso, serial, nav_serial, owner, device_state, code, registered
            in streamed(session, stmt))
