"""From a therapist's need to a device on loan and back on the shelf, at the service layer."""
from datetime import timedelta

import pytest
from sqlalchemy import text

from hjelpemiddel.catalog.services import create_product
from hjelpemiddel.core.errors import Conflict, InvalidState, ValidationFailed
from hjelpemiddel.core.text import local_today
from hjelpemiddel.lending import services as lending
from hjelpemiddel.maintenance.services import checklist_for_device, clean_device, inspect_device
from hjelpemiddel.stock.services import device_history, get_device, register_device

TODAY = local_today()


@pytest.fixture
def lager(actor):
    return actor


@pytest.fixture
def rollators(session, depot, rollator, lager):
    """Three available rollators, registered oldest first."""
    return [register_device(session, lager.id, rollator.id, serial_number=f"R{i}", location_code="A-01-2")
            for i in range(3)]


def need_for(session, therapist, citizen, product, urgency="normal", needed_by=TODAY + timedelta(days=2), **kwargs):
    return lending.register_need(session, therapist.id, "terapeut", citizen.id, needed_by, urgency,
                                 kwargs.pop("application_type", "short_term"), product_id=product.id,
                                 discharge_date=TODAY if urgency == "discharge" else None, **kwargs)


def approved(session, lager, need):
    return lending.decide_need(session, lager.id, "lager", need.id, "approve")


def test_an_approved_need_gets_the_oldest_free_unit_that_fits(session, therapist, lager, make_citizen, rollator, rollators):
    need = approved(session, lager, need_for(session, therapist, make_citizen(), rollator))
    assert need.status == "reserved"
    [unit] = lending.need_units(session, [need.id])[need.id]
    assert unit.barcode == rollators[0].barcode and rollators[0].state == "reserved"
    assert [e.kind for e in lending.need_timeline(session, need.id)] == ["registered", "decision_approve", "reserved"]


def test_a_need_for_an_iso_class_takes_any_model_of_that_class(session, therapist, lager, make_citizen, rollators):
    need = lending.register_need(session, therapist.id, "terapeut", make_citizen().id, TODAY, "normal", "short_term",
                                 iso_class="1206")
    assert approved(session, lager, need).status == "reserved"


def test_approving_an_application_twice_is_refused_and_changes_nothing(session, therapist, lager, make_citizen, rollator, rollators):
    need = approved(session, lager, need_for(session, therapist, make_citizen(), rollator))
    with pytest.raises(InvalidState) as caught:
        lending.decide_need(session, lager.id, "lager", need.id, "approve")
    assert caught.value.details["current_state"] == "reserved"
    assert len(lending.need_units(session, [need.id])[need.id]) == 1


def test_a_rejection_needs_a_reason(session, therapist, lager, make_citizen, rollator):
    need = need_for(session, therapist, make_citizen(), rollator)
    with pytest.raises(ValidationFailed):
        lending.decide_need(session, lager.id, "lager", need.id, "reject")
    assert lending.decide_need(session, lager.id, "lager", need.id, "reject", "dekkes av NAV").status == "rejected"


def test_a_long_term_need_goes_to_nav_and_is_tracked(session, therapist, make_citizen, rollator):
    need = need_for(session, therapist, make_citizen(), rollator, application_type="long_term")
    need = lending.decide_need(session, therapist.id, "terapeut", need.id, "send_to_nav")
    assert (need.status, need.nav_status) == ("sent_to_nav", "sent")
    assert lending.set_nav_status(session, None, need.id, "delivery_expected").nav_status == "delivery_expected"


def test_with_no_free_unit_needs_wait_in_urgency_order_and_the_next_free_unit_goes_to_the_head(
        session, therapist, lager, make_citizen, rollator, depot):
    normal = approved(session, lager, need_for(session, therapist, make_citizen("Ola"), rollator, "normal", TODAY))
    discharge = approved(session, lager, need_for(session, therapist, make_citizen("Astrid"), rollator, "discharge",
                                                  TODAY + timedelta(days=3)))
    assert (normal.status, discharge.status) == ("approved", "approved")
    assert [n.id for n in lending.waiting_needs(session)] == [discharge.id, normal.id]
    with pytest.raises(Conflict) as caught:
        lending.reserve_for_need(session, lager.id, normal.id)
    assert caught.value.code == "no_device_available" and caught.value.details["queue_position"] == 2
    unit = register_device(session, lager.id, rollator.id, serial_number="NY", location_code="A-01-2")
    assert unit.state == "reserved"
    assert discharge.status == "reserved" and normal.status == "approved"


def test_a_unit_never_serves_two_needs_on_any_path(session, therapist, lager, make_citizen, rollator, rollators):
    first = approved(session, lager, need_for(session, therapist, make_citizen("A"), rollator))
    second = approved(session, lager, need_for(session, therapist, make_citizen("B"), rollator))
    taken = rollators[0].barcode
    with pytest.raises(Conflict) as reserve:
        lending.reserve_for_need(session, lager.id, second.id, taken)
    second_reservation = lending.need_units(session, [second.id])[second.id][0]
    with pytest.raises(Conflict) as change:
        lending.change_reservation(session, lager.id, second_reservation.reservation_id, taken)
    with pytest.raises(Conflict) as hand_over:
        lending.hand_over(session, lager.id, taken, need_id=second.id)
    assert {reserve.value.code, change.value.code, hand_over.value.code} == {"reserved_for_other"}
    assert lending.need_units(session, [first.id])[first.id][0].barcode == taken


def test_the_database_itself_refuses_a_second_active_reservation_of_a_unit(session, therapist, lager, make_citizen, rollator, rollators):
    from sqlalchemy.exc import IntegrityError

    first = approved(session, lager, need_for(session, therapist, make_citizen("A"), rollator))
    other = need_for(session, therapist, make_citizen("B"), rollator)
    device_id = rollators[0].id
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(text("INSERT INTO reservations (need_id, device_id, status, created_at, end_reason) "
                             "VALUES (:need, :device, 'active', CURRENT_TIMESTAMP, '')"), {"need": other.id, "device": device_id})
    assert first.status == "reserved"


def test_a_different_product_is_refused_when_scanned_for_a_need(session, therapist, lager, make_citizen, rollator, rollators):
    chair = create_product(session, hms_nr=None, name="Dusjstol", iso_class="093303")
    stool = register_device(session, lager.id, chair.id, location_code="A-01-2")
    need = approved(session, lager, need_for(session, therapist, make_citizen(), rollator))
    with pytest.raises(Conflict) as caught:
        lending.change_reservation(session, lager.id, lending.need_units(session, [need.id])[need.id][0].reservation_id,
                                   stool.barcode)
    assert caught.value.code == "wrong_product"


def test_hand_over_starts_a_loan_of_three_months_and_stores_the_lead_time(session, therapist, lager, make_citizen, rollator, rollators):
    need = approved(session, lager, need_for(session, therapist, make_citizen(), rollator))
    barcode = lending.need_units(session, [need.id])[need.id][0].barcode
    loan = lending.hand_over(session, lager.id, barcode, received_by="datter")
    assert loan.expected_end == TODAY + timedelta(days=90) and loan.loan_type == "short_term"
    assert need.status == "on_loan" and need.delivered_at is not None and need.lead_time_minutes >= 0
    assert get_device(session, barcode).state == "on_loan"


def test_a_quarantined_unit_cannot_be_lent(session, therapist, lager, make_citizen, rollator, rollators):
    need = approved(session, lager, need_for(session, therapist, make_citizen(), rollator))
    barcode = lending.need_units(session, [need.id])[need.id][0].barcode
    session.execute(text("UPDATE devices SET state = 'quarantined' WHERE barcode = :b"), {"b": barcode})
    session.expire_all()
    with pytest.raises(InvalidState) as caught:
        lending.hand_over(session, lager.id, barcode)
    assert caught.value.details["current_state"] == "quarantined"


def test_returning_a_unit_that_is_on_the_shelf_is_refused(session, lager, rollators):
    with pytest.raises(InvalidState) as caught:
        lending.receive_at_depot(session, lager.id, rollators[1].barcode)
    assert caught.value.details["current_state"] == "available"
    assert "Ledig på lager" in caught.value.message


def _on_loan(session, therapist, lager, citizen, product):
    need = approved(session, lager, need_for(session, therapist, citizen, product))
    barcode = lending.need_units(session, [need.id])[need.id][0].barcode
    return need, lending.hand_over(session, lager.id, barcode), barcode


def test_an_extension_is_recorded_and_refused_when_the_unit_is_booked_for_a_later_need(
        session, therapist, lager, make_citizen, rollator, depot):
    register_device(session, lager.id, rollator.id, serial_number="ONLY", location_code="A-01-2")
    _, loan, barcode = _on_loan(session, therapist, lager, make_citizen("A"), rollator)
    lending.extend_loan(session, lager.id, loan.id, loan.expected_end + timedelta(days=30), "fortsatt behov")
    later = approved(session, lager, need_for(session, therapist, make_citizen("B"), rollator))
    lending.reserve_for_need(session, lager.id, later.id, barcode)
    with pytest.raises(Conflict) as caught:
        lending.extend_loan(session, lager.id, loan.id, loan.expected_end + timedelta(days=30), "enda lenger")
    assert caught.value.code == "reserved_for_later_need"


@pytest.mark.parametrize("new_end_days,reason,field", [(-1, "x", "new_end"), (100, "", "reason")])
def test_a_bad_extension_names_the_field(session, therapist, lager, make_citizen, rollator, rollators, new_end_days, reason, field):
    _, loan, _ = _on_loan(session, therapist, lager, make_citizen(), rollator)
    with pytest.raises(ValidationFailed) as caught:
        lending.extend_loan(session, lager.id, loan.id, TODAY + timedelta(days=new_end_days), reason)
    assert field in caught.value.details


def test_return_clean_inspect_and_the_unit_is_lent_again(session, therapist, lager, make_citizen, rollator, depot):
    register_device(session, lager.id, rollator.id, serial_number="ONLY", location_code="A-01-2")
    first_need, loan, barcode = _on_loan(session, therapist, lager, make_citizen("Astrid"), rollator)
    waiting = approved(session, lager, need_for(session, therapist, make_citizen("Ola"), rollator))
    assert waiting.status == "approved"

    lending.request_return(session, therapist.id, loan.id, "need_ended", "frisk igjen")
    assert get_device(session, barcode).state == "awaiting_pickup" and first_need.status == "returning"
    with pytest.raises(InvalidState):
        lending.request_return(session, therapist.id, loan.id, "need_ended")
    receipt = lending.receive_at_depot(session, lager.id, barcode, location_code="A-01-1")
    assert not receipt.already_received and "mottatt på A-01-1" in receipt.message
    assert get_device(session, barcode).state == "cleaning" and first_need.status == "closed"
    again = lending.receive_at_depot(session, lager.id, barcode)
    assert again.already_received and "allerede mottatt" in again.message
    with pytest.raises(InvalidState):  # not inspected before it is cleaned
        inspect_device(session, lager.id, barcode, {})
    clean_device(session, lager.id, barcode, "washer_disinfector")
    results = {key: True for key in checklist_for_device(session, barcode).items}
    inspection = inspect_device(session, lager.id, barcode, results, location_code="A-01-2")
    assert inspection.passed and inspection.checklist == "rollator"
    assert waiting.status == "reserved" and get_device(session, barcode).state == "reserved"
    kinds = [e.kind for e in device_history(session, get_device(session, barcode).id)]
    assert kinds[-7:] == ["loan_started", "return_requested", "handed_in", "return_received", "cleaned", "inspected",
                          "reserved"]
    lending.hand_over(session, lager.id, barcode)
    assert waiting.status == "on_loan"


def test_an_incomplete_checklist_is_refused_and_a_failed_one_sends_the_unit_to_repair(
        session, therapist, lager, make_citizen, rollator, rollators):
    _, loan, barcode = _on_loan(session, therapist, lager, make_citizen(), rollator)
    lending.receive_at_depot(session, lager.id, barcode)
    clean_device(session, lager.id, barcode, "manual_wash")
    items = checklist_for_device(session, barcode).items
    with pytest.raises(ValidationFailed) as caught:
        inspect_device(session, lager.id, barcode, {"brakes": True, "wings": True})
    assert "brakes" not in caught.value.details["results"][0]["missing"]
    assert caught.value.details["results"][0]["unknown"] == ["wings"]
    results = {key: key != "brakes" for key in items}
    with pytest.raises(ValidationFailed):
        inspect_device(session, lager.id, barcode, results, on_fail="scrap", reasons={"brakes": "tar ikke"})
    inspection = inspect_device(session, lager.id, barcode, results, reasons={"brakes": "bremsen tar ikke"})
    assert not inspection.passed and get_device(session, barcode).state == "in_repair"


def test_cleaning_a_unit_that_was_not_returned_is_refused(session, lager, rollators):
    with pytest.raises(InvalidState):
        clean_device(session, lager.id, rollators[0].barcode, "steam")
    with pytest.raises(ValidationFailed):
        clean_device(session, lager.id, rollators[0].barcode, "kokt")


def test_cancelling_a_need_frees_its_unit_for_the_queue(session, therapist, lager, make_citizen, rollator, depot):
    register_device(session, lager.id, rollator.id, serial_number="ONLY", location_code="A-01-2")
    first = approved(session, lager, need_for(session, therapist, make_citizen("A"), rollator))
    second = approved(session, lager, need_for(session, therapist, make_citizen("B"), rollator))
    assert (first.status, second.status) == ("reserved", "approved")
    lending.cancel_need(session, therapist.id, first.id, "døde")
    assert (first.status, second.status) == ("cancelled", "reserved")


def test_a_nav_owned_unit_is_never_lent_short_term_on_any_path(session, therapist, lager, make_citizen, rollator, depot):
    nav_unit = register_device(session, lager.id, rollator.id, owner="nav", nav_serial="654321", location_code="A-01-2")
    need = approved(session, lager, need_for(session, therapist, make_citizen(), rollator))
    assert need.status == "approved" and nav_unit.state == "available"
    with pytest.raises(Conflict) as caught:
        lending.reserve_for_need(session, lager.id, need.id, nav_unit.barcode)
    assert caught.value.code == "wrong_owner"
    municipal = register_device(session, lager.id, rollator.id, serial_number="K1", location_code="A-01-2")
    assert municipal.state == "reserved" and need.status == "reserved"
