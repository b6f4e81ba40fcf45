"""Failure figures from a hand-made history with known answers: the loan-months are the loans cut to
the period (a loan across its start, one still open at its end, a stay at the depot for repair between),
repairs are those opened in the period, per product and ISO class."""
from datetime import date, datetime

import pytest

from hjelpemiddel.catalog.services import create_product
from hjelpemiddel.core.db import LOCAL_ZONE
from hjelpemiddel.maintenance import services
from hjelpemiddel.maintenance.models import RepairOrder
from hjelpemiddel.maintenance.services.failures import MONTH_DAYS
from hjelpemiddel.stock.models import DeviceEvent
from hjelpemiddel.stock.services import register_device

JANUARY = (date(2026, 1, 1), date(2026, 1, 31))


def at(day: int, month: int = 1, year: int = 2026) -> datetime:
    return datetime(year, month, day, tzinfo=LOCAL_ZONE)


@pytest.fixture
def history(session, actor, depot, rollator):
    """Rollators: one lent 1 Dec – 16 Jan (15 days of January), one lent from 11 Jan and still out
    (21 days), one taken in for repair 20–25 Jan from a loan begun 1 Jan (19 + 7 = 26 days): 62 days.
    A bed: lent 1–3 Jan (2 days). Repairs: two rollator batteries and a wheel in January, one in December."""
    bed = create_product(session, hms_nr="654321", name="Elektrisk seng", iso_class="181210")

    def unit(product, *steps):
        device = register_device(session, actor.id, product.id, location_code="A-01-2")
        for moment, from_state, to_state in steps:
            session.add(DeviceEvent(device_id=device.id, kind="test", occurred_at=moment, from_state=from_state,
                                    to_state=to_state))
        return device

    first = unit(rollator, (at(1, 12, 2025), "reserved", "on_loan"), (at(10, 1), "on_loan", "on_loan"),
                 (at(16), "on_loan", "awaiting_pickup"))
    unit(rollator, (at(11), "out_for_delivery", "on_loan"))
    third = unit(rollator, (at(1), "reserved", "on_loan"), (at(20), "on_loan", "in_repair"),
                 (at(25), "in_repair", "on_loan"))
    unit(bed, (at(1), "reserved", "on_loan"), (at(3), "on_loan", "awaiting_pickup"))
    for device, when, cause in [(first, at(5), "battery"), (third, at(20), "battery"), (third, at(21), "wheels"),
                                (first, at(5, 12, 2025), "motor")]:
        session.add(RepairOrder(device_id=device.id, place="depot", status="done", description="x", cause=cause,
                                created_at=when))
    session.flush()
    return rollator, bed


def test_loan_months_and_repairs_in_the_period_give_the_known_rate(session, history):
    rollator, bed = history
    figures = services.failure_figures(session, *JANUARY, min_loan_months=1)
    [walker] = [f for f in figures if f.product_id == rollator.id]
    assert walker.repairs == 3
    assert walker.loan_months == round(62 / MONTH_DAYS, 1)
    assert walker.repairs_per_100_loan_months == round(100 * 3 / (62 / MONTH_DAYS), 1)
    assert [(c.cause, c.count) for c in walker.top_causes] == [("battery", 2), ("wheels", 1)]
    [bed_figure] = [f for f in figures if f.product_id == bed.id]
    assert bed_figure.loan_months == round(2 / MONTH_DAYS, 1) and bed_figure.repairs_per_100_loan_months is None
    assert figures[0].product_id == rollator.id


def test_an_iso_class_or_a_product_narrows_the_figures(session, history):
    rollator, bed = history
    assert [f.product_id for f in services.failure_figures(session, *JANUARY, iso_class="12 06")] == [rollator.id]
    assert [f.product_id for f in services.failure_figures(session, *JANUARY, product_id=bed.id)] == [bed.id]


def test_a_period_with_nothing_in_it_has_no_figures(session, history):
    assert services.failure_figures(session, date(2024, 1, 1), date(2024, 12, 31)) == []


def test_a_period_ending_before_it_starts_is_refused(session):
    from hjelpemiddel.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        services.failure_figures(session, date(2026, 2, 1), date(2026, 1, 1))


def test_the_figures_take_the_same_few_statements_however_many_units_and_loans(session, actor, history,
                                                                                count_queries):
    rollator, bed = history
    with count_queries as small:
        services.failure_figures(session, *JANUARY)
    for n in range(5):
        device = register_device(session, actor.id, bed.id if n % 2 else rollator.id, location_code="A-01-2")
        session.add_all([DeviceEvent(device_id=device.id, kind="test", occurred_at=at(2 + n), from_state="reserved",
                                     to_state="on_loan"),
                         RepairOrder(device_id=device.id, place="home", status="done", description="x",
                                     cause="brakes", created_at=at(3 + n))])
    session.flush()
    with count_queries as large:
        services.failure_figures(session, *JANUARY)
    assert len(large.statements) == len(small.statements) <= 4
