"""The look both run sheets (pick list and delivery log) share: page frame, heads and footer
(``RunSheet``), header cells, text that always fits its box, checkboxes and barcodes, so the two
read as one family of forms."""
from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from .barcodes import Code128Symbol, code128_module, code128_symbol, draw_code128
from .runs import DeliveryLogData, PickListData
from .text_fit import Measure, cut_to_width, fit_to_width, longest_start, pdf_text

REGULAR = "Helvetica"
BOLD = "Helvetica-Bold"
ITALIC = "Helvetica-Oblique"
# Standard PDF fonts in WinAnsi: æøå ÆØÅ « » – … print as they are, nothing to embed.

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 15 * mm
LEFT = MARGIN
RIGHT = PAGE_WIDTH - MARGIN
CONTENT_WIDTH = RIGHT - LEFT
TOP = PAGE_HEIGHT - 13 * mm
BOTTOM = 17 * mm          # lowest point content may reach; the footer sits below it
FOOTER_BASELINE = 9 * mm

INK = 0.0                 # grey levels, 0 black .. 1 white: forms print on office laser printers
MUTED = 0.35
RULE = 0.55
FAINT = 0.8
BAND = 0.9

BARCODE_MODULE = 0.33 * mm
BARCODE_MIN_MODULE = 0.25 * mm   # still decodes from a 200 dpi scan
QUIET_ZONE = 10                  # modules each side


def text(value: object) -> str:
    """One line of text that a standard PDF font can print (runs of whitespace collapse)."""
    return pdf_text("" if value is None else str(value))


def width_of(value: str, font: str, size: float) -> float:
    return stringWidth(value, font, size)


def _measure(font: str) -> Measure:
    return lambda value, size: stringWidth(value, font, size)


def ellipsize(value: str, font: str, size: float, width: float) -> str:
    """The longest start of ``value`` that fits ``width`` with "…" after it (all of it if it fits)."""
    return cut_to_width(value, size, width, _measure(font))


def fit(value: str, font: str, size: float, width: float, min_size: float | None = None) -> tuple[str, float]:
    """Shrink towards ``min_size``, then cut with "…", until one line fits ``width``."""
    floor = size if min_size is None else min_size
    return fit_to_width(value, size, floor, width, _measure(font))


def wrap(value: str, font: str, size: float, width: float, max_lines: int) -> list[str]:
    """Word-wrapped lines, at most ``max_lines``; what does not fit ends the last line with "…"."""
    lines: list[str] = []
    current = ""
    for word in value.split():
        candidate = f"{current} {word}" if current else word
        if width_of(candidate, font, size) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        while width_of(word, font, size) > width and len(lines) <= max_lines:  # longer than a line: break it
            fits = longest_start(word, lambda start: width_of(start, font, size) <= width, at_least=1)
            lines.append(word[:fits])
            word = word[fits:]
        current = word
        if len(lines) > max_lines:
            break
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        # The rest never fits one line (wrapping would have joined it), so this always ends in "…".
        lines = lines[: max_lines - 1] + [ellipsize(" ".join(lines[max_lines - 1:]), font, size, width)]
    return lines


def draw_fitted(canvas: Canvas, x: float, baseline: float, value: str, font: str, size: float, width: float,
                min_size: float | None = None, align: str = "left") -> float:
    """Draws one line inside [x, x + width]; returns the size used."""
    value, size = fit(value, font, size, width, min_size)
    if not value:
        return size
    canvas.setFont(font, size)
    if align == "right":
        canvas.drawRightString(x + width, baseline, value)
    elif align == "center":
        canvas.drawCentredString(x + width / 2, baseline, value)
    else:
        canvas.drawString(x, baseline, value)
    return size


def draw_lines(canvas: Canvas, x: float, baseline: float, lines: Sequence[str], font: str, size: float,
               leading: float) -> float:
    """Draws pre-wrapped lines downwards; returns the baseline after the last one."""
    canvas.setFont(font, size)
    for line in lines:
        canvas.drawString(x, baseline, line)
        baseline -= leading
    return baseline


def printed_time(moment: datetime) -> str:
    return f"{moment:%d.%m.%Y} kl. {moment:%H:%M}"


def count_words(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def new_canvas(buffer: io.BytesIO, title: str, author: str, subject: str) -> Canvas:
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1, invariant=1)
    canvas.setTitle(title)
    canvas.setAuthor(author)
    canvas.setSubject(subject)
    canvas.setCreator("Hjelpemiddel")
    return canvas


def draw_sheet_title(canvas: Canvas, title: str, depot: str, kind: str) -> float:
    """The first page's title line: form kind above the title, depot on the right; returns the y below."""
    canvas.setFillGray(MUTED)
    draw_fitted(canvas, LEFT, TOP - 7, kind.upper(), BOLD, 7.5, CONTENT_WIDTH * 0.45)
    draw_fitted(canvas, LEFT + CONTENT_WIDTH * 0.45, TOP - 7, depot, BOLD, 9, CONTENT_WIDTH * 0.55,
                min_size=7, align="right")
    canvas.setFillGray(INK)
    draw_fitted(canvas, LEFT, TOP - 25, title, BOLD, 19, CONTENT_WIDTH, min_size=12)
    rule_y = TOP - 32
    canvas.setLineWidth(1.6)
    canvas.line(LEFT, rule_y, RIGHT, rule_y)
    return rule_y


def draw_running_head(canvas: Canvas, title: str, details: str) -> float:
    """A continuation page's one-line head; returns the y below it."""
    draw_fitted(canvas, LEFT, TOP - 10, title, BOLD, 11, CONTENT_WIDTH * 0.55, min_size=8)
    canvas.setFillGray(MUTED)
    draw_fitted(canvas, LEFT + CONTENT_WIDTH * 0.55, TOP - 10, details, REGULAR, 8.5, CONTENT_WIDTH * 0.45,
                min_size=6.5, align="right")
    canvas.setFillGray(INK)
    rule_y = TOP - 15
    canvas.setLineWidth(1)
    canvas.line(LEFT, rule_y, RIGHT, rule_y)
    return rule_y


def draw_page_number_footer(canvas: Canvas, page: int, left_text: str) -> None:
    """A one-line footer for documents whose page count is not known in advance (a result, a report)."""
    canvas.setFillGray(MUTED)
    canvas.setFont(REGULAR, 7.5)
    canvas.drawString(LEFT, FOOTER_BASELINE, text(left_text))
    canvas.drawRightString(RIGHT, FOOTER_BASELINE, f"Side {page}")
    canvas.setFillGray(INK)


class Pages:
    """Page breaks for a document whose length is not known in advance (a result, a report): every page
    ends with a numbered footer, every page after the first starts with a running head."""

    def __init__(self, canvas: Canvas, title: str, footer_text: str, gap: float = 14):
        self.canvas, self.title, self.footer_text, self.gap, self.number = canvas, title, footer_text, gap, 1

    def footer(self) -> None:
        draw_page_number_footer(self.canvas, self.number, self.footer_text)

    def room(self, y: float, needed: float) -> float:
        """``y`` if ``needed`` points fit below it on this page, else the top of a new page."""
        if y - needed >= BOTTOM:
            return y
        self.footer()
        self.canvas.showPage()
        self.number += 1
        return draw_running_head(self.canvas, self.title, f"side {self.number}") - self.gap


@dataclass(frozen=True)
class Cell:
    label: str
    value: str           # "" draws a line to write on
    width: float         # share of the row, in points
    value_size: float = 11


def draw_cells(canvas: Canvas, top: float, cells: Sequence[Cell], height: float = 11.5 * mm) -> float:
    """A row of boxed fields, small label above a value or a writing line; returns the y below."""
    canvas.setLineWidth(0.6)
    canvas.setStrokeGray(RULE)
    x = LEFT
    for cell in cells:
        canvas.rect(x, top - height, cell.width, height, stroke=1, fill=0)
        canvas.setFillGray(MUTED)
        draw_fitted(canvas, x + 2 * mm, top - 3.4 * mm, cell.label, REGULAR, 7, cell.width - 4 * mm, min_size=5.5)
        canvas.setFillGray(INK)
        if cell.value:
            draw_fitted(canvas, x + 2 * mm, top - height + 2.6 * mm, cell.value, BOLD, cell.value_size,
                        cell.width - 4 * mm, min_size=7)
        else:
            canvas.setStrokeGray(INK)
            canvas.setDash(1, 1.5)
            canvas.line(x + 2 * mm, top - height + 2.2 * mm, x + cell.width - 2 * mm, top - height + 2.2 * mm)
            canvas.setDash()
            canvas.setStrokeGray(RULE)
        x += cell.width
    canvas.setStrokeGray(INK)
    return top - height


def draw_checkbox(canvas: Canvas, x: float, top: float, size: float, ticked: bool = False) -> None:
    canvas.setLineWidth(1)
    canvas.setStrokeGray(INK)
    canvas.rect(x, top - size, size, size, stroke=1, fill=0)
    if ticked:
        canvas.setLineWidth(max(1.4, size / 7))
        canvas.setLineCap(1)
        canvas.setLineJoin(1)
        path = canvas.beginPath()
        path.moveTo(x + size * 0.2, top - size * 0.55)
        path.lineTo(x + size * 0.42, top - size * 0.8)
        path.lineTo(x + size * 0.85, top - size * 0.18)
        canvas.drawPath(path, stroke=1, fill=0)
        canvas.setLineCap(0)
        canvas.setLineJoin(0)
        canvas.setLineWidth(1)


NOTICE_HEIGHT = 24 * mm


def draw_notice(canvas: Canvas, top: float, heading: str, note: str = "") -> None:
    """A grey box across the page saying there is nothing to list, with ``note`` under the heading."""
    canvas.setLineWidth(1)
    canvas.setFillGray(0.96)
    canvas.rect(LEFT, top - NOTICE_HEIGHT, CONTENT_WIDTH, NOTICE_HEIGHT, stroke=1, fill=1)
    canvas.setFillGray(INK)
    draw_fitted(canvas, LEFT, top - (11 if note else 13.5) * mm, heading, BOLD, 14, CONTENT_WIDTH, align="center")
    if note:
        canvas.setFillGray(MUTED)
        draw_fitted(canvas, LEFT, top - 17.5 * mm, note, REGULAR, 9, CONTENT_WIDTH, align="center")
        canvas.setFillGray(INK)


def draw_footer(canvas: Canvas, page: int, pages: int, left_text: str, middle_text: str) -> None:
    canvas.setLineWidth(0.5)
    canvas.setStrokeGray(RULE)
    canvas.line(LEFT, FOOTER_BASELINE + 4.5 * mm, RIGHT, FOOTER_BASELINE + 4.5 * mm)
    canvas.setStrokeGray(INK)
    canvas.setFillGray(MUTED)
    draw_fitted(canvas, LEFT, FOOTER_BASELINE, left_text, REGULAR, 7.5, CONTENT_WIDTH * 0.45, min_size=6)
    draw_fitted(canvas, LEFT + CONTENT_WIDTH * 0.45, FOOTER_BASELINE, middle_text, REGULAR, 7.5,
                CONTENT_WIDTH * 0.3, min_size=6, align="center")
    canvas.setFillGray(INK)
    draw_fitted(canvas, RIGHT - CONTENT_WIDTH * 0.25, FOOTER_BASELINE, f"Side {page} av {pages}", BOLD, 8.5,
                CONTENT_WIDTH * 0.25, align="right")


@dataclass(frozen=True)
class Barcode:
    """A device code ready to draw: its bars sized to a box, and the human-readable code."""

    code: str
    symbol: Code128Symbol | None   # None: no code given, only "–" is printed
    module: float

    @classmethod
    def for_box(cls, code: str, width: float) -> Barcode:
        code = code.strip()
        if not code:
            return cls("", None, 0.0)
        symbol = code128_symbol(code)
        return cls(code, symbol, code128_module(symbol, width, BARCODE_MODULE, BARCODE_MIN_MODULE, QUIET_ZONE))

    def draw(self, canvas: Canvas, x: float, top: float, width: float, bar_height: float, text_size: float) -> None:
        """Bars centred in [x, x + width] from ``top`` down, the code in text under them."""
        text_baseline = top - bar_height - text_size - 0.3 * mm
        if self.symbol is None:
            draw_fitted(canvas, x, text_baseline, "–", REGULAR, text_size, width, align="center")
            return
        left = x + (width - self.symbol.modules * self.module) / 2
        draw_code128(canvas, self.symbol, left, top - bar_height, self.module, bar_height)
        draw_fitted(canvas, x, text_baseline, self.code, REGULAR, text_size, width, min_size=6, align="center")


# Placed content: each page is a list of (top y, draw function taking the canvas and that y).
Placed = list[tuple[float, Callable[[Canvas, float], None]]]


@dataclass(frozen=True)
class RunSheet:
    """What a run sheet prints around its content: the first page's head with the run's fields, the
    continuation pages' one-line head, and every page's footer."""

    kind: str            # the form: "Plukkliste" | "Kjørebok"
    title: str
    depot: str
    run_date: str
    driver: str
    van: str
    printed: str         # when the sheet was printed, as text

    @classmethod
    def of(cls, kind: str, data: PickListData | DeliveryLogData) -> RunSheet:
        return cls(kind=kind, title=text(data.title) or kind, depot=text(data.depot_name),
                   run_date=text(data.run_date), driver=text(data.driver), van=text(data.van),
                   printed=printed_time(data.printed_at))

    @property
    def details(self) -> str:
        """Date, driver and van, those that are known, for the continuation pages' head."""
        return " · ".join(part for part in (
            self.run_date, f"Sjåfør: {self.driver}" if self.driver else "", f"Bil: {self.van}" if self.van else "",
        ) if part)

    def draw_first_head(self, canvas: Canvas, count: str, count_size: float = 11) -> float:
        """Title line and the run's fields (date, driver, van, ``count``, printed); returns the y below."""
        y = draw_sheet_title(canvas, self.title, self.depot, self.kind)
        return draw_cells(canvas, y - 3 * mm, [
            Cell("Dato", self.run_date, 27 * mm),
            Cell("Sjåfør", self.driver, 45 * mm),
            Cell("Bil", self.van, 30 * mm),
            Cell("Antall", count, 40 * mm, value_size=count_size),
            Cell("Utskrevet", self.printed, CONTENT_WIDTH - 142 * mm, value_size=9),
        ])

    def draw_next_head(self, canvas: Canvas) -> float:
        """A continuation page's head; returns the y below it."""
        return draw_running_head(canvas, self.title, self.details)

    def render(self, pages: list[Placed], draw_head: Callable[[Canvas, int], object]) -> bytes:
        """The A4 PDF: per page ``draw_head(canvas, page number)``, the page's placed content, the footer."""
        buffer = io.BytesIO()
        canvas = new_canvas(buffer, self.title, self.depot, f"{self.kind} {self.run_date}")
        for number, placed in enumerate(pages, start=1):
            draw_head(canvas, number)
            for top, draw in placed:
                draw(canvas, top)
            draw_footer(canvas, number, len(pages), " · ".join(p for p in (self.depot, self.title) if p),
                        f"Utskrevet {self.printed}")
            canvas.showPage()
        canvas.save()
        return buffer.getvalue()
