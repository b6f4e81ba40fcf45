"""One door, one visit: deliveries, pickups and repairs for the same citizen and address are one visit
(an exchange when it both delivers and collects), recorded part by part; a repair waiting for parts
is not visited before they come."""
from datetime import timedelta

import pytest

from hjelpemiddel.core.errors import InvalidState, ValidationFailed
from hjelpemiddel.lending import services as lending
from hjelpemiddel.logistics import services as logistics
from hjelpemiddel.maintenance import services as maintenance
from hjelpemiddel.nav import services as nav
from integrations.nav.memory import InMemoryNav

from .desk import TOMORROW, barcodes_on, kind, plan, state_of, stops_of


@pytest.fixture
def exchange(session, actor, desk, van, driver):
    """Astrid gives back one rollator and gets another at the same door, on tomorrow's run."""
    astrid = desk.citizen("Astrid Olsen")
    old = desk.loan_to_collect(astrid)
    desk.units(1)
    need = desk.need(astrid)
    logistics.create_run(session, actor.id, TOMORROW, driver=driver.username, van="BIL1")
    [run] = plan(session, actor)
    [stop] = stops_of(session, run)
    [new] = desk.reserved(need)
    return run, stop, new, old.device.barcode


def test_a_delivery_and_a_pickup_at_one_door_are_one_exchange_visit(session, exchange):
    run, stop, new, old = exchange
    view = logistics.stop_views(session, [stop])[0]
    assert view.actions == ["deliver", "collect"] and view.kind_label == "Levering og henting"
    assert sorted(barcodes_on(session, stop)) == sorted([new, old])
    assert [line.barcode for _stop, line in logistics.pick_list(session, run.id)] == [new]


def test_the_driver_records_both_parts_of_an_exchange_at_the_one_stop(session, actor, driver, exchange):
    run, stop, new, old = exchange
    logistics.pick_device(session, actor.id, run.id, new)
    logistics.start_run(session, actor.id, run.id, odometer_start=12000)

    logistics.record_outcome(session, driver.id, "sjafor", run.id, stop.id, "delivered", received_by="datter",
                             action="deliver")
    assert stop.status == "open" and logistics.stop_views(session, [stop])[0].open_actions == ["collect"]
    logistics.record_outcome(session, driver.id, "sjafor", run.id, stop.id, "collected", action="collect")

    assert (stop.status, stop.received_by) == ("done", "datter")
    assert state_of(session, new) == ("on_loan", None) and state_of(session, old) == ("returned", "BIL1")
    [logged] = logistics.delivery_log_data(session, run.id, "Hjelpemiddellageret").stops
    assert (logged.kind, logged.outcome) == ("Levering og henting", "Levert · Hentet")
    assert sorted((item.barcode, item.action) for item in logged.items) == sorted([(new, "Lever"), (old, "Hent")])


def test_nobody_home_fails_the_whole_exchange_and_both_parts_go_back_to_planning_as_one_visit(
        session, actor, driver, exchange):
    run, stop, new, old = exchange
    logistics.pick_device(session, actor.id, run.id, new)
    logistics.start_run(session, actor.id, run.id, odometer_start=12000)

    logistics.record_outcome(session, driver.id, "sjafor", run.id, stop.id, "not_home")

    [again] = logistics.unplanned_stops(session)
    assert stop.status == "failed" and again.follow_up_of_id == stop.id
    assert kind(session, again) == "deliver+collect" and sorted(barcodes_on(session, again)) == sorted([new, old])


def test_a_refused_pickup_goes_back_to_planning_alone_while_the_delivery_is_done(session, actor, driver, exchange):
    run, stop, new, old = exchange
    logistics.pick_device(session, actor.id, run.id, new)
    logistics.start_run(session, actor.id, run.id, odometer_start=12000)
    logistics.record_outcome(session, driver.id, "sjafor", run.id, stop.id, "delivered", action="deliver")
    with pytest.raises(ValidationFailed) as caught:
        logistics.record_outcome(session, driver.id, "sjafor", run.id, stop.id, "collected", action="deliver")
    assert "outcome" in caught.value.details

    logistics.record_outcome(session, driver.id, "sjafor", run.id, stop.id, "refused", action="collect",
                             note="vil beholde den en uke til")

    assert stop.status == "done"
    [again] = logistics.unplanned_stops(session)
    assert kind(session, again) == "collect" and barcodes_on(session, again) == [old]
    assert logistics.stop_views(session, [stop])[0].outcome_label == "Levert · Avvist"


def test_a_differently_typed_address_is_the_same_door(session, actor, desk):
    astrid = desk.citizen("Astrid Olsen")
    desk.units(2)
    first = desk.need(astrid)
    second = lending.register_need(session, desk.therapist.id, "terapeut", astrid.id, TOMORROW, "normal", "short_term",
                                   product_id=desk.product.id, delivery_address="storgata 1,  6509 KRISTIANSUND.")
    lending.decide_need(session, actor.id, "lager", second.id, "approve")

    [run] = plan(session, actor)

    [stop] = stops_of(session, run)
    assert sorted(barcodes_on(session, stop)) == sorted(desk.reserved(first) + desk.reserved(second))


def test_a_repair_at_home_joins_the_doors_visit_that_has_not_left(session, actor, desk, exchange):
    run, stop, _new, _old = exchange
    loan = desk.loan(stop.citizen)
    maintenance.open_repair(session, actor.id, loan.device.barcode, "home", "løst hjul")
    assert [s.id for s in stops_of(session, run)] == [stop.id]
    assert kind(session, stop) == "deliver+collect+repair" and "løst hjul" in stop.note


# --- a repair waiting for parts ---------------------------------------------------------------

@pytest.fixture
def home_repair(session, actor, desk):
    """Ole's rollator is to be repaired at home; the visit is planned for tomorrow."""
    loan = desk.loan(desk.citizen("Ole Berg"))
    repair = maintenance.open_repair(session, actor.id, loan.device.barcode, "home", "slitt dekk")
    [run] = plan(session, actor)
    return repair, run, loan


def test_a_repair_waiting_for_parts_leaves_an_earlier_run_and_is_planned_on_the_day_they_come(
        session, actor, home_repair):
    repair, run, _loan = home_repair
    due = TOMORROW + timedelta(days=2)

    stop = logistics.postpone_repair_visit(session, repair.id, due)

    assert (stop.not_before, stop.run_id) == (due, None) and stops_of(session, run) == []
    assert logistics.plan_runs(session, actor.id, TOMORROW + timedelta(days=1))[0].id != run.id
    assert all(s.id != stop.id for r in logistics.list_runs(session) for s in stops_of(session, r))
    with pytest.raises(InvalidState) as caught:
        logistics.move_stop(session, stop.id, run.id)
    assert "venter på deler" in caught.value.message
    [due_run] = logistics.plan_runs(session, actor.id, due)
    assert [s.id for s in stops_of(session, due_run)] == [stop.id]


def test_a_delivery_to_a_door_whose_repair_waits_for_parts_goes_ahead_and_both_meet_on_the_parts_day(
        session, actor, desk, home_repair):
    repair, run, loan = home_repair
    due = TOMORROW + timedelta(days=3)
    waiting = logistics.postpone_repair_visit(session, repair.id, due)
    desk.units(1)
    desk.need(loan.citizen)

    [tomorrow] = plan(session, actor)
    [delivery] = stops_of(session, tomorrow)
    assert kind(session, delivery) == "deliver" and delivery.id != waiting.id

    logistics.move_stop(session, delivery.id, None)
    [that_day] = logistics.plan_runs(session, actor.id, due)
    [visit] = stops_of(session, that_day)
    assert kind(session, visit) == "deliver+repair"
    [dropped] = [other for other in (waiting, delivery) if other.id != visit.id]
    assert dropped.status == "dropped" and "samme dør" in dropped.outcome_note


def test_parts_shipped_by_nav_are_matched_to_the_order_and_the_repair_visit_waits_for_them(
        session, actor, vault, make_citizen, depot):
    from hjelpemiddel.catalog.services import create_product

    port = InMemoryNav()
    ole = make_citizen("Ole Berg")
    fnr = vault.decrypt(ole.fnr_encrypted)
    port.add_loans(fnr, [{"artikkelNr": "236958", "artikkelBeskrivelse": "Panthera U3 Light", "serieNr": "687273",
                          "kategoriNummer": "12220301"}])
    create_product(session, hms_nr="236958", name="Panthera U3 Light rullestol", iso_class="122203")
    [chair] = nav.import_citizen_nav_loans(session, port, vault, "admin", actor.id, ole.id)
    repair = maintenance.open_repair(session, actor.id, chair.barcode, "home", "slitt dekk")
    order = nav.order_parts(session, actor.id, chair.barcode, [{"hmsnr": "150817", "navn": "Dekk 24\"",
                                                                "kategori": "Dekk", "antall": 2}],
                            "TIL_SERVICE_OPPDRAG", repair_id=repair.id)
    [message_id] = nav.due_outbox_ids(session)
    nav.deliver_outbox_message(session, port, message_id, vault)
    port.advance(hours=25)

    nav.sync_order_lines_page(session, port, vault)

    assert (order.status, order.order_line_id is not None) == ("received", True)
    assert order.expected_delivery is not None and "ventet" in nav.part_order_status_label(order)
    [waiting] = logistics.unplanned_stops(session)
    assert waiting.not_before == order.expected_delivery and kind(session, waiting) == "repair"


@pytest.mark.parametrize("run_has_left", [False, True])
def test_a_unit_handed_in_over_the_counter_is_no_longer_collected_at_the_door(
        session, actor, desk, driver, van, run_has_left):
    loan = desk.loan_to_collect(desk.citizen("Kari Hansen"))
    logistics.create_run(session, actor.id, TOMORROW, driver=driver.username, van="BIL1")
    [run] = plan(session, actor)
    [stop] = stops_of(session, run)
    if run_has_left:
        logistics.start_run(session, actor.id, run.id, odometer_start=12000)

    lending.receive_at_depot(session, actor.id, loan.device.barcode)

    assert stop.status == "dropped" and stops_of(session, run) == [] and logistics.unplanned_stops(session) == []


def test_handed_in_over_the_counter_the_pickup_leaves_an_exchange_and_the_delivery_stays(session, actor, exchange):
    run, stop, new, old = exchange
    lending.receive_at_depot(session, actor.id, old)
    assert stop.status == "open" and kind(session, stop) == "deliver" and barcodes_on(session, stop) == [new]
