"""The pick list (plukkliste) for a delivery run: what to take from which shelf, in walking order.

A pure builder: ``PickListData`` in, PDF bytes out; the shared look is in ``sheet``.

Everything is drawn straight onto a reportlab canvas in points. The page layout is worked out
first (every row's height is known before anything is drawn), so "Side N av M" can be printed
on every page in a single drawing pass.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from .sheet import (
    BAND,
    BOLD,
    BOTTOM,
    CONTENT_WIDTH,
    FAINT,
    INK,
    ITALIC,
    LEFT,
    MUTED,
    REGULAR,
    RIGHT,
    TOP,
    Barcode,
    Placed,
    RunSheet,
    count_words,
    draw_checkbox,
    draw_fitted,
    draw_lines,
    draw_notice,
    text,
    wrap,
)
from .runs import PickLine, PickListData

__all__ = ["build_picklist_pdf"]

# --- the pick list ------------------------------------------------------------------------------

PAD = 1.6 * mm
CHECK_X, CHECK_W = LEFT, 13 * mm
LOCATION_X, LOCATION_W = CHECK_X + CHECK_W, 30 * mm
PRODUCT_X, PRODUCT_W = LOCATION_X + LOCATION_W, 63 * mm
STOP_X, STOP_W = PRODUCT_X + PRODUCT_W, 30 * mm
CODE_X = STOP_X + STOP_W
CODE_W = RIGHT - CODE_X

COLUMN_HEAD_HEIGHT = 6.5 * mm
ZONE_HEIGHT = 7.5 * mm
BAR_HEIGHT = 8 * mm
CODE_TEXT_SIZE = 8
ROW_MIN_HEIGHT = 2.2 * mm + BAR_HEIGHT + CODE_TEXT_SIZE + 0.3 * mm + 2.4 * mm
CHECK_SIZE = 6.5 * mm

PRODUCT_SIZE, PRODUCT_LEADING, PRODUCT_LINES = 9.5, 11, 2
ACCESSORY_SIZE, ACCESSORY_LEADING, ACCESSORY_LINES = 8, 9.5, 3
NAME_SIZE, NAME_LEADING, NAME_LINES = 8.5, 10, 2
FIRST_BASELINE = 2.2 * mm + 9  # below a row's top: the first line of product and stop


@dataclass(frozen=True)
class _Row:
    line: PickLine
    location: str
    product: list[str]
    accessories: list[str]
    stop: str
    name: list[str]
    barcode: Barcode
    height: float


def _layout_row(line: PickLine) -> _Row:
    width = PRODUCT_W - 2 * PAD
    product = wrap(text(line.product) or "–", BOLD, PRODUCT_SIZE, width, PRODUCT_LINES)
    accessory_names = [text(item) for item in line.accessories if text(item)]
    accessories = (
        wrap("Tilbehør: " + ", ".join(accessory_names), REGULAR, ACCESSORY_SIZE, width, ACCESSORY_LINES)
        if accessory_names else []
    )
    name = wrap(text(line.stop_name), REGULAR, NAME_SIZE, STOP_W - 2 * PAD, NAME_LINES)
    text_height = FIRST_BASELINE + PRODUCT_LEADING * (len(product) - 1) + 2.4 * mm
    if accessories:
        text_height += 1.2 + ACCESSORY_LEADING * len(accessories)
    name_height = FIRST_BASELINE + 1.5 + NAME_LEADING * len(name) + 2.4 * mm
    return _Row(
        line=line,
        location=text(line.location_code) or "–",
        product=product,
        accessories=accessories,
        stop=f"Stopp {line.stop_sequence}",
        name=name,
        barcode=Barcode.for_box(line.barcode, CODE_W - 2 * PAD),
        height=max(ROW_MIN_HEIGHT, text_height, name_height),
    )


def _draw_row(canvas: Canvas, row: _Row, top: float) -> None:
    bottom = top - row.height
    baseline = top - FIRST_BASELINE
    # The box to tick, centred in its column.
    box_x = CHECK_X + (CHECK_W - CHECK_SIZE) / 2
    draw_checkbox(canvas, box_x, top - 2.2 * mm, CHECK_SIZE, ticked=row.line.picked)
    if row.line.picked:
        canvas.setFillGray(MUTED)
        draw_fitted(canvas, CHECK_X, top - 2.2 * mm - CHECK_SIZE - 7.5, "Plukket", BOLD, 6.5, CHECK_W,
                    min_size=5, align="center")
        canvas.setFillGray(INK)
    # The shelf code is what the picker looks for: big, bold, first.
    draw_fitted(canvas, LOCATION_X + PAD, top - 2.2 * mm - 12, row.location, BOLD, 15, LOCATION_W - 2 * PAD,
                min_size=9)
    after = draw_lines(canvas, PRODUCT_X + PAD, baseline, row.product, BOLD, PRODUCT_SIZE, PRODUCT_LEADING)
    if row.accessories:
        canvas.setFillGray(MUTED * 0.6)
        draw_lines(canvas, PRODUCT_X + PAD, after + PRODUCT_LEADING - ACCESSORY_LEADING - 1.2,
                   row.accessories, REGULAR, ACCESSORY_SIZE, ACCESSORY_LEADING)
        canvas.setFillGray(INK)
    draw_fitted(canvas, STOP_X + PAD, baseline, row.stop, BOLD, 9.5, STOP_W - 2 * PAD, min_size=7)
    draw_lines(canvas, STOP_X + PAD, baseline - NAME_LEADING - 1.5, row.name, REGULAR, NAME_SIZE, NAME_LEADING)
    row.barcode.draw(canvas, CODE_X + PAD, top - 2.2 * mm, CODE_W - 2 * PAD, BAR_HEIGHT, CODE_TEXT_SIZE)
    canvas.setLineWidth(0.5)
    canvas.setStrokeGray(FAINT)
    canvas.line(LEFT, bottom, RIGHT, bottom)
    canvas.setStrokeGray(INK)


def _draw_zone(canvas: Canvas, zone: str, count: int, continued: bool, top: float) -> None:
    canvas.setFillGray(BAND)
    canvas.rect(LEFT, top - ZONE_HEIGHT, CONTENT_WIDTH, ZONE_HEIGHT, stroke=0, fill=1)
    canvas.setFillGray(INK)
    canvas.rect(LEFT, top - ZONE_HEIGHT, 1.4 * mm, ZONE_HEIGHT, stroke=0, fill=1)
    baseline = top - ZONE_HEIGHT + 2.2 * mm
    label = f"{zone} (forts.)" if continued else zone
    draw_fitted(canvas, LEFT + 4 * mm, baseline, label, BOLD, 10.5, CONTENT_WIDTH * 0.7, min_size=7.5)
    canvas.setFillGray(MUTED)
    draw_fitted(canvas, LEFT + CONTENT_WIDTH * 0.7, baseline, count_words(count, "hjelpemiddel", "hjelpemidler"),
                REGULAR, 8.5, CONTENT_WIDTH * 0.3 - 2 * mm, align="right")
    canvas.setFillGray(INK)


def _draw_column_heads(canvas: Canvas, top: float) -> float:
    canvas.setFillGray(INK)
    canvas.rect(LEFT, top - COLUMN_HEAD_HEIGHT, CONTENT_WIDTH, COLUMN_HEAD_HEIGHT, stroke=0, fill=1)
    canvas.setFillGray(1)
    baseline = top - COLUMN_HEAD_HEIGHT + 2 * mm
    for x, width, label, align in (
        (CHECK_X, CHECK_W, "Plukk", "center"),
        (LOCATION_X + PAD, LOCATION_W - 2 * PAD, "Lokasjon", "left"),
        (PRODUCT_X + PAD, PRODUCT_W - 2 * PAD, "Hjelpemiddel og tilbehør", "left"),
        (STOP_X + PAD, STOP_W - 2 * PAD, "Stopp / bruker", "left"),
        (CODE_X + PAD, CODE_W - 2 * PAD, "Strekkode", "center"),
    ):
        draw_fitted(canvas, x, baseline, label, BOLD, 8, width, min_size=6, align=align)
    canvas.setFillGray(INK)
    return top - COLUMN_HEAD_HEIGHT


def _zones(lines: Sequence[PickLine]) -> list[tuple[str, list[PickLine]]]:
    """Consecutive lines with the same zone, in the order given (the caller's walking order)."""
    groups: list[tuple[str, list[PickLine]]] = []
    for line in lines:
        zone = text(line.zone) or "Uten sone"
        if groups and groups[-1][0] == zone:
            groups[-1][1].append(line)
        else:
            groups.append((zone, [line]))
    return groups


FIRST_PAGE_HEAD = 32 + 3 * mm + 11.5 * mm + 7 * mm   # title block, info cells, hint line


def _paginate(groups: list[tuple[str, list[_Row]]]) -> list[Placed]:
    pages: list[Placed] = [[]]
    y = TOP - FIRST_PAGE_HEAD - COLUMN_HEAD_HEIGHT

    def new_page() -> None:
        nonlocal y
        pages.append([])
        y = TOP - 15 - 2 * mm - COLUMN_HEAD_HEIGHT

    for zone, rows in groups:
        for index, row in enumerate(rows):
            heading = ZONE_HEIGHT if index == 0 else 0.0
            if y - heading - row.height < BOTTOM and pages[-1]:
                new_page()
                heading = ZONE_HEIGHT  # a zone carried over gets its heading again
            if heading:
                continued = index > 0
                pages[-1].append((y, lambda c, top, z=zone, n=len(rows), k=continued: _draw_zone(c, z, n, k, top)))
                y -= heading
            pages[-1].append((y, lambda c, top, r=row: _draw_row(c, r, top)))
            y -= row.height
    return pages


def build_picklist_pdf(data: PickListData) -> bytes:
    """The plukkliste as A4 PDF: lines grouped by zone in the order given, a box to tick per device."""
    rows = [(zone, [_layout_row(line) for line in lines]) for zone, lines in _zones(data.lines)]
    pages = _paginate(rows) if rows else [[]]
    sheet = RunSheet.of("Plukkliste", data)
    total = len(data.lines)
    picked = sum(1 for line in data.lines if line.picked)

    def draw_head(canvas: Canvas, number: int) -> None:
        if number > 1:
            _draw_column_heads(canvas, sheet.draw_next_head(canvas) - 2 * mm)
            return
        count = count_words(total, "hjelpemiddel", "hjelpemidler")
        if picked:
            count += f" · {picked} plukket"
        y = sheet.draw_first_head(canvas, count)
        if not total:
            draw_notice(canvas, y - 12 * mm, "Ingen hjelpemidler å plukke",
                        "Denne kjørerunden har ingen hjelpemidler som skal hentes fra lageret.")
            return
        canvas.setFillGray(MUTED)
        draw_fitted(canvas, LEFT, y - 4.4 * mm,
                    "Kryss av i ruten når hjelpemiddelet er plukket og skannet. Avvik noteres og meldes "
                    "til lageret før avreise.", ITALIC, 8, CONTENT_WIDTH, min_size=6.5)
        canvas.setFillGray(INK)
        _draw_column_heads(canvas, TOP - FIRST_PAGE_HEAD)

    return sheet.render(pages, draw_head)
