"""Logistikk's figures from hand-made runs and discharge needs with known answers: stops per run, failed
visits and their share, km per stop, discharges delivered in time; empty periods give no value."""
from datetime import date, datetime, time, timezone

import pytest

from hjelpemiddel.reports.areas.logistics import DischargeRow, RunRow, charts, discharge_in_time, figures
from hjelpemiddel.reports.model import Scope

MARCH = Scope(date(2026, 3, 1), date(2026, 4, 1))
NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)


def values(scope, runs, all_runs=None, discharges=(), now=NOW):
    return {f.key: (f.value, f.count) for f in figures(scope, runs, runs if all_runs is None else all_runs,
                                                       list(discharges), now)}


def test_an_empty_period_gives_no_value_for_any_figure_and_charts_of_nothing():
    got = values(MARCH, [])
    assert all(value is None for value, _count in got.values())
    [stops, reasons, km] = charts(MARCH, [], [])
    assert len(stops.labels) == 12 and stops.labels[-1] == "mar 26" and stops.labels[0] == "apr 25"
    assert set(stops.series[0].values) == {None} and set(reasons.series[0].values) == {None}


def test_runs_on_the_first_and_last_day_count_and_the_day_after_does_not():
    runs = [RunRow(1, date(2026, 3, 1), done=4, not_home=1, odometer_start=1000, odometer_end=1060),
            RunRow(2, date(2026, 3, 31), done=2, refused=1, not_visited=2, odometer_start=2000, odometer_end=2030),
            RunRow(3, date(2026, 4, 1), done=9, odometer_start=0, odometer_end=900)]
    got = values(MARCH, runs)
    assert got["stops_per_run"] == (pytest.approx(4.0), 2)          # (5 + 3) / 2
    assert got["stops_per_run_median"] == (pytest.approx(4.0), 2)
    assert got["failed_visits"] == (2.0, 8)
    assert got["failed_share"] == (pytest.approx(25.0), 8)
    assert got["not_visited"] == (2.0, 2)
    assert got["km_per_stop"] == (pytest.approx(90 / 8), 2)


def test_km_per_stop_leaves_out_runs_without_both_readings_or_without_a_visit_made():
    runs = [RunRow(1, date(2026, 3, 2), done=5, odometer_start=100, odometer_end=150),
            RunRow(2, date(2026, 3, 3), done=5, odometer_start=100),
            RunRow(3, date(2026, 3, 4), not_visited=3, odometer_start=100, odometer_end=120)]
    assert values(MARCH, runs)["km_per_stop"] == (pytest.approx(10.0), 1)


def test_km_per_stop_ignores_the_filters_and_reads_every_run():
    scope = Scope(MARCH.start, MARCH.end, postcode_area="65")
    all_runs = [RunRow(1, date(2026, 3, 2), done=10, odometer_start=0, odometer_end=50)]
    filtered = [RunRow(1, date(2026, 3, 2), done=2, odometer_start=0, odometer_end=50)]
    got = values(scope, filtered, all_runs)
    assert got["km_per_stop"] == (pytest.approx(5.0), 1)
    assert got["stops_per_run"] == (pytest.approx(2.0), 1)


def test_failed_share_by_reason_is_over_visits_made_and_the_months_follow_the_runs():
    runs = [RunRow(1, date(2026, 2, 10), done=3, not_home=1, odometer_start=0, odometer_end=40),
            RunRow(2, date(2026, 3, 10), done=6, not_home=1, refused=1, odometer_start=0, odometer_end=80)]
    [stops, reasons, km] = charts(MARCH, runs, runs)
    assert reasons.labels == ("Ikke hjemme", "Avvist")
    assert reasons.series[0].values == (pytest.approx(12.5), pytest.approx(12.5))
    assert stops.series[0].values[-2:] == (4.0, 8.0)
    assert km.series[0].values[-2:] == (10.0, 10.0)


BY_NOON = time(12, 0)


@pytest.mark.parametrize("delivered, expected", [
    (datetime(2026, 3, 10, 10, 59, tzinfo=timezone.utc), True),    # 11:59 in Oslo
    (datetime(2026, 3, 10, 11, 0, tzinfo=timezone.utc), True),     # 12:00 sharp
    (datetime(2026, 3, 10, 11, 1, tzinfo=timezone.utc), False),
    (None, False),                                                # deadline passed, nothing delivered
])
def test_a_discharge_is_in_time_when_delivered_by_its_discharge_time(delivered, expected):
    assert discharge_in_time(DischargeRow(1, date(2026, 3, 10), BY_NOON, delivered), NOW) is expected


def test_without_a_time_the_whole_oslo_discharge_day_counts_and_a_future_deadline_is_not_judged():
    day = date(2026, 3, 10)
    assert discharge_in_time(DischargeRow(1, day, None, datetime(2026, 3, 10, 22, 59, tzinfo=timezone.utc)), NOW)
    assert not discharge_in_time(DischargeRow(1, day, None, datetime(2026, 3, 10, 23, 0, tzinfo=timezone.utc)), NOW)
    assert discharge_in_time(DischargeRow(1, day, None, None), datetime(2026, 3, 10, 12, tzinfo=timezone.utc)) is None


def test_discharge_share_counts_judged_needs_with_a_discharge_date_in_the_period():
    rows = [DischargeRow(1, date(2026, 3, 1), None, datetime(2026, 2, 28, 12, tzinfo=timezone.utc)),
            DischargeRow(2, date(2026, 3, 31), BY_NOON, datetime(2026, 4, 1, 8, tzinfo=timezone.utc)),
            DischargeRow(3, date(2026, 3, 31), None, None),
            DischargeRow(4, date(2026, 4, 1), None, None)]
    assert values(MARCH, [], discharges=rows)["discharge_on_time"] == (pytest.approx(100 / 3), 3)
    still_ahead = datetime(2026, 3, 31, 8, tzinfo=timezone.utc)
    assert values(MARCH, [], discharges=rows, now=still_ahead)["discharge_on_time"] == (pytest.approx(50.0), 2)
