"""Vedlikehold gathered from the database: a periodic inspection keeps the due date it answered and is
on time when done by that Oslo day, units overdue now and at the period's end, repairs by place and
incidents by injury with the product-group and postcode-area filters, and the rows behind each figure."""
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from alembic import command

from hjelpemiddel.catalog.services import create_product
from hjelpemiddel.cli import alembic_config
from hjelpemiddel.core.db import make_engine
from hjelpemiddel.core.text import local_today
from hjelpemiddel.incidents.models import Incident
from hjelpemiddel.logistics.models import Stop
from hjelpemiddel.maintenance import services as maintenance
from hjelpemiddel.maintenance.models import Inspection, InspectionDue, RepairOrder
from hjelpemiddel.reports.areas import upkeep
from hjelpemiddel.reports.model import Scope
from hjelpemiddel.stock.services import register_device

from ..support import fresh_database_url
from .test_periodic_inspection import add_months, all_ok, make_overdue

MARCH = Scope(date(2026, 3, 1), date(2026, 4, 1))


def utc(day: int, hour: int, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=timezone.utc)


def figures_of(session, scope):
    return {f.key: (f.value, f.count) for f in upkeep.build(session, scope).figures}


def test_a_periodic_inspection_keeps_the_due_date_it_answered_and_is_late_after_it(session, actor, depot):
    lift = create_product(session, hms_nr="200100", name="Personløfter", iso_class="123603")
    maintenance.save_plan(session, actor.id, {"iso_prefix": "1236", "name": "Personløftere", "interval_months": 6,
                                              "after_each_loan": False, "checklist": "lift"})
    unit = register_device(session, actor.id, lift.id, location_code="A-01-2")
    first = maintenance.record_periodic_inspection(session, actor.id, unit.barcode, all_ok())
    assert first.due_on == add_months(local_today(), 6)
    overdue_since = make_overdue(session, unit.barcode, days=3)
    assert figures_of(session, Scope(local_today(), local_today() + timedelta(days=1)))["overdue_now"] == (1.0, 1)
    second = maintenance.record_periodic_inspection(session, actor.id, unit.barcode, all_ok())
    assert second.due_on == overdue_since
    month = Scope(local_today().replace(day=1), add_months(local_today().replace(day=1), 1))
    got = figures_of(session, month)
    assert got["inspections_on_time"] == (pytest.approx(50.0), 2) and got["inspections_late"] == (1.0, 2)
    assert got["overdue_now"] == (0.0, 0)
    late = upkeep.rows(session, month, "inspections_late", 1)
    assert [(row[0], row[5]) for row in late.rows] == [(second.id, "Nei")]


@pytest.fixture
def history(session, actor, depot, rollator, make_citizen):
    """Rollators A, B, C and a bed D. Inspections at the Oslo midnight of 10/11 March; A overdue since
    15 March with nothing since, B inspected in May against 20 March, C inspected in March since; repairs
    at the depot and at home (postcode 6509); incidents in March."""
    bed = create_product(session, hms_nr=None, name="Seng", iso_class="181210")
    a, b, c = (register_device(session, actor.id, rollator.id, location_code="A-01-2") for _ in range(3))
    d = register_device(session, actor.id, bed.id, location_code="A-01-2")

    def inspected(unit, moment, due, passed=True):
        made = Inspection(device_id=unit.id, inspected_at=moment, checklist="general", results={}, passed=passed,
                          outcome="available", kind="periodic", due_on=due)
        session.add(made)
        session.flush()
        return made
    inspected(a, datetime(2026, 3, 10, 22, 30, tzinfo=timezone.utc), date(2026, 3, 10))   # 23:30 in Oslo
    inspected(d, datetime(2026, 3, 10, 23, 30, tzinfo=timezone.utc), date(2026, 3, 10))   # 00:30 on the 11th
    inspected(b, utc(1, 12, month=5), date(2026, 3, 20))
    last_c = inspected(c, utc(25, 12), date(2026, 3, 20))
    session.add_all([InspectionDue(device_id=a.id, product_id=rollator.id, due_on=date(2026, 3, 15)),
                     InspectionDue(device_id=b.id, product_id=rollator.id, due_on=date(2026, 11, 1)),
                     InspectionDue(device_id=c.id, product_id=rollator.id, due_on=date(2026, 9, 25),
                                   last_inspection_id=last_c.id)])
    citizen = make_citizen()
    stop = Stop(citizen_id=citizen.id, address="Storgata 1", postcode="6509", status="done")
    session.add(stop)
    session.flush()

    def repair(unit, place, opened, completed=None, minutes=None, status="done", stop_id=None):
        session.add(RepairOrder(device_id=unit.id, place=place, status=status, description="x", created_at=opened,
                                completed_at=completed, minutes_spent=minutes, stop_id=stop_id))
    repair(a, "depot", utc(1, 8), utc(3, 8), 90)
    repair(d, "depot", utc(2, 8, month=2), utc(6, 8), 30)
    repair(b, "home", utc(10, 8), utc(11, 8), 45, stop_id=stop.id)
    repair(c, "depot", utc(20, 8), utc(21, 8), status="cancelled")
    repair(d, "depot", datetime(2026, 3, 31, 22, 30, tzinfo=timezone.utc), status="open")   # 1 April in Oslo

    def incident(unit, injury, moment):
        session.add(Incident(device_id=unit.id, barcode=unit.barcode, product_name="x", owner="kommune", place="hjemme",
                             description="x", injury=injury, reported_at=moment,
                             authority_deadline=moment.date() + timedelta(days=1) if injury == "serious" else None))
    incident(a, "none", utc(5, 10))
    incident(d, "serious", utc(31, 21))
    incident(a, "minor", utc(31, 23))        # 1 April in Oslo
    session.flush()
    return a, b, c, d


def test_inspections_repairs_and_incidents_of_a_period(session, history):
    got = figures_of(session, MARCH)
    assert got["inspections_on_time"] == (pytest.approx(100 / 3), 3)     # A on its due day; D and C late
    assert got["overdue_at_end"] == (2.0, 2)                             # A (nothing since), B (inspected in May)
    assert got["repairs_opened"] == (3.0, 3)                             # not the one opened on 1 April
    assert got["repairs_completed"] == (3.0, 3)
    assert got["repair_days_median"] == (pytest.approx(2.0), 3)
    assert got["repair_days_depot"] == (pytest.approx(17.0), 2)
    assert got["repair_days_home"] == (pytest.approx(1.0), 1)
    assert got["repair_hours"] == (pytest.approx(165 / 60), 3)
    assert got["incidents"] == (2.0, 2) and got["serious_incidents"] == (1.0, 2)
    charts = {c.key: c for c in upkeep.build(session, MARCH).charts}
    assert charts["inspections_monthly"].series[0].values[-1] == 1.0
    assert charts["inspections_monthly"].series[1].values[-1] == 2.0
    assert charts["incidents_by_injury"].series[0].values == (1.0, 0.0, 1.0, 0.0)
    depot, home = charts["repair_days_monthly"].series
    assert depot.values[-1] == pytest.approx(17.0) and home.values[-2:] == (None, pytest.approx(1.0))


def test_the_product_group_and_postcode_area_filters(session, history):
    beds = figures_of(session, Scope(MARCH.start, MARCH.end, product_group="18"))
    assert beds["inspections_on_time"] == (pytest.approx(0.0), 1)
    assert beds["overdue_at_end"] == (0.0, 0)
    assert beds["repairs_completed"] == (1.0, 1) and beds["incidents"] == (1.0, 1)
    home = figures_of(session, Scope(MARCH.start, MARCH.end, postcode_area="65"))
    assert home["repairs_completed"] == (1.0, 1) and home["repair_days_home"] == (pytest.approx(1.0), 1)
    assert home["inspections_on_time"] == (pytest.approx(100 / 3), 3)   # does not apply: unchanged


def test_an_empty_period_has_no_values(session, history):
    got = figures_of(session, Scope(date(2025, 1, 1), date(2025, 2, 1)))
    got.pop("overdue_now")
    assert got.pop("overdue_at_end") == (0.0, 0)
    assert all(value is None for value, _count in got.values())


def test_the_rows_behind_the_figures(session, history):
    a, b, c, d = history
    assert [row[1] for row in upkeep.rows(session, MARCH, "inspections_on_time", 1).rows] == [
        a.barcode, d.barcode, c.barcode]
    assert sorted(row[0] for row in upkeep.rows(session, MARCH, "overdue_at_end", 1).rows) == sorted(
        [a.barcode, b.barcode])
    assert [row[3] for row in upkeep.rows(session, MARCH, "repairs_completed", 1).rows] == [
        "På lageret", "På lageret", "Hos bruker"]
    assert [row[4] for row in upkeep.rows(session, MARCH, "serious_incidents", 1).rows] == ["Alvorlig skade"]
    assert upkeep.rows(session, MARCH, "incidents", 1).total == 2


def test_the_migration_gives_existing_periodic_inspections_the_due_date_they_answered():
    """A unit registered 10 January under a 6-month plan: its first periodic inspection answered
    10 July; the second, the date the first set."""
    engine = make_engine(fresh_database_url("reports_upkeep"))
    try:
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), "0020")
            # Rows written with the columns of revision 0020 (the models may have more by now).
            products = sa.table("products", *(sa.column(n) for n in ("id", "name", "iso_class", "supplier",
                                                                       "individually_tracked", "created_at", "updated_at")))
            plans = sa.table("maintenance_plans", *(sa.column(n) for n in (
                "iso_prefix", "name", "interval_months", "after_each_loan", "checklist", "note", "updated_at")))
            devices = sa.table("devices", *(sa.column(n) for n in ("id", "barcode", "product_id", "owner", "condition",
                                                                     "state", "registered_at", "updated_at")))
            now = utc(1, 12, month=1)
            product_id = conn.execute(sa.insert(products).values(
                name="Løfter", iso_class="123603", supplier="", individually_tracked=True, created_at=now,
                updated_at=now).returning(products.c.id)).scalar_one()
            conn.execute(sa.insert(plans).values(iso_prefix="1236", name="Løftere", interval_months=6,
                                                 after_each_loan=False, checklist="lift", note="", updated_at=now))
            unit_id = conn.execute(sa.insert(devices).values(
                barcode="HJM00000019", product_id=product_id, owner="kommune", condition="good", state="available",
                registered_at=utc(10, 12, month=1), updated_at=now).returning(devices.c.id)).scalar_one()
            inspections = sa.table("inspections", *(sa.column(name) for name in (
                "device_id", "inspected_at", "checklist", "passed", "outcome", "note", "kind", "place",
                "next_due_on")), sa.column("results", sa.JSON))
            conn.execute(sa.insert(inspections), [
                {"device_id": unit_id, "inspected_at": moment, "checklist": "lift", "results": {}, "passed": True,
                 "outcome": "available", "note": "", "kind": kind, "place": "depot", "next_due_on": next_due}
                for moment, kind, next_due in ((utc(1, 10, month=7), "periodic", date(2027, 1, 1)),
                                               (utc(1, 10, month=8), "after_loan", None),
                                               (utc(20, 10, month=11), "periodic", date(2027, 5, 20)))])
            command.upgrade(alembic_config(conn), "head")
            dues = conn.execute(sa.text("SELECT kind, due_on FROM inspections ORDER BY inspected_at")).all()
            assert [(kind, date.fromisoformat(str(due)) if due else None) for kind, due in dues] == [
                ("periodic", date(2026, 7, 10)), ("after_loan", None), ("periodic", date(2027, 1, 1))]
    finally:
        engine.dispose()
