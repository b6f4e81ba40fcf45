"""Barcode pictures for the browser (python-barcode's SVG writer); printed labels use reportlab."""
from __future__ import annotations

import io

from barcode import Code128
from barcode.writer import SVGWriter


def code128_svg(code: str) -> str:
    buffer = io.BytesIO()
    Code128(code, writer=SVGWriter()).write(
        buffer, options={"module_height": 12.0, "font_size": 8, "text_distance": 4, "quiet_zone": 4, "compress": False}
    )
    svg = buffer.getvalue().decode()
    return svg[svg.index("<svg"):]  # drop the XML prolog so it can sit inline in HTML
