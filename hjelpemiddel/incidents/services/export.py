"""One incident in the fields NAV's incident form asks for, as JSON and as CSV for a spreadsheet."""
from __future__ import annotations

from ...core.exports import csv_bytes
from ...core.text import local_time
from ..models import Incident
from .reporting import INJURY_LABELS

# (program name, heading): the order NAV's form asks in.
EXPORT_FIELDS = (
    ("device_name", "Navn på hjelpemiddel"),
    ("product_number", "Produktnummer (HMS-nr)"),
    ("serial_number", "Serienummer"),
    ("place", "Sted"),
    ("cause", "Hva skjedde (årsak)"),
    ("injury", "Personskade"),
    ("date", "Dato"),
    ("barcode", "Strekkode"),
    ("owner", "Eier"),
)


def incident_export(incident: Incident) -> dict:
    """The form's values: for a NAV-owned unit NAV's HMS-nr and serial, else the product's and ours."""
    nav_owned = incident.owner == "nav"
    return {
        "device_name": incident.product_name,
        "product_number": (incident.nav_hms_nr if nav_owned else incident.product_hms_nr) or "",
        "serial_number": (incident.nav_serial if nav_owned else incident.serial_number) or "",
        "place": incident.place,
        "cause": incident.description,
        "injury": INJURY_LABELS[incident.injury],
        "date": local_time(incident.reported_at).date().isoformat(),
        "barcode": incident.barcode,
        "owner": "NAV" if nav_owned else "Kommunen",
    }


def incident_csv(incident: Incident) -> bytes:
    """Semicolons and a byte-order mark, as Norwegian Excel reads it; the date as people write it."""
    values = incident_export(incident)
    values["date"] = local_time(incident.reported_at).date()
    return csv_bytes([heading for _, heading in EXPORT_FIELDS], [[values[name] for name, _ in EXPORT_FIELDS]])
