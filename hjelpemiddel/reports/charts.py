"""Charts drawn on the server, pure: a ``Chart`` is laid out once into primitives (lines, polylines,
markers, bars, texts) that two small backends draw: SVG for the pages and reportlab for the monthly
PDF. Series differ by dash pattern, marker shape and bar hatching as well as by colour, line ends
carry their series' name and bars their value, so a chart reads without colour; the page shows the
same numbers as a table beside it."""
from __future__ import annotations

import math
from dataclasses import dataclass
from xml.sax.saxutils import escape

from .model import Chart

WIDTH, HEIGHT = 640, 300
LEFT, TOP, BOTTOM = 64, 20, 64
RIGHT_LINE, RIGHT_BARS = 130, 16
COLOURS = ("#1f4e79", "#b35900", "#2e7d32", "#6a1b9a")
DASHES = ("", "8 4", "2 4", "10 4 2 4")
MARKERS = ("circle", "square", "triangle", "diamond")
HATCHES = ("solid", "diagonal", "dots", "cross")
NO_DATA = "Ingen data i perioden"
THIN_SPACE = "\u202f"


def format_number(value: float | None, decimals: int | None = None) -> str:
    """Norwegian: decimal comma, a thin space between thousands, «–» for no value. Without
    ``decimals``: whole numbers without, others with one."""
    if value is None:
        return "–"
    if decimals is None:
        decimals = 0 if float(value).is_integer() else 1
    if decimals == 0 or float(value).is_integer() and abs(value) >= 100:
        text = f"{round(value):,}"
    else:
        text = f"{value:,.{decimals}f}"
    return text.replace(",", THIN_SPACE).replace(".", ",")


@dataclass(frozen=True)
class Shape:
    kind: str  # axis, grid, polyline, marker, bar, text
    points: tuple[float, ...] = ()
    series: int = 0
    text: str = ""
    anchor: str = "start"  # start | middle | end
    size: float = 11


def nice_ticks(top: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least ``top``."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return [step * n for n in range(math.ceil(top / step + 1e-9) + 1)]


def layout(chart: Chart, width: int = WIDTH, height: int = HEIGHT) -> list[Shape]:
    values = [v for series in chart.series for v in series.values if v is not None]
    if not chart.labels or not values:
        return [Shape("text", (width / 2, height / 2), text=NO_DATA, anchor="middle", size=13)]
    right = RIGHT_LINE if chart.kind == "line" else RIGHT_BARS
    plot_w, plot_h = width - LEFT - right, height - TOP - BOTTOM
    ticks = nice_ticks(max(values))
    top = ticks[-1] or 1.0

    def y_of(value: float) -> float:
        return TOP + plot_h * (1 - value / top)

    shapes = []
    step = ticks[1] - ticks[0]
    decimals = 0 if all(float(t).is_integer() for t in ticks) else min(3, max(1, -math.floor(math.log10(step))))
    for tick in ticks:
        y = y_of(tick)
        shapes.append(Shape("grid", (LEFT, y, LEFT + plot_w, y)))
        shapes.append(Shape("text", (LEFT - 6, y + 4), text=format_number(tick, decimals), anchor="end", size=10))
    shapes.append(Shape("axis", (LEFT, TOP, LEFT, TOP + plot_h)))
    shapes.append(Shape("axis", (LEFT, TOP + plot_h, LEFT + plot_w, TOP + plot_h)))
    if chart.unit:
        shapes.append(Shape("text", (4, TOP - 6), text=chart.unit, size=10))
    slot = plot_w / len(chart.labels)
    every = max(1, math.ceil(len(chart.labels) / 12))  # at most a dozen labels under the axis
    for index, label in enumerate(chart.labels):
        if index % every == 0:
            shapes.append(Shape("text", (LEFT + slot * (index + 0.5), TOP + plot_h + 16), text=label,
                                anchor="middle", size=10))
    if chart.kind == "line":
        shapes += _lines(chart, slot, y_of)
    else:
        shapes += _bars(chart, slot, y_of, TOP + plot_h)
    if len(chart.series) > 1 and chart.kind != "line":
        shapes += _legend(chart, height)
    return shapes


def _lines(chart: Chart, slot: float, y_of) -> list[Shape]:
    shapes = []
    for number, series in enumerate(chart.series):
        run: list[float] = []
        last = None
        for index, value in enumerate(series.values):
            if value is None:  # a gap: the line stops and starts again after it
                if len(run) >= 4:
                    shapes.append(Shape("polyline", tuple(run), number))
                run = []
                continue
            x, y = LEFT + slot * (index + 0.5), y_of(value)
            run += [x, y]
            shapes.append(Shape("marker", (x, y), number))
            last = (x, y)
        if len(run) >= 4:
            shapes.append(Shape("polyline", tuple(run), number))
        if last:
            shapes.append(Shape("text", (last[0] + 8, last[1] + 4), number, series.name, size=10))
    return _spread_end_labels(shapes)


def _spread_end_labels(shapes: list[Shape]) -> list[Shape]:
    """Line-end labels a few pixels apart rather than on top of each other."""
    labels = sorted((s for s in shapes if s.kind == "text"), key=lambda s: s.points[1])
    placed, moved = [], {}
    for shape in labels:
        y = shape.points[1]
        if placed and y - placed[-1] < 12:
            y = placed[-1] + 12
        placed.append(y)
        moved[id(shape)] = Shape("text", (shape.points[0], y), shape.series, shape.text, size=shape.size)
    return [moved.get(id(s), s) for s in shapes]


def _bars(chart: Chart, slot: float, y_of, base: float) -> list[Shape]:
    shapes = []
    groups = len(chart.series)
    gap = 0.0 if chart.kind == "histogram" else slot * 0.2
    bar_w = (slot - gap) / groups
    for number, series in enumerate(chart.series):
        for index, value in enumerate(series.values):
            if value is None:
                continue
            x = LEFT + slot * index + gap / 2 + bar_w * number
            y = y_of(value)
            shapes.append(Shape("bar", (x, y, bar_w, base - y), number))
            if bar_w >= 14:
                shapes.append(Shape("text", (x + bar_w / 2, y - 3), number, format_number(value), "middle", 9))
    return shapes


def _legend(chart: Chart, height: int) -> list[Shape]:
    shapes, x = [], LEFT
    for number, series in enumerate(chart.series):
        shapes.append(Shape("bar", (x, height - 22, 14, 12), number))
        shapes.append(Shape("text", (x + 18, height - 12), number, series.name, size=10))
        x += 30 + 6.5 * len(series.name)
    return shapes


# --- SVG -----------------------------------------------------------------------------------------

def to_svg(chart: Chart, width: int = WIDTH, height: int = HEIGHT) -> str:
    ident = "chart-" + "".join(c if c.isalnum() else "-" for c in chart.key)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
           f'aria-labelledby="{ident}-title {ident}-desc" class="chart" data-chart="{escape(chart.key)}">',
           f'<title id="{ident}-title">{escape(chart.title)}</title>',
           f'<desc id="{ident}-desc">{escape(_description(chart))}</desc>', _svg_patterns(ident)]
    for shape in layout(chart, width, height):
        out.append(_svg_shape(shape, ident))
    out.append("</svg>")
    return "".join(out)


def _description(chart: Chart) -> str:
    names = ", ".join(series.name for series in chart.series)
    return f"{chart.title}: {names}. Tallene står i tabellen ved siden av."


def _svg_patterns(ident: str) -> str:
    parts = ["<defs>"]
    for number, colour in enumerate(COLOURS):
        hatch = HATCHES[number]
        parts.append(f'<pattern id="{ident}-p{number}" width="6" height="6" patternUnits="userSpaceOnUse">'
                     f'<rect width="6" height="6" fill="{"#ffffff" if hatch != "solid" else colour}"/>')
        if hatch == "diagonal":
            parts.append(f'<path d="M0,6 L6,0" stroke="{colour}" stroke-width="2"/>')
        elif hatch == "dots":
            parts.append(f'<circle cx="3" cy="3" r="1.6" fill="{colour}"/>')
        elif hatch == "cross":
            parts.append(f'<path d="M0,0 L6,6 M0,6 L6,0" stroke="{colour}" stroke-width="1.2"/>')
        parts.append("</pattern>")
    parts.append("</defs>")
    return "".join(parts)


def _svg_shape(shape: Shape, ident: str) -> str:
    p = [round(v, 1) for v in shape.points]
    colour = COLOURS[shape.series % len(COLOURS)]
    if shape.kind in ("axis", "grid"):
        stroke = "#333333" if shape.kind == "axis" else "#dddddd"
        return f'<line x1="{p[0]}" y1="{p[1]}" x2="{p[2]}" y2="{p[3]}" stroke="{stroke}" stroke-width="1"/>'
    if shape.kind == "polyline":
        points = " ".join(f"{p[i]},{p[i + 1]}" for i in range(0, len(p), 2))
        dash = DASHES[shape.series % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        return f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"{dash_attr}/>'
    if shape.kind == "marker":
        return _svg_marker(MARKERS[shape.series % len(MARKERS)], p[0], p[1], colour)
    if shape.kind == "bar":
        return (f'<rect x="{p[0]}" y="{p[1]}" width="{p[2]}" height="{p[3]}" fill="url(#{ident}-p{shape.series % 4})" '
                f'stroke="{colour}" stroke-width="1"/>')
    anchor = f' text-anchor="{shape.anchor}"' if shape.anchor != "start" else ""
    return f'<text x="{p[0]}" y="{p[1]}" font-size="{shape.size}"{anchor} fill="#222222">{escape(shape.text)}</text>'


def _svg_marker(kind: str, x: float, y: float, colour: str) -> str:
    if kind == "circle":
        return f'<circle cx="{x}" cy="{y}" r="3.5" fill="{colour}"/>'
    if kind == "square":
        return f'<rect x="{x - 3.5}" y="{y - 3.5}" width="7" height="7" fill="{colour}"/>'
    if kind == "triangle":
        return f'<path d="M{x},{y - 4.5} L{x + 4.5},{y + 3.5} L{x - 4.5},{y + 3.5} Z" fill="{colour}"/>'
    return f'<path d="M{x},{y - 5} L{x + 5},{y} L{x},{y + 5} L{x - 5},{y} Z" fill="{colour}"/>'


# --- reportlab (the monthly PDF) ------------------------------------------------------------------

def to_drawing(chart: Chart, width: int = WIDTH, height: int = HEIGHT, scale: float = 0.7):
    """The same chart as a reportlab ``Drawing`` (y grows upwards there, so every y is flipped)."""
    from reportlab.graphics.shapes import Circle, Drawing, Group, Line, PolyLine, Polygon, Rect, String
    from reportlab.lib.colors import HexColor, white

    drawing = Drawing(width * scale, height * scale)
    group = Group()
    group.scale(scale, scale)

    def flip(y: float) -> float:
        return height - y

    for shape in layout(chart, width, height):
        p = shape.points
        colour = HexColor(COLOURS[shape.series % len(COLOURS)])
        if shape.kind in ("axis", "grid"):
            group.add(Line(p[0], flip(p[1]), p[2], flip(p[3]),
                           strokeColor=HexColor("#333333" if shape.kind == "axis" else "#dddddd"), strokeWidth=1))
        elif shape.kind == "polyline":
            points = [v if i % 2 == 0 else flip(v) for i, v in enumerate(p)]
            dash = [float(d) for d in DASHES[shape.series % len(DASHES)].split()] or None
            group.add(PolyLine(points, strokeColor=colour, strokeWidth=2, strokeDashArray=dash))
        elif shape.kind == "marker":
            marker = MARKERS[shape.series % len(MARKERS)]
            x, y = p[0], flip(p[1])
            if marker == "circle":
                group.add(Circle(x, y, 3.5, fillColor=colour, strokeColor=None))
            elif marker == "square":
                group.add(Rect(x - 3.5, y - 3.5, 7, 7, fillColor=colour, strokeColor=None))
            elif marker == "triangle":
                group.add(Polygon([x, y + 4.5, x + 4.5, y - 3.5, x - 4.5, y - 3.5], fillColor=colour, strokeColor=None))
            else:
                group.add(Polygon([x, y + 5, x + 5, y, x, y - 5, x - 5, y], fillColor=colour, strokeColor=None))
        elif shape.kind == "bar":
            x, y, w, h = p[0], flip(p[1] + p[3]), p[2], p[3]
            solid = HATCHES[shape.series % len(HATCHES)] == "solid"
            group.add(Rect(x, y, w, h, fillColor=colour if solid else white, strokeColor=colour, strokeWidth=1))
            if not solid:  # hatching drawn as lines inside the bar
                step = 6
                for offset in range(0, int(h), step):
                    group.add(Line(x, y + offset, x + w, y + min(h, offset + step / 2), strokeColor=colour,
                                   strokeWidth=0.8))
        else:
            anchor = {"start": "start", "middle": "middle", "end": "end"}[shape.anchor]
            group.add(String(p[0], flip(p[1]), shape.text, fontSize=shape.size, textAnchor=anchor,
                             fontName="Helvetica"))
    drawing.add(group)
    return drawing
