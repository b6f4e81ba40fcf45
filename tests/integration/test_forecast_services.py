"""The forecast gathered from a history built through the real services."""
from datetime import datetime, time, timedelta

from hjelpemiddel.catalog.services import create_product
from hjelpemiddel.core.db import LOCAL_ZONE
from hjelpemiddel.forecast import services as forecast
from hjelpemiddel.lending import services as lending
from hjelpemiddel.stock.models import Device, DeviceEvent

from .desk import TODAY, TOMORROW


def lend_for(session, desk, name: str, days: int, product=None):
    """A unit of ``product`` registered, reserved for a new need of ``name`` and handed over for ``days`` days."""
    desk.units(1, product=product)
    need = desk.need(desk.citizen(name), product=product)
    [barcode] = desk.reserved(need)
    return lending.hand_over(session, desk.lager.id, barcode, need_id=need.id, loan_days=days)


def _barcode(session, loan) -> str:
    return session.get(Device, loan.device_id).barcode


def one(session, product, days: int = 10):
    [result] = forecast.forecast_products(session, product_id=product.id, days=days)
    return result


def test_a_waiting_need_is_short_until_a_loan_comes_back(session, desk, rollator):
    lend_for(session, desk, "Astrid Olsen", 5)
    waiting = desk.need(desk.citizen("Per Hansen"))
    result = one(session, rollator)
    assert [day.shortfall for day in result.series][:6] == [False, True, True, True, True, False]
    assert [need.need_id for need in result.series[1].needs_affected] == [waiting.id]
    assert result.series[5].outgoing == 1
    assert result.first_shortfall == TOMORROW


def at(days_ago: int) -> datetime:
    return datetime.combine(TODAY - timedelta(days=days_ago), time(10), tzinfo=LOCAL_ZONE)


def returned_and_readied(session, device, received_days_ago: int, available_days_ago: int) -> None:
    """A past trip through the return flow, as the history holds it (the history only grows)."""
    for when, from_state, to_state in ((received_days_ago, "returned", "cleaning"),
                                       (received_days_ago, "cleaning", "inspection"),
                                       (available_days_ago, "inspection", "available")):
        session.add(DeviceEvent(device_id=device.id, occurred_at=at(when), kind="state_changed",
                                from_state=from_state, to_state=to_state))
    session.flush()


def test_a_unit_received_today_is_back_on_the_shelf_after_the_median_turnaround(session, desk, rollator):
    [done, also_done] = desk.units(2)
    returned_and_readied(session, done, 20, 17)
    returned_and_readied(session, also_done, 40, 37)
    loan = lend_for(session, desk, "Astrid Olsen", 30)
    lending.receive_at_depot(session, desk.lager.id, _barcode(session, loan))
    result = one(session, rollator)
    assert result.turnaround_days == 3
    assert [day.available for day in result.series][:5] == [2, 2, 2, 3, 3]


def test_loans_of_a_product_that_are_always_extended_are_not_expected_back(session, desk, rollator):
    old = lend_for(session, desk, "Astrid Olsen", 10)
    lending.extend_loan(session, desk.lager.id, old.id, TODAY + timedelta(days=40), "trenger lenger")
    lending.receive_at_depot(session, desk.lager.id, _barcode(session, old))
    lend_for(session, desk, "Per Hansen", 3)
    result = one(session, rollator)
    assert result.behaviour.extended_share == 1.0
    assert result.series[-1].available == 1  # the received unit only, once readied


def test_a_need_for_an_iso_class_waits_for_every_product_in_it_and_counts_once_for_the_class(session, desk, rollator):
    other = create_product(session, hms_nr="654321", name="Rollator Dolomite", iso_class="120606")
    need = lending.register_need(session, desk.therapist.id, "terapeut", desk.citizen("Kari Nilsen").id, TOMORROW,
                                 "urgent", "short_term", iso_class="120606")
    lending.decide_need(session, desk.lager.id, "lager", need.id, "approve")
    products = forecast.forecast_products(session, iso_class="1206", days=5)
    assert {f.product.id for f in products} == {rollator.id, other.id}
    assert all(f.first_shortfall == TOMORROW for f in products)
    whole = forecast.forecast_iso_class(session, "1206", days=5)
    assert [n.need_id for n in whole.series[1].needs_affected] == [need.id]
    desk.units(1, product=other)
    whole = forecast.forecast_iso_class(session, "1206", days=5)
    assert whole.first_shortfall is None


def test_the_number_of_statements_does_not_grow_with_products_units_or_needs(session, desk, rollator, count_queries):
    lend_for(session, desk, "Astrid Olsen", 5)
    with count_queries as small:
        forecast.forecast_products(session, days=30)
        forecast.backtest_forecast(session, days=30)
    few = len(small.statements)
    for n in range(3):
        product = create_product(session, hms_nr=f"77000{n}", name=f"Seng {n}", iso_class="181218")
        lend_for(session, desk, f"Citizen {n}", 3 + n, product=product)
        desk.units(2, product=product)
        desk.need(desk.citizen(f"Waiting {n}"), product=product)
    with count_queries as large:
        forecasts = forecast.forecast_products(session, days=30)
        forecast.backtest_forecast(session, days=30)
    assert len(large.statements) == few
    assert len(forecasts) == 4


def test_the_backtest_compares_the_forecast_of_a_past_day_with_what_happened(session, desk, rollator):
    [unit] = desk.units(1)
    returned_and_readied(session, unit, 8, 3)
    result = forecast.backtest_forecast(session, days=10)
    assert result.as_of == TODAY - timedelta(days=10)
    [product] = result.products
    assert product.actual[-1] == 1
    assert [group.group for group in result.groups] == ["1206"]
    assert result.groups[0].mean_absolute_error >= 0


def test_a_need_for_a_long_term_loan_waits_for_nav_s_units_not_the_municipality_s(session, desk, rollator):
    desk.units(1)
    need = lending.register_need(session, desk.therapist.id, "terapeut", desk.citizen("Kari Nilsen").id, TOMORROW,
                                 "normal", "long_term", product_id=rollator.id)
    need.status = "approved"  # as if NAV's unit were to come from the depot's own NAV stock
    session.flush()
    result = one(session, rollator, days=3)
    assert [day.available for day in result.series] == [1, 1, 1]
    assert [n.need_id for n in result.series[1].needs_affected] == [need.id]
