"""Label layouts read from JSON files (the repository's ``labels/`` folder, see ``labels/README.md``).

Every error names the file and the key path, and a layout that would print outside its label or
page is refused when it is read, not when it prints."""
from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reportlab.pdfbase.pdfmetrics import standardFonts

from .layout import KINDS, BarcodeBox, Grid, LabelLayout, TextBox

_ALIGNMENTS = ("left", "center", "right")
_ZPL_FONT_RE = re.compile(r"[0-9A-Z]")
_EPSILON = 1e-9

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

    def within(self, key: str, end: float, limit: float, problem: str) -> None:
        """Refuses ``key`` with ``problem`` when what it sets reaches ``end``, past ``limit``."""
        if end > limit + _EPSILON:
            raise self.error(key, f"{problem} ({end:g} > {limit:g})")

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
    kind = root.string("kind", choices=tuple(KINDS))
    root.string("unit", choices=(KINDS[kind],))
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
    fields.within("width", box.x + box.width, label_width, "reaches past the label's right edge")
    # A pdf y is a baseline, a zpl y is the top of the characters.
    first = box.y + (box.font_size if dots else 0)
    fields.within("y", first, label_height, "puts text below the label's bottom edge")
    last = first + (box.max_lines - 1) * box.line_spacing
    fields.within("max_lines", last, label_height, "lines run below the label's bottom edge")
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
    fields.within("width", box.x + box.width, label_width, "reaches past the label's right edge")
    fields.within("height", box.y + box.height, label_height, "reaches below the label's bottom edge")
    return box
