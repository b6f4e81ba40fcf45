"""What goes on a device's or a location's label, and the bytes for the layout's printer."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...catalog.iso import format_iso_class
from ...catalog.models import Product
from ...core.errors import NotFound, ValidationFailed
from ...core.ids import normalize_scan
from ...documents.labels import LabelData, build_labels_pdf, build_labels_zpl
from ..models import Device
from .devices import MAX_LABELS_PER_REQUEST
from .locations import get_location

OWNER_LABELS = {"kommune": "Kommunen", "nav": "NAV"}


def device_label_data(session: Session, barcodes: list[str], footer: str = "") -> list[LabelData]:
    """Label contents for the given devices, in the order given; unknown codes are named together."""
    codes = [normalize_scan(code) for code in barcodes]
    if not codes:
        raise ValidationFailed.for_field("barcodes", "Oppgi minst én strekkode.")
    if len(codes) > MAX_LABELS_PER_REQUEST:
        raise ValidationFailed.for_field("barcodes", f"Høyst {MAX_LABELS_PER_REQUEST} etiketter om gangen.")
    rows = session.execute(select(Device, Product).join(Product, Product.id == Device.product_id)
                           .where(Device.barcode.in_(set(codes))))
    by_code = {device.barcode: (device, product) for device, product in rows}
    unknown = [code for code in codes if code not in by_code]
    if unknown:
        raise NotFound("Ukjent strekkode: " + ", ".join(unknown[:20]) + ("…" if len(unknown) > 20 else ""),
                       {"unknown": unknown})
    return [_device_label(*by_code[code], footer) for code in codes]


def _device_label(device: Device, product: Product, footer: str) -> LabelData:
    lines = []
    if device.serial_number:
        lines.append(f"Serienr {device.serial_number}")
    if device.owner == "nav":
        lines.append(f"NAV {device.nav_hms_nr} / {device.nav_serial}")
    lines.append(f"ISO {format_iso_class(product.iso_class)}")
    return LabelData(code=device.barcode, title=product.name, lines=tuple(lines), footer=footer)


def location_label_data(session: Session, codes: list[str], footer: str = "") -> list[LabelData]:
    locations = [get_location(session, code) for code in codes]
    return [LabelData(code=loc.barcode, title=f"Lokasjon {loc.code}", lines=(loc.name,) if loc.name else (),
                      footer=footer) for loc in locations]


def labels_per_sheet(layout) -> int:
    """1 for a roll (one label per PDF page, or a label printer's ZPL), else the labels on a sheet."""
    return layout.labels_per_page if layout.kind == "pdf" else 1


def check_start_position(layout, start_position) -> int:
    """How many used labels to skip on the first sheet, as a whole number the layout allows: none on
    a roll, 0 to labels per sheet − 1 on a sheet."""
    per_page = labels_per_sheet(layout)
    if per_page == 1:
        message = (f"Oppsettet «{layout.name}» har én etikett per side, så det er ingen brukte etiketter å "
                   "hoppe over. La feltet stå på 0.")
    else:
        message = (f"Må være et heltall fra 0 til {per_page - 1} for oppsettet «{layout.name}» "
                   f"({per_page} etiketter per ark).")
    try:
        number = int(start_position or 0)
    except (TypeError, ValueError):
        raise ValidationFailed.for_field("start_position", message) from None
    if not 0 <= number < per_page:
        raise ValidationFailed.for_field("start_position", message)
    return number


def render_labels(labels: list[LabelData], layout, start_position: int | str = 0) -> tuple[bytes, str]:
    """Bytes and media type for the layout's printer language."""
    start_position = check_start_position(layout, start_position)
    if layout.kind == "zpl":
        return build_labels_zpl(labels, layout), "application/zpl"
    return build_labels_pdf(labels, layout, start_position), "application/pdf"
