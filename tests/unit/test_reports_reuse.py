"""Gjenbruk's figures as pure functions over hand-made counts: reuse by count and by value, an empty
period, scrapping by reason, the turnaround median per group, utilisation and idle units."""
from datetime import date

from hjelpemiddel.reports.areas import reuse
from hjelpemiddel.reports.areas.reuse_rows import DeliveryCount, GroupDays, GroupUse
from hjelpemiddel.reports.model import Scope

YEAR = Scope(date(2026, 1, 1), date(2027, 1, 1))


def by_key(figures):
    return {figure.key: figure for figure in figures}


def test_reuse_is_counted_by_deliveries_and_weighed_by_replacement_value():
    deliveries = [DeliveryCount(11, 4, 3, 40_000, 10_000, 4, True), DeliveryCount(10, 9, 0, 0, 0, 0, False)]
    figures = by_key(reuse.figures(YEAR, deliveries, {}, [], [], 0))
    assert figures["deliveries"].value == 4 and figures["reuse_share"].value == 75.0
    assert figures["reuse_value_share"].value == 25.0 and figures["reuse_value_share"].count == 4


def test_an_empty_period_has_no_value_but_idle_units_are_a_count_now():
    figures = by_key(reuse.figures(YEAR, [], {}, [], [], 0))
    assert all(figures[key].value is None for key in ("deliveries", "reuse_share", "reuse_value_share", "scrapped",
                                                       "turnaround", "utilisation"))
    assert figures["idle"].value == 0


def test_scrapping_turnaround_and_utilisation():
    trips = [GroupDays("1206", 2.0, 3), GroupDays("1206", 10.0, 1), GroupDays("1812", 5.0, 1)]
    use = [GroupUse("1206", 100.0, 400.0), GroupUse("1812", 50.0, 100.0)]
    figures = by_key(reuse.figures(YEAR, [], {"Slitt": 2, "Ikke oppgitt": 1}, trips, use, 7))
    assert figures["scrapped"].value == 3 and figures["turnaround"].value == 2.0
    assert figures["utilisation"].value == 30.0 and figures["idle"].value == 7
    trend, scrapping, turnaround, utilisation = reuse.charts(YEAR, [], {"Slitt": 2, "Ikke oppgitt": 1}, trips, use)
    assert scrapping.labels == ("Slitt", "Ikke oppgitt") and scrapping.series[0].values == (2.0, 1.0)
    assert turnaround.labels[0] == "Ganghjelpemidler for begge armer" and turnaround.series[0].values == (2.0, 5.0)
    assert utilisation.series[0].values == (25.0, 50.0)
    assert trend.series[0].values == (None,) * 12
