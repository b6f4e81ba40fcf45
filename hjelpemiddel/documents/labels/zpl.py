"""Labels as native ZPL II for Zebra printers: one format (``^XA`` … ``^XZ``) a label, in UTF-8.

Lengths in the layout are printer dots. The printer draws the Code 128 bars itself; field data is
escaped so that no text on a label can start a printer command."""
from __future__ import annotations

from collections.abc import Sequence

from reportlab.pdfbase.pdfmetrics import stringWidth

from ..barcodes import code128_symbol
from ..text_fit import clean
from .layout import LabelData, LabelLayout, TextBox, fit_text, label_rows, labels_to_print, module_width

# Stands in for the printer's font 0 when estimating text width; it is at least as wide.
_ZPL_MEASURE_FONT = "Helvetica-Bold"

_ZPL_ALIGN = {"left": "L", "center": "C", "right": "R"}


def _zpl_data(text: str, *, in_block: bool) -> str:
    """Field data for ^FH^FD: the command prefixes ^ and ~, the hex marker _ and controls go as hex."""
    out = []
    for char in text:
        if char in "^~_" or ord(char) < 32 or ord(char) == 127:
            out.append("".join(f"_{byte:02X}" for byte in char.encode("utf-8")))
        elif char == "\\" and in_block:
            out.append("\\\\")  # ^FB reads \& as a line break and \\ as one backslash
        else:
            out.append(char)
    return "".join(out)


def build_labels_zpl(labels: Sequence[LabelData], layout: LabelLayout) -> bytes:
    items = labels_to_print(labels, layout, "zpl")
    return "".join(_zpl_label(label, layout) for label in items).encode("utf-8")


def _zpl_label(label: LabelData, layout: LabelLayout) -> str:
    commands = ["^XA", "^CI28", f"^PW{layout.label_width}", f"^LL{layout.label_height}", "^LH0,0"]
    commands.append(_zpl_text(clean(label.title), layout.title, layout))
    for index, row in enumerate(label_rows(label.lines, layout.lines.max_lines)):
        commands.append(_zpl_text(row, layout.lines, layout, index))
    commands.append(_zpl_barcode(label.code, layout))
    commands.append(_zpl_text(label.code, layout.code_text, layout))
    commands.append(_zpl_text(clean(label.footer), layout.footer, layout))
    commands.append("^XZ")
    return "\n".join(command for command in commands if command) + "\n"


def _zpl_text(text: str, box: TextBox, layout: LabelLayout, row: int = 0) -> str:
    if not text:
        return ""
    factor = layout.text_width_factor
    text, size = fit_text(text, box, lambda s, dots: stringWidth(s, _ZPL_MEASURE_FONT, dots) * factor)
    if not text:
        return ""
    height = int(size)
    y = int(box.y + row * box.line_spacing)
    block = f"^FB{box.width},1,0,{_ZPL_ALIGN[box.align]}" if box.align != "left" else ""
    data = _zpl_data(text, in_block=bool(block))
    return f"^FO{box.x},{y}^A{box.font}N,{height},{height}{block}^FH^FD{data}^FS"


def _zpl_barcode(code: str, layout: LabelLayout) -> str:
    box = layout.barcode
    modules = code128_symbol(code).modules
    module = int(module_width(code, modules, box, layout))
    x = box.x + (box.width - modules * module) // 2
    # Mode A lets the printer pick Code 128 subsets itself; the code is printed as our own text field.
    return f"^BY{module}^FO{x},{box.y}^BCN,{box.height},N,N,N,A^FD{code}^FS"
