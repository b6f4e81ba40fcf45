"""Text for printed documents: what the standard PDF fonts can print, and one line fitted to a width.

Shared by the labels (PDF and ZPL) and the run sheets. Fitting takes a ``Measure`` (text and size in,
width out) so the same rule serves PDF fonts in points and a label printer's font in dots.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Callable

ELLIPSIS = "…"

Measure = Callable[[str, float], float]

# Standard PDF fonts only cover WinAnsi; Sámi letters outside it would print as black boxes.
_PDF_FALLBACK = str.maketrans({"Đ": "D", "đ": "d", "Ŋ": "N", "ŋ": "n", "Ŧ": "T", "ŧ": "t"})


def clean(text: str) -> str:
    """One line: runs of whitespace (line breaks included) become one space, none at the ends."""
    return " ".join(text.split())


def pdf_text(text: str) -> str:
    """``clean`` text that a standard PDF font prints: letters outside WinAnsi lose their marks, else "?"."""
    text = clean(text)
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


def longest_start(text: str, fits: Callable[[str], bool], at_least: int = 0) -> int:
    """The length of the longest start of ``text`` that ``fits``, by halving: at least ``at_least``
    (taken to fit), less than all of it (taken not to)."""
    fitting, too_long = at_least, len(text)
    while too_long - fitting > 1:
        middle = (fitting + too_long) // 2
        if fits(text[:middle]):
            fitting = middle
        else:
            too_long = middle
    return fitting


def cut_to_width(text: str, size: float, width: float, measure: Measure) -> str:
    """The longest start of ``text`` that fits ``width`` with "…" after it (all of it if it fits)."""
    if measure(text, size) <= width:
        return text
    cut = text[:longest_start(text, lambda start: measure(start.rstrip() + ELLIPSIS, size) <= width)].rstrip()
    return cut + ELLIPSIS if cut else ""


def fit_to_width(text: str, size: float, min_size: float, width: float, measure: Measure) -> tuple[str, float]:
    """Shrink towards ``min_size``, then cut with "…", until one line fits ``width``; the text and size to use."""
    measured = measure(text, size)
    if measured <= width:
        return text, size
    # Text width grows linearly with font size.
    shrunk = size * width / measured
    if shrunk >= min_size:
        return text, shrunk
    return cut_to_width(text, min_size, width, measure), min_size
