"""The municipality's spare-part stock: parts received, counted and used on repairs, every change kept
as a movement; not enough in stock is refused naming the part with nothing written; NAV's units get
their parts from NAV, not from this stock."""
import pytest
from sqlalchemy import select

from hjelpemiddel.core.errors import Conflict, ValidationFailed
from hjelpemiddel.maintenance import services
from hjelpemiddel.maintenance.models import SparePart, SparePartMovement
from hjelpemiddel.stock.services import register_device


@pytest.fixture
def unit(session, actor, depot, rollator):
    return register_device(session, actor.id, rollator.id, location_code="A-01-2")


@pytest.fixture
def wheel(session, actor, depot, rollator):
    return services.create_spare_part(session, actor.id, "TP-HJ-200", "Forhjul 200 mm", quantity=5, minimum_quantity=2,
                                      location_code="A-01-1", product_ids=[rollator.id])


@pytest.fixture
def brake(session, actor):
    return services.create_spare_part(session, actor.id, "TP-BR-1", "Bremsekabel", quantity=1)


def movements(session, part_id):
    return [(m.reason, m.delta, m.quantity_after) for m in session.scalars(
        select(SparePartMovement).where(SparePartMovement.spare_part_id == part_id).order_by(SparePartMovement.id))]


def test_a_part_received_and_counted_keeps_each_change_in_its_history(session, actor, wheel):
    services.receive_spare_part(session, actor.id, wheel.id, 3, note="Levering fra Topro")
    counted = services.count_spare_part(session, actor.id, wheel.id, 6)
    assert counted.quantity == 6 and counted.location_code == "A-01-1" and not counted.below_minimum
    assert movements(session, wheel.id) == [("received", 5, 5), ("received", 3, 8), ("counted", -2, 6)]


def test_a_duplicate_part_number_is_a_conflict(session, actor, wheel):
    with pytest.raises(Conflict) as refused:
        services.create_spare_part(session, actor.id, "TP-HJ-200", "Et annet hjul")
    assert refused.value.code == "duplicate_part_number"


def test_completing_a_repair_with_stock_parts_takes_them_out_of_stock_and_lists_them(session, actor, unit, wheel,
                                                                                       brake):
    repair = services.open_repair(session, actor.id, unit.barcode, "depot", "Hjulet slingrer", cause="wheels")
    done = services.complete_repair(session, actor.id, repair.id, "Nytt forhjul", 20, cause="wheels",
                                    stock_parts=[{"spare_part_id": wheel.id, "quantity": 2},
                                                 {"spare_part_id": brake.id, "quantity": 1}])
    assert done.cause == "wheels"
    assert [(p["navn"], p["antall"], p["delenummer"]) for p in done.parts_used] == [
        ("Forhjul 200 mm", 2, "TP-HJ-200"), ("Bremsekabel", 1, "TP-BR-1")]
    assert session.get(SparePart, wheel.id).quantity == 3 and session.get(SparePart, brake.id).quantity == 0
    used = session.scalars(select(SparePartMovement).where(SparePartMovement.reason == "used")).all()
    assert {(m.spare_part_id, m.delta, m.repair_order_id) for m in used} == {(wheel.id, -2, repair.id),
                                                                            (brake.id, -1, repair.id)}


def test_not_enough_in_stock_is_refused_naming_the_part_and_what_is_left_and_nothing_is_written(
        session, actor, unit, wheel, brake):
    repair = services.open_repair(session, actor.id, unit.barcode, "depot", "Bremsen tar ikke")
    with pytest.raises(Conflict) as refused:
        services.complete_repair(session, actor.id, repair.id, "Ny kabel", 15,
                                 stock_parts=[{"spare_part_id": wheel.id, "quantity": 1},
                                              {"spare_part_id": brake.id, "quantity": 2}])
    assert refused.value.status == 409 and refused.value.code == "not_enough_in_stock"
    assert "Bremsekabel" in refused.value.message and "1 igjen" in refused.value.message
    assert refused.value.details["available"] == 1
    session.expire_all()
    assert session.get(SparePart, wheel.id).quantity == 5 and session.get(SparePart, brake.id).quantity == 1
    assert [reason for reason, *_ in movements(session, wheel.id)] == ["received"]
    assert repair.status == "open"


def test_the_same_part_twice_in_one_repair_is_counted_together(session, actor, unit, brake):
    repair = services.open_repair(session, actor.id, unit.barcode, "depot", "Bremsen")
    with pytest.raises(Conflict):
        services.complete_repair(session, actor.id, repair.id, "Ny kabel", 15,
                                 stock_parts=[{"spare_part_id": brake.id, "quantity": 1},
                                              {"spare_part_id": brake.id, "quantity": 1}])


def test_a_nav_unit_gets_no_parts_from_the_municipal_stock(session, actor, depot, rollator, wheel):
    nav_unit = register_device(session, actor.id, rollator.id, owner="nav", nav_hms_nr="123456", nav_serial="N-1",
                               location_code="A-01-2")
    repair = services.open_repair(session, actor.id, nav_unit.barcode, "depot", "Hjulet")
    with pytest.raises(Conflict) as refused:
        services.complete_repair(session, actor.id, repair.id, "Nytt hjul", 10,
                                 stock_parts=[{"spare_part_id": wheel.id, "quantity": 1}])
    assert refused.value.code == "nav_owned" and "delbestilling" in refused.value.message
    assert session.get(SparePart, wheel.id).quantity == 5


def test_an_unknown_part_or_cause_is_a_bad_field(session, actor, unit):
    repair = services.open_repair(session, actor.id, unit.barcode, "depot", "Noe")
    with pytest.raises(ValidationFailed):
        services.complete_repair(session, actor.id, repair.id, "Fikset", 10,
                                 stock_parts=[{"spare_part_id": 999_999, "quantity": 1}])
    with pytest.raises(ValidationFailed):
        services.complete_repair(session, actor.id, repair.id, "Fikset", 10, cause="gremlins")


def test_the_list_searches_part_number_and_name_and_filters_those_under_minimum(session, actor, wheel, brake):
    services.count_spare_part(session, actor.id, wheel.id, 1)
    assert [p.part_number for p in services.list_spare_parts(session, q="kabel")] == ["TP-BR-1"]
    assert [p.part_number for p in services.list_spare_parts(session, q="tp-hj")] == ["TP-HJ-200"]
    assert [p.part_number for p in services.list_spare_parts(session, below_minimum=True)] == ["TP-HJ-200"]


def test_the_warranty_of_a_unit_goes_by_its_registration_and_supplier(session, actor, unit):
    warranty = services.device_warranty(session, unit)
    assert warranty.under_warranty and warranty.claim_to == "Topro" and warranty.years == 2
