"""Maintenance plans, each unit's next periodic inspection, and the overdue block on every lending path."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from hjelpemiddel.catalog.services import create_product
from hjelpemiddel.core.errors import Conflict, InvalidState
from hjelpemiddel.core.text import local_today
from hjelpemiddel.lending import services as lending
from hjelpemiddel.logistics import services as logistics
from hjelpemiddel.logistics.models import StopItem
from hjelpemiddel.maintenance import services as maintenance
from hjelpemiddel.maintenance.models import InspectionDue, RepairOrder
from hjelpemiddel.stock.services import device_history, get_device, register_device

from .desk import TODAY


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return day.replace(year=day.year + month // 12, month=month % 12 + 1)


@pytest.fixture
def lift(session):
    return create_product(session, hms_nr="200100", name="Personløfter Molift Smart", iso_class="123603",
                          supplier="Etac", individually_tracked=True)


@pytest.fixture
def lift_plan(session, actor):
    return maintenance.save_plan(session, actor.id, {"iso_prefix": "1236", "name": "Personløftere",
                                                     "interval_months": 6, "after_each_loan": False, "checklist": "lift"})


def make_overdue(session, barcode: str, days: int = 3) -> date:
    due = local_today() - timedelta(days=days)
    session.execute(update(InspectionDue).where(InspectionDue.device_id == get_device(session, barcode).id)
                    .values(due_on=due))
    session.flush()
    return due


def all_ok(name: str = "lift") -> dict[str, bool]:
    return {key: True for key in maintenance.CHECKLIST_NAMES[name].items}


def test_a_new_unit_under_a_plan_is_first_due_one_interval_after_its_registration(session, actor, depot, lift, lift_plan):
    unit = register_device(session, actor.id, lift.id, location_code="A-01-2")
    assert maintenance.due_date(session, unit.id) == add_months(local_today(), 6)


def test_a_products_own_plan_wins_over_its_class_and_the_longest_class_prefix_over_a_shorter(
        session, actor, depot, lift, lift_plan):
    ceiling = create_product(session, name="Takløfter Guldmann GH3", iso_class="123612")
    maintenance.save_plan(session, actor.id, {"iso_prefix": "123612", "name": "Takløftere", "interval_months": 12,
                                              "after_each_loan": False, "checklist": "lift"})
    on_ceiling = register_device(session, actor.id, ceiling.id, location_code="A-01-2")
    mobile = register_device(session, actor.id, lift.id, location_code="A-01-2")
    maintenance.save_plan(session, actor.id, {"product_id": lift.id, "name": "Molift Smart", "interval_months": 3,
                                              "after_each_loan": False, "checklist": "lift"})
    assert maintenance.due_date(session, on_ceiling.id) == add_months(local_today(), 12)
    assert maintenance.due_date(session, mobile.id) == add_months(local_today(), 3)


def test_changing_or_removing_a_plan_moves_or_drops_the_due_date_of_every_unit_it_covers(
        session, actor, depot, lift, lift_plan):
    units = [register_device(session, actor.id, lift.id, location_code="A-01-2") for _ in range(3)]
    maintenance.save_plan(session, actor.id, {"iso_prefix": "1236", "name": "Personløftere", "interval_months": 12,
                                              "after_each_loan": False, "checklist": "lift"}, plan_id=lift_plan.id)
    assert {maintenance.due_date(session, u.id) for u in units} == {add_months(local_today(), 12)}
    maintenance.delete_plan(session, lift_plan.id)
    assert {maintenance.due_date(session, u.id) for u in units} == {None}


def test_a_product_no_plan_covers_keeps_the_catalogues_interval_in_days(session, actor, depot, rollator):
    bed = create_product(session, name="Seng Opus", iso_class="181210", inspection_interval_days=365)
    assert maintenance.due_date(session, register_device(session, actor.id, bed.id, location_code="A-01-2").id) \
        == local_today() + timedelta(days=365)
    assert maintenance.due_date(session, register_device(session, actor.id, rollator.id, location_code="A-01-2").id) is None


def test_a_plan_needs_an_interval_or_inspection_after_each_loan_and_one_target(session, actor):
    from hjelpemiddel.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as caught:
        maintenance.save_plan(session, actor.id, {"iso_prefix": "1236", "name": "x", "checklist": "lift"})
    assert "interval_months" in caught.value.details
    with pytest.raises(ValidationFailed) as caught:
        maintenance.save_plan(session, actor.id, {"name": "x", "interval_months": 6, "checklist": "lift"})
    assert "iso_prefix" in caught.value.details
    with pytest.raises(ValidationFailed) as caught:
        maintenance.save_plan(session, actor.id, {"iso_prefix": "1236", "name": "x", "interval_months": 6,
                                                  "checklist": "nope"})
    assert "checklist" in caught.value.details


# --- the overdue block on every lending path --------------------------------------------------

def overdue_refusal(caught, due: date) -> None:
    assert caught.value.code == "inspection_overdue"
    assert due.strftime("%d.%m.%Y") in caught.value.message and "periodisk kontroll" in caught.value.message


def test_an_overdue_unit_cannot_be_reserved_by_name(session, actor, therapist, make_citizen, depot, lift, lift_plan):
    unit = register_device(session, actor.id, lift.id, location_code="A-01-2")
    due = make_overdue(session, unit.barcode)
    need = lending.register_need(session, therapist.id, "terapeut", make_citizen().id, TODAY, "normal", "short_term",
                                 product_id=lift.id)
    need = lending.decide_need(session, actor.id, "lager", need.id, "approve")
    assert need.status == "approved"  # the only unit is overdue: the need waits in the queue
    with pytest.raises(Conflict) as caught:
        lending.reserve_for_need(session, actor.id, need.id, unit.barcode)
    overdue_refusal(caught, due)
    assert get_device(session, unit.barcode).state == "available"


def test_approval_passes_over_an_overdue_unit_for_one_that_is_not(session, actor, therapist, make_citizen, depot, lift,
                                                                  lift_plan):
    older = register_device(session, actor.id, lift.id, location_code="A-01-2")
    newer = register_device(session, actor.id, lift.id, location_code="A-01-2")
    make_overdue(session, older.barcode)
    need = lending.register_need(session, therapist.id, "terapeut", make_citizen().id, TODAY, "normal", "short_term",
                                 product_id=lift.id)
    lending.decide_need(session, actor.id, "lager", need.id, "approve")
    assert [u.barcode for u in lending.need_units(session, [need.id])[need.id]] == [newer.barcode]


def test_an_overdue_unit_cannot_be_handed_over_even_when_it_was_reserved_before_it_fell_due(
        session, actor, therapist, make_citizen, depot, lift, lift_plan):
    unit = register_device(session, actor.id, lift.id, location_code="A-01-2")
    need = lending.register_need(session, therapist.id, "terapeut", make_citizen().id, TODAY, "normal", "short_term",
                                 product_id=lift.id)
    lending.decide_need(session, actor.id, "lager", need.id, "approve")
    due = make_overdue(session, unit.barcode)
    with pytest.raises(Conflict) as caught:
        lending.hand_over(session, actor.id, unit.barcode, received_by="selv")
    overdue_refusal(caught, due)
    with pytest.raises(Conflict):
        lending.deliver_at_door(session, actor.id, unit.barcode)


def test_an_overdue_unit_cannot_be_picked(session, actor, one_delivery):
    run, _stop, _need, reserved = one_delivery
    create_plan_for(session, actor, reserved)
    due = make_overdue(session, reserved)
    with pytest.raises(Conflict) as caught:
        logistics.pick_device(session, actor.id, run.id, reserved)
    overdue_refusal(caught, due)
    assert session.scalar(select(StopItem.picked_at).where(StopItem.device_id == get_device(session, reserved).id)) is None


def create_plan_for(session, actor, barcode: str):
    product = get_device(session, barcode).product
    maintenance.save_plan(session, actor.id, {"product_id": product.id, "name": product.name, "interval_months": 12,
                                              "after_each_loan": False, "checklist": "general"})


def test_an_overdue_unit_that_becomes_free_is_not_offered_to_the_queue_and_lets_go_of_its_booking(
        session, actor, therapist, make_citizen, depot, lift, lift_plan):
    unit = register_device(session, actor.id, lift.id)  # registered, not yet on a shelf
    need = lending.register_need(session, therapist.id, "terapeut", make_citizen().id, TODAY, "normal", "short_term",
                                 product_id=lift.id)
    lending.decide_need(session, actor.id, "lager", need.id, "approve")
    make_overdue(session, unit.barcode)
    from hjelpemiddel.stock.services import move_device

    move_device(session, unit.barcode, "A-01-2", actor.id)
    assert get_device(session, unit.barcode).state == "available"
    assert lending.need_units(session, [need.id])[need.id] == [] and lending.get_need(session, need.id).status == "approved"


# --- recording the periodic inspection --------------------------------------------------------

def test_a_passed_periodic_inspection_sets_the_next_due_date_and_the_unit_may_be_lent_again(
        session, actor, therapist, make_citizen, depot, lift, lift_plan):
    unit = register_device(session, actor.id, lift.id, location_code="A-01-2")
    make_overdue(session, unit.barcode, days=40)
    inspection = maintenance.record_periodic_inspection(session, actor.id, unit.barcode, all_ok(), note="Merke satt på")
    assert inspection.passed and inspection.kind == "periodic" and inspection.place == "depot"
    assert inspection.next_due_on == add_months(local_today(), 6) == maintenance.due_date(session, unit.id)
    assert any(e.note.startswith("Periodisk kontroll bestått") for e in device_history(session, unit.id))
    need = lending.register_need(session, therapist.id, "terapeut", make_citizen().id, TODAY, "normal", "short_term",
                                 product_id=lift.id)
    assert lending.decide_need(session, actor.id, "lager", need.id, "approve").status == "reserved"


def test_a_failed_periodic_inspection_at_the_depot_sends_the_unit_to_repair_and_leaves_it_due(
        session, actor, depot, lift, lift_plan):
    unit = register_device(session, actor.id, lift.id, location_code="A-01-2")
    due = make_overdue(session, unit.barcode)
    answers = {**all_ok(), "emergency": False}
    inspection = maintenance.record_periodic_inspection(session, actor.id, unit.barcode, answers,
                                                        reasons={"emergency": "Nødsenk går ikke"})
    assert not inspection.passed and inspection.outcome == "in_repair"
    assert maintenance.due_date(session, unit.id) == due
    assert session.scalar(select(RepairOrder.description).where(RepairOrder.device_id == unit.id)).endswith("Nødsenk går ikke")


def test_a_failed_periodic_inspection_at_home_plans_a_repair_visit(session, actor, desk, depot, lift_plan):
    lift = create_product(session, name="Personløfter Eva", iso_class="123603")
    loan = desk.loan(desk.citizen("Kari Nordmann"))
    unit = register_device(session, actor.id, lift.id, location_code="A-01-2")
    del unit
    with pytest.raises(InvalidState) as caught:
        maintenance.record_periodic_inspection(session, actor.id, loan.device.barcode, all_ok("general"))
    assert caught.value.code == "no_maintenance_plan"
    create_plan_for(session, actor, loan.device.barcode)
    answers = {key: key != "function" for key in maintenance.checklist_for_device(session, loan.device.barcode).items}
    inspection = maintenance.record_periodic_inspection(session, actor.id, loan.device.barcode, answers,
                                                        reasons={"function": "Bremsen tar ikke"})
    assert inspection.place == "home" and inspection.outcome == "on_loan" and not inspection.passed
    assert session.scalar(select(RepairOrder.place).where(RepairOrder.device_id == loan.device_id)) == "home"
    assert session.scalar(select(StopItem.action).where(StopItem.device_id == loan.device_id, StopItem.active)) == "repair"


def test_a_unit_in_the_van_gets_no_periodic_inspection(session, actor, one_delivery):
    run, _stop, _need, reserved = one_delivery
    create_plan_for(session, actor, reserved)
    logistics.pick_device(session, actor.id, run.id, reserved)
    with pytest.raises(InvalidState):
        maintenance.record_periodic_inspection(session, actor.id, reserved, all_ok("general"))


def test_under_a_plan_inspected_after_each_loan_the_inspection_after_a_loan_is_the_periodic_one(
        session, actor, desk, depot):
    maintenance.save_plan(session, actor.id, {"product_id": desk.product.id, "name": "Rullator", "interval_months": 12,
                                              "after_each_loan": True, "checklist": "rollator"})
    loan = desk.loan(desk.citizen("Ola Hansen"))
    barcode = loan.device.barcode
    overdue_since = make_overdue(session, barcode, days=10)
    lending.request_return(session, actor.id, loan.id, "need_ended")
    lending.receive_at_depot(session, actor.id, barcode)
    maintenance.clean_device(session, actor.id, barcode, "manual_wash")
    checklist = maintenance.checklist_for_device(session, barcode)
    assert checklist.name == "rollator"
    inspection = maintenance.inspect_device(session, actor.id, barcode, {key: True for key in checklist.items})
    assert inspection.kind == "periodic" and inspection.next_due_on == add_months(local_today(), 12)
    assert inspection.due_on == overdue_since  # the date it answered, late (the upkeep report counts it)


def test_the_driver_marks_an_inspection_visit_done_only_after_recording_the_inspection(
        session, actor, desk, depot, van, driver):
    from hjelpemiddel.upkeep.services import plan_inspection_visits

    from .desk import TOMORROW

    barcode = desk.loan(desk.citizen("Kari Nordmann")).device.barcode
    create_plan_for(session, actor, barcode)
    make_overdue(session, barcode)
    assert plan_inspection_visits(session, actor.id) == 1
    run = logistics.create_run(session, actor.id, TOMORROW, driver=driver.username, van="BIL1")
    logistics.plan_runs(session, actor.id, TOMORROW)
    [stop] = logistics.run_stops(session, run.id)
    assert stop.urgent and logistics.stop_views(session, [stop])[0].kind_label == "Periodisk kontroll"
    logistics.start_run(session, driver.id, run.id, odometer_start=1000)
    with pytest.raises(InvalidState) as caught:
        logistics.record_outcome(session, driver.id, "sjafor", run.id, stop.id, "inspected")
    assert "Registrer den periodiske kontrollen" in caught.value.message
    maintenance.record_periodic_inspection(session, driver.id, barcode, all_ok("general"))
    done = logistics.record_outcome(session, driver.id, "sjafor", run.id, stop.id, "inspected")
    assert done.status == "done" and maintenance.due_date(session, get_device(session, barcode).id) > local_today()



def test_a_scrapped_unit_is_due_for_nothing(session, actor, depot, lift, lift_plan):
    unit = register_device(session, actor.id, lift.id, location_code="A-01-2")
    assert maintenance.due_date(session, unit.id) is not None
    maintenance.scrap_device(session, actor.id, unit.barcode, "Sveisen på bommen er sprukket")
    assert maintenance.due_date(session, unit.id) is None
    maintenance.schedule_inspections(session, device_ids=[unit.id])
    assert maintenance.due_date(session, unit.id) is None
