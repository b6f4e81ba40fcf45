"""Recalls at the service layer: every affected unit found wherever it is, and what happens to it."""
import pytest
from sqlalchemy import select

from hjelpemiddel.core.errors import Conflict, InvalidState, ValidationFailed
from hjelpemiddel.lending import services as lending
from hjelpemiddel.lending.models import NeedEvent
from hjelpemiddel.logistics import services as logistics
from hjelpemiddel.logistics.models import Stop, StopItem
from hjelpemiddel.maintenance.models import Quarantine
from hjelpemiddel.maintenance.services import open_depot_repair, quarantine_device, release_device
from hjelpemiddel.recalls import services as recalls
from hjelpemiddel.recalls.models import RecallUnit
from hjelpemiddel.stock import services as stock
from hjelpemiddel.stock.models import Device, DeviceEvent

from .desk import TOMORROW, plan


def _unit(session, actor, product, serial, where="A-01-2", **kwargs):
    return stock.register_device(session, actor.id, product.id, serial_number=serial, location_code=where, **kwargs)


def _recall(session, actor, product, **kwargs):
    kwargs.setdefault("selection", "range")
    if kwargs["selection"] == "range":
        kwargs.setdefault("serial_from", 210000)
        kwargs.setdefault("serial_to", 210450)
    kwargs.setdefault("action", "quarantine")
    return recalls.register_recall(session, actor.id, "Sømmen kan revne", [product.id],
                                   reference="FSN-2026-07", **kwargs)


def _units(session, recall) -> dict[str, RecallUnit]:
    rows = session.execute(select(Device.barcode, RecallUnit).join(Device, Device.id == RecallUnit.device_id)
                           .where(RecallUnit.recall_id == recall.id))
    return {barcode: unit for barcode, unit in rows}


def _state(session, barcode):
    device = stock.get_device(session, barcode)
    session.refresh(device)
    return device.state


def test_a_unit_on_the_shelf_is_quarantined_at_once_with_its_quarantine_and_event(session, actor, desk, sling):
    unit = _unit(session, actor, sling, "210001")
    recall = _recall(session, actor, sling)
    found = _units(session, recall)
    assert set(found) == {unit.barcode}
    assert (found[unit.barcode].found_where, found[unit.barcode].found_state) == ("shelf", "available")
    assert _state(session, unit.barcode) == "quarantined"
    quarantine = session.scalar(select(Quarantine).where(Quarantine.device_id == unit.id))
    assert (quarantine.reason, quarantine.from_state, quarantine.released_at) == ("recall", "available", None)
    assert found[unit.barcode].quarantine_id == quarantine.id
    event = session.scalars(select(DeviceEvent).where(DeviceEvent.device_id == unit.id)
                            .order_by(DeviceEvent.id.desc())).first()
    assert (event.kind, event.from_state, event.to_state) == ("quarantined", "available", "quarantined")
    assert event.note.startswith("Tilbakekalling: Sømmen kan revne")
    # Released back, it is free again: the bulk quarantine is an ordinary one.
    release_device(session, actor.id, unit.barcode)
    assert _state(session, unit.barcode) == "available"


def test_serials_outside_the_range_of_other_products_or_not_all_digits_are_not_found(session, actor, desk, sling):
    inside = [_unit(session, actor, sling, serial).barcode for serial in ("210000", "210450", "0210200")]
    for serial in ("209999", "210451", "ABC210100", None):
        _unit(session, actor, sling, serial)
    _unit(session, actor, desk.product, "210100")
    assert set(_units(session, _recall(session, actor, sling))) == set(inside)


def test_a_serial_list_and_a_lot_select_exactly_their_units(session, actor, desk, sling):
    a, b = _unit(session, actor, sling, "MX-1"), _unit(session, actor, sling, "MX-2")
    lot = [_unit(session, actor, sling, serial) for serial in ("L7_001", "L7_002")]
    _unit(session, actor, sling, "L70003")  # «_» is a character, not a wildcard
    listed = _recall(session, actor, sling, selection="list", serials=["MX-1", " MX-2 ", "nope"])
    assert set(_units(session, listed)) == {a.barcode, b.barcode}
    by_lot = _recall(session, actor, sling, selection="lot", lot="L7_")
    assert set(_units(session, by_lot)) == {unit.barcode for unit in lot}


def test_a_reserved_unit_is_quarantined_and_its_need_goes_back_to_the_queue_with_a_note(session, actor, desk, sling):
    [unit] = desk.units(1, product=sling)
    unit.serial_number = "210010"
    need = desk.need(desk.citizen("Astrid Olsen"), product=sling)
    assert desk.reserved(need) == [unit.barcode]
    recall = _recall(session, actor, sling)
    assert _units(session, recall)[unit.barcode].found_where == "reserved"
    assert _state(session, unit.barcode) == "quarantined"
    session.refresh(need)
    assert need.status == "approved" and desk.reserved(need) == []
    notes = [e.note for e in session.scalars(select(NeedEvent).where(NeedEvent.need_id == need.id,
                                                                      NeedEvent.kind == "recalled"))]
    assert notes == [f"Enheten {unit.barcode} ble tilbakekalt (Sømmen kan revne (FSN-2026-07)); "
                     "behovet står i køen igjen."]


def test_a_picked_unit_in_the_van_is_found_in_the_van_and_taken_off_its_visit(session, actor, one_delivery, sling):
    run, stop, need, barcode = one_delivery
    logistics.pick_device(session, actor.id, run.id, barcode)
    device = stock.get_device(session, barcode)
    device.serial_number = "210020"
    session.flush()
    recall = _recall(session, actor, stock.get_device(session, barcode).product)
    assert _units(session, recall)[barcode].found_where == "van"
    assert _state(session, barcode) == "quarantined"
    assert session.scalar(select(StopItem).where(StopItem.device_id == device.id, StopItem.active.is_(True))) is None


def test_a_unit_at_home_gets_an_urgent_collect_visit_and_its_holder_is_kept(session, actor, desk, sling):
    desk.units(1, product=sling)[0].serial_number = "210030"
    citizen = desk.citizen("Kari Nordmann")
    [barcode] = desk.reserved(desk.need(citizen, product=sling))
    lending.hand_over(session, actor.id, barcode, received_by="selv")
    recall = _recall(session, actor, sling)
    unit = _units(session, recall)[barcode]
    assert (unit.found_where, unit.holder_citizen_id) == ("home", citizen.id)
    stop = session.get(Stop, unit.stop_id)
    assert stop.urgent and stop.citizen_id == citizen.id and "Tilbakekalling" in stop.note
    item = session.scalar(select(StopItem).where(StopItem.stop_id == stop.id, StopItem.active.is_(True)))
    assert (item.device_id, item.action) == (stock.get_device(session, barcode).id, "collect")
    assert _state(session, barcode) == "awaiting_pickup"
    # The planner sees it like any other visit: urgent, so first.
    assert stop.id in [s.id for s in logistics.collect_open_stops(session)]
    [row] = recalls.recall_board(session, recall.id).items
    assert row.holder == "Kari N." and row.found_label == "Hjemme hos bruker"


def test_inspect_at_home_plans_an_urgent_repair_visit(session, actor, desk, sling):
    desk.units(1, product=sling)[0].serial_number = "210031"
    [barcode] = desk.reserved(desk.need(desk.citizen("Ola Hansen"), product=sling))
    lending.hand_over(session, actor.id, barcode, received_by="selv")
    recall = _recall(session, actor, sling, action="inspect")
    unit = _units(session, recall)[barcode]
    stop = session.get(Stop, unit.stop_id)
    item = session.scalar(select(StopItem).where(StopItem.stop_id == stop.id, StopItem.active.is_(True)))
    assert stop.urgent and item.action == "repair" and item.repair_id is not None
    assert _state(session, barcode) == "on_loan"


def test_units_in_repair_and_washing_are_quarantined_nav_units_flagged_and_scrapped_ones_left_out(
        session, actor, desk, sling):
    repair = _unit(session, actor, sling, "210040")
    open_depot_repair(session, actor.id, repair, "Ødelagt spenne")
    nav = _unit(session, actor, sling, None, owner="nav", nav_hms_nr="123621", nav_serial="210041")
    scrapped = _unit(session, actor, sling, "210042")
    stock.change_state(session, scrapped, "scrapped", actor.id)
    already = _unit(session, actor, sling, "210043")
    quarantine_device(session, actor.id, already.barcode, "incident", "Bruker falt")
    recall = _recall(session, actor, sling)
    found = _units(session, recall)
    assert set(found) == {repair.barcode, nav.barcode, already.barcode}
    assert found[repair.barcode].found_where == "repair" and _state(session, repair.barcode) == "quarantined"
    assert found[nav.barcode].nav_flag and not found[repair.barcode].nav_flag
    assert found[already.barcode].found_where == "quarantine" and found[already.barcode].quarantine_id is not None
    rows = {row.barcode: row for row in recalls.recall_board(session, recall.id).items}
    assert "Meldes til NAV" in rows[nav.barcode].planned
    assert recalls.board_counts(session, recall.id)["nav"] == 1


@pytest.mark.parametrize("kwargs, field", [
    (dict(serial_from=210450, serial_to=210000), "serial_to"),
    (dict(serial_from=None), "serial_from"),
    (dict(selection=None), "selection"),
    (dict(selection="list", serials=[" "]), "serials"),
    (dict(selection="lot", lot=""), "lot"),
    (dict(action="burn"), "recall_action"),
])
def test_a_recall_that_cannot_be_acted_on_is_refused_naming_the_field(session, actor, desk, sling, kwargs, field):
    with pytest.raises(ValidationFailed) as refused:
        _recall(session, actor, sling, **kwargs)
    assert field in refused.value.details


def test_a_recall_without_products_is_refused(session, actor):
    with pytest.raises(ValidationFailed) as refused:
        recalls.register_recall(session, actor.id, "Tittel", [], "lot", "quarantine", lot="X")
    assert "product_ids" in refused.value.details


def test_units_are_handled_once_and_the_notice_closes_only_when_all_are_or_when_forced(session, actor, desk, sling):
    first, second = _unit(session, actor, sling, "210100"), _unit(session, actor, sling, "210101")
    recall = _recall(session, actor, sling)
    units = _units(session, recall)
    with pytest.raises(Conflict):
        recalls.close_recall(session, actor.id, recall.id)
    recalls.mark_recall_unit_handled(session, actor.id, recall.id, units[first.barcode].id, "Kassert")
    with pytest.raises(Conflict):
        recalls.mark_recall_unit_handled(session, actor.id, recall.id, units[first.barcode].id, "Igjen")
    with pytest.raises(ValidationFailed):
        recalls.close_recall(session, actor.id, recall.id, force=True)
    recalls.close_recall(session, actor.id, recall.id, force=True, note="Produsenten henter resten")
    with pytest.raises(InvalidState):
        recalls.mark_recall_unit_handled(session, actor.id, recall.id, units[second.barcode].id, "Kassert")
    summary = recalls.describe_recall(session, recall.id)
    assert (summary.status, summary.units, summary.handled) == ("closed", 2, 1)
    _recall_, rows = recalls.recall_export(session, recall.id)
    assert [(row.serial, row.action) for row in rows] == [
        ("210100", "Kassert"), ("210101", "Ikke behandlet: satt i karantene")]


def test_the_board_filters_by_status_and_place_and_pages(session, actor, desk, sling):
    for serial in range(210200, 210205):
        _unit(session, actor, sling, str(serial))
    recall = _recall(session, actor, sling)
    first = recalls.recall_board(session, recall.id, size=2)
    assert (len(first.items), first.total, first.has_next) == (2, 5, True)
    recalls.mark_recall_unit_handled(session, actor.id, recall.id, first.items[0].id, "Kassert")
    assert recalls.recall_board(session, recall.id, status="handled").total == 1
    assert recalls.recall_board(session, recall.id, found="shelf").total == 5
    assert recalls.recall_board(session, recall.id, found="home").total == 0
    assert recalls.list_recalls(session, q="fsn-2026").total == 1
    assert recalls.list_recalls(session, status="closed").total == 0


def test_the_planned_visits_are_urgent_in_planning(session, actor, desk, sling, van, driver):
    desk.units(1, product=sling)[0].serial_number = "210300"
    [barcode] = desk.reserved(desk.need(desk.citizen("Per Larsen"), product=sling))
    lending.hand_over(session, actor.id, barcode, received_by="selv")
    _recall(session, actor, sling)
    logistics.create_run(session, actor.id, TOMORROW, driver=driver.username, van="BIL1")
    [run] = plan(session, actor)
    [stop] = logistics.run_stops(session, run.id)
    assert stop.urgent


def _all_ok(session, barcode):
    from hjelpemiddel.maintenance.services import checklist_for_device
    return {key: True for key in checklist_for_device(session, barcode).items}


def test_a_unit_collected_from_home_is_quarantined_when_it_is_back_on_the_shelf(session, actor, desk, sling):
    from hjelpemiddel.maintenance.services import clean_device, inspect_device
    desk.units(1, product=sling)[0].serial_number = "210060"
    [barcode] = desk.reserved(desk.need(desk.citizen("Liv Eide"), product=sling))
    lending.hand_over(session, actor.id, barcode, received_by="selv")
    recall = _recall(session, actor, sling)
    lending.receive_at_depot(session, actor.id, barcode, location_code="A-01-1")  # handed in over the counter
    clean_device(session, actor.id, barcode, "steam")
    inspect_device(session, actor.id, barcode, _all_ok(session, barcode))
    assert _state(session, barcode) == "quarantined"
    unit = _units(session, recall)[barcode]
    assert unit.status == "open" and unit.quarantine_id is not None


def test_a_release_from_the_recalls_quarantine_marks_the_unit_handled(session, actor, desk, sling):
    unit = _unit(session, actor, sling, "210070")
    recall = _recall(session, actor, sling)
    release_device(session, actor.id, unit.barcode, note="Kontrollert etter produsentens anvisning")
    handled = _units(session, recall)[unit.barcode]
    session.refresh(handled)
    assert (handled.status, handled.handled_by_id) == ("handled", actor.id)
    assert handled.action_taken == "Sluppet fra karantene til «Ledig på lager»: Kontrollert etter produsentens anvisning"
