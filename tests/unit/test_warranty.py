"""The warranty rule: two years from delivery, three for electric wheelchairs (ISO 12 23 …); the last
day is the day before the anniversary; claims go to NAV for NAV's units, else to the supplier."""
from datetime import date

import pytest

from hjelpemiddel.maintenance.warranty import UNKNOWN_SUPPLIER, warranty_for


@pytest.mark.parametrize("iso_class, years, last_day", [
    ("122303", 2 + 1, date(2027, 2, 28)),   # electric wheelchair: three years
    ("12 23 06", 3, date(2027, 2, 28)),     # typed with spaces, still class 12 23
    ("122203", 2, date(2026, 2, 28)),       # manual wheelchair: two
    ("120606", 2, date(2026, 2, 28)),       # rollator: two
])
def test_electric_wheelchairs_have_three_years_and_everything_else_two(iso_class, years, last_day):
    warranty = warranty_for(date(2024, 3, 1), iso_class, "kommune", "Invacare", today=date(2025, 1, 1))
    assert (warranty.years, warranty.until) == (years, last_day)


def test_the_last_day_is_still_under_warranty_and_the_next_is_not():
    def on(today):
        return warranty_for(date(2024, 3, 1), "120606", "kommune", "Invacare", today=today).under_warranty

    assert on(date(2026, 2, 28)) is True
    assert on(date(2026, 3, 1)) is False


def test_a_unit_delivered_on_a_leap_day_has_warranty_through_the_28th_of_february():
    two = warranty_for(date(2024, 2, 29), "120606", "kommune", "X", today=date(2026, 2, 28))
    assert two.until == date(2026, 2, 28) and two.under_warranty
    assert not warranty_for(date(2024, 2, 29), "120606", "kommune", "X", today=date(2026, 3, 1)).under_warranty
    four = warranty_for(date(2024, 2, 29), "122303", "kommune", "X", today=date(2027, 3, 1))
    assert four.until == date(2027, 2, 28) and not four.under_warranty


def test_claims_go_to_nav_for_nav_units_and_to_the_supplier_or_unknown_for_the_municipality():
    day = date(2026, 1, 1)
    assert warranty_for(day, "120606", "nav", "Invacare", today=day).claim_to == "NAV"
    assert warranty_for(day, "120606", "kommune", "Invacare", today=day).claim_to == "Invacare"
    assert warranty_for(day, "120606", "kommune", "  ", today=day).claim_to == UNKNOWN_SUPPLIER


def test_the_text_says_until_when_and_to_whom_or_when_it_ran_out():
    under = warranty_for(date(2025, 6, 1), "120606", "kommune", "Etac", today=date(2026, 1, 1))
    assert under.text == "Garanti: ja, til 31.05.2027 – krav rettes til Etac"
    over = warranty_for(date(2020, 6, 1), "120606", "kommune", "Etac", today=date(2026, 1, 1))
    assert over.text == "Ingen garanti (utløpt 31.05.2022)"
