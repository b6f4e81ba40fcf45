"""The life cycle's promise, walked for real: every path the transition table allows after a loan ends
is driven through the services, and no unit becomes available, reserved or lent again without a
washing record and a passed inspection since the loan ended. Paths the services refuse end there."""
from dataclasses import dataclass, field

import pytest

from hjelpemiddel.core.errors import AppError
from hjelpemiddel.lending import services as lending
from hjelpemiddel.maintenance import services as maintenance
from hjelpemiddel.stock.lifecycle import QUARANTINE_FROM, TRANSITIONS, DeviceState, release_targets
from hjelpemiddel.stock.services import create_location, device_history, get_device, get_location, register_device

from .test_lending_services import approved, need_for

S = DeviceState
LENDABLE = {S.AVAILABLE, S.RESERVED, S.PICKED, S.OUT_FOR_DELIVERY, S.ON_LOAN}
LOAN_ENDS = {"collected", "handed_in"}
MAX_STEPS = 6


@dataclass
class Walk:
    paths: int = 0
    refused: int = 0
    steps: set = field(default_factory=set)
    reached: set = field(default_factory=set)


def washed_and_inspected_since_the_loan_ended(session, barcode: str) -> bool:
    history = device_history(session, get_device(session, barcode).id)
    ended = max(i for i, event in enumerate(history) if event.kind in LOAN_ENDS)
    after = history[ended + 1:]
    washed = [i for i, event in enumerate(after) if event.kind == "cleaned"]
    return bool(washed) and any(event.kind == "inspected" and (event.data or {}).get("passed")
                                for event in after[washed[0] + 1:])


def targets(state: DeviceState, quarantined_from: str | None) -> list[DeviceState]:
    if state == S.QUARANTINED:
        return release_targets(quarantined_from)
    allowed = TRANSITIONS[state] | ({S.QUARANTINED} if state in QUARANTINE_FROM else set())
    if state == S.IN_REPAIR:  # completing a repair is one step; the service decides where it resumes
        allowed = {S.INSPECTION, S.SCRAPPED}
    return sorted(allowed)


def step(session, ctx, barcode: str, current: DeviceState, target: DeviceState) -> None:
    """The service a person uses to take the unit from ``current`` to ``target``."""
    actor = ctx["lager"].id
    if target == S.QUARANTINED:
        maintenance.quarantine_device(session, actor, barcode, "damage", "sprukket ramme")
    elif current == S.QUARANTINED:
        maintenance.release_device(session, actor, barcode, target.value, note="vurdert")
    elif (current, target) == (S.RETURNED, S.CLEANING):
        lending.receive_at_depot(session, actor, barcode, location_code="A-01-2")
    elif (current, target) == (S.CLEANING, S.INSPECTION):
        maintenance.clean_device(session, actor, barcode, "washer_disinfector")
    elif current == S.INSPECTION and target in (S.AVAILABLE, S.IN_REPAIR, S.SCRAPPED):
        items = maintenance.checklist_for_device(session, barcode).items
        passed = target == S.AVAILABLE
        maintenance.inspect_device(session, actor, barcode, {key: passed for key in items},
                                   on_fail="scrap" if target == S.SCRAPPED else "repair", fail_reason="slitt",
                                   reasons=dict.fromkeys(items, "slitt"))
    elif target == S.IN_REPAIR:
        maintenance.open_repair(session, actor, barcode, "depot", "løst hjul")
    elif current == S.IN_REPAIR and target != S.SCRAPPED:
        [repair] = [r for r in maintenance.list_repairs(session, get_device(session, barcode).id) if r.status == "open"]
        maintenance.complete_repair(session, actor, repair.id, "nytt hjul", 20)
    elif target == S.SCRAPPED:
        maintenance.scrap_device(session, actor, barcode, "utslitt")
    elif (current, target) == (S.AVAILABLE, S.RESERVED):
        need = need_for(session, ctx["therapist"], ctx["citizen"], ctx["product"])
        lending.decide_need(session, actor, "lager", need.id, "approve")
    elif target == S.RETURNED_TO_NAV:
        raise AppError("municipal unit: not NAV's")  # the services refuse it for a municipal unit
    else:
        raise AssertionError(f"no service for {current} → {target}")


def walk(session, ctx, barcode: str, done: Walk, path: tuple = (), quarantined_from: str | None = None) -> None:
    device = get_device(session, barcode)
    session.refresh(device)
    state = DeviceState(device.state)
    done.reached.add(state)
    path = (*path, state)
    if state in LENDABLE:
        assert washed_and_inspected_since_the_loan_ended(session, barcode), " → ".join(
            f"{e.kind}:{e.to_state}" for e in device_history(session, device.id))
    if state in LENDABLE or not TRANSITIONS[state] and state != S.QUARANTINED or len(path) > MAX_STEPS:
        done.paths += 1
        return
    for target in targets(state, quarantined_from):
        # Every step of the table, each loop at most once a path (quarantine once: it can come back anywhere).
        if path.count(target) >= (1 if target == S.QUARANTINED else 2):
            continue
        savepoint = session.begin_nested()
        try:
            step(session, ctx, barcode, state, target)
        except AppError:
            done.refused += 1
        else:
            done.steps.add((state, DeviceState(get_device(session, barcode).state)))
            walk(session, ctx, barcode, done, path, state if target == S.QUARANTINED else quarantined_from)
        finally:
            savepoint.rollback()


@pytest.fixture
def lent(session, therapist, actor, make_citizen, rollator, depot):
    """A rollator lent to Astrid, and everything a walk needs to lend it again."""
    create_location(session, "BIL1", "van", "Bil 1", parent_code="HL")
    unit = register_device(session, actor.id, rollator.id, serial_number="WALK-1", location_code="A-01-1")
    need = approved(session, actor, need_for(session, therapist, make_citizen("Astrid"), rollator))
    loan = lending.hand_over(session, actor.id, unit.barcode, need_id=need.id)
    # Ola waits in the queue: the unit, once fit to lend, is reserved for him at once.
    approved(session, actor, need_for(session, therapist, make_citizen("Ola"), rollator))
    ctx = dict(lager=actor, therapist=therapist, citizen=make_citizen("Kari"), product=rollator)
    return unit.barcode, loan, ctx


@pytest.mark.parametrize("how_it_came_back", ["collected by the driver", "handed in at the counter"])
def test_no_path_after_a_loan_lends_the_unit_again_unwashed_or_uninspected(session, lent, actor, how_it_came_back):
    barcode, loan, ctx = lent
    if how_it_came_back == "collected by the driver":
        lending.request_return(session, actor.id, loan.id, "need_ended")
        lending.collect_unit(session, actor.id, barcode, get_location(session, "BIL1").id)
        assert get_device(session, barcode).state == S.RETURNED
    else:
        lending.receive_at_depot(session, actor.id, barcode)
        assert get_device(session, barcode).state == S.CLEANING

    done = Walk()
    walk(session, ctx, barcode, done)

    # The walk went everywhere the table leads after a loan, and back to lending only the right way.
    assert {S.RESERVED, S.IN_REPAIR, S.QUARANTINED, S.SCRAPPED} <= done.reached, (done.reached, done.paths)
    assert (S.CLEANING, S.INSPECTION) in done.steps and (S.INSPECTION, S.RESERVED) in done.steps
    assert (S.QUARANTINED, S.CLEANING) in done.steps and (S.QUARANTINED, S.IN_REPAIR) in done.steps
    assert (S.IN_REPAIR, S.ON_LOAN) not in done.steps  # a repaired unit never goes back to an ended loan
    assert done.paths > 20 and done.refused > 0
