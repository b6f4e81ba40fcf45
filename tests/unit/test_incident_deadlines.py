"""The authorities' deadline for a serious incident: the next working day, Norwegian holidays skipped."""
from datetime import date

import pytest

from hjelpemiddel.incidents.deadlines import authority_deadline, easter_sunday, is_working_day, public_holidays


@pytest.mark.parametrize("year,easter", [(2024, date(2024, 3, 31)), (2025, date(2025, 4, 20)),
                                         (2026, date(2026, 4, 5)), (2027, date(2027, 3, 28)),
                                         (2038, date(2038, 4, 25))])
def test_easter_sunday_is_computed_for_any_year(year, easter):
    assert easter_sunday(year) == easter


def test_the_holidays_of_2026_are_the_fixed_ones_and_those_that_follow_easter():
    assert public_holidays(2026) == {
        date(2026, 1, 1), date(2026, 4, 2), date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 1),
        date(2026, 5, 14), date(2026, 5, 17), date(2026, 5, 25), date(2026, 12, 25), date(2026, 12, 26)}


@pytest.mark.parametrize("reported,due", [
    (date(2026, 12, 1), date(2026, 12, 2)),    # Tuesday → Wednesday
    (date(2026, 12, 4), date(2026, 12, 7)),    # Friday → Monday, over the weekend
    (date(2026, 12, 5), date(2026, 12, 7)),    # Saturday → Monday
    (date(2026, 12, 6), date(2026, 12, 7)),    # Sunday → Monday
    (date(2026, 4, 1), date(2026, 4, 7)),      # Wednesday before Easter → Tuesday after 2. påskedag
    (date(2026, 4, 2), date(2026, 4, 7)),      # skjærtorsdag
    (date(2026, 5, 13), date(2026, 5, 15)),    # before Kristi himmelfartsdag → Friday
    (date(2026, 5, 22), date(2026, 5, 26)),    # Friday before 2. pinsedag → Tuesday
    (date(2026, 12, 24), date(2026, 12, 28)),  # julaften → past 1. and 2. juledag and the weekend
    (date(2026, 12, 31), date(2027, 1, 4)),    # nyttårsaften → past 1 January and the weekend
    (date(2027, 4, 30), date(2027, 5, 3)),     # 1 May on a Saturday
])
def test_the_deadline_is_the_next_working_day_after_the_report(reported, due):
    assert authority_deadline(reported) == due


def test_a_may_17_on_a_weekday_is_no_working_day():
    assert not is_working_day(date(2027, 5, 17)) and is_working_day(date(2027, 5, 18))
