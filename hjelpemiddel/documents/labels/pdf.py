"""Labels as PDF (reportlab): sheets of labels in a grid, or a roll with one label a page.

Lengths in the layout are millimetres, font sizes points; text is fitted to its box and printed in
the standard PDF fonts, the code as Code 128 bars with the code in text."""
from __future__ import annotations

import io
from collections.abc import Sequence

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from ..barcodes import code128_symbol, draw_code128
from ..text_fit import pdf_text
from .layout import LabelData, LabelLayout, TextBox, fit_text, label_rows, labels_to_print, module_width


def build_labels_pdf(labels: Sequence[LabelData], layout: LabelLayout, start_position: int = 0) -> bytes:
    items = labels_to_print(labels, layout, "pdf")
    per_page = layout.labels_per_page
    if not 0 <= start_position < per_page:
        raise ValueError(
            f"start_position must be 0-{per_page - 1} for layout {layout.name!r}, got {start_position}"
        )
    buffer = io.BytesIO()
    canvas = Canvas(
        buffer, pagesize=(layout.page_width * mm, layout.page_height * mm), pageCompression=1, invariant=1
    )
    canvas.setTitle("Etiketter")
    canvas.setCreator("Hjelpemiddel")
    grid = layout.grid
    for slot, label in enumerate(items, start=start_position):
        position = slot % per_page
        if position == 0 and slot != start_position:
            canvas.showPage()
        row, column = divmod(position, grid.columns)
        left = (grid.left + column * grid.pitch_x) * mm
        top = (layout.page_height - grid.top - row * grid.pitch_y) * mm
        _draw_label(canvas, label, layout, left, top)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _draw_label(canvas: Canvas, label: LabelData, layout: LabelLayout, left: float, top: float) -> None:
    _draw_text(canvas, pdf_text(label.title), layout.title, left, top)
    for index, row in enumerate(label_rows([pdf_text(line) for line in label.lines], layout.lines.max_lines)):
        _draw_text(canvas, row, layout.lines, left, top, index)
    _draw_barcode(canvas, label.code, layout, left, top)
    _draw_text(canvas, label.code, layout.code_text, left, top)
    _draw_text(canvas, pdf_text(label.footer), layout.footer, left, top)


def _draw_text(canvas: Canvas, text: str, box: TextBox, left: float, top: float, row: int = 0) -> None:
    if not text:
        return
    text, size = fit_text(text, box, lambda s, points: stringWidth(s, box.font, points) / mm)
    if not text:
        return
    canvas.setFont(box.font, size)
    x = left + box.x * mm
    y = top - (box.y + row * box.line_spacing) * mm
    if box.align == "center":
        canvas.drawCentredString(x + box.width * mm / 2, y, text)
    elif box.align == "right":
        canvas.drawRightString(x + box.width * mm, y, text)
    else:
        canvas.drawString(x, y, text)


def _draw_barcode(canvas: Canvas, code: str, layout: LabelLayout, left: float, top: float) -> None:
    box = layout.barcode
    symbol = code128_symbol(code)
    module = module_width(code, symbol.modules, box, layout)
    x = left + (box.x + (box.width - symbol.modules * module) / 2) * mm
    y = top - (box.y + box.height) * mm
    draw_code128(canvas, symbol, x, y, module * mm, box.height * mm)
