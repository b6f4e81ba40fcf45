"""Vedlikehold's figures from hand-made inspections, repairs and incidents with known answers: on time
means done by the due day, repair times' median and 90th percentile at the depot and at home, incidents
by injury; empty periods give no value."""
from datetime import date

import pytest

from hjelpemiddel.reports.areas.upkeep import (InspectionCount, Overdue, RepairRow, charts, figures, is_on_time,
                                               summarize_repairs)
from hjelpemiddel.reports.model import weighted_percentile
from hjelpemiddel.reports.model import Scope, percentile

MARCH = Scope(date(2026, 3, 1), date(2026, 4, 1))
NONE_OVERDUE = Overdue(0, None)


def values(scope, counts=(), repairs=(), incidents=None, overdue=NONE_OVERDUE, opened=0):
    return {f.key: (f.value, f.count) for f in figures(scope, list(counts), overdue, opened,
                                                       summarize_repairs(scope, list(repairs)), incidents or {})}


@pytest.mark.parametrize("done, due, expected", [
    (date(2026, 3, 10), date(2026, 3, 10), True),   # on the due day itself
    (date(2026, 3, 9), date(2026, 3, 10), True),
    (date(2026, 3, 11), date(2026, 3, 10), False),
])
def test_an_inspection_is_on_time_when_done_on_or_before_its_due_day(done, due, expected):
    assert is_on_time(done, due) is expected


def test_an_empty_period_gives_no_value_but_overdue_now_is_a_count():
    got = values(MARCH)
    assert got.pop("overdue_now") == (0.0, 0)
    assert all(value is None for value, _count in got.values())
    inspections, repairs, incidents = charts(MARCH, [], summarize_repairs(MARCH, []), {})
    assert set(inspections.series[0].values) == {None} and set(incidents.series[0].values) == {None}


def test_inspections_on_the_first_and_last_day_count_and_those_outside_do_not():
    counts = [InspectionCount(date(2026, 3, 1), True, 3), InspectionCount(date(2026, 3, 31), False, 1),
              InspectionCount(date(2026, 2, 28), False, 5), InspectionCount(date(2026, 4, 1), False, 7)]
    got = values(MARCH, counts, overdue=Overdue(4, 2))
    assert got["inspections_on_time"] == (pytest.approx(75.0), 4)
    assert got["inspections_late"] == (1.0, 4)
    assert got["overdue_now"] == (4.0, 4) and got["overdue_at_end"] == (2.0, 2)
    [monthly, _repairs, _incidents] = charts(MARCH, counts, summarize_repairs(MARCH, []), {})
    assert monthly.series[0].values[-2:] == (0.0, 3.0) and monthly.series[1].values[-2:] == (5.0, 1.0)


def test_repair_times_are_split_by_place_and_counted_by_completion_in_the_period():
    repairs = [RepairRow(date(2026, 3, 3), "depot", 2.0, 60),
               RepairRow(date(2026, 3, 6), "depot", 32.0, 30),   # opened in February
               RepairRow(date(2026, 3, 11), "home", 1.0, None),  # no minutes written
               RepairRow(date(2026, 2, 27), "home", 5.0, 10),    # completed the month before
               RepairRow(date(2026, 4, 1), "depot", 8.0, 15)]    # completed in April
    got = values(MARCH, repairs=repairs, opened=4)
    assert got["repairs_opened"] == (4.0, 4)
    assert got["repairs_completed"] == (3.0, 3)
    assert got["repair_days_median"] == (pytest.approx(2.0), 3)
    assert got["repair_days_p90"] == (pytest.approx(2 + 0.8 * 30), 3)
    assert got["repair_days_depot"] == (pytest.approx(17.0), 2)
    assert got["repair_days_home"] == (pytest.approx(1.0), 1)
    assert got["repair_hours"] == (pytest.approx(1.5), 2)
    [_inspections, monthly, _incidents] = charts(MARCH, [], summarize_repairs(MARCH, repairs), {})
    assert monthly.series[0].values[-2:] == (None, pytest.approx(17.0))
    assert monthly.series[1].values[-2:] == (pytest.approx(5.0), pytest.approx(1.0))


def test_no_repair_opened_or_completed_gives_no_value():
    got = values(MARCH, repairs=[RepairRow(date(2026, 4, 1), "depot", 1.0, 5)], opened=0)
    assert got["repairs_opened"] == (None, 0) and got["repair_days_median"] == (None, 0)
    assert got["repair_hours"] == (None, 0)


def test_incidents_are_counted_by_injury_and_serious_ones_on_their_own():
    got = values(MARCH, incidents={"none": 3, "minor": 1, "serious": 1, "death": 1})
    assert got["incidents"] == (6.0, 6) and got["serious_incidents"] == (2.0, 6)
    [_i, _r, bars] = charts(MARCH, [], summarize_repairs(MARCH, []), {"none": 3, "serious": 1})
    assert bars.labels[0] == "Ingen personskade" and bars.series[0].values == (3.0, 0.0, 1.0, 0.0)


def test_a_postcode_area_says_where_it_does_not_apply():
    scoped = {f.key: f.how for f in figures(Scope(MARCH.start, MARCH.end, postcode_area="65"), [], NONE_OVERDUE,
                                            0, summarize_repairs(MARCH, []), {})}
    assert "gjelder ikke" in scoped["inspections_on_time"] and "gjelder ikke" in scoped["incidents"]
    assert "hjemme hos bruker" in scoped["repairs_opened"]


@pytest.mark.parametrize("values", [[1.0], [3.0, 1.0, 2.0], [0.5, 0.5, 0.5, 9.0], [1.0, 2.0, 2.0, 2.0, 7.5, 30.0]])
@pytest.mark.parametrize("share", [0.0, 0.5, 0.9, 1.0])
def test_a_percentile_of_counted_values_is_that_of_the_values_repeated(values, share):
    counted = [(value, values.count(value)) for value in sorted(set(values))]
    assert weighted_percentile(counted, share) == pytest.approx(percentile(values, share))
    assert weighted_percentile([], share) is None and weighted_percentile([(1.0, 0)], share) is None
