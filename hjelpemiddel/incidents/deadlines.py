"""When a serious incident must be with the authorities: the next working day after the report.
Pure (dates in, a date out), the one place the rule and the Norwegian public holidays live."""
from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache


def easter_sunday(year: int) -> date:
    """Western Easter (the anonymous Gregorian computus), which the moving holidays hang on."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    weekday_shift = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 19 * weekday_shift) // 433
    month = (h + weekday_shift - 7 * m + 90) // 25
    day = (h + weekday_shift - 7 * m + 33 * month + 19) % 32
    return date(year, month, day)


@lru_cache(maxsize=64)
def public_holidays(year: int) -> frozenset[date]:
    """Norway's public holidays on weekdays or not (a Sunday holiday changes nothing here)."""
    easter = easter_sunday(year)
    moving = {easter + timedelta(days=offset) for offset in (
        -3,   # skjærtorsdag
        -2,   # langfredag
        1,    # 2. påskedag
        39,   # Kristi himmelfartsdag
        50,   # 2. pinsedag
    )}
    fixed = {date(year, 1, 1), date(year, 5, 1), date(year, 5, 17), date(year, 12, 25), date(year, 12, 26)}
    return frozenset(moving | fixed)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in public_holidays(day.year)


def authority_deadline(reported_on: date) -> date:
    """The next working day after ``reported_on`` (a report on a Friday is due on Monday, one on
    skjærtorsdag on the Tuesday after Easter)."""
    day = reported_on + timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day
