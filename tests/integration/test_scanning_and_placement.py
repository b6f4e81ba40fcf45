"""What a scanned code is, answered the same on every scanning page, and whether a place fits a unit
moved into it (a warning the person may override)."""
import pytest

from hjelpemiddel.catalog.services import create_product
from hjelpemiddel.core.errors import AppError, Conflict, NotFound, ValidationFailed
from hjelpemiddel.core.ids import code_kind, make_code
from hjelpemiddel.logistics import services as logistics
from hjelpemiddel.stock.lifecycle import DeviceState as S
from hjelpemiddel.stock.services import (change_state, classify_scan, device_from_scan, get_device, get_location,
                                         move_device, place_mismatches, register_device, replace_device_label)

GOOD_DEVICE = make_code("HJM", 1234)
GOOD_LOCATION = make_code("LOK", 1234)


def _wrong_digit(code: str) -> str:
    return code[:-1] + str((int(code[-1]) + 1) % 10)


@pytest.mark.parametrize("code,kind", [
    (GOOD_DEVICE, "device"), (GOOD_LOCATION, "location"),
    (_wrong_digit(GOOD_DEVICE), "bad_check_digit"), (_wrong_digit(GOOD_LOCATION), "bad_check_digit"),
    ("A-01-2", "other"), ("HJM123", "other"), ("TOPRO-77", "other"),
])
def test_a_code_is_classified_by_its_shape_and_check_digit(code, kind):
    assert code_kind(code) == kind


# --- one answer per code, whoever asks -----------------------------------------------------------

def _answers(session, code: str) -> list[AppError]:
    """What each way a scanning page or endpoint reads a unit's code answers for ``code``."""
    answers = []
    for read in (classify_scan, device_from_scan, get_device):
        with pytest.raises(AppError) as caught:
            read(session, code)
        answers.append(caught.value)
    return answers


@pytest.mark.parametrize("code,error,status_code", [
    (_wrong_digit(GOOD_DEVICE), "Kontrollsifferet i «{code}» stemmer ikke", "bad_check_digit"),
    (_wrong_digit(GOOD_DEVICE).lower(), "Kontrollsifferet i «{upper}» stemmer ikke", "bad_check_digit"),
    (make_code("HJM", 9_999_999), "Ukjent strekkode «{code}»", "not_found"),
])
def test_a_bad_or_unknown_device_code_gets_the_same_message_from_every_reader(session, depot, code, error,
                                                                              status_code):
    answers = _answers(session, code)
    expected = error.format(code=code, upper=code.upper())
    assert all(expected in answer.message for answer in answers), [a.message for a in answers]
    assert {answer.code for answer in answers} == {status_code}
    assert {answer.message for answer in answers} == {answers[0].message}


@pytest.mark.parametrize("scanned", ["barcode", "code"])
def test_a_location_label_where_a_unit_is_expected_names_the_location(session, depot, scanned):
    location = get_location(session, "A-01-2")
    code = location.barcode if scanned == "barcode" else "a-01-2"
    assert classify_scan(session, code).location.id == location.id
    for read in (device_from_scan, get_device):
        with pytest.raises(ValidationFailed) as caught:
            read(session, code)
        assert caught.value.code == "not_a_device"
        assert "er etiketten til lokasjonen A-01-2, ikke et hjelpemiddel" in caught.value.message


def test_an_old_label_and_a_serial_number_name_the_unit_where_a_unit_is_expected(session, rollator, actor):
    device = register_device(session, actor.id, rollator.id, serial_number="TOPRO-9")
    old = device.barcode
    replace_device_label(session, old, actor.id)
    assert device_from_scan(session, old).id == device.id
    assert device_from_scan(session, "TOPRO-9").id == device.id


def test_picking_answers_a_shelf_label_and_a_wrong_check_digit_as_the_scan_station_does(session, actor, one_delivery):
    run, _stop, _need, barcode = one_delivery
    shelf = get_location(session, "A-01-2")
    for code in (shelf.barcode, _wrong_digit(barcode), "ukjent-kode"):
        with pytest.raises(AppError) as at_station:
            device_from_scan(session, code)
        with pytest.raises(AppError) as at_pick:
            logistics.pick_device(session, actor.id, run.id, code)
        assert (at_pick.value.message, at_pick.value.status) == (at_station.value.message, at_station.value.status)
    with pytest.raises(ValidationFailed, match="lokasjonen A-01-2, ikke et hjelpemiddel"):
        logistics.pick_device(session, actor.id, run.id, shelf.barcode)
    with pytest.raises(NotFound, match="Kontrollsifferet"):
        logistics.pick_device(session, actor.id, run.id, _wrong_digit(barcode))


# --- whether a place fits ------------------------------------------------------------------------

@pytest.fixture
def wheelchair(session):
    return create_product(session, hms_nr=None, name="Rullestol Panthera", iso_class="122203")


@pytest.fixture
def walker(session):
    """Another rollator model: same ISO 9999 class as the rollator fixture."""
    return create_product(session, hms_nr=None, name="Rollator Dolomite", iso_class="12060601")


def _unit(session, actor, product, where: str, state: S = S.AVAILABLE):
    device = register_device(session, actor.id, product.id, location_code=where)
    path = {S.AVAILABLE: [], S.IN_REPAIR: [S.IN_REPAIR], S.QUARANTINED: [S.QUARANTINED],
            S.CLEANING: [S.IN_REPAIR, S.CLEANING], S.INSPECTION: [S.IN_REPAIR, S.INSPECTION]}[state]
    for step in path:
        change_state(session, device, step, actor.id)
    return device


@pytest.mark.parametrize("moving,product,already,expected", [
    # A unit not ready to lend among units that are: the case from the depot floor.
    (S.IN_REPAIR, "rollator", [("rollator", S.AVAILABLE)], ["state"]),
    (S.QUARANTINED, "rollator", [("rollator", S.AVAILABLE)], ["state"]),
    (S.CLEANING, "rollator", [("rollator", S.AVAILABLE)], ["state"]),
    (S.INSPECTION, "wheelchair", [("rollator", S.AVAILABLE)], ["state"]),
    # A ready unit onto the pile that is not ready, and of another kind too.
    (S.AVAILABLE, "rollator", [("rollator", S.IN_REPAIR)], ["state"]),
    (S.AVAILABLE, "wheelchair", [("rollator", S.AVAILABLE)], ["product"]),
    (S.AVAILABLE, "wheelchair", [("rollator", S.AVAILABLE), ("rollator", S.CLEANING)], ["state", "product"]),
    # Fits: same product, same ISO class, an empty place, not-ready units together in any mix.
    (S.AVAILABLE, "rollator", [("rollator", S.AVAILABLE)], []),
    (S.AVAILABLE, "walker", [("rollator", S.AVAILABLE)], []),
    (S.AVAILABLE, "wheelchair", [("rollator", S.AVAILABLE), ("wheelchair", S.AVAILABLE)], []),
    (S.AVAILABLE, "wheelchair", [], []),
    (S.IN_REPAIR, "rollator", [], []),
    (S.IN_REPAIR, "wheelchair", [("rollator", S.CLEANING), ("rollator", S.QUARANTINED)], []),
])
def test_a_place_fits_a_unit_by_the_readiness_and_kind_of_what_stands_there(
        session, depot, actor, rollator, wheelchair, walker, moving, product, already, expected):
    products = {"rollator": rollator, "wheelchair": wheelchair, "walker": walker}
    for name, state in already:
        _unit(session, actor, products[name], "A-01-2", state)
    device = _unit(session, actor, products[product], "A-01-1", moving)
    mismatches = place_mismatches(session, device, get_location(session, "A-01-2"))
    assert [m.reason for m in mismatches] == expected
    assert all(device.barcode in m.message or "A-01-2" in m.message for m in mismatches)


def test_a_move_that_does_not_fit_is_refused_with_the_reason_and_goes_through_when_forced(
        session, depot, actor, rollator):
    _unit(session, actor, rollator, "A-01-2")
    broken = _unit(session, actor, rollator, "A-01-1", S.IN_REPAIR)
    with pytest.raises(Conflict) as caught:
        move_device(session, broken.barcode, "A-01-2", actor.id)
    assert caught.value.code == "place_mismatch"
    assert caught.value.details["reasons"] == ["state"]
    assert "«Til reparasjon»" in caught.value.message and "klare til utlån" in caught.value.message
    assert get_device(session, broken.barcode).location.code == "A-01-1"

    result = move_device(session, broken.barcode, "A-01-2", actor.id, force=True)
    assert result.moved and result.device.location.code == "A-01-2"
