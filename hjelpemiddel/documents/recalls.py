"""A recall's board as CSV for the manufacturer: a pure builder, rows in → bytes out. Each row has
``serial``, ``hms_nr``, ``found``, ``action``, ``by`` and ``when`` (no citizen's name)."""
from __future__ import annotations

from ..core.exports import csv_bytes

CSV_HEADER = ("Serienummer", "HMS-nr", "Funnet", "Tiltak", "Utført av", "Tidspunkt")


def recall_csv(rows, local=lambda moment: moment) -> bytes:
    """Semicolons and a byte-order mark, as Norwegian Excel reads it (``core.exports``)."""
    return csv_bytes(CSV_HEADER, ((row.serial, row.hms_nr, row.found, row.action, row.by,
                                   local(row.when) if row.when else None) for row in rows))
