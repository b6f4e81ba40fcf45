"""Stocktake (varetelling) at the service layer: the snapshot at the start, scanning bins and units,
the result judged with the history, the adjustments and the cycle-count plan."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from hjelpemiddel.catalog.services import create_product
from hjelpemiddel.core.errors import Conflict, InvalidState, NotFound, ValidationFailed
from hjelpemiddel.core.ids import DEVICE_PREFIX, make_code
from hjelpemiddel.core.text import local_time
from hjelpemiddel.documents.stocktake import stocktake_csv, stocktake_pdf
from hjelpemiddel.stock import services as stock
from hjelpemiddel.stock.models import DeviceEvent
from hjelpemiddel.stocktake import services
from hjelpemiddel.stocktake.models import StocktakeLine

from ..support import pdf_text


@pytest.fixture
def place(session, shelves):
    """Zone A (A-01-1, A-01-2, A-02-1) with a unit on each bin, and one unit in zone B."""
    return {code: stock.get_location(session, code) for code in shelves}


def unit(session, actor, rollator, where: str) -> str:
    return stock.register_device(session, actor.id, rollator.id, location_code=where).barcode


def counted(session, actor, stocktake, bin_code: str, *barcodes: str) -> None:
    services.scan_in_stocktake(session, actor.id, stocktake.id, stock.get_location(session, bin_code).barcode)
    for barcode in barcodes:
        services.scan_in_stocktake(session, actor.id, stocktake.id, barcode, bin_code=bin_code)


def outcomes(session, stocktake) -> dict[str, str]:
    return {line.barcode: line.outcome for line in services.result_lines(session, stocktake.id)}


@pytest.fixture
def zone_a(session, actor, rollator, place):
    """Five units in zone A and one in zone B, and a blind count of zone A started."""
    units = {"on 1": unit(session, actor, rollator, "A-01-1"), "on 2": unit(session, actor, rollator, "A-01-2"),
             "also on 2": unit(session, actor, rollator, "A-01-2"), "on 3": unit(session, actor, rollator, "A-02-1"),
             "also on 3": unit(session, actor, rollator, "A-02-1"), "in B": unit(session, actor, rollator, "B-01-1")}
    return units, services.start_stocktake(session, actor.id, "A")


def test_a_count_writes_down_what_the_system_has_in_the_subtree_and_hides_it_from_blind_counters(session, zone_a):
    _units, stocktake = zone_a
    assert stocktake.expected_units == 5 and stocktake.blind
    progress = services.stocktake_progress(session, stocktake.id)
    assert progress.expected_units is None and progress.units_counted == 0
    assert (progress.bins_done, progress.bins_total) == (0, 3)


def test_the_result_says_found_misplaced_unexpected_and_missing(session, actor, zone_a):
    units, stocktake = zone_a
    counted(session, actor, stocktake, "A-01-1", units["on 1"], units["on 2"])  # on 2 stands on the wrong bin
    counted(session, actor, stocktake, "A-01-2", units["also on 2"], units["in B"])
    counted(session, actor, stocktake, "A-02-1", units["on 3"])
    progress = services.stocktake_progress(session, stocktake.id)
    assert (progress.bins_done, progress.units_counted) == (3, 5)
    services.close_stocktake(session, actor.id, stocktake.id)
    assert outcomes(session, stocktake) == {units["on 1"]: "found", units["on 2"]: "misplaced",
                                            units["also on 2"]: "found", units["in B"]: "unexpected",
                                            units["on 3"]: "found", units["also on 3"]: "missing"}
    summary = services.result_summary(session, stocktake.id)
    assert (summary["found"], summary["misplaced"], summary["unexpected"], summary["missing"]) == (3, 1, 1, 1)
    assert summary["pending"] == 3


def test_two_counters_count_one_zone_at_once_and_the_progress_names_both(session, actor, make_user, zone_a):
    units, stocktake = zone_a
    other = make_user("lager")
    counted(session, actor, stocktake, "A-01-1", units["on 1"])
    counted(session, other, stocktake, "A-02-1", units["on 3"], units["also on 3"])
    counted(session, other, stocktake, "A-01-1")  # the same bin again: still one bin done
    progress = services.stocktake_progress(session, stocktake.id)
    assert (progress.bins_done, progress.units_counted) == (2, 3)
    assert sorted(count for _name, count in progress.counters) == [1, 2]


def test_a_unit_moved_by_a_real_event_during_the_count_is_neither_missing_nor_misplaced(session, actor, zone_a):
    units, stocktake = zone_a
    stock.move_device(session, units["on 2"], "B-01-1", actor.id, force=True)  # left the zone before its bin was counted
    stock.move_device(session, units["on 3"], "A-01-1", actor.id, force=True)  # moved within the zone, counted there
    counted(session, actor, stocktake, "A-01-1", units["on 1"], units["on 3"])
    counted(session, actor, stocktake, "A-01-2", units["also on 2"])
    counted(session, actor, stocktake, "A-02-1", units["also on 3"])
    stock.move_device(session, units["also on 3"], "B-01-1", actor.id, force=True)  # taken away after it was counted
    services.close_stocktake(session, actor.id, stocktake.id)
    result = outcomes(session, stocktake)
    assert result[units["on 2"]] == "moved" and result[units["also on 3"]] == "moved"
    assert result[units["on 3"]] == "found" and result[units["on 1"]] == "found"
    assert services.result_summary(session, stocktake.id)["pending"] == 0
    remarks = {line.barcode: line.remark for line in services.result_lines(session, stocktake.id, "moved")}
    assert remarks[units["on 2"]].startswith("Flyttet ") and remarks[units["on 2"]].endswith("nå på B-01-1")


def test_a_unit_scanned_before_any_bin_is_refused_with_a_request_to_scan_the_bin(session, actor, zone_a):
    units, stocktake = zone_a
    with pytest.raises(ValidationFailed) as refused:
        services.scan_in_stocktake(session, actor.id, stocktake.id, units["on 1"])
    assert "hylla først" in refused.value.message


def test_codes_are_refused_with_the_same_words_as_on_every_scanning_page(session, actor, zone_a):
    _units, stocktake = zone_a
    wrong_digit = make_code(DEVICE_PREFIX, 42)[:-1] + str((int(make_code(DEVICE_PREFIX, 42)[-1]) + 1) % 10)
    for code in (wrong_digit, make_code(DEVICE_PREFIX, 999_999), "TULL-123"):
        with pytest.raises(NotFound) as here:
            services.scan_in_stocktake(session, actor.id, stocktake.id, code, bin_code="A-01-1")
        with pytest.raises(NotFound) as elsewhere:
            stock.classify_scan(session, code)
        assert here.value.message == elsewhere.value.message


def test_a_bin_outside_the_counted_place_is_refused(session, actor, zone_a):
    units, stocktake = zone_a
    with pytest.raises(ValidationFailed, match="ikke med i denne varetellingen"):
        services.scan_in_stocktake(session, actor.id, stocktake.id, stock.get_location(session, "B-01-1").barcode)
    with pytest.raises(ValidationFailed, match="ikke med i denne varetellingen"):
        services.scan_in_stocktake(session, actor.id, stocktake.id, units["in B"], bin_code="B-01-1")


def test_an_open_count_shows_the_counter_where_the_system_has_the_unit(session, actor, rollator, place):
    here, elsewhere = unit(session, actor, rollator, "A-01-1"), unit(session, actor, rollator, "A-01-2")
    stocktake = services.start_stocktake(session, actor.id, "A", blind=False)
    assert services.stocktake_progress(session, stocktake.id).expected_units == 2
    assert "står der den skal" in services.scan_in_stocktake(session, actor.id, stocktake.id, here, "A-01-1").message
    assert "A-01-2" in services.scan_in_stocktake(session, actor.id, stocktake.id, elsewhere, "A-01-1").message


def test_overlapping_counts_are_refused_and_a_closed_count_takes_no_more_scans(session, actor, zone_a):
    units, stocktake = zone_a
    with pytest.raises(Conflict, match="overlapper"):
        services.start_stocktake(session, actor.id, "A-01")
    with pytest.raises(Conflict, match="overlapper"):
        services.start_stocktake(session, actor.id, "HL")
    services.start_stocktake(session, actor.id, "B")  # another zone may be counted at the same time
    services.close_stocktake(session, actor.id, stocktake.id)
    with pytest.raises(Conflict, match="avsluttet"):
        services.scan_in_stocktake(session, actor.id, stocktake.id, units["on 1"], bin_code="A-01-1")
    with pytest.raises(Conflict):
        services.close_stocktake(session, actor.id, stocktake.id)


def events_of(session, barcode):
    return stock.device_history(session, stock.get_device(session, barcode).id)


def test_approving_a_misplaced_unit_moves_it_where_it_was_counted_with_the_count_as_reason(session, actor, zone_a):
    units, stocktake = zone_a
    counted(session, actor, stocktake, "A-01-1", units["on 1"], units["on 2"])
    services.close_stocktake(session, actor.id, stocktake.id)
    line = session.scalar(select(StocktakeLine).where(StocktakeLine.outcome == "misplaced",
                                                      StocktakeLine.stocktake_id == stocktake.id))
    services.approve_line(session, actor.id, stocktake.id, line.id)
    assert stock.get_device(session, units["on 2"]).location.code == "A-01-1"
    last = events_of(session, units["on 2"])[-1]
    assert last.kind == "moved" and f"Varetelling nr. {stocktake.id}" in last.note and last.to_location == "A-01-1"
    with pytest.raises(Conflict):
        services.approve_line(session, actor.id, stocktake.id, line.id)


def test_a_unit_counted_in_a_full_bin_is_moved_there_all_the_same(session, actor, zone_a):
    units, stocktake = zone_a  # A-01-1 holds two by its capacity, and has one already
    counted(session, actor, stocktake, "A-01-1", units["on 1"], units["on 2"], units["also on 2"])
    services.close_stocktake(session, actor.id, stocktake.id)
    first, second = session.scalars(select(StocktakeLine).where(StocktakeLine.outcome == "misplaced")
                                    .order_by(StocktakeLine.id)).all()
    services.approve_line(session, actor.id, stocktake.id, first.id)
    services.approve_line(session, actor.id, stocktake.id, second.id)
    assert stock.count_devices_at(session, [stock.get_location(session, "A-01-1").id]) == {
        stock.get_location(session, "A-01-1").id: 3}


def test_approving_a_missing_unit_writes_its_history_and_leaves_its_state(session, actor, zone_a):
    units, stocktake = zone_a
    services.close_stocktake(session, actor.id, stocktake.id)  # nothing counted: all five missing
    line = session.scalar(select(StocktakeLine).where(StocktakeLine.stocktake_id == stocktake.id).limit(1))
    device = stock.get_device_by_id(session, line.device_id)
    services.approve_line(session, actor.id, stocktake.id, line.id)
    last = events_of(session, device.barcode)[-1]
    assert last.kind == services.MISSING_EVENT and f"Varetelling nr. {stocktake.id}" in last.note
    assert stock.get_device(session, device.barcode).state == "available"


def test_a_unit_moved_after_the_count_closed_is_not_adjusted(session, actor, zone_a):
    units, stocktake = zone_a
    counted(session, actor, stocktake, "A-01-1", units["on 2"])
    services.close_stocktake(session, actor.id, stocktake.id)
    stock.move_device(session, units["on 2"], "A-02-1", actor.id, force=True)
    line = session.scalar(select(StocktakeLine).where(StocktakeLine.outcome == "misplaced"))
    with pytest.raises(Conflict, match="flyttet etter"):
        services.approve_line(session, actor.id, stocktake.id, line.id)
    summary = services.approve_all(session, actor.id, stocktake.id)
    assert summary.left == 1 and units["on 2"] in summary.examples[0]
    assert stock.get_device(session, units["on 2"]).location.code == "A-02-1"


def test_a_unit_counted_but_out_with_a_citizen_is_left_for_a_person(session, actor, desk, place):
    loan = desk.loan(desk.citizen("Kari Nordmann"))
    stocktake = services.start_stocktake(session, actor.id, "A")
    counted(session, actor, stocktake, "A-01-1", loan.device.barcode)
    services.close_stocktake(session, actor.id, stocktake.id)
    assert outcomes(session, stocktake)[loan.device.barcode] == "unexpected"
    line = session.scalar(select(StocktakeLine).where(StocktakeLine.outcome == "unexpected"))
    with pytest.raises(InvalidState, match="ikke på lageret"):
        services.approve_line(session, actor.id, stocktake.id, line.id)
    assert services.approve_all(session, actor.id, stocktake.id).left == 1


def approve_everything(session, actor, rollator, count_queries, units_per_bin: int) -> tuple[int, int]:
    for code in ("A-01-2", "A-02-1", "B-01-1"):
        for _ in range(units_per_bin):
            unit(session, actor, rollator, code)
    stocktake = services.start_stocktake(session, actor.id, "HL")
    lines = list(session.scalars(select(StocktakeLine).where(StocktakeLine.stocktake_id == stocktake.id)
                                 .order_by(StocktakeLine.id)))
    for number, line in enumerate(lines):
        device = stock.get_device_by_id(session, line.device_id)
        if number % 3:  # two in three found on the next bin along, the rest missing
            to = {"A-01-2": "A-02-1", "A-02-1": "B-01-1", "B-01-1": "A-01-2"}[device.location.code]
            services.scan_in_stocktake(session, actor.id, stocktake.id, device.barcode, bin_code=to)
    services.close_stocktake(session, actor.id, stocktake.id)
    with count_queries as recorded:
        summary = services.approve_all(session, actor.id, stocktake.id, batch=1000)
    assert summary.approved == len(lines) and summary.left == 0
    return len(recorded.statements), len(lines)


def test_approving_all_adjustments_costs_the_same_statements_for_few_units_or_many(session, actor, rollator, place,
                                                                                  count_queries):
    few, _ = approve_everything(session, actor, rollator, count_queries, 2)
    many, lines = approve_everything(session, actor, rollator, count_queries, 40)
    assert many == few and lines == 126
    moved = session.scalars(select(DeviceEvent).where(DeviceEvent.kind == "moved")).all()
    assert len(moved) == 6 * 2 // 3 + lines * 2 // 3 and all("Varetelling nr." in event.note for event in moved)


def test_the_result_pdf_and_csv_list_every_line(session, actor, zone_a, tmp_path):
    units, stocktake = zone_a
    counted(session, actor, stocktake, "A-01-1", units["on 1"], units["in B"])
    services.close_stocktake(session, actor.id, stocktake.id)
    report = services.stocktake_report(session, stocktake.id)
    text = pdf_text(stocktake_pdf(report, "Hjelpemiddellageret"), tmp_path)
    assert f"Varetelling nr. {stocktake.id}" in text and "Uventet" in text and "Mangler" in text
    assert all(barcode in text for key, barcode in units.items())
    csv = stocktake_csv(report).decode("utf-8-sig").splitlines()
    assert csv[0].startswith("utfall;strekkode") and len(csv) == 1 + 6


def test_the_cycle_plan_counts_lifts_monthly_and_shows_what_is_due_this_week(session, actor, rollator, place):
    lift = create_product(session, hms_nr=None, name="Personløfter Molift", iso_class="123603")
    stock.register_device(session, actor.id, lift.id, location_code="B-01-1")
    unit(session, actor, rollator, "A-01-1")
    today = date(2026, 12, 3)  # a Thursday
    rows, week_ends = services.cycle_plan(session, today)
    assert week_ends == date(2026, 12, 6)
    by_zone = {row.code: row for row in rows}
    assert by_zone["B"].abc == "A" and by_zone["A"].abc == "B"
    assert by_zone["B"].due_this_week and by_zone["B"].last_counted is None
    shelf = services.start_stocktake(session, actor.id, "B-01-1")
    services.close_stocktake(session, actor.id, shelf.id)
    by_zone = {row.code: row for row in services.cycle_plan(session, today)[0]}
    assert by_zone["B"].last_part_counted is not None and by_zone["B"].due_this_week  # a bin is not the zone
    stocktake = services.start_stocktake(session, actor.id, "HL")
    services.close_stocktake(session, actor.id, stocktake.id)
    counted_on = local_time(stocktake.closed_at).date()
    by_zone = {row.code: row for row in services.cycle_plan(session, counted_on)[0]}
    assert by_zone["B"].due == counted_on + timedelta(days=30) and by_zone["A"].due == counted_on + timedelta(days=91)
    assert not by_zone["A"].due_this_week and by_zone["A"].last_counted is not None


def test_the_abc_classes_follow_the_iso_class():
    assert [services.abc_class(iso) for iso in ("12360301", "181210", "122306", "122203", "120606", "093303")] == \
        ["A", "A", "A", "B", "B", "C"]
