"""Device and location labels: PDF sheets and rolls (reportlab) and native ZPL II for Zebra printers.

The builders are pure: label data and a layout in, document bytes out. Every size and position
comes from the layout files in the repository's ``labels/`` folder (see ``labels/README.md``).
"""
from __future__ import annotations

import io
import json
import math
import os
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import standardFonts, stringWidth
from reportlab.pdfgen.canvas import Canvas

from .barcodes import code128_symbol, draw_code128

ELLIPSIS = "…"
LINE_JOINER = " · "

# Safe in Code 128 subset B, in ZPL field data and in every PDF font.
_CODE_RE = re.compile(r"[A-Za-z0-9._/+-]+")
_KINDS = {"pdf": "mm", "zpl": "dots"}
_ALIGNMENTS = ("left", "center", "right")
_ZPL_FONT_RE = re.compile(r"[0-9A-Z]")
# Stands in for the printer's font 0 when estimating text width; it is at least as wide.
_ZPL_MEASURE_FONT = "Helvetica-Bold"
_EPSILON = 1e-9


@dataclass(frozen=True)
class LabelData:
    code: str
    title: str
    lines: tuple[str, ...] = ()
    footer: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.code, str) or not _CODE_RE.fullmatch(self.code):
            raise ValueError(
                f"label code {self.code!r} may only contain letters A-Z, digits and . _ / + -"
            )
        object.__setattr__(self, "lines", tuple(self.lines))


@dataclass(frozen=True)
class TextBox:
    x: float
    y: float  # pdf: baseline below the label's top edge; zpl: top of the field
    width: float
    font: str
    font_size: float  # pdf: points; zpl: character height in dots
    min_font_size: float
    align: str = "left"
    line_spacing: float = 0.0
    max_lines: int = 1


@dataclass(frozen=True)
class BarcodeBox:
    x: float  # the box includes both quiet zones; the symbol is centred in it
    y: float
    width: float
    height: float
    module: float  # preferred width of the narrowest bar
    min_module: float  # long codes may shrink bars down to this, never below
    quiet_zone: int  # in modules, each side


@dataclass(frozen=True)
class Grid:
    columns: int
    rows: int
    left: float
    top: float
    pitch_x: float
    pitch_y: float


@dataclass(frozen=True)
class LabelLayout:
    name: str
    kind: str  # "pdf": lengths in mm, font sizes in pt; "zpl": everything in printer dots
    description: str
    label_width: float
    label_height: float
    page_width: float
    page_height: float
    grid: Grid
    title: TextBox
    lines: TextBox
    barcode: BarcodeBox
    code_text: TextBox
    footer: TextBox
    dpi: int = 0
    text_width_factor: float = 1.0

    @property
    def labels_per_page(self) -> int:
        return self.grid.columns * self.grid.rows


# --- layout files -------------------------------------------------------------------------------

_MISSING: Any = object()


class _Fields:
    """One JSON object being read; every error names the file and the key path."""

    def __init__(self, data: Any, source: str, path: str) -> None:
        self.source = source
        self.path = path
        if not isinstance(data, dict):
            raise ValueError(f"{source}: '{path or '(top level)'}' must be a JSON object")
        self._data: dict[str, Any] = data
        self._used: set[str] = set()

    def error(self, key: str, message: str) -> ValueError:
        where = f"{self.path}.{key}" if self.path else key
        return ValueError(f"{self.source}: '{where}' {message}")

    def _get(self, key: str, default: Any) -> Any:
        self._used.add(key)
        if key in self._data:
            return self._data[key]
        if default is _MISSING:
            raise self.error(key, "is missing")
        return default

    def number(self, key: str, *, integer: bool = False, zero_ok: bool = False) -> Any:
        value = self._get(key, _MISSING)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise self.error(key, f"must be a number, got {value!r}")
        if integer and value != int(value):
            raise self.error(key, f"must be a whole number, got {value!r}")
        if value < 0 or (value == 0 and not zero_ok):
            raise self.error(key, f"must be {'zero or ' if zero_ok else ''}positive, got {value!r}")
        return int(value) if integer else float(value)

    def string(self, key: str, *, choices: Sequence[str] = (), default: Any = _MISSING) -> str:
        value = self._get(key, default)
        if not isinstance(value, str):
            raise self.error(key, f"must be a string, got {value!r}")
        if choices and value not in choices:
            raise self.error(key, f"must be one of {', '.join(choices)}, got {value!r}")
        return value

    def child(self, key: str) -> _Fields:
        return _Fields(self._get(key, _MISSING), self.source, f"{self.path}.{key}" if self.path else key)

    def optional_child(self, key: str) -> _Fields | None:
        return self.child(key) if key in self._data else None

    def finish(self) -> None:
        unknown = sorted(set(self._data) - self._used)
        if unknown:
            raise self.error(unknown[0], "is not a known key")


def load_layout(path: str | os.PathLike[str]) -> LabelLayout:
    path = Path(path)
    source = path.name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"{source}: cannot read layout file: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise ValueError(f"{source}: not valid JSON: {exc}") from exc
    root = _Fields(data, source, "")
    kind = root.string("kind", choices=tuple(_KINDS))
    root.string("unit", choices=(_KINDS[kind],))
    dots = kind == "zpl"
    description = root.string("description", default="")

    label = root.child("label")
    label_width = label.number("width", integer=dots)
    label_height = label.number("height", integer=dots)
    label.finish()

    if dots:
        dpi = root.number("dpi", integer=True)
        text_width_factor = root.number("text_width_factor")
        page_width, page_height = label_width, label_height
        grid = Grid(1, 1, 0, 0, label_width, label_height)
    else:
        dpi, text_width_factor = 0, 1.0
        page_width, page_height = _read_page(root.optional_child("page"), label_width, label_height)
        grid = _read_grid(root, label_width, label_height, page_width, page_height)

    boxes = {
        key: _read_text_box(root.child(key), kind, label_width, label_height, multiline=key == "lines")
        for key in ("title", "lines", "code_text", "footer")
    }
    barcode = _read_barcode_box(root.child("barcode"), dots, label_width, label_height)
    root.finish()
    return LabelLayout(
        name=path.stem, kind=kind, description=description,
        label_width=label_width, label_height=label_height,
        page_width=page_width, page_height=page_height, grid=grid,
        barcode=barcode, dpi=dpi, text_width_factor=text_width_factor, **boxes,
    )


def load_layouts(directory: str | os.PathLike[str]) -> dict[str, LabelLayout]:
    files = sorted(Path(directory).glob("*.json"))
    if not files:
        raise ValueError(f"{directory}: no label layout files (*.json) found")
    return {file.stem: load_layout(file) for file in files}


def _read_page(fields: _Fields | None, label_width: float, label_height: float) -> tuple[float, float]:
    if fields is None:
        return label_width, label_height
    size = fields.number("width"), fields.number("height")
    fields.finish()
    return size


def _read_grid(root: _Fields, label_width: float, label_height: float,
               page_width: float, page_height: float) -> Grid:
    fields = root.optional_child("grid")
    if fields is None:
        if label_width > page_width + _EPSILON or label_height > page_height + _EPSILON:
            raise root.error("page", "is smaller than the label")
        return Grid(1, 1, 0, 0, label_width, label_height)
    grid = Grid(
        columns=fields.number("columns", integer=True),
        rows=fields.number("rows", integer=True),
        left=fields.number("left", zero_ok=True),
        top=fields.number("top", zero_ok=True),
        pitch_x=fields.number("pitch_x"),
        pitch_y=fields.number("pitch_y"),
    )
    fields.finish()
    if grid.pitch_x < label_width - _EPSILON:
        raise fields.error("pitch_x", f"({grid.pitch_x}) is narrower than the label, labels would overlap")
    if grid.pitch_y < label_height - _EPSILON:
        raise fields.error("pitch_y", f"({grid.pitch_y}) is shorter than the label, labels would overlap")
    right = grid.left + (grid.columns - 1) * grid.pitch_x + label_width
    if right > page_width + _EPSILON:
        raise fields.error(
            "columns", f"do not fit on the page: they end at {right:g}, the page is {page_width:g}"
        )
    bottom = grid.top + (grid.rows - 1) * grid.pitch_y + label_height
    if bottom > page_height + _EPSILON:
        raise fields.error(
            "rows", f"do not fit on the page: they end at {bottom:g}, the page is {page_height:g}"
        )
    return grid


def _read_text_box(fields: _Fields, kind: str, label_width: float, label_height: float,
                   *, multiline: bool) -> TextBox:
    dots = kind == "zpl"
    font = fields.string("font")
    if dots and not _ZPL_FONT_RE.fullmatch(font):
        raise fields.error("font", f"must be a ZPL font name (one letter or digit), got {font!r}")
    if not dots and font not in standardFonts:
        raise fields.error("font", f"must be a standard PDF font such as Helvetica, got {font!r}")
    box = TextBox(
        x=fields.number("x", integer=dots, zero_ok=True),
        y=fields.number("y", integer=dots, zero_ok=dots),
        width=fields.number("width", integer=dots),
        font=font,
        font_size=fields.number("font_size", integer=dots),
        min_font_size=fields.number("min_font_size", integer=dots),
        align=fields.string("align", choices=_ALIGNMENTS, default="left"),
        line_spacing=fields.number("line_spacing", integer=dots) if multiline else 0.0,
        max_lines=fields.number("max_lines", integer=True) if multiline else 1,
    )
    fields.finish()
    if box.min_font_size > box.font_size:
        raise fields.error("min_font_size", f"({box.min_font_size:g}) is larger than font_size")
    if box.x + box.width > label_width + _EPSILON:
        raise fields.error(
            "width", f"reaches past the label's right edge ({box.x + box.width:g} > {label_width:g})"
        )
    # A pdf y is a baseline, a zpl y is the top of the characters.
    first = box.y + (box.font_size if dots else 0)
    if first > label_height + _EPSILON:
        raise fields.error("y", f"puts text below the label's bottom edge ({first:g} > {label_height:g})")
    last = first + (box.max_lines - 1) * box.line_spacing
    if last > label_height + _EPSILON:
        raise fields.error(
            "max_lines", f"lines run below the label's bottom edge ({last:g} > {label_height:g})"
        )
    return box


def _read_barcode_box(fields: _Fields, dots: bool, label_width: float, label_height: float) -> BarcodeBox:
    box = BarcodeBox(
        x=fields.number("x", integer=dots, zero_ok=True),
        y=fields.number("y", integer=dots, zero_ok=True),
        width=fields.number("width", integer=dots),
        height=fields.number("height", integer=dots),
        module=fields.number("module", integer=dots),
        min_module=fields.number("min_module", integer=dots),
        quiet_zone=fields.number("quiet_zone", integer=True),
    )
    fields.finish()
    if box.min_module > box.module:
        raise fields.error("min_module", f"({box.min_module:g}) is larger than module ({box.module:g})")
    if box.quiet_zone < 10:
        raise fields.error("quiet_zone", f"must be at least 10 modules for Code 128, got {box.quiet_zone}")
    if box.x + box.width > label_width + _EPSILON:
        raise fields.error(
            "width", f"reaches past the label's right edge ({box.x + box.width:g} > {label_width:g})"
        )
    if box.y + box.height > label_height + _EPSILON:
        raise fields.error(
            "height", f"reaches below the label's bottom edge ({box.y + box.height:g} > {label_height:g})"
        )
    return box


# --- shared text and barcode geometry ---------------------------------------------------------

Measure = Callable[[str, float], float]


def _clean(text: str) -> str:
    return " ".join(text.split())


def _rows(lines: Sequence[str], max_lines: int) -> list[str]:
    rows = [row for row in (_clean(line) for line in lines) if row]
    if len(rows) > max_lines:
        rows = rows[: max_lines - 1] + [LINE_JOINER.join(rows[max_lines - 1:])]
    return rows


def _fit_text(text: str, box: TextBox, measure: Measure) -> tuple[str, float]:
    """Shrink towards min_font_size, then cut with an ellipsis, until the text fits the box width."""
    width = measure(text, box.font_size)
    if width <= box.width:
        return text, box.font_size
    # Text width grows linearly with font size.
    size = box.font_size * box.width / width
    if size >= box.min_font_size:
        return text, size
    size = box.min_font_size
    fits, too_long = 0, len(text)
    while too_long - fits > 1:
        middle = (fits + too_long) // 2
        if measure(text[:middle].rstrip() + ELLIPSIS, size) <= box.width:
            fits = middle
        else:
            too_long = middle
    cut = text[:fits].rstrip()
    return (cut + ELLIPSIS if cut else ""), size


def _module_width(code: str, modules: int, box: BarcodeBox, layout: LabelLayout) -> float:
    fitting = box.width / (modules + 2 * box.quiet_zone)
    module = min(box.module, math.floor(fitting) if layout.kind == "zpl" else fitting)
    if module < box.min_module:
        needed = (modules + 2 * box.quiet_zone) * box.min_module
        raise ValueError(
            f"code {code!r} is too long for layout {layout.name!r}: its barcode needs {needed:g} "
            f"{_KINDS[layout.kind]} but the barcode box is {box.width:g} wide"
        )
    return module


def _require(labels: Sequence[LabelData], layout: LabelLayout, kind: str) -> list[LabelData]:
    if layout.kind != kind:
        raise ValueError(f"layout {layout.name!r} is a {layout.kind} layout, not {kind}")
    items = list(labels)
    if not items:
        raise ValueError("no labels to print")
    return items


# --- PDF ----------------------------------------------------------------------------------------

# Standard PDF fonts only cover WinAnsi; Sámi letters outside it would print as black boxes.
_PDF_FALLBACK = str.maketrans({"Đ": "D", "đ": "d", "Ŋ": "N", "ŋ": "n", "Ŧ": "T", "ŧ": "t"})


def _pdf_text(text: str) -> str:
    text = _clean(text)
    try:
        text.encode("cp1252")
        return text
    except UnicodeEncodeError:
        pass
    out = []
    for char in text.translate(_PDF_FALLBACK):
        try:
            char.encode("cp1252")
            out.append(char)
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", char).encode("cp1252", "ignore").decode("cp1252")
            out.append(base or "?")
    return "".join(out)


def build_labels_pdf(labels: Sequence[LabelData], layout: LabelLayout, start_position: int = 0) -> bytes:
    items = _require(labels, layout, "pdf")
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
    _draw_text(canvas, _pdf_text(label.title), layout.title, left, top)
    for index, row in enumerate(_rows([_pdf_text(line) for line in label.lines], layout.lines.max_lines)):
        _draw_text(canvas, row, layout.lines, left, top, index)
    _draw_barcode(canvas, label.code, layout, left, top)
    _draw_text(canvas, label.code, layout.code_text, left, top)
    _draw_text(canvas, _pdf_text(label.footer), layout.footer, left, top)


def _draw_text(canvas: Canvas, text: str, box: TextBox, left: float, top: float, row: int = 0) -> None:
    if not text:
        return
    text, size = _fit_text(text, box, lambda s, points: stringWidth(s, box.font, points) / mm)
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
    module = _module_width(code, symbol.modules, box, layout)
    x = left + (box.x + (box.width - symbol.modules * module) / 2) * mm
    y = top - (box.y + box.height) * mm
    draw_code128(canvas, symbol, x, y, module * mm, box.height * mm)


# --- ZPL ----------------------------------------------------------------------------------------

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
    items = _require(labels, layout, "zpl")
    return "".join(_zpl_label(label, layout) for label in items).encode("utf-8")


def _zpl_label(label: LabelData, layout: LabelLayout) -> str:
    commands = ["^XA", "^CI28", f"^PW{layout.label_width}", f"^LL{layout.label_height}", "^LH0,0"]
    commands.append(_zpl_text(_clean(label.title), layout.title, layout))
    for index, row in enumerate(_rows(label.lines, layout.lines.max_lines)):
        commands.append(_zpl_text(row, layout.lines, layout, index))
    commands.append(_zpl_barcode(label.code, layout))
    commands.append(_zpl_text(label.code, layout.code_text, layout))
    commands.append(_zpl_text(_clean(label.footer), layout.footer, layout))
    commands.append("^XZ")
    return "\n".join(command for command in commands if command) + "\n"


def _zpl_text(text: str, box: TextBox, layout: LabelLayout, row: int = 0) -> str:
    if not text:
        return ""
    factor = layout.text_width_factor
    text, size = _fit_text(text, box, lambda s, dots: stringWidth(s, _ZPL_MEASURE_FONT, dots) * factor)
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
    module = int(_module_width(code, modules, box, layout))
    x = box.x + (box.width - modules * module) // 2
    # Mode A lets the printer pick Code 128 subsets itself; the code is printed as our own text field.
    return f"^BY{module}^FO{x},{box.y}^BCN,{box.height},N,N,N,A^FD{code}^FS"
