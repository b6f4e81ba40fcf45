"""The NAV lists as rows for a download (``core.exports``): upcoming deliveries, arrivals that matched
no order line, NAV units back from loan awaiting a decision, and part orders; every row the list's
filters match. Citizens by their masked name as on the page; never an fnr (an order line keeps only
its keyed hash, and no hash is written)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from ...catalog.models import Product
from ...citizens.services import masked_name
from ...core.auth import User
from ...core.paging import streamed
from ...stock.models import Device, DeviceEvent, Location
from ..models import NavArrival, PartOrder
from .common import SHIPPED_STATUSES, order_line_status_label
from .loans import nav_returns_stmt
from .part_orders import LEVERING_LABELS, PART_STATUS_LABELS, part_orders_stmt
from .receiving import arrivals_stmt
from .sync import LINE_STATE_LABELS, upcoming_stmt

UPCOMING_HEADINGS = ("Ventet", "Sendt fra NAV", "Hva", "Type", "Antall", "Mottatt", "HMS-nr", "Serienr", "Til",
                     "Koblet til behov", "Ordre", "Linje", "NAV-status", "Status")
ARRIVAL_HEADINGS = ("Mottatt", "HMS-nr", "Serienr", "Merknad", "Mottatt av", "Status", "Avklart", "Hva ble gjort",
                    "Avklart av", "Strekkode")
NAV_RETURN_HEADINGS = ("Strekkode", "Produkt", "HMS-nr", "Serienr", "Lokasjon", "Mottatt i retur")
PART_ORDER_HEADINGS = ("Bestilt", "Strekkode", "Produkt", "HMS-nr", "Serienr", "Deler", "Levering", "Status",
                       "Saksnummer hos NAV", "Ventet levert", "Avvist fordi", "Bestilt av")
ARRIVAL_STATUS_LABELS = {"open": "Ikke avklart", "resolved": "Avklart"}


def upcoming_export_rows(session: Session, state: str | None = "expected", q: str | None = None):
    """The order lines of one state (the page's: those still expected), by expected date. «Sendt fra
    NAV» says whether the date is the shipment's arrival or, not yet sent, NAV's latest."""
    return ((line.expected_on, (line.nav_status or "").upper() in SHIPPED_STATUSES, line.description,
             "Del" if line.item_type == "Del" else "Hjelpemiddel", line.quantity, line.received_quantity, line.hms_nr,
             ", ".join(line.serials or []), masked_name(name) if name else None, line.need_id is not None,
             line.ordre_number, line.line_number, order_line_status_label(line.nav_status),
             LINE_STATE_LABELS.get(line.state, line.state))
            for line, name in streamed(session, upcoming_stmt(state, q)))


def arrival_export_rows(session: Session, status: str | None = "open"):
    """Arrivals of one status (the page's: those not yet resolved), the latest first."""
    received_by, resolved_by = aliased(User), aliased(User)
    stmt = (arrivals_stmt(status)
            .add_columns(received_by.full_name, received_by.username, resolved_by.full_name, resolved_by.username,
                         Device.barcode)
            .outerjoin(received_by, received_by.id == NavArrival.received_by_id)
            .outerjoin(resolved_by, resolved_by.id == NavArrival.resolved_by_id)
            .outerjoin(Device, Device.id == NavArrival.device_id))
    return ((arrival.received_at, arrival.hms_nr, arrival.serial, arrival.note, received_name or received_user,
             ARRIVAL_STATUS_LABELS.get(arrival.status, arrival.status), arrival.resolved_at, arrival.resolution,
             resolved_name or resolved_user, barcode)
            for arrival, received_name, received_user, resolved_name, resolved_user, barcode
            in streamed(session, stmt))


def nav_return_export_rows(session: Session):
    """NAV units back from loan waiting for «send to NAV» or «keep», the longest waiting first."""
    returned_at = (select(DeviceEvent.occurred_at).where(DeviceEvent.device_id == Device.id,
                                                        DeviceEvent.kind == "return_received")
                   .order_by(DeviceEvent.id.desc()).limit(1).scalar_subquery())
    stmt = (nav_returns_stmt().with_only_columns(Device.barcode, Product.name, Device.nav_hms_nr, Device.nav_serial,
                                                 Location.code, returned_at)
            .join(Product, Product.id == Device.product_id).outerjoin(Location, Location.id == Device.location_id))
    return (tuple(row) for row in streamed(session, stmt))


def _part_status(order: PartOrder) -> str:
    # The label without its date: the expected delivery has a column of its own.
    if order.status in ("queued", "refused", "received"):
        return PART_STATUS_LABELS[order.status]
    return PART_STATUS_LABELS.get(order.nav_status or "INNSENDT", order.nav_status or "")


def _parts(lines: list[dict]) -> str:
    return ", ".join(f"{line.get('antall')} × {line.get('navn')} ({line.get('hmsnr')})" for line in lines or [])


def part_order_export_rows(session: Session, barcode: str | None = None, open_only: bool = False):
    """Part orders, the newest first, one unit's or all, open only or all; an unknown barcode is refused
    (404) before the download starts."""
    stmt = (part_orders_stmt(session, barcode, open_only)
            .add_columns(Device.barcode, Product.name, Device.nav_hms_nr, Device.nav_serial, User.full_name,
                         User.username)
            .join(Device, Device.id == PartOrder.device_id).join(Product, Product.id == Device.product_id)
            .outerjoin(User, User.id == PartOrder.created_by_id))
    return ((order.created_at, device_barcode, product, hms_nr, serial, _parts(order.lines),
             LEVERING_LABELS.get(order.levering, order.levering), _part_status(order), order.saksnummer,
             order.expected_delivery, order.refusal_message or None, full_name or username)
            for order, device_barcode, product, hms_nr, serial, full_name, username in streamed(session, stmt))
