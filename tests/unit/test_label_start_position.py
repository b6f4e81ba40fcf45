"""«Hopp over brukte etiketter»: how many used labels a layout lets a person skip, and the words when
the number does not fit (the roll layout once answered «Startposisjon må være et heltall.» to 2)."""
from __future__ import annotations

from pathlib import Path

import pytest

from hjelpemiddel.core.errors import ValidationFailed
from hjelpemiddel.documents.labels import load_layouts
from hjelpemiddel.stock.services import check_start_position, labels_per_sheet

LAYOUTS = load_layouts(Path(__file__).resolve().parents[2] / "labels")


@pytest.mark.parametrize("name,per_sheet", [("a4-3x8", 24), ("roll-57x32", 1), ("zebra-57x32", 1)])
def test_a_sheet_holds_its_grid_and_a_roll_or_label_printer_one(name, per_sheet):
    assert labels_per_sheet(LAYOUTS[name]) == per_sheet


@pytest.mark.parametrize("name,given,expected", [
    ("a4-3x8", "0", 0), ("a4-3x8", "23", 23), ("a4-3x8", 5, 5), ("a4-3x8", "", 0), ("a4-3x8", None, 0),
    ("roll-57x32", "0", 0), ("roll-57x32", "", 0), ("zebra-57x32", 0, 0),
])
def test_a_start_position_the_layout_allows_is_taken_as_a_whole_number(name, given, expected):
    assert check_start_position(LAYOUTS[name], given) == expected


@pytest.mark.parametrize("name,given,words", [
    ("a4-3x8", "24", "Må være et heltall fra 0 til 23 for oppsettet «a4-3x8» (24 etiketter per ark)."),
    ("a4-3x8", "-1", "fra 0 til 23"),
    ("a4-3x8", "2.5", "fra 0 til 23"),
    ("a4-3x8", "to", "fra 0 til 23"),
    ("roll-57x32", "2", "Oppsettet «roll-57x32» har én etikett per side, så det er ingen brukte etiketter å hoppe over."),
    ("zebra-57x32", 1, "har én etikett per side"),
])
def test_a_start_position_out_of_range_names_the_allowed_range_and_the_field(name, given, words):
    with pytest.raises(ValidationFailed) as caught:
        check_start_position(LAYOUTS[name], given)
    assert words in caught.value.message
    assert caught.value.message.startswith("Hopp over brukte etiketter: ")
    assert "start_position" in caught.value.details
