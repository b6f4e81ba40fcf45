"""What a wait is (reports.waits) and the ventetid and NAV figures as pure functions over hand-made
counted buckets with known answers: medians and 90th percentiles by urgency, an empty period, the
needed-by date and a discharge's time, working days with Easter skipped, the histogram."""
from datetime import date, datetime, time, timedelta, timezone

import pytest

from hjelpemiddel.reports.areas import nav, waiting
from hjelpemiddel.reports.areas.waiting_rows import DayCount, DecisionBucket, WaitBucket
from hjelpemiddel.reports.model import Scope
from hjelpemiddel.reports.targets import Target
from hjelpemiddel.reports.waits import add_working_days, wait_values, working_day_of, working_days_between

UTC = timezone.utc
MARCH = Scope(date(2026, 3, 1), date(2026, 4, 1))
TARGETS = {"normal": Target(7, "working_days"), "urgent": Target(24, "hours"), "discharge": Target(24, "hours")}


def by_key(figures):
    return {figure.key: figure for figure in figures}


def values(registered, delivered, urgency="normal", needed_by=date(2026, 3, 20), **more):
    return wait_values(urgency, more.pop("application_type", "short_term"), registered, delivered, needed_by,
                       more.get("discharge_date"), more.get("discharge_time"), more.get("sent_at"))


def test_medians_and_90th_percentiles_are_split_by_urgency_with_discharges_on_their_own():
    buckets = [WaitBucket("normal", 1.0, 1), WaitBucket("normal", 2.0, 1), WaitBucket("normal", 3.0, 1),
               WaitBucket("normal", 10.0, 1), WaitBucket("urgent", 0.5, 1), WaitBucket("discharge", 1.5, 1)]
    figures = by_key(waiting.figures(buckets, TARGETS))
    assert figures["median_all"].value == 1.75 and figures["median_all"].count == 6
    assert figures["median_normal"].value == 2.5
    assert abs(figures["p90_normal"].value - 7.9) < 1e-9  # 3 + 0.7 × (10 − 3)
    assert figures["median_urgent"].value == 0.5 and figures["median_discharge"].value == 1.5


def test_a_bucket_of_several_needs_weighs_as_many():
    figures = by_key(waiting.figures([WaitBucket("normal", 1.0, 3), WaitBucket("normal", 9.0, 1)], TARGETS))
    assert figures["median_all"].value == 1.0 and figures["median_all"].count == 4


def test_an_empty_period_has_no_value_rather_than_zero():
    assert all(figure.value is None for figure in waiting.figures([], TARGETS))
    assert all(figure.value is None for figure in nav.figures(MARCH, [], [], {}))
    assert waiting.spread([]) is None


def test_the_oslo_day_decides_when_a_need_was_delivered():
    evening = values(datetime(2026, 3, 29, 8, tzinfo=UTC), datetime(2026, 3, 31, 21, 30, tzinfo=UTC))
    past_midnight = values(datetime(2026, 3, 29, 8, tzinfo=UTC), datetime(2026, 3, 31, 22, 30, tzinfo=UTC))
    assert evening["delivered_on"] == date(2026, 3, 31) and past_midnight["delivered_on"] == date(2026, 4, 1)
    assert evening["waiting_minutes"] == 2 * 1440 + 13 * 60 + 30


def test_on_time_is_by_the_end_of_the_needed_by_day_and_a_discharge_by_its_time():
    registered = datetime(2026, 3, 18, 8, tzinfo=UTC)
    assert values(registered, datetime(2026, 3, 20, 22, 30, tzinfo=UTC))["on_time"]  # 23:30 in Oslo
    assert not values(registered, datetime(2026, 3, 20, 23, 30, tzinfo=UTC))["on_time"]  # 00:30 the next day
    noon = dict(urgency="discharge", discharge_date=date(2026, 3, 10), discharge_time=time(12, 0))
    assert values(registered, datetime(2026, 3, 10, 11, tzinfo=UTC), **noon)["on_time"]  # 12:00 in Oslo
    assert not values(registered, datetime(2026, 3, 10, 11, 1, tzinfo=UTC), **noon)["on_time"]


def test_working_days_skip_weekends_and_easter():
    assert add_working_days(date(2026, 4, 1), 1) == date(2026, 4, 7)  # 2–6 April 2026 is Easter
    assert working_days_between(date(2026, 4, 1), date(2026, 4, 15)) == 7
    assert working_days_between(date(2026, 3, 6), date(2026, 3, 9)) == 1  # Friday to Monday
    assert working_days_between(date(2026, 3, 9), date(2026, 3, 9)) == 0


def test_nav_time_counts_only_for_long_term_loans_sent_to_nav():
    sent = datetime(2026, 2, 20, 12, tzinfo=UTC)
    assert values(sent, sent + timedelta(days=18), application_type="long_term", sent_at=sent)["nav_minutes"] == 18 * 1440
    assert values(sent, sent + timedelta(days=18), sent_at=sent)["nav_minutes"] is None


def test_on_time_and_target_shares_come_from_the_counted_buckets():
    buckets = [WaitBucket("normal", 2.0, 4, on_time=3, within_target=4), WaitBucket("urgent", 2.0, 1, 0, 0)]
    figures = by_key(waiting.figures(buckets, TARGETS))
    assert figures["on_time"].value == 60.0 and figures["target"].value == 80.0
    assert "vanlig innen 7 virkedager" in figures["target"].how and "haster innen 24 timer" in figures["target"].how


def test_the_histogram_the_monthly_trend_and_the_areas():
    buckets = [WaitBucket("normal", 0.5, 1), WaitBucket("normal", 5.0, 1), WaitBucket("urgent", 90.0, 1)]
    by_month = [DayCount(11, 0.5, 1), DayCount(11, 5.0, 1), DayCount(10, 90.0, 1)]
    by_area = [DayCount("65", 0.5, 1), DayCount("65", 5.0, 1), DayCount("70", 90.0, 1)]
    trend, by_urgency, spread, per_area = waiting.charts(MARCH, buckets, by_month, by_area)
    assert spread.series[0].values == (1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0)
    assert trend.labels[-1] == "mar 26" and trend.series[0].values[-1] == 2.75 and trend.series[0].values[-2] == 90
    assert per_area.labels == ("65…", "70…") and per_area.series[0].values == (2.75, 90)
    assert by_urgency.series[0].values == (2.75, 90.0, None)


def test_decisions_per_week_time_to_decision_and_nav_time_from_sent_to_delivered():
    decisions = [DecisionBucket(11, True, 2.0, 1, 1), DecisionBucket(11, False, 4.0, 1, 1),
                 DecisionBucket(10, True, 6.0, 1, 0)]  # February's: in the chart, not in March's figures
    figures = by_key(nav.figures(MARCH, decisions, [DayCount(None, 18.0, 1)], {"sent": 2, "received": 1}))
    assert abs(figures["decisions_per_week"].value - 2 / (31 / 7)) < 1e-9
    assert figures["approved_share"].value == 50.0 and figures["decision_median"].value == 3.0
    assert figures["nav_median"].value == 18.0 and figures["nav_sent"].value == 3 and figures["nav_waiting"].value == 2
    decided, _trend, standing = nav.charts(MARCH, decisions, [], {"sent": 2, "received": 1})
    assert decided.series[0].values[-2:] == (1.0, 1.0) and decided.series[1].values[-1] == 1.0
    assert standing.labels == ("Sendt til NAV", "Mottatt fra NAV") and standing.series[0].values == (2.0, 1.0)


@pytest.mark.parametrize("delivered,expected", [(date(2026, 3, 2), 0), (date(2026, 3, 3), 1), (date(2026, 3, 6), 4),
                                                (date(2026, 3, 7), 5), (date(2026, 3, 9), 5), (date(2026, 3, 10), 6)])
def test_a_delivery_on_the_weekend_after_the_target_day_counts_as_the_next_working_days(delivered, expected):
    # registered Monday 2 March: a target of 4 working days ends with Friday the 6th; Saturday is late
    assert working_day_of(date(2026, 3, 2), delivered) == expected
    assert (working_day_of(date(2026, 3, 2), delivered) <= 4) == (delivered <= add_working_days(date(2026, 3, 2), 4))
