"""The server-side charts: valid SVG, readable without colour (dash, marker and hatching differ per
series, line ends named, bars labelled), gaps where a value is missing, text escaped, no inline
style for the CSP, and the same layout drawn for the PDF."""
import re
import xml.etree.ElementTree as ET

import pytest

from hjelpemiddel.reports.charts import format_number, layout, nice_ticks, to_drawing, to_svg
from hjelpemiddel.reports.model import Chart, Series

SVG = "{http://www.w3.org/2000/svg}"


def line_chart(*series: Series) -> Chart:
    return Chart("waiting-monthly", "Ventetid per måned", "line", ("jan", "feb", "mar", "apr"), series, "dager")


def test_a_line_chart_is_valid_svg_with_a_title_and_a_description_for_screen_readers():
    root = ET.fromstring(to_svg(line_chart(Series("Median", (1.0, 2.0, 3.0, 2.5)))))
    assert root.get("role") == "img"
    labelled = root.get("aria-labelledby").split()
    ids = {element.get("id") for element in root.iter() if element.get("id")}
    assert set(labelled) <= ids
    assert root.find(f"{SVG}title").text == "Ventetid per måned"


def test_two_series_differ_by_dash_pattern_and_marker_shape_and_each_line_end_carries_its_name():
    svg = to_svg(line_chart(Series("Median", (1.0, 2.0, 3.0, 2.5)), Series("90. persentil", (4.0, 5.0, 6.0, 5.5))))
    root = ET.fromstring(svg)
    lines = root.findall(f"{SVG}polyline")
    assert len(lines) == 2 and lines[0].get("stroke-dasharray") != lines[1].get("stroke-dasharray")
    assert root.findall(f"{SVG}circle") and root.findall(f"{SVG}rect")  # circles for one series, squares the other
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Median" in texts and "90. persentil" in texts


def test_a_missing_value_breaks_the_line_instead_of_drawing_it_as_zero():
    root = ET.fromstring(to_svg(line_chart(Series("Median", (1.0, None, 3.0, 2.5)))))
    lines = root.findall(f"{SVG}polyline")
    assert len(lines) == 1 and len(lines[0].get("points").split()) == 2  # the single point before the gap has no line


def test_bars_carry_their_value_and_several_series_are_hatched_differently():
    chart = Chart("failed", "Mislykkede besøk", "bars", ("Ikke hjemme", "Avslått"),
                  (Series("2025", (4.0, 1.0)), Series("2026", (2.0, 3.0))), "stk")
    svg = to_svg(chart)
    root = ET.fromstring(svg)
    bars = [r for r in root.findall(f"{SVG}rect") if (r.get("fill") or "").startswith("url(")]
    assert len({bar.get("fill") for bar in bars}) == 2
    assert {"4", "2", "3", "1"} <= {t.text.replace(",0", "") for t in root.iter(f"{SVG}text")}


def test_an_empty_chart_says_there_is_no_data_rather_than_drawing_axes():
    chart = Chart("empty", "Tomt", "histogram", ("0–1 d",), (Series("Behov", (None,)),))
    assert "Ingen data i perioden" in to_svg(chart)
    assert "Ingen data i perioden" in to_svg(Chart("none", "Tomt", "bars", (), ()))


def test_text_is_escaped_and_no_inline_style_or_script_is_drawn():
    chart = Chart("x<y", "<script>alert(1)</script>", "bars", ("<b>",), (Series("a&b", (1.0,)),))
    svg = to_svg(chart)
    ET.fromstring(svg)
    assert "<script" not in svg and "style=" not in svg and "&lt;script&gt;" in svg


@pytest.mark.parametrize("value,decimals,text", [(1234.5, 1, "1\u202f234,5"), (3.25, 1, "3,2"), (87.0, 0, "87"),
                                                  (None, 1, "–"), (1_000_000, 0, "1\u202f000\u202f000")])
def test_numbers_are_written_the_norwegian_way(value, decimals, text):
    assert format_number(value, decimals) == text


def test_ticks_are_round_and_reach_the_highest_value():
    assert nice_ticks(7.3) == [0, 2, 4, 6, 8]
    assert nice_ticks(0) == [0.0, 1.0]


def test_the_pdf_drawing_has_the_same_texts_as_the_svg():
    chart = line_chart(Series("Median", (1.0, 2.0, 3.0, 2.5)))
    drawing = to_drawing(chart)
    strings = set()

    def walk(node):
        for child in getattr(node, "contents", []):
            if hasattr(child, "text"):
                strings.add(child.text)
            walk(child)
    walk(drawing)
    svg_texts = {shape.text for shape in layout(chart) if shape.kind == "text"}
    assert svg_texts == strings
    assert re.search(r"Median", " ".join(strings))
