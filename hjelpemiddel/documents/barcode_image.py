"""Barcode pictures for the browser (python-barcode's SVG writer); printed labels use reportlab."""
from __future__ import annotations

import io
import re

from barcode import Code128
from barcode.writer import SVGWriter

_STYLE = re.compile(r'\sstyle="([^"]*)"')
_DECLARATION = re.compile(r"^\s*([a-z-]+)\s*:\s*([#\w.%-]+)\s*$")


def code128_svg(code: str) -> str:
    buffer = io.BytesIO()
    Code128(code, writer=SVGWriter()).write(
        buffer, options={"module_height": 12.0, "font_size": 8, "text_distance": 4, "quiet_zone": 4, "compress": False}
    )
    svg = buffer.getvalue().decode()
    svg = svg[svg.index("<svg"):]  # drop the XML prolog so it can sit inline in HTML
    return _STYLE.sub(_as_presentation_attributes, svg)


def _as_presentation_attributes(match: re.Match) -> str:
    """``style="fill:black;font-size:8pt"`` → ``fill="black" font-size="8pt"``: the pages' CSP allows no
    inline style, and a blocked ``fill:white`` would turn the quiet zone black. SVG's presentation
    attributes say the same and are not styles in the CSP's sense."""
    attributes = []
    for declaration in filter(str.strip, match.group(1).split(";")):
        parsed = _DECLARATION.match(declaration)
        if parsed is None:
            raise ValueError(f"unexpected style in the barcode SVG: {declaration!r}")
        attributes.append(f' {parsed.group(1)}="{parsed.group(2)}"')
    return "".join(attributes)
