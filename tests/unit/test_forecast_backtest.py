"""The backtest, pure: the history as events and records, the forecast of a past day against it."""
from datetime import date, timedelta

import pytest

from hjelpemiddel.forecast.backtest import (History, LoanRecord, NeedRecord, StateChange, actual_available,
                                            backtest, group_of, inputs_as_of, measure_behaviour)

TODAY = date(2026, 12, 3)
PAST = TODAY - timedelta(days=5)


def day(n: int) -> date:
    return PAST + timedelta(days=n)


def test_a_unit_in_the_return_flow_then_is_expected_back_from_that_day():
    history = History(today=TODAY, available_now={1: 1}, changes=(StateChange(1, day(1), "inspection", "available"),))
    assert inputs_as_of(history, PAST)[1].in_turnaround == {PAST: 1}


def test_available_units_are_counted_back_from_today_through_the_events():
    history = History(today=TODAY, available_now={1: 2}, changes=(
        StateChange(1, day(2), "available", "reserved"),
        StateChange(1, day(4), "inspection", "available", count=2)))
    assert actual_available(history, PAST, 6) == {1: [1, 1, 0, 0, 2, 2]}


def test_inputs_as_of_a_past_day_take_the_loans_and_the_queue_as_they_stood_then():
    history = History(today=TODAY, available_now={1: 0}, loans=(
        LoanRecord(1, day(-30), day(3)),                     # open then
        LoanRecord(1, day(-30), day(-2), ended_on=day(-1)),  # already back
        LoanRecord(1, day(-30), day(2), extended_on=day(-3)),  # extended before: its old end no longer counts
        LoanRecord(1, day(1), day(9))),                      # started later
        needs=(NeedRecord(10, 1, day(-2), day(1), "urgent", 1),
               NeedRecord(11, 1, day(-2), day(0), "normal", 2, served_on=day(-1)),
               NeedRecord(12, 1, day(2), day(3), "normal", 2)))
    data = inputs_as_of(history, PAST)[1]
    assert [(end.on, end.count) for end in data.loan_ends] == [(day(3), 1)]
    assert [need.need_id for need in data.waiting] == [10]


@pytest.mark.parametrize("loans, extended, late, late_days", [
    ((), 0.0, 0.0, 0.0),
    ((LoanRecord(1, day(-90), day(-20), ended_on=day(-20)),), 0.0, 0.0, 0.0),
    ((LoanRecord(1, day(-90), day(-20), ended_on=day(-14)), LoanRecord(1, day(-90), day(-20), ended_on=day(-20))),
     0.0, 0.5, 6.0),
    ((LoanRecord(1, day(-90), day(-60), ended_on=day(-10), extended_on=day(-62)),
      LoanRecord(1, day(-90), day(-20), ended_on=day(-16))), 0.5, 1.0, 4.0),
])
def test_how_loans_ended_is_measured_from_those_ended_before_the_day(loans, extended, late, late_days):
    measured = measure_behaviour(loans + (LoanRecord(1, day(-9), day(0), ended_on=day(3), extended_on=day(1)),), PAST)
    behaviour = measured.get(1)
    if not loans:
        assert behaviour is None
        return
    assert (behaviour.extended_share, behaviour.late_share, behaviour.late_days) == (extended, late, late_days)


def test_a_perfect_forecast_has_no_error_and_a_missed_return_shows_in_its_group():
    history = History(today=TODAY, available_now={1: 1, 2: 1}, groups={1: "1222", 2: "1206"},
                      changes=tuple(StateChange(1, day(2), a, b) for a, b in (
                          ("on_loan", "returned"), ("returned", "cleaning"), ("cleaning", "inspection"),
                          ("inspection", "available"))),
                      loans=(LoanRecord(1, day(-30), day(2)), LoanRecord(2, day(-30), day(2))))
    result = backtest(history, PAST, 30)
    assert result.days == 6
    errors = {g.group: g.mean_absolute_error for g in result.groups}
    assert errors["1222"] == 0.0
    assert errors["1206"] == round(4 / 6, 3)
    assert result.groups[0].group == "1206"


@pytest.mark.parametrize("iso, group", [("122203", "1222"), ("12220301", "1222"), ("", ""), (None, "")])
def test_a_product_group_is_the_iso_class_first_four_digits(iso, group):
    assert group_of(iso) == group
