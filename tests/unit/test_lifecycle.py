import pytest

from hjelpemiddel.core.errors import InvalidState
from hjelpemiddel.stock.lifecycle import (AWAY_STATES, FINAL_STATES, QUARANTINE_FROM, STATE_LABELS, TRANSITIONS,
                                          DeviceState, allowed_from, check_release, check_transition, release_targets)

S = DeviceState
# States in which a unit can be lent, or is on its way to a citizen.
LENDABLE = {S.AVAILABLE, S.RESERVED, S.PICKED, S.OUT_FOR_DELIVERY, S.ON_LOAN}


def test_every_state_has_a_norwegian_label_and_a_row_in_the_transition_table():
    assert set(STATE_LABELS) == set(TRANSITIONS) == set(DeviceState)
    for targets in TRANSITIONS.values():
        assert targets <= set(STATE_LABELS)


@pytest.mark.parametrize("current,target", [
    ("registered", "available"), ("available", "reserved"), ("reserved", "picked"), ("picked", "out_for_delivery"),
    ("out_for_delivery", "on_loan"), ("on_loan", "awaiting_pickup"), ("awaiting_pickup", "returned"),
    ("returned", "cleaning"), ("cleaning", "inspection"), ("inspection", "available"), ("inspection", "in_repair"),
    ("in_repair", "scrapped"), ("in_repair", "inspection"), ("available", "quarantined"), ("on_loan", "quarantined"),
    ("quarantined", "scrapped"), ("cleaning", "returned_to_nav"),
])
def test_the_designed_life_cycle_steps_are_allowed(current, target):
    check_transition(current, target)


@pytest.mark.parametrize("current,target", [
    ("available", "on_loan"), ("returned", "available"), ("returned", "inspection"), ("cleaning", "available"),
    ("in_repair", "available"), ("scrapped", "available"), ("returned_to_nav", "quarantined"),
    ("registered", "reserved"),
])
def test_an_illegal_step_is_refused_naming_the_current_state_and_what_is_allowed_in_norwegian(current, target):
    with pytest.raises(InvalidState) as caught:
        check_transition(current, target)
    error = caught.value
    assert error.status == 409
    assert STATE_LABELS[current] in error.message and STATE_LABELS[target] in error.message
    assert current not in error.message.replace(STATE_LABELS[current], "")  # no internal state names
    assert error.details["current_state"] == current
    assert error.details["allowed"] == [str(s) for s in allowed_from(current)]


def test_the_only_way_from_a_collected_unit_to_anything_lendable_is_washing_then_inspection():
    # Every path in the table from "returned" to a lendable state passes cleaning → inspection → available.
    def paths(state, seen):
        if state in LENDABLE:
            yield [state]
            return
        for target in TRANSITIONS[state] - seen:
            for rest in paths(target, seen | {target}):
                yield [state, *rest]

    found = list(paths(S.RETURNED, {S.RETURNED}))
    assert found
    for path in found:
        if path[-1] == S.ON_LOAN:
            # Back on loan only from a repair of a unit on loan; the service never resumes a unit that
            # came back to a loan (tests/integration/test_life_cycle_invariant.py walks it for real).
            assert path[-2] == S.IN_REPAIR
            continue
        i = path.index(S.CLEANING)
        assert path[i + 1:].index(S.INSPECTION) >= 0 and path[-2:] == [S.INSPECTION, S.AVAILABLE], path


def test_a_unit_with_a_citizen_or_gone_has_no_place_and_final_states_lead_nowhere():
    assert {S.ON_LOAN, S.AWAITING_PICKUP} | FINAL_STATES == AWAY_STATES
    assert all(not TRANSITIONS[state] for state in FINAL_STATES)
    assert not (FINAL_STATES | {S.QUARANTINED}) & QUARANTINE_FROM


@pytest.mark.parametrize("came_from, back", [("available", "available"), ("reserved", "available"),
                                             ("picked", "available"), ("cleaning", "cleaning"),
                                             ("on_loan", "on_loan"), ("inspection", "inspection")])
def test_a_quarantined_unit_is_released_back_where_it_was_and_a_held_one_is_free_again(came_from, back):
    assert release_targets(came_from)[0] == back
    check_release(came_from, back)


def test_a_unit_quarantined_at_a_citizens_home_can_only_go_back_there():
    assert release_targets("on_loan") == [S.ON_LOAN]
    with pytest.raises(InvalidState) as caught:
        check_release("on_loan", "scrapped")
    assert "Utlånt" in caught.value.message and caught.value.details["allowed"] == ["on_loan"]


def test_a_unit_quarantined_in_the_depot_may_go_to_repair_or_scrapping():
    assert set(release_targets("available")) == {S.AVAILABLE, S.IN_REPAIR, S.SCRAPPED}
    with pytest.raises(InvalidState):
        check_release("available", "on_loan")
