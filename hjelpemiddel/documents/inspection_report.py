"""A unit's inspection report (kontrollrapport) as a PDF, in the run sheets' look: pure, data in →
bytes out. The report carries the unit, its plan, and its inspections newest first, each with its
checklist answers, result, who, when and the next due date, as FOR-2013-11-29-1373 asks to be kept."""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime

from .sheet import (BOLD, CONTENT_WIDTH, INK, LEFT, REGULAR, RIGHT, RULE, draw_fitted,
                    Pages, draw_sheet_title, new_canvas, printed_time, text)


@dataclass(frozen=True)
class CheckedPoint:
    point: str
    ok: bool
    reason: str = ""


@dataclass(frozen=True)
class InspectionEntry:
    inspected_at: datetime      # local time
    kind: str                   # «Periodisk kontroll» / «Kontroll etter utlån»
    place: str                  # «På lageret» / «Hos bruker»
    inspector: str
    passed: bool
    next_due_on: date | None
    note: str
    points: tuple[CheckedPoint, ...]


@dataclass(frozen=True)
class InspectionReport:
    barcode: str
    product: str
    hms_nr: str
    serial: str
    owner: str
    plan: str                   # «Personløftere: hver 6. måned og etter hvert utlån», or «Ingen plan»
    due_on: date | None
    entries: tuple[InspectionEntry, ...]


def _day(value: date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else "–"


def inspection_report_pdf(report: InspectionReport, depot: str, printed: datetime) -> bytes:
    buffer = io.BytesIO()
    title = f"Kontrollrapport {report.barcode}"
    canvas = new_canvas(buffer, title, depot, "Kontrollrapport")
    y = draw_sheet_title(canvas, title, depot, "Kontrollrapport") - 16
    for label, value in (("Hjelpemiddel", report.product), ("HMS-nr", report.hms_nr or "–"),
                         ("Serienummer", report.serial or "–"), ("Eier", report.owner), ("Kontrollplan", report.plan),
                         ("Neste periodiske kontroll", _day(report.due_on))):
        canvas.setFont(BOLD, 9)
        canvas.drawString(LEFT, y, text(label))
        draw_fitted(canvas, LEFT + 130, y, text(value), REGULAR, 9, CONTENT_WIDTH - 130, min_size=7)
        y -= 13
    y -= 6
    pages = Pages(canvas, title, f"{depot} · {title} · skrevet ut {printed_time(printed)}")
    room = pages.room

    if not report.entries:
        canvas.setFont(REGULAR, 9)
        canvas.drawString(LEFT, y, "Ingen kontroller er registrert.")
    for entry in report.entries:
        y = room(y, 40)
        canvas.setStrokeGray(RULE)
        canvas.line(LEFT, y + 9, RIGHT, y + 9)
        canvas.setStrokeGray(INK)
        verdict = "Bestått" if entry.passed else "Ikke bestått"
        draw_fitted(canvas, LEFT, y, text(f"{printed_time(entry.inspected_at)} · {entry.kind} · {entry.place} · "
                                          f"{verdict}"), BOLD, 9.5, CONTENT_WIDTH, min_size=7)
        y -= 12
        canvas.setFont(REGULAR, 8.5)
        draw_fitted(canvas, LEFT, y, text(f"Kontrollert av {entry.inspector or '–'} · neste periodiske kontroll "
                                          f"{_day(entry.next_due_on)}"), REGULAR, 8.5, CONTENT_WIDTH, min_size=6.5)
        y -= 12
        for point in entry.points:
            y = room(y, 11)
            mark = "OK" if point.ok else "Avvik"
            draw_fitted(canvas, LEFT + 8, y, text(mark), BOLD if not point.ok else REGULAR, 8.5, 40)
            draw_fitted(canvas, LEFT + 50, y, text(point.point + (f" – {point.reason}" if point.reason else "")),
                        REGULAR, 8.5, CONTENT_WIDTH - 50, min_size=6.5)
            y -= 11
        if entry.note:
            y = room(y, 11)
            draw_fitted(canvas, LEFT + 8, y, text(f"Merknad: {entry.note}"), REGULAR, 8.5, CONTENT_WIDTH - 8, min_size=6.5)
            y -= 11
        y -= 8
    pages.footer()
    canvas.save()
    return buffer.getvalue()
