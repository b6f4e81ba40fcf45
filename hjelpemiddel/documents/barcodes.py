"""Code 128 symbols drawn straight into a reportlab canvas, shared by labels and run documents.

reportlab's ``Code128`` does the encoding (subset switching, check character); we only ask it
for the bar pattern. ``Code128.drawOn`` formats every bar through ``canvas.rect``, which is half
the build time without reportlab's C accelerator; the same bars as one path in module units,
scaled by a single transformation, are twice as fast and give identical output.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

# Printable ASCII without the space: what Code 128 carries and a scanner types back unchanged.
_ENCODABLE_RE = re.compile(r"[!-~]+")


@dataclass(frozen=True)
class Code128Symbol:
    code: str
    modules: int  # width of the bars from start to stop pattern, without quiet zones
    bars: str     # PDF path operators ("x 0 w 1 re ...") in module units, one module high


def code128_symbol(code: str) -> Code128Symbol:
    """The bars for ``code``; refuses codes Code 128 cannot carry rather than printing a wrong symbol."""
    if not isinstance(code, str) or not _ENCODABLE_RE.fullmatch(code):
        # reportlab silently drops characters above ASCII and fails on an empty value.
        raise ValueError(f"barcode {code!r} must be printable ASCII without spaces to print as Code 128")
    # Imported on first use: it pulls in reportlab's platypus, a tenth of a second of every worker's start.
    from reportlab.graphics.barcode.code128 import Code128

    symbol = Code128(code, quiet=0)
    symbol.validate()
    # Every symbol character is 11 modules wide, the stop pattern 13; decompose() reads encode()'s result.
    modules = 11 * len(symbol.encode()) + 2
    bars = []
    position = 0
    for element in symbol.decompose():  # "A".."D": bar of 1-4 modules, "a".."d": space
        if element <= "Z":
            bars.append(f"{position} 0 {ord(element) - 64} 1 re")
        position += ord(element) - (64 if element <= "Z" else 96)
    return Code128Symbol(code=code, modules=modules, bars=" ".join(bars))


def draw_code128(canvas: Canvas, symbol: Code128Symbol, x: float, y: float, module: float, height: float) -> None:
    """Bars from (x, y), the bottom-left corner of the start pattern, in points; quiet zones are the caller's."""
    canvas.addLiteral(f"q {module:.4f} 0 0 {height:.4f} {x:.4f} {y:.4f} cm {symbol.bars} f Q")


def code128_module(symbol: Code128Symbol, width: float, preferred: float, minimum: float,
                   quiet_zone: int = 10) -> float:
    """The widest module up to ``preferred`` that fits the symbol and both quiet zones into ``width``.

    All lengths in one unit; refuses a code that would need bars narrower than ``minimum``.
    """
    module = min(preferred, width / (symbol.modules + 2 * quiet_zone))
    if module < minimum:
        raise ValueError(
            f"barcode {symbol.code!r} is too long to print: it needs "
            f"{(symbol.modules + 2 * quiet_zone) * minimum:.1f} but has {width:.1f}"
        )
    return module
