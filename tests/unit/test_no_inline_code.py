"""Nothing in a page that the Content-Security-Policy would block: no inline script, no event-handler
attribute, no inline style, in any template or in the barcode SVG the device page embeds. A check
here is cheaper than finding a dead button in the browser."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from hjelpemiddel.documents.barcode_image import code128_svg

PACKAGE = Path(__file__).resolve().parents[2] / "hjelpemiddel"
TEMPLATES = sorted(PACKAGE.rglob("templates/**/*.html"))

# Inside a tag (between < and >), so words like «content=» in attribute values or text do not count.
FORBIDDEN = {
    "inline script": re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.IGNORECASE),
    "event handler attribute": re.compile(r"<[a-z][^<>]*\son[a-z]+\s*=", re.IGNORECASE),
    "inline style attribute": re.compile(r"<[a-z][^<>]*\sstyle\s*=", re.IGNORECASE),
    "style block": re.compile(r"<style\b", re.IGNORECASE),
    "javascript: URL": re.compile(r"""=\s*["']?\s*javascript:""", re.IGNORECASE),
}


def inline_code(html: str) -> list[str]:
    return [f"{kind}: {match[0]!r}" for kind, pattern in FORBIDDEN.items() for match in pattern.finditer(html)]


def test_every_template_is_found():
    assert len(TEMPLATES) > 20 and PACKAGE / "templates" / "base.html" in TEMPLATES


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(PACKAGE)))
def test_a_template_has_no_inline_script_handler_or_style(template):
    assert inline_code(template.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("html", [
    "<script>alert(1)</script>",
    '<script type="module">go()</script>',
    '<button type="button" onclick="go()">',
    "<form method=post\n      onsubmit='return check()'>",
    '<body onload="init()">',
    '<div style="color:red">',
    "<style>p { color: red }</style>",
    '<a href="javascript:go()">',
])
def test_the_check_finds_inline_code(html):
    assert inline_code(html)


@pytest.mark.parametrize("html", [
    '<script src="/static/scan.js"></script>',
    '<meta name="csrf-token" content="x">',
    '<input data-run-id="4" autocomplete="off">',
    "<p>Ring on=fredag</p>",
])
def test_the_check_lets_script_files_and_plain_attributes_pass(html):
    assert inline_code(html) == []


def test_the_barcode_svg_draws_with_attributes_not_inline_styles():
    svg = code128_svg("HJM00000017")
    assert inline_code(svg) == []
    assert '<rect width="100%" height="100%" fill="white"/>' in svg
    assert svg.count('fill="black"/>') > 20
    assert re.search(r'<text [^>]*font-size="8pt" text-anchor="middle">HJM00000017</text>', svg)


def test_no_template_uses_the_browsers_date_input_whose_format_follows_the_browsers_language():
    # Dates are text in dd.mm.åååå with static/dates.js's calendar button (data-date).
    offenders = [str(path) for path in TEMPLATES if 'type="date"' in path.read_text()]
    assert offenders == []
