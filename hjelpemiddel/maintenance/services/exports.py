"""Quarantine, spare parts and their movements, failure figures, units in washing and inspection and
the maintenance plans as rows for a download (``core.exports``): every row the list's filters match."""
from __future__ import annotations

from sqlalchemy.orm import Session

from ...catalog.iso import format_iso_class
from ...catalog.models import Product
from ...core.paging import streamed
from ...core.sorting import SortOrder, order_by_columns
from ...stock.lifecycle import STATE_LABELS
from ..models import MaintenancePlan, Quarantine
from .cleaning import in_maintenance_stmt
from .failures import FailureFigure
from .parts import MovementLine, get_spare_part, movement_lines_stmt, spare_parts_stmt
from .plans import CHECKLIST_NAMES, plans_stmt
from .quarantine import QUARANTINE_SORTS, REASON_LABELS, quarantined_stmt

QUARANTINE_HEADINGS = ("Strekkode", "Produkt", "Lokasjon", "Årsak", "Merknad", "Status før karantene", "Siden")
SPARE_PART_HEADINGS = ("Delenummer", "Navn", "På lager", "Minimum", "Under minimum", "Lokasjon", "Merknad")
FAILURE_HEADINGS = ("Produkt", "HMS-nr", "ISO-klasse", "Reparasjoner", "Utlånsmåneder",
                    "Reparasjoner per 100 utlånsmåneder", "Vanligste årsaker")
IN_MAINTENANCE_HEADINGS = ("Strekkode", "Produkt", "HMS-nr", "Status", "Lokasjon", "Sist endret")
PLAN_HEADINGS = ("ISO-klasse", "Produkt", "HMS-nr", "Navn", "Intervall (måneder)", "Kontroll etter hvert utlån",
                 "Sjekkliste", "Merknad", "Sist endret")
MOVEMENT_HEADINGS = ("Tidspunkt", "Delenummer", "Reservedel", "Hendelse", "Endring", "Antall etter",
                     "Reparasjon av", "Registrert av", "Merknad")


def quarantine_export_rows(session: Session, reason: str | None = None, q: str | None = None,
                           sort: SortOrder = SortOrder("siden", descending=True)):
    stmt = quarantined_stmt(reason, q).order_by(*order_by_columns(QUARANTINE_SORTS, sort, Quarantine.id))
    return ((barcode, name, code, REASON_LABELS.get(quarantine.reason, quarantine.reason), quarantine.note,
             STATE_LABELS.get(quarantine.from_state, quarantine.from_state), quarantine.opened_at)
            for quarantine, barcode, name, code in streamed(session, stmt))


def spare_part_export_rows(session: Session, q: str | None = None, below_minimum: bool = False):
    return ((part.part_number, part.name, part.quantity, part.minimum_quantity,
             part.quantity < part.minimum_quantity, code, part.note)
            for part, code in streamed(session, spare_parts_stmt(q, below_minimum)))


def failure_export_rows(figures: list[FailureFigure]):
    """The figures already computed for the page (one row per product, a bounded list)."""
    return ((f.product_name, f.hms_nr, f.iso_class, f.repairs, round(f.loan_months, 1),
             round(f.repairs_per_100_loan_months, 1) if f.repairs_per_100_loan_months is not None else None,
             ", ".join(f"{cause.label} ({cause.count})" for cause in f.top_causes)) for f in figures)


def in_maintenance_export_rows(session: Session, q: str | None = None):
    """The depot page's «Vask og kontroll»: the same units as the list (``q`` searched the same way), the
    latest to arrive first."""
    return ((device.barcode, device.product.name, device.product.hms_nr, STATE_LABELS.get(device.state, device.state),
             device.location.code if device.location else None, device.updated_at)
            for device in streamed(session, in_maintenance_stmt(session, q), scalars=True))


def plan_export_rows(session: Session):
    """Every maintenance plan, with its product by name and its checklist by title."""
    stmt = (plans_stmt().add_columns(Product.name, Product.hms_nr)
            .outerjoin(Product, Product.id == MaintenancePlan.product_id))
    return ((format_iso_class(plan.iso_prefix) if plan.iso_prefix else None, product, hms_nr, plan.name,
             plan.interval_months, plan.after_each_loan,
             CHECKLIST_NAMES[plan.checklist].title if plan.checklist in CHECKLIST_NAMES else plan.checklist,
             plan.note, plan.updated_at)
            for plan, product, hms_nr in streamed(session, stmt))


def movement_export_rows(session: Session, part_id: int, reason: str | None = None):
    """One part's movements (of one kind if ``reason``), newest first, the repair by the unit repaired;
    an unknown part is refused (404) before the download starts."""
    part = get_spare_part(session, part_id)
    number, name = part.part_number, part.name
    return ((line.moved_at, number, name, line.reason_label, line.delta, line.quantity_after,
             line.repaired_barcode, line.actor, line.note)
            for line in (MovementLine(*row) for row in streamed(session, movement_lines_stmt(part_id, reason))))
