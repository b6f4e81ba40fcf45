import pytest

from hjelpemiddel.core.errors import InvalidState
from hjelpemiddel.stock.lifecycle import STATE_LABELS, TRANSITIONS, allowed_from, check_transition


def test_every_state_has_a_norwegian_label_and_a_row_in_the_transition_table():
    assert set(STATE_LABELS) == set(TRANSITIONS)
    for targets in TRANSITIONS.values():
        assert targets <= set(STATE_LABELS)


@pytest.mark.parametrize("current,target", [
    ("registered", "available"), ("available", "reserved"), ("reserved", "picked"), ("picked", "out_for_delivery"),
    ("out_for_delivery", "on_loan"), ("on_loan", "awaiting_pickup"), ("awaiting_pickup", "returned"),
    ("returned", "cleaning"), ("cleaning", "inspection"), ("inspection", "available"), ("inspection", "in_repair"),
    ("in_repair", "scrapped"), ("available", "quarantined"), ("on_loan", "quarantined"), ("quarantined", "scrapped"),
])
def test_the_designed_life_cycle_steps_are_allowed(current, target):
    check_transition(current, target)


@pytest.mark.parametrize("current,target", [
    ("available", "on_loan"), ("returned", "available"), ("cleaning", "available"), ("scrapped", "available"),
    ("returned_to_nav", "quarantined"), ("registered", "reserved"),
])
def test_an_illegal_step_is_refused_naming_the_current_state_and_what_is_allowed(current, target):
    with pytest.raises(InvalidState) as caught:
        check_transition(current, target)
    error = caught.value
    assert error.status == 409
    assert STATE_LABELS[current] in error.message
    assert error.details["current_state"] == current
    assert error.details["allowed"] == allowed_from(current)


def test_nothing_returned_can_go_back_on_the_shelf_without_cleaning_and_inspection():
    assert "available" not in allowed_from("returned")
    assert "available" not in allowed_from("cleaning")
