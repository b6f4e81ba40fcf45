"""One stop's block in the delivery log (kjørebok): number strip, who and where, access notes, the
devices to hand over or fetch (each with its barcode), and the outcome -- as filled in after the run,
or boxes to tick and lines to write on.

A stop is laid out first (``layout_stop``: every height known), then drawn whole or in parts
(``StopPart``) where the page breaks between its items."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from .barcodes import draw_code128
from .runs import LogItem, LogStop
from .sheet import (
    BAND,
    BOLD,
    CONTENT_WIDTH,
    FAINT,
    INK,
    LEFT,
    MUTED,
    REGULAR,
    RIGHT,
    RULE,
    Barcode,
    draw_checkbox,
    draw_fitted,
    draw_lines,
    ellipsize,
    fit,
    text,
    width_of,
    wrap,
)

__all__ = ["OUTCOME_CHOICES", "StopBlock", "StopPart", "draw_part", "layout_stop", "part_height"]

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

OUTCOME_ROW = 7.5 * mm


@dataclass(frozen=True)
class _Item:
    action: str
    product: list[str]
    barcode: Barcode
    height: float


@dataclass(frozen=True)
class StopBlock:
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
    lines_height: float      # the address beside phone and contact
    head_height: float       # name, address, contact and access notes
    outcome_height: float


def _layout_item(item: LogItem) -> _Item:
    product = wrap(text(item.product) or "–", REGULAR, PRODUCT_SIZE, PRODUCT_W, 2)
    barcode = Barcode.for_box(item.barcode, BARS_W)
    height = max(BAR_HEIGHT + 2 * ITEM_PAD, 2 * ITEM_PAD + 2 + PRODUCT_LEADING * len(product))
    return _Item(action=text(item.action), product=product, barcode=barcode, height=height)


def layout_stop(stop: LogStop) -> StopBlock:
    """The stop's texts wrapped to their columns and the heights of its head and outcome area."""
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
    lines_height = max(left_height, right_height)
    head = 9 * mm + lines_height
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
    return StopBlock(
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
        lines_height=lines_height,
        head_height=head,
        outcome_height=outcome_height,
    )


# --- drawing a stop (or the part of one that is on this page) -----------------------------------

@dataclass(frozen=True)
class StopPart:
    stop: StopBlock
    items: Sequence[_Item]
    first: bool      # carries the head (name, address, access)
    last: bool       # carries the outcome area
    height: float


def part_height(stop: StopBlock, items: Sequence[_Item], first: bool, last: bool) -> float:
    """The height of a block with ``items``, the head if ``first``, the outcome area if ``last``."""
    height = (stop.head_height if first else 11 * mm) + sum(item.height for item in items)
    if last:
        height += stop.outcome_height
    return height + 1.5 * mm


def draw_part(canvas: Canvas, part: StopPart, top: float) -> None:
    """Draws the part from ``top`` down, boxed, with the stop's number strip at its left."""
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
    # An exchange visit's «LEVERING OG HENTING» takes two lines of the narrow strip.
    for row, line in enumerate(wrap(stop.kind.upper(), BOLD, 5, STRIP_W - 2 * mm, max_lines=3)):
        draw_fitted(canvas, LEFT + 1 * mm, top - (15.5 + 2.7 * row) * mm, line, BOLD, 6.5, STRIP_W - 2 * mm,
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


def _draw_head(canvas: Canvas, stop: StopBlock, top: float) -> float:
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

    y = top - 9 * mm - stop.lines_height
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


def _draw_outcome(canvas: Canvas, stop: StopBlock, top: float) -> None:
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
