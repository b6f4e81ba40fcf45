from sqlalchemy import func, select

from hjelpemiddel.citizens.models import Citizen
from hjelpemiddel.demo import load_demo
from hjelpemiddel.lending.models import Loan, Need, Reservation


def test_the_demo_has_citizens_with_needs_in_every_stage_made_by_the_real_services(session, vault):
    summary = load_demo(session, seed=7, vault=vault)
    assert summary["innbyggere"] == session.scalar(select(func.count()).select_from(Citizen)) == 40
    statuses = dict(session.execute(select(Need.status, func.count()).group_by(Need.status)).all())
    assert {"registered", "reserved", "on_loan", "returning", "sent_to_nav"} <= set(statuses)
    assert session.scalar(select(func.count()).select_from(Loan).where(Loan.status == "active")) >= statuses["on_loan"]
    reserved_units = session.scalar(select(func.count()).select_from(Reservation).where(Reservation.status == "active"))
    assert reserved_units >= statuses["reserved"]
