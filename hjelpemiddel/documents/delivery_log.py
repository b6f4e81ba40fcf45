"""The delivery log (kjørebok) for a delivery run: every stop in driving order, to fill in on the road.

A pure builder: ``DeliveryLogData`` in, PDF bytes out, in the same look as the pick list (it
borrows the pick list's drawing kit). A stop is kept whole on one page whenever it fits on one;
only a stop too long for any page is continued on the next, between its items.
"""
from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from .barcodes import draw_code128
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
    RULE,
    TOP,
    Barcode,
    Cell,
    Placed,
    count_words,
    draw_cells,
    draw_checkbox,
    draw_fitted,
    draw_footer,
    draw_lines,
    draw_running_head,
    draw_sheet_title,
    ellipsize,
    fit,
    new_canvas,
    printed_time,
    text,
    width_of,
    wrap,
)
from .runs import DeliveryLogData, LogItem, LogStop

__all__ = ["build_delivery_log_pdf", "OUTCOME_CHOICES"]

OUTCOME_CHOICES = ("Levert", "Hentet", "Ikke hjemme", "Avvist", "Reparert")

STRIP_W = 17 * mm                  # the left strip with the stop number
BODY_X = LEFT + STRIP_W + 3 * mm
BODY_W = RIGHT - 3 * mm - BODY_X
ADDRESS_W = 92 * mm
CONTACT_X = BODY_X + ADDRESS_W + 4 * mm
CONTACT_W = BODY_X + BODY_W - CONTACT_X

ACTION_W = 17 * mm
CODE_TEXT_W = 25 * mm
BARS_W = 46 * mm
PRODUCT_W = BODY_W - ACTION_W - BARS_W - CODE_TEXT_W - 2 * mm
BARS_X = BODY_X + BODY_W - CODE_TEXT_W - BARS_W
BAR_HEIGHT = 6.5 * mm
ITEM_PAD = 1.3 * mm

NAME_SIZE = 12.5
LINE_SIZE, LINE_LEADING = 9.5, 11.5
SMALL_SIZE, SMALL_LEADING = 8.5, 10
ACCESS_SIZE, ACCESS_LEADING, ACCESS_LINES = 9.5, 11.5, 3
PRODUCT_SIZE, PRODUCT_LEADING = 9, 10.5
NOTE_LINES = 3

BLOCK_GAP = 3.5 * mm
OUTCOME_ROW = 7.5 * mm


@dataclass(frozen=True)
class _Item:
    action: str
    product: list[str]
    barcode: Barcode
    height: float


@dataclass(frozen=True)
class _Stop:
    stop: LogStop
    name: str
    kind: str
    window: str
    address: list[str]
    phone: str
    contact: list[str]
    access: list[str]
    items: list[_Item]
    outcome: list[tuple[str, str, float]]  # (line, font, size) when set; empty: print blank boxes
    head_height: float       # name, address, contact and access notes
    outcome_height: float


def _layout_item(item: LogItem) -> _Item:
    product = wrap(text(item.product) or "–", REGULAR, PRODUCT_SIZE, PRODUCT_W, 2)
    barcode = Barcode.for_box(item.barcode, BARS_W)
    height = max(BAR_HEIGHT + 2 * ITEM_PAD, 2 * ITEM_PAD + 2 + PRODUCT_LEADING * len(product))
    return _Item(action=text(item.action), product=product, barcode=barcode, height=height)


def _layout_stop(stop: LogStop) -> _Stop:
    address = wrap(text(stop.address), REGULAR, LINE_SIZE, ADDRESS_W, 2)
    city = text(stop.postcode_city)
    if city:
        address.append(ellipsize(city, REGULAR, LINE_SIZE, ADDRESS_W))
    contact = wrap(f"Kontakt: {text(stop.contact)}", REGULAR, SMALL_SIZE, CONTACT_W, 2) if text(stop.contact) else []
    access = (
        wrap(f"Adkomst: {text(stop.access_notes)}", BOLD, ACCESS_SIZE, BODY_W - 5 * mm, ACCESS_LINES)
        if text(stop.access_notes) else []
    )
    left_height = LINE_LEADING * max(1, len(address))
    right_height = LINE_LEADING * (1 if text(stop.phone) else 0) + SMALL_LEADING * len(contact)
    head = 9 * mm + max(left_height, right_height)
    if access:
        head += 1.5 * mm + ACCESS_LEADING * len(access) + 2.5 * mm
    head += 5 * mm  # the items' column labels
    outcome_lines: list[tuple[str, str, float]] = []
    if text(stop.outcome):
        first = f"Utfall: {text(stop.outcome)}"
        if text(stop.completed_at):
            first += f" kl. {text(stop.completed_at)}"
        if text(stop.received_by):
            first += f"  ·  Mottatt av: {text(stop.received_by)}"
        outcome_lines = [(line, BOLD, 10) for line in wrap(first, BOLD, 10, BODY_W, 2)]
        if text(stop.note):
            note = wrap(f"Merknad: {text(stop.note)}", REGULAR, LINE_SIZE, BODY_W, NOTE_LINES)
            outcome_lines += [(line, REGULAR, LINE_SIZE) for line in note]
        outcome_height = 3 * mm + LINE_LEADING * len(outcome_lines) + 1.5 * mm
    else:
        outcome_height = 2 * OUTCOME_ROW + 3 * mm
    return _Stop(
        stop=stop,
        name=text(stop.name) or "–",
        kind=text(stop.kind),
        window=text(stop.time_window),
        address=address,
        phone=text(stop.phone),
        contact=contact,
        access=access,
        items=[_layout_item(item) for item in stop.items],
        outcome=outcome_lines,
        head_height=head,
        outcome_height=outcome_height,
    )


# --- drawing a stop (or the part of one that is on this page) -----------------------------------

@dataclass(frozen=True)
class _Part:
    stop: _Stop
    items: Sequence[_Item]
    first: bool      # carries the head (name, address, access)
    last: bool       # carries the outcome area
    height: float


def _part_height(stop: _Stop, items: Sequence[_Item], first: bool, last: bool) -> float:
    height = (stop.head_height if first else 11 * mm) + sum(item.height for item in items)
    if last:
        height += stop.outcome_height
    return height + 1.5 * mm


def _draw_part(canvas: Canvas, part: _Part, top: float) -> None:
    stop, height = part.stop, part.height
    bottom = top - height
    canvas.setFillGray(BAND)
    canvas.rect(LEFT, bottom, STRIP_W, height, stroke=0, fill=1)
    canvas.setFillGray(INK)
    canvas.setLineWidth(2 if stop.stop.urgent else 0.9)
    canvas.rect(LEFT, bottom, CONTENT_WIDTH, height, stroke=1, fill=0)
    canvas.setLineWidth(0.6)
    canvas.line(LEFT + STRIP_W, bottom, LEFT + STRIP_W, top)
    draw_fitted(canvas, LEFT, top - 11 * mm, str(stop.stop.sequence), BOLD, 26, STRIP_W - 2 * mm, min_size=12,
                align="center")
    draw_fitted(canvas, LEFT + 1 * mm, top - 15.5 * mm, stop.kind.upper(), BOLD, 6.5, STRIP_W - 2 * mm,
                min_size=5, align="center")
    if part.first:
        y = _draw_head(canvas, stop, top)
    else:
        draw_fitted(canvas, BODY_X, top - 6 * mm, f"{stop.name} (forts.)", BOLD, 11, BODY_W, min_size=8)
        y = top - 11 * mm + 5 * mm
    y = _draw_item_labels(canvas, y)
    for item in part.items:
        _draw_item(canvas, item, y)
        y -= item.height
    if part.last:
        _draw_outcome(canvas, stop, y)


def _draw_head(canvas: Canvas, stop: _Stop, top: float) -> float:
    baseline = top - 6 * mm
    right = BODY_X + BODY_W
    if stop.window:
        label = f"Kl. {stop.window}"
        label, size = fit(label, BOLD, 10.5, BODY_W * 0.35, 8)
        canvas.setFont(BOLD, size)
        canvas.drawRightString(right, baseline, label)
        right -= width_of(label, BOLD, size) + 3 * mm
    if stop.stop.urgent:
        tag_w = width_of("UTSKRIVNING", BOLD, 8.5) + 4 * mm
        canvas.rect(right - tag_w, baseline - 1.6 * mm, tag_w, 5.6 * mm, stroke=0, fill=1)
        canvas.setFillGray(1)
        canvas.setFont(BOLD, 8.5)
        canvas.drawCentredString(right - tag_w / 2, baseline, "UTSKRIVNING")
        canvas.setFillGray(INK)
        right -= tag_w + 3 * mm
    draw_fitted(canvas, BODY_X, baseline, stop.name, BOLD, NAME_SIZE, right - BODY_X, min_size=8.5)

    first = top - 11 * mm
    draw_lines(canvas, BODY_X, first, stop.address or ["–"], REGULAR, LINE_SIZE, LINE_LEADING)
    y = first
    if stop.phone:
        canvas.setFillGray(MUTED)
        canvas.setFont(REGULAR, LINE_SIZE)
        canvas.drawString(CONTACT_X, y, "Tlf.")
        canvas.setFillGray(INK)
        draw_fitted(canvas, CONTACT_X + 7 * mm, y, stop.phone, BOLD, LINE_SIZE, CONTACT_W - 7 * mm, min_size=7)
        y -= LINE_LEADING
    draw_lines(canvas, CONTACT_X, y, stop.contact, REGULAR, SMALL_SIZE, SMALL_LEADING)

    left_height = LINE_LEADING * max(1, len(stop.address))
    right_height = LINE_LEADING * (1 if stop.phone else 0) + SMALL_LEADING * len(stop.contact)
    y = top - 9 * mm - max(left_height, right_height)
    if stop.access:
        # Key box and door code: the driver must not miss them.
        box_top = y - 1.5 * mm
        box_h = ACCESS_LEADING * len(stop.access) + 2.5 * mm
        canvas.setFillGray(0.94)
        canvas.rect(BODY_X, box_top - box_h, BODY_W, box_h, stroke=0, fill=1)
        canvas.setFillGray(INK)
        canvas.rect(BODY_X, box_top - box_h, 1.5 * mm, box_h, stroke=0, fill=1)
        draw_lines(canvas, BODY_X + 3.5 * mm, box_top - 1.2 * mm - 7, stop.access, BOLD, ACCESS_SIZE, ACCESS_LEADING)
        y = box_top - box_h
    return y


def _draw_item_labels(canvas: Canvas, top: float) -> float:
    baseline = top - 3.6 * mm
    canvas.setFillGray(MUTED)
    for x, width, label in (
        (BODY_X, ACTION_W, "Handling"),
        (BODY_X + ACTION_W, PRODUCT_W, "Hjelpemiddel"),
        (BARS_X, BARS_W + CODE_TEXT_W, "Strekkode"),
    ):
        draw_fitted(canvas, x, baseline, label, REGULAR, 7, width)
    canvas.setFillGray(INK)
    canvas.setLineWidth(0.5)
    canvas.setStrokeGray(RULE)
    canvas.line(BODY_X, top - 5 * mm, BODY_X + BODY_W, top - 5 * mm)
    canvas.setStrokeGray(INK)
    return top - 5 * mm


def _draw_item(canvas: Canvas, item: _Item, top: float) -> None:
    baseline = top - ITEM_PAD - 8
    draw_fitted(canvas, BODY_X, baseline, item.action, BOLD, PRODUCT_SIZE, ACTION_W - 1 * mm, min_size=6.5)
    draw_lines(canvas, BODY_X + ACTION_W, baseline, item.product, REGULAR, PRODUCT_SIZE, PRODUCT_LEADING)
    if item.barcode.symbol is not None:
        symbol, module = item.barcode.symbol, item.barcode.module
        bars_left = BARS_X + BARS_W - (symbol.modules + 10) * module  # right-aligned, quiet zone to the text
        draw_code128(canvas, symbol, bars_left, top - ITEM_PAD - BAR_HEIGHT, module, BAR_HEIGHT)
    code = item.barcode.code or "–"
    draw_fitted(canvas, BARS_X + BARS_W + 1 * mm, top - ITEM_PAD - BAR_HEIGHT / 2 - 3, code, BOLD, 9,
                CODE_TEXT_W - 1 * mm, min_size=6)
    canvas.setLineWidth(0.4)
    canvas.setStrokeGray(FAINT)
    canvas.line(BODY_X, top - item.height, BODY_X + BODY_W, top - item.height)
    canvas.setStrokeGray(INK)


def _draw_outcome(canvas: Canvas, stop: _Stop, top: float) -> None:
    if stop.outcome:
        baseline = top - 3 * mm - 7
        for line, font, size in stop.outcome:
            canvas.setFont(font, size)
            canvas.drawString(BODY_X, baseline, line)
            baseline -= LINE_LEADING
        return
    # Blank: boxes to tick and lines to write on.
    x = BODY_X
    baseline = top - 3 * mm - 4.5 * mm
    box = 3.8 * mm
    for choice in OUTCOME_CHOICES:
        draw_checkbox(canvas, x, baseline + 3.2 * mm, box)
        canvas.setFont(REGULAR, 9)
        canvas.drawString(x + box + 1.5 * mm, baseline, choice)
        x += box + 1.5 * mm + width_of(choice, REGULAR, 9) + 4.5 * mm
    _writing_line(canvas, x + 1 * mm, BODY_X + BODY_W, baseline, "Kl.")
    baseline -= OUTCOME_ROW
    _writing_line(canvas, BODY_X, BODY_X + 68 * mm, baseline, "Mottatt av")
    _writing_line(canvas, BODY_X + 72 * mm, BODY_X + BODY_W, baseline, "Merknad")


def _writing_line(canvas: Canvas, x: float, end: float, baseline: float, label: str) -> None:
    canvas.setFillGray(MUTED)
    canvas.setFont(REGULAR, 8.5)
    canvas.drawString(x, baseline, label)
    canvas.setFillGray(INK)
    start = x + width_of(label, REGULAR, 8.5) + 1.5 * mm
    canvas.setLineWidth(0.5)
    canvas.setDash(1, 1.5)
    canvas.line(start, baseline - 0.8, end, baseline - 0.8)
    canvas.setDash()


# --- pages ------------------------------------------------------------------------------------

FIRST_PAGE_HEAD = 32 + 3 * mm + 11.5 * mm + 2 * mm + 11.5 * mm + 5 * mm
NEXT_PAGE_HEAD = 15 + 4 * mm
SIGNATURE_HEIGHT = 30 * mm
NOTHING_HEIGHT = 24 * mm


def _paginate(stops: list[_Stop]) -> list[Placed]:
    pages: list[Placed] = [[]]
    y = TOP - FIRST_PAGE_HEAD
    page_room = TOP - NEXT_PAGE_HEAD - BOTTOM

    def new_page() -> None:
        nonlocal y
        pages.append([])
        y = TOP - NEXT_PAGE_HEAD

    def place(part: _Part) -> None:
        nonlocal y
        pages[-1].append((y, lambda c, top, p=part: _draw_part(c, p, top)))
        y -= part.height + BLOCK_GAP

    for stop in stops:
        whole = _part_height(stop, stop.items, True, True)
        if y - whole >= BOTTOM:
            place(_Part(stop, stop.items, True, True, whole))
            continue
        if whole <= page_room:  # fits on a page of its own: never split it
            new_page()
            place(_Part(stop, stop.items, True, True, whole))
            continue
        # Longer than any page: fill this page (or a fresh one), then continue between items.
        items, first = list(stop.items), True
        if y - _part_height(stop, items[:1], True, False) < BOTTOM:
            new_page()
        while True:
            taken = 0
            while taken < len(items) and y - _part_height(stop, items[: taken + 1], first, False) >= BOTTOM:
                taken += 1
            if taken == len(items) and y - _part_height(stop, items, first, True) >= BOTTOM:
                place(_Part(stop, items, first, True, _part_height(stop, items, first, True)))
                break
            if taken == len(items):  # all items fit, the outcome area does not: keep one item with it
                taken -= 1
            if taken == 0 and not pages[-1]:  # a fresh page always takes at least one item
                taken = 1
            if taken > 0 or first:
                place(_Part(stop, items[:taken], first, False, _part_height(stop, items[:taken], first, False)))
            items, first = items[taken:], False
            new_page()
    if not stops:
        pages[-1].append((y, lambda c, top: _draw_no_stops(c, top)))
        y -= NOTHING_HEIGHT + BLOCK_GAP
    if y - SIGNATURE_HEIGHT < BOTTOM:
        new_page()
    pages[-1].append((y, lambda c, top: _draw_signature(c, top)))
    return pages


def _draw_no_stops(canvas: Canvas, top: float) -> None:
    canvas.setLineWidth(1)
    canvas.setFillGray(0.96)
    canvas.rect(LEFT, top - NOTHING_HEIGHT, CONTENT_WIDTH, NOTHING_HEIGHT, stroke=1, fill=1)
    canvas.setFillGray(INK)
    draw_fitted(canvas, LEFT, top - 13.5 * mm, "Ingen stopp på denne kjørerunden", BOLD, 14, CONTENT_WIDTH,
                align="center")


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
    stops = [_layout_stop(stop) for stop in data.stops]
    pages = _paginate(stops)
    title = text(data.title) or "Kjørebok"
    depot = text(data.depot_name)
    printed = printed_time(data.printed_at)
    devices = sum(len(stop.items) for stop in data.stops)
    details = " · ".join(part for part in (
        text(data.run_date), f"Sjåfør: {text(data.driver)}" if text(data.driver) else "",
        f"Bil: {text(data.van)}" if text(data.van) else "",
    ) if part)

    buffer = io.BytesIO()
    canvas = new_canvas(buffer, title, depot, f"Kjørebok {text(data.run_date)}")
    for number, placed in enumerate(pages, start=1):
        if number == 1:
            y = draw_sheet_title(canvas, title, depot, "Kjørebok")
            y = draw_cells(canvas, y - 3 * mm, [
                Cell("Dato", text(data.run_date), 27 * mm),
                Cell("Sjåfør", text(data.driver), 45 * mm),
                Cell("Bil", text(data.van), 30 * mm),
                Cell("Antall", f"{count_words(len(data.stops), 'stopp', 'stopp')} · "
                               f"{count_words(devices, 'hjelpemiddel', 'hjelpemidler')}", 40 * mm, value_size=9),
                Cell("Utskrevet", printed, CONTENT_WIDTH - 142 * mm, value_size=9),
            ])
            quarter = CONTENT_WIDTH / 4
            draw_cells(canvas, y - 2 * mm, [
                Cell("Km-stand start", text(data.odometer_start), quarter),
                Cell("Km-stand slutt", text(data.odometer_end), quarter),
                Cell("Avreise kl.", text(data.departed_at), quarter),
                Cell("Retur kl.", text(data.returned_at), quarter),
            ])
        else:
            draw_running_head(canvas, title, details)
        for top, draw in placed:
            draw(canvas, top)
        draw_footer(canvas, number, len(pages), " · ".join(p for p in (depot, title) if p), f"Utskrevet {printed}")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
