"""The delivery log (kjørebok) for a delivery run: every stop in driving order, to fill in on the road.

A pure builder: ``DeliveryLogData`` in, PDF bytes out, in the same look as the pick list (the
shared look is in ``sheet``; a stop's block is in ``delivery_stop``). A stop is kept whole on one
page whenever it fits on one; only a stop too long for any page is continued on the next, between
its items.
"""
from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from .delivery_stop import OUTCOME_CHOICES, StopBlock, StopPart, draw_part, layout_stop, part_height
from .runs import DeliveryLogData
from .sheet import (
    BOTTOM,
    CONTENT_WIDTH,
    INK,
    ITALIC,
    LEFT,
    MUTED,
    NOTICE_HEIGHT,
    REGULAR,
    RIGHT,
    TOP,
    Cell,
    Placed,
    RunSheet,
    count_words,
    draw_cells,
    draw_fitted,
    draw_notice,
    text,
)

__all__ = ["build_delivery_log_pdf", "OUTCOME_CHOICES"]

# --- pages ------------------------------------------------------------------------------------

BLOCK_GAP = 3.5 * mm               # between two stops' blocks
FIRST_PAGE_HEAD = 32 + 3 * mm + 11.5 * mm + 2 * mm + 11.5 * mm + 5 * mm
NEXT_PAGE_HEAD = 15 + 4 * mm
SIGNATURE_HEIGHT = 30 * mm


def _paginate(stops: list[StopBlock]) -> list[Placed]:
    pages: list[Placed] = [[]]
    y = TOP - FIRST_PAGE_HEAD
    page_room = TOP - NEXT_PAGE_HEAD - BOTTOM

    def new_page() -> None:
        nonlocal y
        pages.append([])
        y = TOP - NEXT_PAGE_HEAD

    def place(part: StopPart) -> None:
        nonlocal y
        pages[-1].append((y, lambda c, top, p=part: draw_part(c, p, top)))
        y -= part.height + BLOCK_GAP

    for stop in stops:
        whole = part_height(stop, stop.items, True, True)
        if y - whole >= BOTTOM:
            place(StopPart(stop, stop.items, True, True, whole))
            continue
        if whole <= page_room:  # fits on a page of its own: never split it
            new_page()
            place(StopPart(stop, stop.items, True, True, whole))
            continue
        # Longer than any page: fill this page (or a fresh one), then continue between items.
        items, first = list(stop.items), True
        if y - part_height(stop, items[:1], True, False) < BOTTOM:
            new_page()
        while True:
            taken = 0
            while taken < len(items) and y - part_height(stop, items[: taken + 1], first, False) >= BOTTOM:
                taken += 1
            if taken == len(items) and y - part_height(stop, items, first, True) >= BOTTOM:
                place(StopPart(stop, items, first, True, part_height(stop, items, first, True)))
                break
            if taken == len(items):  # all items fit, the outcome area does not: keep one item with it
                taken -= 1
            if taken == 0 and not pages[-1]:  # a fresh page always takes at least one item
                taken = 1
            if taken > 0 or first:
                place(StopPart(stop, items[:taken], first, False, part_height(stop, items[:taken], first, False)))
            items, first = items[taken:], False
            new_page()
    if not stops:
        pages[-1].append((y, lambda c, top: draw_notice(c, top, "Ingen stopp på denne kjørerunden")))
        y -= NOTICE_HEIGHT + BLOCK_GAP
    if y - SIGNATURE_HEIGHT < BOTTOM:
        new_page()
    pages[-1].append((y, lambda c, top: _draw_signature(c, top)))
    return pages


def _draw_signature(canvas: Canvas, top: float) -> None:
    canvas.setLineWidth(1)
    canvas.line(LEFT, top - 1 * mm, RIGHT, top - 1 * mm)
    canvas.setFillGray(MUTED)
    draw_fitted(canvas, LEFT, top - 6 * mm, "Jeg bekrefter at kjøreboka er riktig ført, og at hjelpemidler som "
                "ikke ble levert, er tatt med tilbake til lageret.", ITALIC, 8, CONTENT_WIDTH, min_size=6.5)
    canvas.setFillGray(INK)
    baseline = top - 21 * mm
    for x, end, label in (
        (LEFT, LEFT + 95 * mm, "Sjåførens signatur"),
        (LEFT + 102 * mm, LEFT + 135 * mm, "Dato"),
        (LEFT + 142 * mm, RIGHT, "Kontrollert av lager"),
    ):
        canvas.setLineWidth(0.8)
        canvas.line(x, baseline, end, baseline)
        canvas.setFillGray(MUTED)
        draw_fitted(canvas, x, baseline - 3.5 * mm, label, REGULAR, 7.5, end - x)
        canvas.setFillGray(INK)


def build_delivery_log_pdf(data: DeliveryLogData) -> bytes:
    """The kjørebok as A4 PDF: run details and odometer fields, then every stop in the order given."""
    pages = _paginate([layout_stop(stop) for stop in data.stops])
    sheet = RunSheet.of("Kjørebok", data)
    devices = sum(len(stop.items) for stop in data.stops)

    def draw_head(canvas: Canvas, number: int) -> None:
        if number > 1:
            sheet.draw_next_head(canvas)
            return
        count = (f"{count_words(len(data.stops), 'stopp', 'stopp')} · "
                 f"{count_words(devices, 'hjelpemiddel', 'hjelpemidler')}")
        y = sheet.draw_first_head(canvas, count, count_size=9)
        quarter = CONTENT_WIDTH / 4
        draw_cells(canvas, y - 2 * mm, [
            Cell("Km-stand start", text(data.odometer_start), quarter),
            Cell("Km-stand slutt", text(data.odometer_end), quarter),
            Cell("Avreise kl.", text(data.departed_at), quarter),
            Cell("Retur kl.", text(data.returned_at), quarter),
        ])

    return sheet.render(pages, draw_head)
