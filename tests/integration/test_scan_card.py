"""The scan's hot path (``scan_card``, rows straight into JSON) answers exactly what the general way
(``ScanOut`` over ``queries.scan``) answers, for a unit in every situation a scanner meets, and in
the same few statements."""
from __future__ import annotations

import pytest

from hjelpemiddel import queries
from hjelpemiddel.scan_card import scan_card
from hjelpemiddel.stock import services as stock
from hjelpemiddel.stock.schemas import ScanOut


def general_answer(session, code: str) -> dict:
    return ScanOut().dump(queries.scan(session, code))


@pytest.mark.parametrize("which", ["in the van on a run", "on a shelf after a move", "NAV's, with no place",
                                   "on loan", "to be fetched"])
def test_the_hot_path_answers_what_the_general_way_answers(session, units, which):
    barcode = units[which]
    card = scan_card(session.connection(), " " + barcode.lower() + "\n")
    assert card == general_answer(session, barcode)
    assert card["device"]["barcode"] == barcode


def test_a_held_unit_shows_its_holder_masked_and_a_van_unit_its_run(session, units):
    assert scan_card(session.connection(), units["on loan"])["holder"]["name"] == "Kari N."
    assert scan_card(session.connection(), units["in the van on a run"])["run"]["stop_sequence"] == 1
    assert scan_card(session.connection(), units["on a shelf after a move"])["holder"] is None


@pytest.mark.parametrize("code", ["", "   ", "A-01-1", "HJM00000000", "S-1", "123456 NAV-9"])
def test_anything_but_a_units_own_barcode_goes_the_general_way(session, units, depot, code):
    assert scan_card(session.connection(), code) is None


def test_a_retired_label_goes_the_general_way(session, units, actor):
    old = units["on a shelf after a move"]
    stock.replace_device_label(session, old, actor.id)
    assert scan_card(session.connection(), old) is None
    assert general_answer(session, old)["retired_label"] is True


def test_the_hot_path_costs_two_statements_and_three_in_a_van(session, units, count_queries):
    connection = session.connection()
    for which, expected in (("on loan", 2), ("on a shelf after a move", 2), ("in the van on a run", 3)):
        with count_queries as recorder:
            scan_card(connection, units[which])
        assert len(recorder.statements) == expected, (which, recorder.statements)


def test_the_api_answers_the_hot_paths_card(api_as, units, session):
    api = api_as("sjafor")
    barcode = units["on loan"]
    response = api.get(f"/api/v1/scan/{barcode}")
    assert response.status_code == 200
    assert response.get_json() == general_answer(session, barcode)
