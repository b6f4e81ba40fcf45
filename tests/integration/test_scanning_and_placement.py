"""What a scanned code is, answered the same on every scanning page, and whether a place fits a unit
moved into it (a warning the person may override)."""
import pytest

from hjelpemiddel.catalog.services import create_product
from hjelpemiddel.core.errors import AppError, Conflict, NotFound, ValidationFailed
from hjelpemiddel.core.ids import code_kind, make_code
from hjelpemiddel.logistics import services as logistics
from hjelpemiddel.stock.lifecycle import DeviceState as S
from hjelpemiddel.stock.services import (change_state, create_location, classify_scan, device_from_scan, get_device, get_location,
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


@pytest.fixture
def far_shelf(session, depot):
    """Where the moving unit comes from: zone B, away from zone A's shelves."""
    create_location(session, "B", "zone", "Sone B", parent_code="HL")
    create_location(session, "B-01", "bin", "Hylle B-01", parent_code="B")
    return "B-01"


ROLLATOR, WHEELCHAIR, WALKER = "rollator", "wheelchair", "walker"


@pytest.mark.parametrize("moving,product,on_shelf,in_zone,expected", [
    # A unit not ready to lend among units that are: the case from the depot floor.
    (S.IN_REPAIR, ROLLATOR, [(ROLLATOR, S.AVAILABLE)], [], ["state"]),
    (S.QUARANTINED, ROLLATOR, [(ROLLATOR, S.AVAILABLE)], [], ["state"]),
    (S.CLEANING, ROLLATOR, [(ROLLATOR, S.AVAILABLE)], [], ["state"]),
    (S.INSPECTION, WHEELCHAIR, [(ROLLATOR, S.AVAILABLE)], [], ["state"]),
    # A ready unit onto the pile that is not ready; into a zone that stores other kinds; both.
    (S.AVAILABLE, ROLLATOR, [(ROLLATOR, S.IN_REPAIR)], [], ["state"]),
    (S.AVAILABLE, WHEELCHAIR, [(ROLLATOR, S.AVAILABLE)], [], ["product"]),
    (S.AVAILABLE, WHEELCHAIR, [], [(ROLLATOR, S.AVAILABLE)], ["product"]),
    (S.AVAILABLE, WHEELCHAIR, [(ROLLATOR, S.CLEANING)], [(ROLLATOR, S.AVAILABLE)], ["state", "product"]),
    # A zone's ready units say what it stores; units waiting for repair there do not.
    (S.AVAILABLE, WHEELCHAIR, [], [(WHEELCHAIR, S.IN_REPAIR), (ROLLATOR, S.AVAILABLE)], ["product"]),
    # Fits: same product, same ISO class, its class elsewhere in the zone (bins mix products), an
    # empty zone, not-ready units together in any mix.
    (S.AVAILABLE, ROLLATOR, [(ROLLATOR, S.AVAILABLE)], [], []),
    (S.AVAILABLE, WALKER, [(ROLLATOR, S.AVAILABLE)], [], []),
    (S.AVAILABLE, WHEELCHAIR, [(ROLLATOR, S.AVAILABLE)], [(WHEELCHAIR, S.AVAILABLE)], []),
    (S.AVAILABLE, WHEELCHAIR, [], [], []),
    (S.IN_REPAIR, ROLLATOR, [], [(WHEELCHAIR, S.AVAILABLE)], []),
    (S.IN_REPAIR, WHEELCHAIR, [(ROLLATOR, S.CLEANING), (ROLLATOR, S.QUARANTINED)], [], []),
    # A unit quarantined where it stands (a recall) does not make its shelf a place for units not ready.
    (S.AVAILABLE, ROLLATOR, [(ROLLATOR, S.QUARANTINED), (ROLLATOR, S.AVAILABLE)], [], []),
])
def test_a_place_fits_a_unit_by_the_readiness_of_what_stands_there_and_what_its_zone_stores(
        session, depot, far_shelf, actor, rollator, wheelchair, walker, moving, product, on_shelf, in_zone, expected):
    products = {ROLLATOR: rollator, WHEELCHAIR: wheelchair, WALKER: walker}
    for where, units in (("A-01-2", on_shelf), ("A-01-1", in_zone)):
        for name, state in units:
            _unit(session, actor, products[name], where, state)
    device = _unit(session, actor, products[product], far_shelf, moving)
    mismatches = place_mismatches(session, device, get_location(session, "A-01-2"))
    assert [m.reason for m in mismatches] == expected
    words = {"state": "klare til utlån", "product": "I «Sone A» står ingen hjelpemidler av samme type som"}
    assert all(words[m.reason] in m.message for m in mismatches), [m.message for m in mismatches]


def test_a_unit_going_back_to_a_place_it_stood_before_fits_though_the_rest_of_its_kind_are_out(
        session, depot, far_shelf, actor, rollator, wheelchair):
    _unit(session, actor, wheelchair, "A-01-1")
    device = _unit(session, actor, rollator, "A-01-2")
    move_device(session, device.barcode, far_shelf, actor.id, force=True)
    assert place_mismatches(session, device, get_location(session, "A-01-2")) == []
    assert [m.reason for m in place_mismatches(session, device, get_location(session, "A-01-1"))] == ["product"]


def test_a_ready_unit_put_in_a_van_or_the_depot_itself_is_not_judged_by_kind(session, depot, far_shelf, actor,
                                                                          rollator, wheelchair):
    create_location(session, "BIL1", "van", "Bil 1", parent_code="HL")
    for where in ("BIL1", "HL"):
        _unit(session, actor, rollator, where)
    device = _unit(session, actor, wheelchair, far_shelf)
    for where in ("BIL1", "HL"):
        assert place_mismatches(session, device, get_location(session, where)) == []


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
