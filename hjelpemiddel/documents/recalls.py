"""A recall's board as CSV for the manufacturer: a pure builder, rows in → bytes out. Each row has
``serial``, ``hms_nr``, ``found``, ``action``, ``by`` and ``when`` (no citizen's name)."""
from __future__ import annotations

import csv
import io

CSV_HEADER = ("Serienummer", "HMS-nr", "Funnet", "Tiltak", "Utført av", "Tidspunkt")


def _cell(value: str) -> str:
    # A cell starting with = + - @ is a formula to a spreadsheet: texts come from people.
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def recall_csv(rows, local=lambda moment: moment) -> bytes:
    """Semicolons and a byte-order mark, as Norwegian Excel reads it."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for row in rows:
        writer.writerow([_cell(row.serial), row.hms_nr, row.found, _cell(row.action), _cell(row.by),
                         local(row.when).strftime("%d.%m.%Y %H:%M") if row.when else ""])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
