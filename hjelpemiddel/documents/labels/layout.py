"""What a label carries (``LabelData``) and where it goes (``LabelLayout`` and its boxes), with the
text and barcode geometry both builders (PDF and ZPL) share."""
from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..text_fit import Measure, clean, fit_to_width

LINE_JOINER = " · "

# Safe in Code 128 subset B, in ZPL field data and in every PDF font.
_CODE_RE = re.compile(r"[A-Za-z0-9._/+-]+")
KINDS = {"pdf": "mm", "zpl": "dots"}  # layout kind: the unit of its lengths


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


# --- shared text and barcode geometry ---------------------------------------------------------

def label_rows(lines: Sequence[str], max_lines: int) -> list[str]:
    """The non-empty lines, cleaned; lines beyond ``max_lines`` are joined into the last one."""
    rows = [row for row in (clean(line) for line in lines) if row]
    if len(rows) > max_lines:
        rows = rows[: max_lines - 1] + [LINE_JOINER.join(rows[max_lines - 1:])]
    return rows


def fit_text(text: str, box: TextBox, measure: Measure) -> tuple[str, float]:
    """Shrink towards min_font_size, then cut with an ellipsis, until the text fits the box width."""
    return fit_to_width(text, box.font_size, box.min_font_size, box.width, measure)


def module_width(code: str, modules: int, box: BarcodeBox, layout: LabelLayout) -> float:
    """The narrowest bar's width for ``code`` in the layout's unit (whole dots for ZPL)."""
    fitting = box.width / (modules + 2 * box.quiet_zone)
    module = min(box.module, math.floor(fitting) if layout.kind == "zpl" else fitting)
    if module < box.min_module:
        needed = (modules + 2 * box.quiet_zone) * box.min_module
        raise ValueError(
            f"code {code!r} is too long for layout {layout.name!r}: its barcode needs {needed:g} "
            f"{KINDS[layout.kind]} but the barcode box is {box.width:g} wide"
        )
    return module


def labels_to_print(labels: Sequence[LabelData], layout: LabelLayout, kind: str) -> list[LabelData]:
    """The labels as a list; refuses an empty one and a layout of the other kind."""
    if layout.kind != kind:
        raise ValueError(f"layout {layout.name!r} is a {layout.kind} layout, not {kind}")
    items = list(labels)
    if not items:
        raise ValueError("no labels to print")
    return items
