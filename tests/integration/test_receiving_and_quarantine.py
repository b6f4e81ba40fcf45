"""Units coming back to the depot (from the van, over the counter, from a NAV loan) and units taken out
of use (quarantine) — at the service layer, and the API's answers."""
import pytest
from sqlalchemy import select

from hjelpemiddel.core.errors import Conflict, InvalidState, ValidationFailed
from hjelpemiddel.lending import services as lending
from hjelpemiddel.lending.models import Loan, NeedEvent
from hjelpemiddel.logistics import services as logistics
from hjelpemiddel.maintenance import services as maintenance
from hjelpemiddel.nav import services as nav
from hjelpemiddel.stock.services import create_location, device_history, get_device, register_device

from ..support import ROLES, assert_role_answer, error_of
from .desk import TOMORROW, plan, state_of, stops_of

INTERNAL_WORDS = ("current_state", "allowed", "returned", "cleaning", "on_loan", "available", "quarantined")


def no_internal_words(message: str) -> bool:
    return not any(word in message for word in INTERNAL_WORDS)


@pytest.fixture
def receiving(session, depot):
    return create_location(session, "MOTTAK", "zone", "Mottak og vask", parent_code="HL")


def collected_by_driver(session, actor, desk, driver):
    """Kari's rollator, asked back and collected on tomorrow's run: it rides in the van."""
    loan = desk.loan_to_collect(desk.citizen("Kari Hansen"))
    logistics.create_run(session, actor.id, TOMORROW, driver=driver.username, van="BIL1")
    [run] = plan(session, actor)
    [stop] = stops_of(session, run)
    logistics.start_run(session, actor.id, run.id, odometer_start=12000)
    logistics.record_outcome(session, driver.id, "sjafor", run.id, stop.id, "collected")
    return loan.device.barcode


# --- receiving --------------------------------------------------------------------------------

def test_a_unit_collected_by_the_driver_is_received_out_of_the_van_to_the_receiving_place(
        session, actor, desk, driver, van, receiving):
    barcode = collected_by_driver(session, actor, desk, driver)
    assert state_of(session, barcode) == ("returned", "BIL1")

    receipt = lending.receive_at_depot(session, actor.id, barcode, receiving_location="MOTTAK")

    assert state_of(session, barcode) == ("cleaning", "MOTTAK")
    assert not receipt.already_received and receipt.location_code == "MOTTAK"
    assert receipt.message == f"{barcode} er mottatt på MOTTAK. Den venter på vask og kontroll før den kan lånes ut igjen."
    last = device_history(session, get_device(session, barcode).id)[-1]
    assert (last.kind, last.from_state, last.to_state, last.from_location, last.to_location, last.actor) == (
        "return_received", "returned", "cleaning", "BIL1", "MOTTAK", actor.username)


def test_a_second_scan_of_a_received_unit_says_so_and_changes_nothing(session, actor, desk, driver, van, receiving):
    barcode = collected_by_driver(session, actor, desk, driver)
    lending.receive_at_depot(session, actor.id, barcode, receiving_location="MOTTAK")
    events = len(device_history(session, get_device(session, barcode).id))

    again = lending.receive_at_depot(session, actor.id, barcode, receiving_location="MOTTAK")

    assert again.already_received and again.message.startswith(f"{barcode} er allerede mottatt (")
    assert "«Mottatt, venter på vask»" in again.message
    assert len(device_history(session, get_device(session, barcode).id)) == events


def test_a_unit_handed_in_over_the_counter_ends_its_loan_and_waits_for_washing(session, actor, desk, receiving):
    loan = desk.loan(desk.citizen("Ola Nordmann"))
    barcode = loan.device.barcode

    receipt = lending.receive_at_depot(session, actor.id, barcode, receiving_location="MOTTAK")

    assert receipt.loan.id == loan.id and state_of(session, barcode) == ("cleaning", "MOTTAK")
    session.refresh(loan)
    assert loan.status == "ended"
    assert [e.kind for e in device_history(session, loan.device_id)][-3:] == ["loan_started", "handed_in",
                                                                               "return_received"]


def test_without_a_receiving_place_the_unit_is_received_at_the_depot_itself(session, actor, desk):
    loan = desk.loan(desk.citizen("Ola Nordmann"))
    receipt = lending.receive_at_depot(session, actor.id, loan.device.barcode, receiving_location="FINNES-IKKE")
    assert receipt.location_code == "HL" and state_of(session, loan.device.barcode) == ("cleaning", "HL")


def test_a_unit_that_was_never_lent_is_refused_in_plain_norwegian(session, actor, desk):
    [unit] = desk.units(1)
    with pytest.raises(InvalidState) as caught:
        lending.receive_at_depot(session, actor.id, unit.barcode)
    assert "«Ledig på lager»" in caught.value.message and "ingen retur" in caught.value.message
    assert no_internal_words(caught.value.message)


def test_a_nav_unit_received_back_waits_for_the_nav_decision_before_washing(session, actor, therapist, make_citizen,
                                                                           receiving, rollator):
    unit = register_device(session, actor.id, rollator.id, owner="nav", nav_serial="512345", location_code="A-01-2")
    need = lending.register_need(session, therapist.id, "terapeut", make_citizen().id, TOMORROW, "normal",
                                 "long_term", product_id=rollator.id)
    lending.decide_need(session, therapist.id, "terapeut", need.id, "send_to_nav")
    lending.reserve_for_need(session, actor.id, need.id, unit.barcode)
    loan = lending.hand_over(session, actor.id, unit.barcode)

    lending.receive_at_depot(session, actor.id, unit.barcode, receiving_location="MOTTAK")

    assert [d.barcode for d in nav.nav_returns_awaiting_decision(session)] == [unit.barcode]
    with pytest.raises(InvalidState) as caught:
        maintenance.clean_device(session, actor.id, unit.barcode, "steam")
    assert "eies av NAV" in caught.value.message
    nav.return_nav_device(session, actor.id, unit.barcode, "keep_for_reuse")
    maintenance.clean_device(session, actor.id, unit.barcode, "steam")
    assert get_device(session, unit.barcode).state == "inspection" and loan.status == "ended"


# --- quarantine -------------------------------------------------------------------------------

def test_a_reserved_unit_put_in_quarantine_leaves_its_visit_and_the_need_gets_another(session, actor, one_delivery):
    run, stop, need, planned = one_delivery

    entry = maintenance.quarantine_device(session, actor.id, planned, "recall", "Feltsikkerhetsmelding 2026-14")

    assert (entry.from_state, entry.reason) == ("reserved", "recall")
    assert state_of(session, planned) == ("quarantined", "A-01-2")
    [other] = [u.barcode for u in lending.need_units(session, [need.id])[need.id]]
    assert other != planned and need.status == "reserved"
    assert need_notes(session, need)[-2:] == [f"{planned} ble satt i karantene; {other} erstatter den.", ""]
    assert logistics.pick_list(session, run.id) == [] and stop.status == "dropped"
    plan(session, actor)
    assert [line.barcode for _stop, line in logistics.pick_list(session, run.id)] == [other]
    units, total = maintenance.list_quarantined(session)
    assert total == 1 and units[0].barcode == planned and units[0].release_to == ["available", "in_repair", "scrapped"]


def need_notes(session, need) -> list[str]:
    return list(session.scalars(select(NeedEvent.note).where(NeedEvent.need_id == need.id).order_by(NeedEvent.id)))


def test_a_quarantined_unit_with_no_free_unit_to_take_over_says_so_in_the_needs_history(session, actor, desk):
    [unit] = desk.units(1)
    need = desk.need(desk.citizen("Kåre Vik"))
    assert desk.reserved(need) == [unit.barcode]
    maintenance.quarantine_device(session, actor.id, unit.barcode, "damage", "sprukket")
    assert need.status == "approved"
    assert need_notes(session, need)[-1] == f"{unit.barcode} ble satt i karantene; ingen ledig enhet erstatter den ennå."


def test_released_back_a_unit_is_free_again_and_offered_to_the_queue(session, actor, desk):
    [unit] = desk.units(1)
    maintenance.quarantine_device(session, actor.id, unit.barcode, "incident", "veltet i bilen")
    waiting = desk.need(desk.citizen("Ola Nordmann"))
    assert waiting.status == "approved"

    entry = maintenance.release_device(session, actor.id, unit.barcode, note="sjekket, ingen skade")

    assert entry.released_to == "available" and desk.reserved(waiting) == [unit.barcode]
    kinds = [(e.kind, e.from_state, e.to_state) for e in device_history(session, unit.id)][-3:]
    assert kinds == [("quarantined", "available", "quarantined"), ("quarantine_released", "quarantined", "available"),
                     ("reserved", "available", "reserved")]
    assert maintenance.list_quarantined(session) == ([], 0)


def test_released_to_repair_a_unit_gets_a_repair_order_and_is_inspected_before_lending(session, actor, desk):
    [unit] = desk.units(1)
    maintenance.quarantine_device(session, actor.id, unit.barcode, "damage", "knekt bremsehåndtak")
    maintenance.release_device(session, actor.id, unit.barcode, "in_repair", note="nytt håndtak")
    [repair] = maintenance.list_repairs(session, unit.id)
    assert (repair.place, repair.status, repair.resume_state) == ("depot", "open", "inspection")
    maintenance.complete_repair(session, actor.id, repair.id, "byttet håndtak", 15)
    assert get_device(session, unit.barcode).state == "inspection"


def test_scrapping_out_of_quarantine_needs_a_reason(session, actor, desk):
    [unit] = desk.units(1)
    maintenance.quarantine_device(session, actor.id, unit.barcode, "damage")
    with pytest.raises(ValidationFailed) as caught:
        maintenance.release_device(session, actor.id, unit.barcode, "scrapped")
    assert "note" in caught.value.details
    maintenance.release_device(session, actor.id, unit.barcode, "scrapped", note="rammen er sprukket")
    assert state_of(session, unit.barcode) == ("scrapped", None)


def test_a_unit_at_a_citizens_home_can_be_quarantined_but_only_released_back_there(session, actor, desk):
    loan = desk.loan(desk.citizen("Astrid Olsen"))
    maintenance.quarantine_device(session, actor.id, loan.device.barcode, "recall")
    with pytest.raises(InvalidState) as caught:
        maintenance.release_device(session, actor.id, loan.device.barcode, "in_repair")
    assert "«Utlånt»" in caught.value.message and no_internal_words(caught.value.message)
    maintenance.release_device(session, actor.id, loan.device.barcode)
    assert state_of(session, loan.device.barcode) == ("on_loan", None)
    assert session.scalar(select(Loan.status).where(Loan.id == loan.id)) == "active"


def test_quarantining_twice_or_releasing_a_free_unit_is_a_conflict(session, actor, desk):
    [unit] = desk.units(1)
    with pytest.raises(InvalidState):
        maintenance.release_device(session, actor.id, unit.barcode)
    maintenance.quarantine_device(session, actor.id, unit.barcode, "incident")
    with pytest.raises(Conflict) as caught:
        maintenance.quarantine_device(session, actor.id, unit.barcode, "incident")
    assert caught.value.code == "already_quarantined"


# --- over the API ---------------------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method, url, body", [
    ("POST", "/api/v1/devices/HJM99999997/quarantine", {"reason": "recall"}),
    ("POST", "/api/v1/devices/HJM99999997/quarantine/release", {}),
    ("GET", "/api/v1/quarantine", None),
    ("POST", "/api/v1/devices/HJM99999997/scrap", {"reason": "utslitt"}),
])
def test_only_depot_staff_put_units_in_and_out_of_quarantine(api_as, role, method, url, body):
    client = api_as(role)
    response = client.post(url, json=body) if method == "POST" else client.get(url)
    assert_role_answer(response, role, {"lager"})


def test_quarantine_over_the_api_lists_searches_pages_and_releases(lager_api, session, actor, desk):
    units = desk.units(3)
    for unit in units:
        assert lager_api.post(f"/api/v1/devices/{unit.barcode}/quarantine",
                              json={"reason": "recall", "note": f"serie {unit.barcode[-3:]}"}).status_code == 201
    page = lager_api.get("/api/v1/quarantine?limit=2").get_json()
    assert page["total"] == 3 and len(page["items"]) == 2
    assert page["items"][0]["reason_label"] == "Tilbakekalling" and page["items"][0]["from_state_label"] == "Ledig på lager"
    found = lager_api.get(f"/api/v1/quarantine?q={units[1].barcode[-3:]}").get_json()
    assert [item["barcode"] for item in found["items"]] == [units[1].barcode]
    refused = lager_api.post(f"/api/v1/devices/{units[0].barcode}/quarantine/release", json={"to_state": "on_loan"})
    assert refused.status_code == 409 and no_internal_words(error_of(refused)["message"])
    released = lager_api.post(f"/api/v1/devices/{units[0].barcode}/quarantine/release", json={}).get_json()
    assert released["released_to"] == "available"
    bad = lager_api.post(f"/api/v1/devices/{units[1].barcode}/quarantine", json={"reason": "mystery"})
    assert bad.status_code == 422 and "reason" in error_of(bad)["details"]
