"""Inspection (kontroll) at the service layer: a failed point needs a reason, and the unit's history
says plainly what came of it, and which cleaning method was used before it."""
import pytest

from hjelpemiddel.core.errors import ValidationFailed
from hjelpemiddel.lending import services as lending
from hjelpemiddel.maintenance import services as maintenance
from hjelpemiddel.stock.services import device_history, get_device


@pytest.fixture
def washed(session, actor, desk):
    """A rollator back from a loan, washed in the washer-disinfector: it waits for inspection."""
    barcode = desk.loan(desk.citizen("Astrid Olsen")).device.barcode
    lending.receive_at_depot(session, actor.id, barcode, location_code="A-01-2")
    maintenance.clean_device(session, actor.id, barcode, "washer_disinfector", note="ekstra runde")
    return barcode


def last_event(session, barcode):
    return device_history(session, get_device(session, barcode).id)[-1]


def all_ok(session, barcode) -> dict[str, bool]:
    return dict.fromkeys(maintenance.checklist_for_device(session, barcode).items, True)


def test_the_cleaning_method_chosen_is_in_the_history(session, washed):
    event = last_event(session, washed)
    assert (event.kind, event.note) == ("cleaned", "Vaskemetode: Vaskemaskin/dekontaminator. ekstra runde")


def test_a_passed_inspection_reads_as_passed_in_the_history(session, actor, washed):
    maintenance.inspect_device(session, actor.id, washed, all_ok(session, washed))
    event = last_event(session, washed)
    assert (event.kind, event.to_state, event.note) == ("inspected", "available", "Kontroll bestått")
    assert event.data["passed"] is True and event.data["failures"] == {}


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_a_failed_point_without_a_reason_is_refused_naming_the_point(session, actor, washed, reason):
    results = {**all_ok(session, washed), "brakes": False}
    reasons = {} if reason is None else {"brakes": reason}
    with pytest.raises(ValidationFailed) as caught:
        maintenance.inspect_device(session, actor.id, washed, results, reasons=reasons)
    assert caught.value.status == 422 and caught.value.details == {"reasons": {"brakes": ["Skriv hva som er galt."]}}
    assert "«Bremser tar jevnt på begge sider»" in caught.value.message
    assert get_device(session, washed).state == "inspection"


def test_every_failed_point_without_a_reason_is_named_at_once(session, actor, washed):
    results = {**all_ok(session, washed), "brakes": False, "wheels": False, "label": False}
    with pytest.raises(ValidationFailed) as caught:
        maintenance.inspect_device(session, actor.id, washed, results, reasons={"wheels": "slark i forhjul"})
    assert sorted(caught.value.details["reasons"]) == ["brakes", "label"]


@pytest.mark.parametrize("on_fail, state, tail", [
    ("repair", "in_repair", ". Til reparasjon på lageret."),
    ("scrap", "scrapped", ". Ramme sprukket"),
])
def test_a_failed_inspection_names_each_point_and_its_reason_in_the_history(session, actor, washed, on_fail, state,
                                                                             tail):
    results = {**all_ok(session, washed), "brakes": False, "wheels": False}
    inspection = maintenance.inspect_device(
        session, actor.id, washed, results, on_fail=on_fail, fail_reason="Ramme sprukket" if on_fail == "scrap" else "",
        reasons={"brakes": "tar ikke  på venstre side", "wheels": "slark"})
    text = ("Kontroll ikke bestått: Bremser tar jevnt på begge sider – tar ikke på venstre side; "
            "Hjul og lagre hele, ingen slark – slark")
    event = last_event(session, washed)
    assert (event.kind, event.to_state, event.note) == ("inspected", state, text + tail)
    assert event.data["failures"] == {"brakes": "tar ikke på venstre side", "wheels": "slark"}
    assert not inspection.passed and inspection.note.startswith(text)


def test_a_reason_given_for_a_point_that_passed_is_not_recorded(session, actor, washed):
    maintenance.inspect_device(session, actor.id, washed, all_ok(session, washed), reasons={"brakes": "ser fin ut"})
    assert last_event(session, washed).note == "Kontroll bestått"


def test_a_reason_longer_than_the_bound_is_refused_naming_the_point(session, actor, washed):
    results = {**all_ok(session, washed), "frame": False}
    with pytest.raises(ValidationFailed) as caught:
        maintenance.inspect_device(session, actor.id, washed, results, reasons={"frame": "x" * 501})
    assert caught.value.details == {"reasons": {"frame": ["Høyst 500 tegn."]}}
    assert "«Ramme og sammenlegging uten sprekker»" in caught.value.message
