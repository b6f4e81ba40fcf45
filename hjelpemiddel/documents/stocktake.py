"""A stocktake's result as a PDF (the run sheets' look) and as CSV: pure builders, data in → bytes
out. ``report`` is a ``stocktake.services.StocktakeReport`` or anything with its fields (``summary`` counts
by the keys of ``summary_labels``, in that order); its lines
have ``outcome_label``, ``barcode``, ``product_name``, ``expected_code``, ``counted_code`` and
``remark`` (the decision, or what moved a unit during the count)."""
from __future__ import annotations

import io
from datetime import datetime

from ..core.exports import csv_bytes
from .sheet import (BOLD, BOTTOM, CONTENT_WIDTH, INK, LEFT, REGULAR, RIGHT, RULE, draw_fitted,
                    Pages, draw_sheet_title, new_canvas, printed_time, text)

OUTCOME_ORDER = ("missing", "misplaced", "unexpected", "moved", "found")
# Column: title, share of the width.
COLUMNS = (("Utfall", 0.17), ("Strekkode", 0.14), ("Produkt", 0.31), ("Systemet har", 0.12), ("Telt på", 0.12),
           ("Justering, merknad", 0.14))
ROW = 13
CSV_HEADER = ("utfall", "strekkode", "produkt", "systemet_har", "telt_pa", "telt_av", "telt", "justering_merknad")


def _when(moment: datetime | None, local) -> str:
    return printed_time(local(moment)) if moment else "–"


def stocktake_pdf(report, depot: str, local=lambda moment: moment) -> bytes:
    """The result on A4: the summary first, then every line, most urgent outcomes first. ``local``
    turns a UTC time into the depot's."""
    buffer = io.BytesIO()
    title = f"Varetelling nr. {report.number}: {report.scope}"
    canvas = new_canvas(buffer, title, depot, "Resultat av varetelling")
    y = draw_sheet_title(canvas, title, depot, "Resultat av varetelling") - 16
    canvas.setFont(REGULAR, 9)
    canvas.drawString(LEFT, y, text(f"Startet {_when(report.started_at, local)} · avsluttet "
                                    f"{_when(report.closed_at, local)} · {'blind telling' if report.blind else 'åpen telling'}"
                                    f" · {report.expected_units} ventet ved start"))
    y -= 16
    for key, label in report.summary_labels.items():
        canvas.setFont(BOLD, 9)
        canvas.drawString(LEFT, y, text(label))
        canvas.drawRightString(LEFT + 150, y, str(report.summary.get(key, 0)))
        y -= 12
    y -= 8
    pages = Pages(canvas, title, f"{depot} · {title}")

    def head(y: float) -> float:
        canvas.setFont(BOLD, 8)
        x = LEFT
        for name, share in COLUMNS:
            canvas.drawString(x, y, name)
            x += share * CONTENT_WIDTH
        canvas.setStrokeGray(RULE)
        canvas.line(LEFT, y - 3, RIGHT, y - 3)
        canvas.setStrokeGray(INK)
        return y - ROW

    y = head(y)
    order = {outcome: rank for rank, outcome in enumerate(OUTCOME_ORDER)}
    for line in sorted(report.lines, key=lambda line: (order.get(line.outcome, 9), line.id)):
        if y < BOTTOM:
            y = head(pages.room(y, 0))
        x = LEFT
        values = (line.outcome_label, line.barcode, line.product_name, line.expected_code or "–",
                  line.counted_code or "–", line.remark or "")
        for value, (_name, share) in zip(values, COLUMNS):
            draw_fitted(canvas, x, y, text(value), REGULAR, 8, share * CONTENT_WIDTH - 4, min_size=6)
            x += share * CONTENT_WIDTH
        y -= ROW
    if not report.lines:
        canvas.setFont(REGULAR, 9)
        canvas.drawString(LEFT, y, "Ingen hjelpemidler var ventet eller telt.")
    pages.footer()
    canvas.save()
    return buffer.getvalue()


def stocktake_csv(report, local=lambda moment: moment) -> bytes:
    """The lines as CSV for a spreadsheet (``core.exports``: semicolons and a byte-order mark)."""
    return csv_bytes(CSV_HEADER, ((line.outcome_label, line.barcode, line.product_name, line.expected_code or "",
                                   line.counted_code or "", line.counted_by or "",
                                   local(line.counted_at) if line.counted_at else None, line.remark or "")
                                  for line in report.lines))
