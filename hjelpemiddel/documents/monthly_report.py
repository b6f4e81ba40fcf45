"""The monthly report (månedsrapport) as a PDF, in the run sheets' look: pure, data in → bytes out.
Per report area its figures for the month beside the previous month and the same month a year
before, each with how it is computed, then the area's charts (drawn by ``reports.charts``, the same
layout as the pages)."""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

from ..reports.charts import format_number, to_drawing
from ..reports.model import Chart
from .sheet import (BOLD, CONTENT_WIDTH, LEFT, MUTED, REGULAR, RIGHT, RULE, draw_fitted,
                    Pages, draw_sheet_title, new_canvas, printed_time, text, wrap)

CHART_SCALE = 0.78
VALUE_COLUMNS = ("Måneden", "Måneden før", "Ett år før")


@dataclass(frozen=True)
class FigureLine:
    title: str
    unit: str
    values: tuple[float | None, float | None, float | None]  # the month, the month before, a year before
    how: str


@dataclass(frozen=True)
class AreaBlock:
    title: str
    figures: tuple[FigureLine, ...]
    charts: tuple[Chart, ...]


def _value(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    decimals = 0 if unit in ("stk", "kr") else 1
    return f"{format_number(value, decimals)} {unit}".replace(" %", "\u202f%")


def monthly_report_pdf(month_label: str, blocks: list[AreaBlock], depot: str, printed: datetime) -> bytes:
    buffer = io.BytesIO()
    title = f"Månedsrapport {month_label}"
    canvas = new_canvas(buffer, title, depot, "Styringsdata")
    y = draw_sheet_title(canvas, title, depot, "Styringsdata") - 18
    pages = Pages(canvas, title, f"{depot} · {title} · laget {printed_time(printed)}", gap=16)
    room = pages.room

    value_x = LEFT + CONTENT_WIDTH * 0.46
    column = (RIGHT - value_x) / len(VALUE_COLUMNS)
    if not blocks:
        canvas.setFont(REGULAR, 10)
        canvas.drawString(LEFT, y, "Ingen rapportområder er satt opp.")
    for block in blocks:
        y = room(y, 60)
        draw_fitted(canvas, LEFT, y, text(block.title), BOLD, 13, CONTENT_WIDTH)
        y -= 14
        canvas.setFillGray(MUTED)
        for index, heading in enumerate(VALUE_COLUMNS):
            draw_fitted(canvas, value_x + column * index, y, heading, BOLD, 7.5, column - 4, align="right")
        canvas.setFillGray(0)
        y -= 4
        for figure in block.figures:
            how_lines = wrap(text(figure.how), REGULAR, 7, CONTENT_WIDTH * 0.44, 3)
            y = room(y, 14 + 8 * len(how_lines))
            canvas.setStrokeGray(RULE)
            canvas.line(LEFT, y, RIGHT, y)
            y -= 10
            draw_fitted(canvas, LEFT, y, text(figure.title), BOLD, 8.5, CONTENT_WIDTH * 0.44, min_size=6.5)
            for index, value in enumerate(figure.values):
                draw_fitted(canvas, value_x + column * index, y, _value(value, figure.unit),
                            BOLD if index == 0 else REGULAR, 8.5, column - 4, align="right")
            canvas.setFillGray(MUTED)
            for line in how_lines:
                y -= 8
                canvas.setFont(REGULAR, 7)
                canvas.drawString(LEFT, y, line)
            canvas.setFillGray(0)
            y -= 4
        for chart in block.charts:
            drawing = to_drawing(chart, scale=CHART_SCALE)
            y = room(y, drawing.height + 18)
            y -= 12
            draw_fitted(canvas, LEFT, y, text(chart.title), BOLD, 9, CONTENT_WIDTH)
            y -= drawing.height + 2
            drawing.drawOn(canvas, LEFT, y)
            y -= 6
        y -= 10
    pages.footer()
    canvas.save()
    return buffer.getvalue()
