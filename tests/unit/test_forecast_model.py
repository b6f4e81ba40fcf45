"""The forecast as a pure function of plain data: no database."""
from datetime import date, timedelta

import pytest

from hjelpemiddel.forecast.model import (ForecastInput, LoanEnd, ReturnBehaviour, WaitingNeed, combine, first_shortfall,
                                         forecast, median)

TODAY = date(2026, 12, 3)


def day(n: int) -> date:
    return TODAY + timedelta(days=n)


def test_units_on_the_shelf_stay_available_when_nothing_happens():
    series = forecast(ForecastInput(as_of=TODAY, available_now=3), 30)
    assert len(series) == 30
    assert [d.available for d in series] == [3] * 30
    assert first_shortfall(series) is None


def test_a_loan_ending_comes_back_after_the_measured_turnaround():
    data = ForecastInput(as_of=TODAY, available_now=0, turnaround_days=4, loan_ends=(LoanEnd(day(2)),))
    series = forecast(data, 10)
    assert [d.available for d in series][:7] == [0, 0, 0, 0, 0, 0, 1]
    assert series[6].incoming == 1.0


@pytest.mark.parametrize("extended, late, expected_on_time", [(0.0, 0.0, 10), (0.5, 0.0, 5), (0.0, 0.5, 5), (0.5, 0.5, 2)])
def test_loans_that_are_often_extended_or_late_are_expected_back_in_part(extended, late, expected_on_time):
    data = ForecastInput(as_of=TODAY, available_now=0, loan_ends=(LoanEnd(day(1), count=10),),
                         behaviour=ReturnBehaviour(extended_share=extended, late_share=late, late_days=5))
    series = forecast(data, 10)
    assert series[1].available == expected_on_time


def test_a_planned_pickup_is_counted_whole_whatever_the_loans_usually_do():
    data = ForecastInput(as_of=TODAY, available_now=0, turnaround_days=1,
                         behaviour=ReturnBehaviour(extended_share=0.9), loan_ends=(LoanEnd(day(2), 2, planned=True),))
    assert forecast(data, 5)[3].available == 2


def test_an_overdue_loan_is_expected_from_today_not_in_the_past():
    data = ForecastInput(as_of=TODAY, available_now=0, loan_ends=(LoanEnd(day(-5)),))
    assert forecast(data, 2)[0].available == 1


def test_half_expected_units_are_never_promised():
    data = ForecastInput(as_of=TODAY, available_now=0, behaviour=ReturnBehaviour(extended_share=0.5),
                         loan_ends=(LoanEnd(day(1)),))
    assert [d.available for d in forecast(data, 3)] == [0, 0, 0]


def test_units_in_the_return_flow_come_back_a_turnaround_after_they_were_received():
    data = ForecastInput(as_of=TODAY, available_now=0, turnaround_days=3, in_turnaround={day(-1): 2, day(1): 1})
    assert [d.available for d in forecast(data, 5)] == [0, 0, 2, 2, 3]


def test_nav_deliveries_add_units_on_their_expected_day():
    data = ForecastInput(as_of=TODAY, available_now=1, nav_deliveries={day(3): 2})
    assert [d.available for d in forecast(data, 5)] == [1, 1, 1, 3, 3]


def test_the_queue_takes_units_in_its_order_and_flags_the_day_a_need_is_short():
    waiting = (WaitingNeed(1, day(0), "discharge"), WaitingNeed(2, day(2), "normal", missing=2))
    data = ForecastInput(as_of=TODAY, available_now=1, loan_ends=(LoanEnd(day(4)),), waiting=waiting)
    series = forecast(data, 6)
    assert [d.available for d in series] == [0] * 6
    assert [d.outgoing for d in series] == [1, 0, 0, 0, 1, 0]
    assert [d.shortfall for d in series] == [False, False, True, True, True, True]
    [affected] = series[2].needs_affected
    assert (affected.need_id, affected.missing) == (2, 2)
    assert series[4].needs_affected[0].missing == 1
    assert first_shortfall(series) == day(2)


def test_a_need_waiting_for_a_later_day_is_no_shortfall_yet():
    data = ForecastInput(as_of=TODAY, available_now=0, waiting=(WaitingNeed(7, day(5), "normal"),))
    assert [d.shortfall for d in forecast(data, 7)] == [False] * 5 + [True] * 2


def test_reserved_units_leaving_on_runs_are_shown_but_not_counted_again():
    data = ForecastInput(as_of=TODAY, available_now=2, planned_out={day(1): 3})
    series = forecast(data, 3)
    assert [d.planned_out for d in series] == [0, 3, 0]
    assert [d.available for d in series] == [2, 2, 2]


@pytest.mark.parametrize("days", [0, 61, -1])
def test_a_horizon_outside_one_to_sixty_days_is_refused(days):
    with pytest.raises(ValueError):
        forecast(ForecastInput(as_of=TODAY, available_now=0), days)


@pytest.mark.parametrize("histogram, expected", [({}, 0.0), ({3: 1}, 3.0), ({1: 1, 5: 1}, 3.0),
                                                 ({2: 3, 9: 1}, 2.0), ({1: 2, 4: 2}, 2.5), ({4: 0}, 0.0)])
def test_the_median_is_read_from_a_histogram(histogram, expected):
    assert median(histogram) == expected


def test_pools_of_one_product_are_summed_and_a_day_is_short_when_any_pool_is():
    municipal = forecast(ForecastInput(as_of=TODAY, available_now=2), 3)
    nav = forecast(ForecastInput(as_of=TODAY, available_now=0, waiting=(WaitingNeed(4, day(1), "normal"),)), 3)
    series = combine([municipal, nav])
    assert [d.available for d in series] == [2, 2, 2]
    assert [d.shortfall for d in series] == [False, True, True]
    assert [n.need_id for n in series[1].needs_affected] == [4]
    assert combine([]) == []
