"""Ventetid and NAV figures as pure functions over hand-made rows with known answers: medians and
90th percentiles by urgency, an empty period, a need delivered on the period's last evening, the
needed-by date and the municipality's targets in hours and working days (Easter skipped)."""
from datetime import date, datetime, time, timedelta, timezone

from hjelpemiddel.reports.areas import nav, waiting
from hjelpemiddel.reports.areas.waiting_rows import Decision, DeliveredNeed
from hjelpemiddel.reports.model import Scope
from hjelpemiddel.reports.targets import Target

UTC = timezone.utc
MARCH = Scope(date(2026, 3, 1), date(2026, 4, 1))
TARGETS = {"normal": Target(7, "working_days"), "urgent": Target(24, "hours"), "discharge": Target(24, "hours")}


def need(n: int, days: float, urgency: str = "normal", delivered=datetime(2026, 3, 10, 12, tzinfo=UTC),
         needed_by=date(2026, 3, 20), **more) -> DeliveredNeed:
    return DeliveredNeed(n, urgency, delivered - timedelta(days=days), delivered, needed_by, **more)


def by_key(figures):
    return {figure.key: figure for figure in figures}


def test_medians_and_90th_percentiles_are_split_by_urgency_with_discharges_on_their_own():
    needs = [need(1, 1), need(2, 2), need(3, 3), need(4, 10), need(5, 0.5, "urgent"), need(6, 1.5, "discharge")]
    figures = by_key(waiting.figures(MARCH, needs, TARGETS))
    assert figures["median_all"].value == 1.75 and figures["median_all"].count == 6
    assert figures["median_normal"].value == 2.5
    assert abs(figures["p90_normal"].value - 7.9) < 1e-9  # 3 + 0.7 × (10 − 3)
    assert figures["median_urgent"].value == 0.5 and figures["median_discharge"].value == 1.5


def test_an_empty_period_has_no_value_rather_than_zero():
    figures = waiting.figures(MARCH, [need(1, 2, delivered=datetime(2026, 2, 10, tzinfo=UTC))], TARGETS)
    assert all(figure.value is None for figure in figures)
    assert nav.figures(MARCH, [], [], {})[0].value is None


def test_a_need_delivered_on_the_periods_last_evening_counts_in_it_by_the_oslo_day():
    evening = datetime(2026, 3, 31, 21, 30, tzinfo=UTC)  # 23:30 in Oslo
    past_midnight = datetime(2026, 3, 31, 22, 30, tzinfo=UTC)  # 00:30 on 1 April in Oslo
    figures = by_key(waiting.figures(MARCH, [need(1, 2, delivered=evening), need(2, 4, delivered=past_midnight)], TARGETS))
    assert figures["median_all"].count == 1 and figures["median_all"].value == 2


def test_on_time_is_by_the_end_of_the_needed_by_day_and_a_discharge_by_its_time():
    late_evening = datetime(2026, 3, 20, 22, 30, tzinfo=UTC)  # 23:30 on the 20th in Oslo
    discharge_noon = dict(discharge_date=date(2026, 3, 10), discharge_time=time(12, 0))
    needs = [need(1, 2, delivered=late_evening), need(2, 2, delivered=late_evening + timedelta(hours=1)),
             need(3, 1, "discharge", delivered=datetime(2026, 3, 10, 10, tzinfo=UTC), **discharge_noon),
             need(4, 1, "discharge", delivered=datetime(2026, 3, 10, 12, tzinfo=UTC), **discharge_noon)]
    assert by_key(waiting.figures(MARCH, needs, TARGETS))["on_time"].value == 50.0


def test_targets_count_hours_or_working_days_with_weekends_and_easter_skipped():
    wednesday_before_easter = datetime(2026, 4, 1, 8, tzinfo=UTC)  # Wednesday 1 April; 2–6 April is Easter, so the
    # seventh working day after it is the 15th
    assert waiting.add_working_days(date(2026, 4, 1), 1) == date(2026, 4, 7)
    inside = DeliveredNeed(1, "normal", wednesday_before_easter, datetime(2026, 4, 15, 12, tzinfo=UTC), date(2026, 4, 20))
    outside = DeliveredNeed(2, "normal", wednesday_before_easter, datetime(2026, 4, 16, 12, tzinfo=UTC), date(2026, 4, 20))
    assert waiting.within_target(inside, TARGETS["normal"]) and not waiting.within_target(outside, TARGETS["normal"])
    assert waiting.within_target(need(3, 0.99, "urgent"), TARGETS["urgent"])
    assert not waiting.within_target(need(4, 1.01, "urgent"), TARGETS["urgent"])


def test_the_histogram_and_the_monthly_trend_hold_the_same_needs():
    trend, by_urgency, spread, by_area = waiting.charts(MARCH, [need(1, 0.5, postcode="6509"), need(2, 5, postcode="6509"),
                                                               need(3, 90, postcode="7010")])
    assert spread.series[0].values == (1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0)
    assert trend.labels[-1] == "mar 26" and trend.series[0].values[-1] == 5
    assert by_area.labels == ("65…", "70…") and by_area.series[0].values == (2.75, 90)


def test_decisions_per_week_time_to_decision_and_nav_time_from_sent_to_delivered():
    decided = datetime(2026, 3, 5, 10, tzinfo=UTC)
    decisions = [Decision(1, decided - timedelta(days=2), decided, True),
                 Decision(2, decided - timedelta(days=4), decided, False),
                 Decision(3, decided - timedelta(days=6), decided - timedelta(days=40), True)]  # February's
    long_term = [need(9, 30, application_type="long_term", sent_at=datetime(2026, 2, 20, 12, tzinfo=UTC))]
    figures = by_key(nav.figures(MARCH, decisions, long_term, {"sent": 2, "received": 1}))
    assert abs(figures["decisions_per_week"].value - 2 / (31 / 7)) < 1e-9
    assert figures["approved_share"].value == 50.0 and figures["decision_median"].value == 3.0
    assert figures["nav_median"].value == 18.0 and figures["nav_sent"].value == 3 and figures["nav_waiting"].value == 2
