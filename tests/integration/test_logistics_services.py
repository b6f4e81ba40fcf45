"""Delivery runs (kjørerunder) at the service layer: planning stops from the lending process, picking by
scan into the van, the driver's outcomes at the door, finishing a run, and what the printed sheets hold."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from hjelpemiddel.core.errors import Conflict, Forbidden, InvalidState, ValidationFailed
from hjelpemiddel.lending import services as lending
from hjelpemiddel.lending.models import Loan, Reservation
from hjelpemiddel.logistics import services as logistics
from hjelpemiddel.logistics.models import Stop, StopItem
from hjelpemiddel.maintenance.services import quarantine_device
from hjelpemiddel.stock.services import (create_location, device_history, get_device, list_devices)

from .desk import (TODAY, TOMORROW, barcodes_on, count, kind, picked_and_started, plan, state_of,
                   stops_of)


# --- planning -------------------------------------------------------------------------------

def test_planning_makes_one_visit_per_door_with_its_units_to_deliver_or_collect(
        session, actor, desk):
    astrid, ola, kari = desk.citizen("Astrid Olsen"), desk.citizen("Ola Nordmann"), desk.citizen("Kari Hansen")
    first_loan, second_loan = desk.loan_to_collect(kari), desk.loan_to_collect(kari)
    desk.units(3)
    two_rollators, one_rollator = desk.need(astrid, quantity=2), desk.need(ola)

    [run] = plan(session, actor)

    stops = stops_of(session, run)
    assert [s.sequence for s in stops] == [1, 2, 3] and run.run_date == TOMORROW and run.status == "planned"
    by_kind = {(kind(session, s), s.citizen.name): s for s in stops}
    assert set(by_kind) == {("deliver", "Astrid Olsen"), ("deliver", "Ola Nordmann"), ("collect", "Kari Hansen")}
    assert by_kind["deliver", "Astrid Olsen"].need_id == two_rollators.id
    assert barcodes_on(session, by_kind["deliver", "Astrid Olsen"]) == desk.reserved(two_rollators)
    assert barcodes_on(session, by_kind["deliver", "Ola Nordmann"]) == desk.reserved(one_rollator)
    assert barcodes_on(session, by_kind["collect", "Kari Hansen"]) == sorted(
        [first_loan.device.barcode, second_loan.device.barcode])
    assert by_kind["deliver", "Astrid Olsen"].address == "Storgata 1, 6509 Kristiansund"


def test_a_run_is_made_when_none_is_planned_for_the_day_and_the_days_planned_runs_are_used_otherwise(
        session, actor, desk, driver, van):
    desk.units(1)
    desk.need(desk.citizen("Astrid Olsen"))
    [made] = plan(session, actor)
    assert made.driver_id is None and made.van_location_id is None
    logistics.move_stop(session, stops_of(session, made)[0].id, None)
    given = logistics.create_run(session, actor.id, TOMORROW, driver=driver.username, van="BIL1")
    runs = plan(session, actor)
    assert {run.id for run in runs} == {made.id, given.id}
    assert sum(len(stops_of(session, run)) for run in runs) == 1


def test_a_discharge_from_hospital_is_the_first_stop_even_far_from_the_depot(session, actor, desk):
    desk.units(3)
    near = desk.need(desk.citizen("Ola Nordmann", postcode="6509"))
    also_near = desk.need(desk.citizen("Kari Hansen", postcode="6501"))
    discharge = desk.need(desk.citizen("Astrid Olsen", postcode="6523"), urgency="discharge")

    [run] = plan(session, actor)

    stops = stops_of(session, run)
    assert (stops[0].need_id, stops[0].urgent) == (discharge.id, True)
    assert {s.need_id for s in stops[1:]} == {near.id, also_near.id} and not any(s.urgent for s in stops[1:])


def test_planning_a_day_sends_no_more_statements_for_twelve_new_doors_than_for_three(session, actor, desk,
                                                                                 count_queries):
    def doors(first, many):
        for n in range(first, first + many):
            desk.need(desk.citizen(f"Innbygger {n}", postcode=["6509", "6501", "6523"][n % 3]),
                      urgency="discharge" if n % 4 == 0 else "normal")
            desk.loan_to_collect(desk.citizen(f"Låner {n}"))
        session.flush()
        with count_queries as recorded:
            [run] = plan(session, actor)
        return run, len(recorded.statements)

    desk.units(30)
    _run, few = doors(0, 3)
    run, many = doors(3, 12)
    assert len(stops_of(session, run)) == 30
    assert many <= few, f"{few} statements for 3 new doors (and the run), {many} for 12"


def test_planning_again_duplicates_no_stop_or_item_and_adds_only_what_is_new(session, actor, desk):
    desk.units(3)
    desk.need(desk.citizen("Astrid Olsen"))
    desk.loan_to_collect(desk.citizen("Kari Hansen"))
    [run] = plan(session, actor)
    before = (count(session, Stop), count(session, StopItem))

    [again] = plan(session, actor)
    assert again.id == run.id and (count(session, Stop), count(session, StopItem)) == before
    assert [s.sequence for s in stops_of(session, run)] == [1, 2]

    late = desk.need(desk.citizen("Ola Nordmann"))
    [again] = plan(session, actor)
    assert (count(session, Stop), count(session, StopItem)) == (before[0] + 1, before[1] + 1)
    assert [s.sequence for s in stops_of(session, again)] == [1, 2, 3]
    assert late.id in {s.need_id for s in stops_of(session, again)}


def test_with_two_runs_asked_for_each_postcode_area_goes_to_one_of_them(session, actor, desk, van, make_user):
    desk.units(4)
    for name, postcode in [("A", "6501"), ("B", "6501"), ("C", "6520"), ("D", "6520")]:
        desk.need(desk.citizen(name, postcode))
    create_location(session, "BIL2", "van", "Bil 2", parent_code="HL")
    first, second = make_user("sjafor"), make_user("sjafor")

    runs = plan(session, actor, runs=[{"driver": first.username, "van": "BIL1"},
                                      {"driver": second.username, "van": "BIL2"}])

    postcodes = [{s.postcode for s in stops_of(session, run)} for run in runs]
    assert sorted(map(sorted, postcodes)) == [["6501"], ["6520"]]
    assert [len(stops_of(session, run)) for run in runs] == [2, 2]


def test_re_planning_puts_a_new_stop_on_the_run_that_already_serves_its_area(session, actor, desk, van):
    desk.units(4)
    for name, postcode in [("A", "6501"), ("B", "6520")]:
        desk.need(desk.citizen(name, postcode))
    create_location(session, "BIL2", "van", "Bil 2", parent_code="HL")
    plan(session, actor, runs=[{"van": "BIL1"}, {"van": "BIL2"}])
    for name, postcode in [("C", "6520"), ("D", "6514")]:
        desk.need(desk.citizen(name, postcode))

    runs = plan(session, actor)

    areas = [[s.postcode for s in stops_of(session, run)] for run in runs]
    assert sorted(map(sorted, areas)) == [["6501", "6514"], ["6520", "6520"]]


@pytest.mark.parametrize("run_has_left", [False, True])
def test_a_unit_reserved_after_planning_joins_its_needs_stop_unless_the_van_has_left(
        session, actor, desk, run_has_left):
    desk.units(1)
    need = desk.need(desk.citizen("Astrid Olsen"), quantity=2)
    [run] = plan(session, actor)
    [first] = stops_of(session, run)
    if run_has_left:
        logistics.start_run(session, actor.id, run.id, odometer_start=12000)
    desk.units(1)
    assert len(desk.reserved(need)) == 2

    plan(session, actor)

    stops = [s for s in session.scalars(select(Stop).where(Stop.need_id == need.id).order_by(Stop.id))]
    if run_has_left:
        assert len(stops) == 2 and stops[1].run_id != run.id and len(barcodes_on(session, stops[1])) == 1
    else:
        assert stops == [first] and barcodes_on(session, first) == desk.reserved(need)


def test_a_second_return_request_joins_the_citizens_pickup_stop(session, actor, desk):
    kari = desk.citizen("Kari Hansen")
    first = desk.loan_to_collect(kari)
    [run] = plan(session, actor)
    second = desk.loan_to_collect(kari)
    plan(session, actor)
    [stop] = stops_of(session, run)
    assert kind(session, stop) == "collect" and barcodes_on(session, stop) == sorted([first.device.barcode,
                                                                           second.device.barcode])


def test_a_need_cancelled_after_planning_leaves_no_line_on_the_pick_list(session, actor, desk, one_delivery):
    run, stop, need, barcode = one_delivery
    lending.cancel_need(session, actor.id, need.id, "innlagt igjen")
    plan(session, actor)
    assert logistics.pick_list(session, run.id) == []
    other = desk.need(desk.citizen("Ola Nordmann"))
    assert desk.reserved(other) == [barcode]
    plan(session, actor)
    assert [s.need_id for s in stops_of(session, run) if barcodes_on(session, s)] == [other.id]


def test_a_unit_swapped_at_the_desk_after_planning_is_delivered_instead(session, actor, one_delivery):
    run, stop, need, planned = one_delivery
    [free] = [device.barcode for device in list_devices(session, state="available")]
    [reservation] = session.scalars(select(Reservation).where(Reservation.need_id == need.id,
                                                              Reservation.status == "active")).all()
    lending.change_reservation(session, actor.id, reservation.id, free)
    plan(session, actor)
    assert [(s.need_id, barcodes_on(session, s)) for s in stops_of(session, run)] == [(need.id, [free])]
    assert [line.barcode for _stop, line in logistics.pick_list(session, run.id)] == [free]


def test_a_unit_handed_over_at_the_counter_after_planning_leaves_the_run_and_is_collected_later(
        session, actor, one_delivery):
    run, stop, _need, barcode = one_delivery
    loan = lending.hand_over(session, actor.id, barcode, received_by="hentet selv")
    plan(session, actor)
    assert logistics.pick_list(session, run.id) == [] and barcodes_on(session, stop) == []
    assert stop.status == "dropped" and stops_of(session, run) == []
    lending.request_return(session, actor.id, loan.id, "need_ended")
    plan(session, actor)
    assert [(kind(session, s), barcodes_on(session, s)) for s in stops_of(session, run)] == [("collect", [barcode])]


@pytest.mark.parametrize("driver_role, van_kind, field", [("lager", "van", "driver"), ("sjafor", "bin", "van")])
def test_a_run_needs_a_real_driver_and_a_real_van(session, actor, make_user, van, driver_role, van_kind, field):
    person = make_user(driver_role)
    with pytest.raises(ValidationFailed) as caught:
        logistics.create_run(session, actor.id, TOMORROW, driver=person.username,
                             van="BIL1" if van_kind == "van" else "A-01-1")
    assert field in caught.value.details


# --- picking --------------------------------------------------------------------------------

def test_the_pick_list_is_in_walking_order_zone_then_along_the_racks(session, actor, desk, shelves):
    for where in ["B-01-1", "A-02-1", "A-01-2", "A-01-1"]:
        desk.units(1, where)
    for name in ["A", "B", "C", "D"]:
        desk.need(desk.citizen(name))
    [run] = plan(session, actor)

    lines = logistics.pick_list(session, run.id)

    assert [item.location_code for _stop, item in lines] == ["A-01-1", "A-01-2", "A-02-1", "B-01-1"]
    assert all(item.action == "deliver" for _stop, item in lines)


def test_a_pickup_has_no_line_on_the_pick_list(session, actor, desk):
    desk.loan_to_collect(desk.citizen("Kari Hansen"))
    [run] = plan(session, actor)
    assert logistics.pick_list(session, run.id) == [] and len(stops_of(session, run)) == 1


def test_scanning_the_planned_unit_ticks_its_line_and_puts_it_in_the_van(session, actor, one_delivery):
    run, stop, need, barcode = one_delivery

    result = logistics.pick_device(session, actor.id, run.id, barcode)

    assert (result.barcode, result.stop_id, result.substituted_for, result.remaining) == (barcode, stop.id, None, 0)
    assert state_of(session, barcode) == ("picked", "BIL1")
    [(_stop, line)] = logistics.pick_list(session, run.id)
    assert line.picked
    assert device_history(session, get_device(session, barcode).id)[-1].kind == "picked"


def test_a_second_scan_of_a_picked_unit_is_refused(session, actor, one_delivery):
    run, _stop, _need, barcode = one_delivery
    logistics.pick_device(session, actor.id, run.id, barcode)
    with pytest.raises(Conflict) as caught:
        logistics.pick_device(session, actor.id, run.id, barcode)
    assert caught.value.code == "already_picked"


@pytest.mark.parametrize("where_the_other_need_is", ["not yet planned", "on another run"])
def test_a_unit_reserved_for_another_need_is_refused_and_changes_nothing(
        session, actor, desk, one_delivery, where_the_other_need_is):
    run, stop, need, barcode = one_delivery
    other = desk.need(desk.citizen("Ola Nordmann"))
    [taken] = desk.reserved(other)
    if where_the_other_need_is == "on another run":
        logistics.create_run(session, actor.id, TOMORROW + timedelta(days=1))
        logistics.plan_runs(session, actor.id, TOMORROW + timedelta(days=1))

    with pytest.raises(Conflict) as caught:
        logistics.pick_device(session, actor.id, run.id, taken)

    assert caught.value.code == "reserved_for_other"
    assert desk.reserved(other) == [taken] and desk.reserved(need) == [barcode]
    assert state_of(session, taken) == ("reserved", "A-01-2") and state_of(session, barcode) == ("reserved", "A-01-2")
    assert barcodes_on(session, stop) == [barcode]


@pytest.mark.parametrize("which", ["the planned unit", "a free unit of the same product"])
def test_a_quarantined_unit_is_refused(session, actor, desk, one_delivery, which):
    run, _stop, need, barcode = one_delivery
    scanned = barcode if which == "the planned unit" else desk.units(1)[0].barcode
    quarantine_device(session, actor.id, scanned, "recall", "tilbakekalling")

    with pytest.raises(Conflict) as caught:
        logistics.pick_device(session, actor.id, run.id, scanned)

    assert caught.value.details["current_state"] == "quarantined"
    # A quarantined planned unit lets go of the need, which gets the free one on the shelf instead.
    replacement = [device.barcode for device in list_devices(session, product_id=get_device(session, barcode).product_id)
                   if device.barcode not in (barcode, scanned)]
    assert desk.reserved(need) == (replacement if which == "the planned unit" else [barcode])


def test_a_unit_of_another_product_is_refused(session, actor, desk, one_delivery, chair):
    run, stop, need, barcode = one_delivery
    [stool] = desk.units(1, product=chair)
    with pytest.raises(Conflict) as caught:
        logistics.pick_device(session, actor.id, run.id, stool.barcode)
    assert caught.value.code == "wrong_product"
    assert state_of(session, stool.barcode)[0] == "available" and desk.reserved(need) == [barcode]


def test_a_free_unit_of_the_same_product_replaces_the_planned_one(session, actor, one_delivery):
    run, stop, need, planned = one_delivery
    [free] = [device.barcode for device in list_devices(session, state="available")]

    result = logistics.pick_device(session, actor.id, run.id, free)

    assert (result.substituted_for, result.stop_id, result.remaining) == (planned, stop.id, 0)
    assert state_of(session, planned) == ("available", "A-01-2")
    assert state_of(session, free) == ("picked", "BIL1")
    assert [unit.barcode for unit in lending.need_units(session, [need.id])[need.id]] == [free]
    assert barcodes_on(session, stop) == [free]
    assert stop.status == "open" and [s.id for s in stops_of(session, run)] == [stop.id]
    [(_stop, line)] = logistics.pick_list(session, run.id)
    assert (line.barcode, line.picked) == (free, True)
    assert [e.kind for e in device_history(session, get_device(session, free).id)][-3:] == ["reserved", "substituted",
                                                                                             "picked"]
    released = device_history(session, get_device(session, planned).id)[-1]
    assert (released.kind, released.from_state, released.to_state) == ("released", "reserved", "available")
    assert free in released.note
    log = logistics.delivery_log_data(session, run.id, "Hjelpemiddellageret")
    assert [[i.barcode for i in s.items] for s in log.stops] == [[free]]


def test_picking_on_a_finished_run_is_refused(session, actor, one_delivery):
    run, _stop, _need, barcode = one_delivery
    logistics.start_run(session, actor.id, run.id, odometer_start=12000)
    logistics.finish_run(session, actor.id, "lager", run.id, odometer_end=12000, confirm_unvisited=True)
    with pytest.raises(InvalidState):
        logistics.pick_device(session, actor.id, run.id, barcode)


# --- on the road ----------------------------------------------------------------------------

def test_starting_the_run_puts_the_picked_units_out_for_delivery(session, actor, desk, van, driver):
    desk.units(2)
    need = desk.need(desk.citizen("Astrid Olsen"), quantity=2)
    logistics.create_run(session, actor.id, TOMORROW, driver=driver.username, van="BIL1")
    [run] = plan(session, actor)
    picked, left = desk.reserved(need)

    run = picked_and_started(session, actor, run, picked)

    assert (run.status, run.odometer_start) == ("in_progress", 12000) and run.departed_at is not None
    assert state_of(session, picked) == ("out_for_delivery", "BIL1")
    assert state_of(session, left) == ("reserved", "A-01-2")
    with pytest.raises(InvalidState):
        logistics.start_run(session, actor.id, run.id, odometer_start=12000)


def test_delivered_starts_the_loans_with_who_received_them(session, actor, driver, one_delivery):
    run, stop, need, barcode = one_delivery
    picked_and_started(session, actor, run, barcode)

    done = logistics.record_outcome(session, driver.id, "sjafor", run.id, stop.id, "delivered", received_by="datter")

    assert (done.status, done.received_by) == ("done", "datter")
    assert logistics.stop_views(session, [done])[0].outcome_label == "Levert"
    [loan] = session.scalars(select(Loan).where(Loan.need_id == need.id)).all()
    assert (loan.status, loan.received_by, loan.citizen_id) == ("active", "datter", stop.citizen_id)
    assert loan.expected_end == TODAY + timedelta(days=90)
    assert state_of(session, barcode) == ("on_loan", None)
    assert need.status == "on_loan" and barcodes_on(session, stop) == []


def test_a_delivered_stop_keeps_its_place_in_the_run_and_the_log(session, actor, desk, one_delivery):
    run, first, _need, barcode = one_delivery
    desk.units(1)
    desk.need(desk.citizen("Ola Nordmann"))
    plan(session, actor)
    before = [(s.id, s.sequence) for s in stops_of(session, run)]
    picked_and_started(session, actor, run, *[line.barcode for _stop, line in logistics.pick_list(session, run.id)])
    delivered = before[1][0]

    logistics.record_outcome(session, actor.id, "lager", run.id, delivered, "delivered", received_by="selv",
                             note="satt i gangen")

    assert [(s.id, s.sequence) for s in stops_of(session, run)] == before
    stop = session.get(Stop, delivered)
    assert (stop.status, stop.outcome_note) == ("done", "satt i gangen")
    log = logistics.delivery_log_data(session, run.id, "Hjelpemiddellageret")
    assert [(s.sequence, s.outcome, len(s.items)) for s in log.stops] == [(1, "", 1), (2, "Levert", 1)]


def test_a_delivery_with_an_unpicked_unit_cannot_be_recorded_as_delivered(session, actor, one_delivery):
    run, stop, _need, barcode = one_delivery
    logistics.start_run(session, actor.id, run.id, odometer_start=12000)
    with pytest.raises(InvalidState) as caught:
        logistics.record_outcome(session, actor.id, "lager", run.id, stop.id, "delivered", received_by="selv")
    assert caught.value.details["barcodes"] == [barcode] and stop.status == "open"


def test_not_home_sends_the_units_back_to_reserved_on_a_fresh_unplanned_stop(session, actor, driver, one_delivery):
    run, stop, need, barcode = one_delivery
    picked_and_started(session, actor, run, barcode)

    failed = logistics.record_outcome(session, driver.id, "sjafor", run.id, stop.id, "not_home", note="ingen åpnet")

    assert (failed.status, failed.outcome_note, failed.run_id) == ("failed", "ingen åpnet", run.id)
    [fresh] = logistics.unplanned_stops(session)
    assert (fresh.follow_up_of_id, kind(session, fresh), fresh.status) == (stop.id, "deliver", "open")
    assert barcodes_on(session, fresh) == [barcode]
    assert state_of(session, barcode) == ("reserved", "BIL1") and reserved_for(session, need) == [barcode]
    assert device_history(session, get_device(session, barcode).id)[-1].kind == "delivery_failed"
    log = logistics.delivery_log_data(session, run.id, "Hjelpemiddellageret")
    assert [(s.outcome, [i.barcode for i in s.items]) for s in log.stops] == [("Ikke hjemme", [barcode])]


def reserved_for(session, need):
    return sorted(u.barcode for u in lending.need_units(session, [need.id])[need.id] if u.reservation_id)


def test_a_failed_delivery_is_planned_picked_and_delivered_on_a_later_run(session, actor, driver, one_delivery):
    run, stop, need, barcode = one_delivery
    picked_and_started(session, actor, run, barcode)
    logistics.record_outcome(session, driver.id, "sjafor", run.id, stop.id, "not_home")
    logistics.finish_run(session, driver.id, "sjafor", run.id, odometer_end=12040)

    [next_day] = logistics.plan_runs(session, actor.id, TOMORROW + timedelta(days=1))
    [fresh] = stops_of(session, next_day)
    [(_stop, line)] = logistics.pick_list(session, next_day.id)
    assert (line.barcode, line.picked, line.state, line.location_code) == (barcode, False, "reserved", "BIL1")
    result = logistics.pick_device(session, actor.id, next_day.id, barcode)
    assert result.stop_id == fresh.id
    logistics.start_run(session, actor.id, next_day.id, odometer_start=12000)
    logistics.record_outcome(session, actor.id, "lager", next_day.id, fresh.id, "delivered", received_by="selv")

    assert state_of(session, barcode) == ("on_loan", None) and need.status == "on_loan"


def test_collected_ends_the_loan_and_the_unit_is_returned_in_the_van(session, actor, desk, driver, van):
    loan = desk.loan_to_collect(desk.citizen("Kari Hansen"))
    logistics.create_run(session, actor.id, TOMORROW, driver=driver.username, van="BIL1")
    [run] = plan(session, actor)
    [stop] = stops_of(session, run)
    logistics.start_run(session, actor.id, run.id, odometer_start=12000)

    done = logistics.record_outcome(session, driver.id, "sjafor", run.id, stop.id, "collected", received_by="datter")

    assert (done.status, logistics.stop_views(session, [done])[0].outcome_label) == ("done", "Hentet")
    barcode = loan.device.barcode
    session.refresh(loan, ["status", "ended_at"])
    assert loan.status == "ended" and loan.ended_at is not None
    assert state_of(session, barcode) == ("returned", "BIL1")
    assert device_history(session, loan.device_id)[-1].kind == "collected"


@pytest.mark.parametrize("what", ["deliver", "collect"])
def test_refused_needs_a_note(session, actor, desk, one_delivery, what):
    run, delivery, _need, _barcode = one_delivery
    if what == "collect":
        desk.loan_to_collect(desk.citizen("Kari Hansen"))
        plan(session, actor)
    [stop] = [s for s in stops_of(session, run) if kind(session, s) == what]
    logistics.start_run(session, actor.id, run.id, odometer_start=12000)
    with pytest.raises(ValidationFailed) as caught:
        logistics.record_outcome(session, actor.id, "lager", run.id, stop.id, "refused", note="  ")
    assert caught.value.status == 422 and "note" in caught.value.details and stop.status == "open"
    refused = logistics.record_outcome(session, actor.id, "lager", run.id, stop.id, "refused", note="vil ikke ha den")
    assert (refused.status, refused.outcome_note) == ("failed", "vil ikke ha den")


@pytest.mark.parametrize("what, outcome", [("deliver", "collected"), ("deliver", "repair_done"),
                                           ("collect", "delivered"), ("collect", "repair_done"),
                                           ("deliver", "lost"), ("collect", "")])
def test_an_outcome_that_does_not_fit_the_stop_is_refused(session, actor, desk, one_delivery, what, outcome):
    run, _delivery, _need, _barcode = one_delivery
    desk.loan_to_collect(desk.citizen("Kari Hansen"))
    plan(session, actor)
    [stop] = [s for s in stops_of(session, run) if kind(session, s) == what]
    logistics.start_run(session, actor.id, run.id, odometer_start=12000)
    with pytest.raises(ValidationFailed) as caught:
        logistics.record_outcome(session, actor.id, "lager", run.id, stop.id, outcome, received_by="x", note="x")
    assert caught.value.status == 422 and "outcome" in caught.value.details
    assert stop.status == "open"


def test_recording_a_stop_twice_is_a_conflict(session, actor, driver, one_delivery):
    run, stop, _need, barcode = one_delivery
    picked_and_started(session, actor, run, barcode)
    logistics.record_outcome(session, driver.id, "sjafor", run.id, stop.id, "delivered", received_by="selv")
    with pytest.raises(Conflict) as caught:
        logistics.record_outcome(session, driver.id, "sjafor", run.id, stop.id, "not_home")
    assert caught.value.status == 409 and caught.value.details["current_state"] == "done"


@pytest.mark.parametrize("who, allowed", [("the run's driver", True), ("another driver", False),
                                          ("depot staff", True), ("an admin", True)])
def test_only_the_runs_own_driver_or_the_depot_records_outcomes(session, actor, make_user, driver, one_delivery,
                                                               who, allowed):
    run, stop, _need, barcode = one_delivery
    picked_and_started(session, actor, run, barcode)
    user, role = {"the run's driver": (driver, "sjafor"), "another driver": (make_user("sjafor"), "sjafor"),
                  "depot staff": (actor, "lager"), "an admin": (make_user("admin"), "admin")}[who]
    if allowed:
        assert logistics.record_outcome(session, user.id, role, run.id, stop.id, "delivered").status == "done"
    else:
        with pytest.raises(Forbidden):
            logistics.record_outcome(session, user.id, role, run.id, stop.id, "delivered")
        with pytest.raises(Forbidden):
            logistics.finish_run(session, user.id, role, run.id, odometer_end=12001)
        assert stop.status == "open" and state_of(session, barcode)[0] == "out_for_delivery"


def test_a_stop_of_another_run_is_not_found_on_this_one(session, actor, one_delivery):
    from hjelpemiddel.core.errors import NotFound

    run, stop, _need, _barcode = one_delivery
    other = logistics.create_run(session, actor.id, TOMORROW)
    with pytest.raises(NotFound):
        logistics.record_outcome(session, actor.id, "lager", other.id, stop.id, "not_home")


def test_a_repair_visit_is_planned_and_recorded_in_the_units_history(session, actor, desk):
    loan = desk.loan(desk.citizen("Ole Berg"))
    barcode = loan.device.barcode
    stop = logistics.add_repair_visit(session, actor.id, barcode, "slitt dekk")
    [run] = plan(session, actor)
    assert [(s.id, kind(session, s)) for s in stops_of(session, run)] == [(stop.id, "repair")]
    with pytest.raises(InvalidState):  # not before the van has left
        logistics.record_outcome(session, actor.id, "lager", run.id, stop.id, "repair_done")
    logistics.start_run(session, actor.id, run.id, odometer_start=12000)
    done = logistics.record_outcome(session, actor.id, "lager", run.id, stop.id, "repair_done", note="nytt dekk")
    assert done.status == "done"
    assert device_history(session, loan.device_id)[-1].kind == "repair_visit"
    assert state_of(session, barcode) == ("on_loan", None)


# --- finishing the run ----------------------------------------------------------------------

def test_finishing_sends_unvisited_stops_back_to_planning(session, actor, desk, driver, one_delivery):
    run, visited, _need, barcode = one_delivery
    other = desk.need(desk.citizen("Ola Nordmann"))
    plan(session, actor)
    [unvisited] = [s for s in stops_of(session, run) if s.need_id == other.id]
    [unvisited_unit] = desk.reserved(other)
    picked_and_started(session, actor, run, barcode, unvisited_unit)
    logistics.record_outcome(session, driver.id, "sjafor", run.id, visited.id, "delivered", received_by="selv")

    with pytest.raises(logistics.UnvisitedStopsOpen) as asked:
        logistics.finish_run(session, driver.id, "sjafor", run.id, odometer_end=12055)
    assert asked.value.status == 409 and [s["id"] for s in asked.value.details["open_stops"]] == [unvisited.id]
    assert (run.status, unvisited.status, state_of(session, unvisited_unit)[0]) == ("in_progress", "open",
                                                                                    "out_for_delivery")
    logistics.finish_run(session, driver.id, "sjafor", run.id, odometer_end=12055, confirm_unvisited=True)

    assert unvisited.status == "failed" and unvisited.run_id == run.id
    assert logistics.stop_views(session, [unvisited])[0].outcome_label == "Ikke besøkt"
    [again] = logistics.unplanned_stops(session)
    assert again.follow_up_of_id == unvisited.id
    assert barcodes_on(session, again) == [unvisited_unit]
    assert state_of(session, unvisited_unit)[0] == "reserved"
    with pytest.raises(InvalidState):
        logistics.finish_run(session, driver.id, "sjafor", run.id, odometer_end=12055, confirm_unvisited=True)


# --- moving stops ---------------------------------------------------------------------------

def test_an_open_stop_moves_between_runs_and_both_are_renumbered(session, actor, desk):
    desk.units(3)
    for name in ["A", "B", "C"]:
        desk.need(desk.citizen(name))
    [first] = plan(session, actor)
    second = logistics.create_run(session, actor.id, TOMORROW)
    a, b, c = stops_of(session, first)

    logistics.move_stop(session, b.id, second.id)
    assert [(s.id, s.sequence) for s in stops_of(session, first)] == [(a.id, 1), (c.id, 2)]
    assert [(s.id, s.sequence) for s in stops_of(session, second)] == [(b.id, 1)]

    logistics.move_stop(session, c.id, second.id, position=1)
    assert [(s.id, s.sequence) for s in stops_of(session, first)] == [(a.id, 1)]
    assert [(s.id, s.sequence) for s in stops_of(session, second)] == [(c.id, 1), (b.id, 2)]

    logistics.move_stop(session, b.id, None)
    assert [s.id for s in logistics.unplanned_stops(session)] == [b.id] and b.sequence == 0


def test_a_stop_moves_to_a_position_within_its_own_run(session, actor, desk):
    desk.units(3)
    for name in ["A", "B", "C"]:
        desk.need(desk.citizen(name))
    [run] = plan(session, actor)
    a, b, c = stops_of(session, run)
    logistics.move_stop(session, c.id, run.id, position=1)
    assert [(s.id, s.sequence) for s in stops_of(session, run)] == [(c.id, 1), (a.id, 2), (b.id, 3)]


def test_a_done_stop_cannot_be_moved(session, actor, one_delivery):
    run, stop, _need, barcode = one_delivery
    picked_and_started(session, actor, run, barcode)
    logistics.record_outcome(session, actor.id, "lager", run.id, stop.id, "delivered", received_by="selv")
    other = logistics.create_run(session, actor.id, TOMORROW)
    with pytest.raises(InvalidState) as caught:
        logistics.move_stop(session, stop.id, other.id)
    assert caught.value.details["current_state"] == "done"
    assert (stop.run_id, stop.sequence) == (run.id, 1)


def test_a_stop_cannot_be_moved_to_a_finished_run(session, actor, desk, one_delivery):
    run, _stop, _need, _barcode = one_delivery
    desk.need(desk.citizen("Ola Nordmann"))
    logistics.start_run(session, actor.id, run.id, odometer_start=12000)
    logistics.finish_run(session, actor.id, "lager", run.id, odometer_end=12000, confirm_unvisited=True)
    [waiting, *_] = logistics.unplanned_stops(session)
    with pytest.raises(InvalidState):
        logistics.move_stop(session, waiting.id, run.id)


# --- what is printed ------------------------------------------------------------------------

@pytest.fixture
def printed_run(session, actor, desk, vault, van, driver):
    """A discharge delivery and a pickup on one run; returns the run, the citizens and their clear fnrs."""
    astrid, kari = desk.citizen("Astrid Olsen", "6523"), desk.citizen("Kari Hansen", "6501")
    kari.contact_name, kari.contact_phone = "Per Hansen", "90011222"
    loan = desk.loan_to_collect(kari)
    desk.units(1, "A-01-1")
    need = desk.need(astrid, urgency="discharge")
    logistics.create_run(session, actor.id, TOMORROW, driver=driver.username, van="BIL1")
    [run] = plan(session, actor)
    fnrs = [vault.decrypt(citizen.fnr_encrypted) for citizen in (astrid, kari)]
    return run, desk.reserved(need)[0], loan.device.barcode, fnrs


def test_the_delivery_log_lists_the_stops_in_order_with_what_the_driver_needs_and_no_fnr(session, printed_run, driver):
    run, delivered, collected, fnrs = printed_run

    log = logistics.delivery_log_data(session, run.id, "Hjelpemiddellageret")

    assert [(s.sequence, s.kind, s.name, s.urgent) for s in log.stops] == [
        (1, "Levering", "Astrid Olsen", True), (2, "Henting", "Kari Hansen", False)]
    first, second = log.stops
    assert first.address == "Storgata 1, 6523 Kristiansund" and first.access_notes == "Nøkkelboks 1234"
    assert [(i.barcode, i.action) for i in first.items] == [(delivered, "Lever")]
    assert [(i.barcode, i.action) for i in second.items] == [(collected, "Hent")]
    assert second.contact == "Per Hansen 90011222" and second.phone == "99887766"
    assert (log.driver, log.van) == (driver.full_name, "BIL1 Bil 1")
    for fnr in fnrs:
        assert fnr not in repr(log)


def test_the_pick_list_data_names_stops_and_shelves_and_no_fnr(session, actor, printed_run):
    run, delivered, _collected, fnrs = printed_run
    logistics.pick_device(session, actor.id, run.id, delivered)

    data = logistics.pick_list_data(session, run.id, "Hjelpemiddellageret")

    assert [(l.barcode, l.stop_sequence, l.stop_name, l.picked) for l in data.lines] == [
        (delivered, 1, "Astrid Olsen", True)]
    assert data.title == f"Plukkliste – kjørerunde {run.id}" and data.run_date == TOMORROW.strftime("%d.%m.%Y")
    for fnr in fnrs:
        assert fnr not in repr(data)


def test_the_pick_list_shows_the_shelf_before_picking(session, printed_run):
    run, delivered, _collected, _fnrs = printed_run
    [line] = logistics.pick_list_data(session, run.id, "Hjelpemiddellageret").lines
    assert (line.location_code, line.zone, line.picked) == ("A-01-1", "A", False)



