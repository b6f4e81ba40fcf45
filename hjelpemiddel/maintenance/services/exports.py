"""Quarantine, spare parts and failure figures as rows for a download (``core.exports``): every row
the list's filters match."""
from __future__ import annotations

from sqlalchemy.orm import Session

from ...core.paging import streamed
from ...core.sorting import SortOrder, order_by_columns
from ...stock.lifecycle import STATE_LABELS
from ..models import Quarantine
from .failures import FailureFigure
from .parts import spare_parts_stmt
from .quarantine import QUARANTINE_SORTS, REASON_LABELS, quarantined_stmt

QUARANTINE_HEADINGS = ("Strekkode", "Produkt", "Lokasjon", "Årsak", "Merknad", "Status før karantene", "Siden")
SPARE_PART_HEADINGS = ("Delenummer", "Navn", "På lager", "Minimum", "Under minimum", "Lokasjon", "Merknad")
FAILURE_HEADINGS = ("Produkt", "HMS-nr", "ISO-klasse", "Reparasjoner", "Utlånsmåneder",
                    "Reparasjoner per 100 utlånsmåneder", "Vanligste årsaker")


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
