"""Ventetid and NAV read from the database: a need delivered in two parts waits until its second
unit, the postcode area and product group filters, the rows behind a figure, and the municipality's
targets set by the admin (API and page) and used by the figure."""
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import update

from hjelpemiddel.catalog.services import create_product
from hjelpemiddel.core import bus
from hjelpemiddel.lending.events import NeedDelivered
from hjelpemiddel.lending.models import Need, NeedEvent
from hjelpemiddel.lending.services import register_need
from hjelpemiddel.reports.areas import nav, waiting
from hjelpemiddel.reports.model import Scope
from hjelpemiddel.reports.models import NeedWait
from hjelpemiddel.reports.waits import rebuild_need_waits

from ..support import ROLES, assert_role_answer, error_of

UTC = timezone.utc
MARCH = Scope(date(2026, 3, 1), date(2026, 4, 1))


@pytest.fixture
def bed(session):
    return create_product(session, hms_nr="300100", name="Seng Opus", iso_class="181210")


def delivered(session, therapist, citizen, product, registered: datetime, *deliveries: datetime, quantity: int = 1,
              urgency: str = "normal", application_type: str = "short_term", decided: datetime | None = None):
    need = register_need(session, therapist.id, "terapeut", citizen.id, registered.date() + timedelta(days=5), urgency,
                         application_type, product_id=product.id, quantity=quantity,
                         discharge_date=registered.date() + timedelta(days=2) if urgency == "discharge" else None)
    session.execute(update(Need).where(Need.id == need.id).values(
        registered_at=registered, delivered_at=deliveries[0] if deliveries else None, decided_at=decided,
        nav_status="received" if application_type == "long_term" else None, status="on_loan"))
    for moment in deliveries:
        session.add(NeedEvent(need_id=need.id, kind="delivered", status="on_loan", occurred_at=moment))
        session.flush()
        bus.publish(session, NeedDelivered(need.id))  # as a delivery does
    return need


def test_a_need_delivered_in_two_parts_waits_until_its_second_unit(session, therapist, make_citizen, rollator):
    citizen = make_citizen()
    start = datetime(2026, 3, 2, 8, tzinfo=UTC)
    delivered(session, therapist, citizen, rollator, start, start + timedelta(days=1), start + timedelta(days=4),
              quantity=2)
    delivered(session, therapist, citizen, rollator, start, start + timedelta(days=2))
    delivered(session, therapist, citizen, rollator, start, start + timedelta(days=3), quantity=2)  # one unit missing
    section = waiting.build(session, MARCH)
    figures = {figure.key: figure for figure in section.figures}
    assert figures["median_all"].count == 2 and figures["median_all"].value == 3.0  # 2 and 4 days
    rows = waiting.rows(session, MARCH, "median_all", 1)
    assert [row[6] for row in rows.rows] == [4.0, 2.0] and rows.columns[0] == "Behov nr."


def test_the_postcode_area_and_product_group_narrow_the_needs(session, therapist, make_citizen, rollator, bed):
    citizen = make_citizen()  # postcode 6509
    start = datetime(2026, 3, 2, 8, tzinfo=UTC)
    delivered(session, therapist, citizen, rollator, start, start + timedelta(days=1))
    delivered(session, therapist, citizen, bed, start, start + timedelta(days=5))
    for scope, expected in ((Scope(MARCH.start, MARCH.end, "65"), 2), (Scope(MARCH.start, MARCH.end, "70"), 0),
                            (Scope(MARCH.start, MARCH.end, None, "18"), 1), (Scope(MARCH.start, MARCH.end, None, "1206"), 1)):
        assert {f.key: f for f in waiting.build(session, scope).figures}["median_all"].count == expected, scope


def test_nav_time_runs_from_the_application_sent_to_the_unit_delivered(session, therapist, make_citizen, bed):
    citizen = make_citizen()
    sent = datetime(2026, 2, 20, 9, tzinfo=UTC)
    delivered(session, therapist, citizen, bed, sent - timedelta(days=3), datetime(2026, 3, 12, 9, tzinfo=UTC),
              application_type="long_term", decided=sent)
    figures = {f.key: f for f in nav.build(session, MARCH).figures}
    assert figures["nav_median"].value == 20.0 and figures["nav_median"].count == 1
    assert figures["nav_sent"].value is None  # sent in February
    assert nav.rows(session, MARCH, "nav_median", 1).rows[0][3] == 20.0


@pytest.mark.parametrize("role", ROLES)
def test_the_targets_are_read_by_the_depot_and_set_by_the_admin(api_as, role):
    api = api_as(role)
    assert_role_answer(api.get("/api/v1/report-targets"), role, {"lager"})
    assert_role_answer(api.put("/api/v1/report-targets", json={"urgent": {"amount": 12, "unit": "hours"}}), role, set())


@pytest.mark.parametrize("body,field", [({"urgent": {"amount": 0, "unit": "hours"}}, "urgent"),
                                        ({"normal": {"amount": 5, "unit": "weeks"}}, "normal"),
                                        ({"normal": {"amount": 90, "unit": "working_days"}}, "normal"),
                                        ({"soon": {"amount": 5, "unit": "hours"}}, "soon")])
def test_a_bad_target_is_refused_naming_the_urgency(admin_api, body, field):
    response = admin_api.put("/api/v1/report-targets", json=body)
    assert response.status_code == 422 and field in error_of(response)["details"]


def test_a_target_set_by_the_admin_is_what_the_waiting_report_measures(session, admin_api, therapist, make_citizen,
                                                                        rollator):
    start = datetime(2026, 3, 2, 8, tzinfo=UTC)  # a Monday
    delivered(session, therapist, make_citizen(), rollator, start, start + timedelta(days=3))
    before = {f.key: f for f in waiting.build(session, MARCH).figures}["target"]
    assert before.value == 100.0 and "vanlig innen 7 virkedager" in before.how
    answer = admin_api.put("/api/v1/report-targets", json={"normal": {"amount": 2, "unit": "working_days"}})
    assert answer.status_code == 200 and answer.get_json()[0]["text"] == "2 virkedager"
    after = {f.key: f for f in waiting.build(session, MARCH).figures}["target"]
    assert after.value == 0.0 and "vanlig innen 2 virkedager" in after.how


def test_a_delivery_at_the_counter_notes_the_needs_waiting_and_a_rebuild_writes_the_same(session, desk):
    loan = desk.loan(desk.citizen("Kari Nordmann", postcode="6511"))
    wait = session.get(NeedWait, loan.need_id)
    assert wait is not None and wait.postcode == "6511" and wait.urgency == "normal" and wait.on_time
    before = (wait.waiting_minutes, wait.working_days, wait.delivered_on)
    assert rebuild_need_waits(session) >= 1
    session.expire_all()
    again = session.get(NeedWait, loan.need_id)
    assert (again.waiting_minutes, again.working_days, again.delivered_on) == before
