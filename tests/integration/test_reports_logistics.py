"""Logistikk gathered from the database: finished runs and their visits counted in SQL, a failed visit's
reason from its units, the postcode-area and product-group filters, discharge needs, and the rows behind
each figure."""
from datetime import date, datetime, time, timezone

import pytest

from hjelpemiddel.catalog.services import create_product
from hjelpemiddel.core.errors import NotFound
from hjelpemiddel.lending.models import Need
from hjelpemiddel.logistics.models import DeliveryRun, Stop, StopItem
from hjelpemiddel.reports.areas import logistics
from hjelpemiddel.reports.model import Scope
from hjelpemiddel.stock.services import register_device

MARCH = Scope(date(2026, 3, 1), date(2026, 4, 1))


@pytest.fixture
def history(session, actor, depot, rollator, make_citizen):
    """Two finished runs in March (one on the 1st, one on the 31st), one in April and one still planned
    in March. Run 1: a rollator delivered in 6509, a bed not home in 7000; run 2: a rollator refused in
    6509 and one not visited; run 3 (April) one visit done."""
    bed = create_product(session, hms_nr=None, name="Seng", iso_class="181210")
    citizen = make_citizen()
    units = [register_device(session, actor.id, rollator.id, location_code="A-01-2") for _ in range(5)]
    bed_unit = register_device(session, actor.id, bed.id, location_code="A-01-2")

    def run(day, status="finished", start=None, end=None):
        made = DeliveryRun(run_date=day, status=status, odometer_start=start, odometer_end=end)
        session.add(made)
        session.flush()
        return made

    def visit(made, postcode, status, unit, outcome, action="deliver"):
        stop = Stop(run_id=made.id, citizen_id=citizen.id, address="Storgata 1", postcode=postcode, status=status)
        session.add(stop)
        session.flush()
        session.add(StopItem(stop_id=stop.id, device_id=unit.id, action=action, outcome=outcome, active=False))
        session.flush()
        return stop

    first = run(date(2026, 3, 1), start=1000, end=1040)
    visit(first, "6509", "done", units[0], "delivered")
    visit(first, "7000", "failed", bed_unit, "not_home")
    last = run(date(2026, 3, 31), start=500, end=560)
    visit(last, "6509", "failed", units[1], "refused")
    visit(last, "6510", "failed", units[2], "not_visited")
    visit(run(date(2026, 4, 1), start=0, end=999), "6509", "done", units[3], "delivered")
    visit(run(date(2026, 3, 15), status="planned"), "6509", "open", units[4], None)

    def need(discharge_day, by, delivered, product=rollator, status="on_loan"):
        session.add(Need(citizen_id=citizen.id, product_id=product.id, quantity=1, needed_by=discharge_day,
                         urgency="discharge", urgency_rank=0, discharge_date=discharge_day, discharge_time=by,
                         delivery_address="", application_type="short_term", status=status,
                         registered_by_id=actor.id, delivered_at=delivered))
    need(date(2026, 3, 1), None, datetime(2026, 3, 1, 22, 30, tzinfo=timezone.utc))      # 23:30 Oslo: in time
    need(date(2026, 3, 31), time(12), datetime(2026, 3, 31, 10, 30, tzinfo=timezone.utc))  # 12:30 Oslo: late
    need(date(2026, 3, 20), None, None, product=bed)                                      # never delivered
    need(date(2026, 3, 20), None, None, status="cancelled")
    need(date(2026, 4, 1), None, None)
    session.flush()
    return first, last


def figures_of(session, scope):
    return {f.key: (f.value, f.count) for f in logistics.build(session, scope).figures}


def test_finished_runs_of_the_period_and_their_visits_give_the_figures(session, history):
    got = figures_of(session, MARCH)
    assert got["stops_per_run"] == (pytest.approx(1.5), 2)
    assert got["failed_visits"] == (2.0, 3)
    assert got["failed_share"] == (pytest.approx(200 / 3), 3)
    assert got["not_visited"] == (1.0, 2)
    assert got["km_per_stop"] == (pytest.approx(100 / 3), 2)
    assert got["discharge_on_time"] == (pytest.approx(100 / 3), 3)


def test_the_postcode_area_counts_only_its_visits_but_km_per_stop_reads_every_run(session, history):
    got = figures_of(session, Scope(MARCH.start, MARCH.end, postcode_area="650"))
    assert got["stops_per_run"] == (pytest.approx(1.0), 2)       # run 1: 6509 done; run 2: 6509 refused
    assert got["failed_share"] == (pytest.approx(50.0), 2)
    assert got["not_visited"] == (0.0, 2)                         # 6510 was not visited, but run 2 counts
    assert got["km_per_stop"] == (pytest.approx(100 / 3), 2)
    assert figures_of(session, Scope(MARCH.start, MARCH.end, postcode_area="9"))["stops_per_run"] == (None, 0)


def test_the_product_group_counts_visits_with_a_unit_of_the_group(session, history):
    got = figures_of(session, Scope(MARCH.start, MARCH.end, product_group="18"))
    assert got["stops_per_run"] == (pytest.approx(1.0), 1)
    assert got["failed_share"] == (pytest.approx(100.0), 1)
    assert got["discharge_on_time"] == (pytest.approx(0.0), 1)


def test_an_empty_period_has_no_values(session, history):
    got = figures_of(session, Scope(date(2025, 1, 1), date(2025, 2, 1)))
    assert all(value is None for value, _count in got.values())


def test_charts_give_the_month_of_the_runs_and_the_failed_reasons(session, history):
    charts = {c.key: c for c in logistics.build(session, MARCH).charts}
    assert charts["stops_per_run_monthly"].series[0].values[-1] == pytest.approx(1.5)
    assert charts["failed_by_reason"].series[0].values == (pytest.approx(100 / 3), pytest.approx(100 / 3))
    assert charts["km_per_stop_monthly"].series[0].values[-1] == pytest.approx(100 / 3)


def test_the_rows_behind_the_figures_name_runs_visits_and_needs(session, history):
    first, last = history
    runs = logistics.rows(session, MARCH, "stops_per_run", 1)
    assert runs.total == 2 and [row[:6] for row in runs.rows] == [
        (first.id, date(2026, 3, 1), 1, 1, 0, 0), (last.id, date(2026, 3, 31), 0, 0, 1, 1)]
    failed = logistics.rows(session, MARCH, "failed_share", 1)
    assert [(row[3], row[4]) for row in failed.rows] == [("7000", "Ikke hjemme"), ("6509", "Avvist")]
    assert [row[4] for row in logistics.rows(session, MARCH, "not_visited", 1).rows] == ["Ikke rukket"]
    assert [row[4] for row in logistics.rows(session, MARCH, "km_per_stop", 1).rows] == [40, 60]
    needs = logistics.rows(session, MARCH, "discharge_on_time", 1)
    assert [row[-1] for row in needs.rows] == ["Ja", "Nei", "Nei"]


def test_an_unknown_figure_has_no_rows(session, history):
    with pytest.raises(NotFound):
        logistics.rows(session, MARCH, "nope", 1)


def test_the_rows_come_fifty_to_a_page_and_a_page_too_far_gives_the_last(session):
    session.add_all([DeliveryRun(run_date=date(2026, 3, 1 + n % 28), status="finished") for n in range(55)])
    session.flush()
    first = logistics.rows(session, MARCH, "stops_per_run", 1)
    assert (first.total, len(first.rows), first.per_page) == (55, 50, 50)
    beyond = logistics.rows(session, MARCH, "stops_per_run", 9)
    assert (beyond.page, len(beyond.rows)) == (2, 5)
    assert first.columns[:2] == ("Runde", "Dato")
