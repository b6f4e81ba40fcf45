"""The driver's rules at the service layer: the odometer on departure and return (the end not below
the start), a run finished with open stops only once they are confirmed as not visited, one unit of
several refused at the door, and the map links of a stop."""
import pytest

from hjelpemiddel.core.errors import ValidationFailed
from hjelpemiddel.logistics import services as logistics

from .desk import TOMORROW, barcodes_on, picked_and_started, plan, state_of, stops_of


@pytest.mark.parametrize("moment", ["departure", "return"])
def test_the_odometer_reading_is_required_on_departure_and_on_return(session, actor, driver, one_delivery, moment):
    run, _stop, _need, barcode = one_delivery
    if moment == "departure":
        logistics.pick_device(session, actor.id, run.id, barcode)
        with pytest.raises(ValidationFailed) as caught:
            logistics.start_run(session, actor.id, run.id)
        field, status = "odometer_start", "planned"
    else:
        picked_and_started(session, actor, run, barcode)
        with pytest.raises(ValidationFailed) as caught:
            logistics.finish_run(session, driver.id, "sjafor", run.id, confirm_unvisited=True)
        field, status = "odometer_end", "in_progress"
    assert caught.value.status == 422 and list(caught.value.details) == [field]
    assert caught.value.message.startswith("Kilometerstand ved ")
    assert run.status == status


@pytest.mark.parametrize("end, finished", [(11999, False), (12000, True), (12087, True)])
def test_the_end_reading_may_not_be_below_the_start(session, actor, driver, one_delivery, end, finished):
    run, stop, _need, barcode = one_delivery
    picked_and_started(session, actor, run, barcode, odometer=12000)
    logistics.record_outcome(session, driver.id, "sjafor", run.id, stop.id, "delivered")
    if finished:
        assert logistics.finish_run(session, driver.id, "sjafor", run.id, odometer_end=end).odometer_end == end
    else:
        with pytest.raises(ValidationFailed) as caught:
            logistics.finish_run(session, driver.id, "sjafor", run.id, odometer_end=end)
        assert caught.value.details == {"odometer_end": [
            "Kilometerstanden ved retur kan ikke være lavere enn ved start (12000)."]}
        assert (run.status, run.odometer_end) == ("in_progress", None)


def test_finishing_with_open_stops_asks_first_and_then_marks_them_not_visited(session, actor, desk, driver,
                                                                             one_delivery):
    run, first, _need, barcode = one_delivery
    other = desk.need(desk.citizen("Ola Nordmann"))
    plan(session, actor)
    [second] = [s for s in stops_of(session, run) if s.need_id == other.id]
    picked_and_started(session, actor, run, barcode, *desk.reserved(other))

    with pytest.raises(logistics.UnvisitedStopsOpen) as asked:
        logistics.finish_run(session, driver.id, "sjafor", run.id, odometer_end=12030)
    assert asked.value.status == 409 and asked.value.code == "unvisited_stops"
    assert asked.value.message.startswith("2 stopp er ikke besøkt.")
    assert [(s["id"], s["kind_label"]) for s in asked.value.details["open_stops"]] == [
        (first.id, "Levering"), (second.id, "Levering")]
    assert [s.id for s in asked.value.stops] == [first.id, second.id]
    assert (run.status, first.status, second.status) == ("in_progress", "open", "open")

    logistics.finish_run(session, driver.id, "sjafor", run.id, odometer_end=12030, confirm_unvisited=True)

    assert (run.status, first.status, second.status) == ("finished", "failed", "failed")
    assert {logistics.stop_views(session, [s])[0].outcome_label for s in (first, second)} == {"Ikke besøkt"}
    assert state_of(session, barcode)[0] == "reserved"


def test_finishing_with_every_stop_recorded_needs_no_confirmation(session, actor, driver, one_delivery):
    run, stop, _need, barcode = one_delivery
    picked_and_started(session, actor, run, barcode)
    logistics.record_outcome(session, driver.id, "sjafor", run.id, stop.id, "not_home")
    assert logistics.finish_run(session, driver.id, "sjafor", run.id, odometer_end=12010).status == "finished"


@pytest.fixture
def two_units_at_one_door(session, actor, desk, van, driver):
    desk.units(2)
    need = desk.need(desk.citizen("Astrid Olsen"), quantity=2)
    logistics.create_run(session, actor.id, TOMORROW, driver=driver.username, van="BIL1")
    [run] = plan(session, actor)
    [stop] = stops_of(session, run)
    units = desk.reserved(need)
    picked_and_started(session, actor, run, *units)
    return run, stop, units


def test_one_of_two_units_refused_is_recorded_per_unit_and_only_it_goes_back_to_planning(
        session, driver, two_units_at_one_door):
    run, stop, (refused, kept) = two_units_at_one_door

    logistics.record_outcome(session, driver.id, "sjafor", run.id, stop.id, "refused", note="for høy",
                             action="deliver", barcodes=[refused.lower()])
    assert stop.status == "open" and barcodes_on(session, stop) == [kept]
    assert state_of(session, refused)[0] == "reserved"
    [again] = logistics.unplanned_stops(session)
    assert barcodes_on(session, again) == [refused] and "for høy" in again.note

    logistics.record_outcome(session, driver.id, "sjafor", run.id, stop.id, "delivered", received_by="datter",
                             barcodes=[kept])
    assert (stop.status, stop.received_by, stop.outcome_note) == ("done", "datter", "for høy")
    assert state_of(session, kept) == ("on_loan", None)
    items = {i.barcode: i.outcome for i in logistics.stop_items(session, [stop.id])[stop.id]}
    assert items == {refused: "refused", kept: "delivered"}


@pytest.mark.parametrize("barcodes", [["HJM9999999"], []])
def test_an_outcome_for_a_unit_not_waiting_on_the_visit_is_refused(session, driver, two_units_at_one_door, barcodes):
    run, stop, units = two_units_at_one_door
    with pytest.raises(ValidationFailed) as caught:
        logistics.record_outcome(session, driver.id, "sjafor", run.id, stop.id, "delivered", barcodes=barcodes)
    assert list(caught.value.details) == ["barcodes"] and stop.status == "open"
    assert {state_of(session, b)[0] for b in units} == {"out_for_delivery"}


def test_a_stop_links_to_the_phones_maps_with_its_address(session, one_delivery):
    run, stop, _need, _barcode = one_delivery
    [view] = logistics.run_view(session, run.id).stops
    assert stop.address == "Storgata 1, 6509 Kristiansund"
    assert view.geo_link == "geo:0,0?q=Storgata%201%2C%206509%20Kristiansund"
    assert view.maps_link == "https://www.google.com/maps/search/?api=1&query=Storgata%201%2C%206509%20Kristiansund"
