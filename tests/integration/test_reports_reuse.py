"""Gjenbruk read from the database: a delivery by a unit lent before is reuse (by count and value),
a scrapped unit and its reason, an idle unit, the product's replacement value set in the catalogue,
and the rows behind the figures."""
from datetime import timedelta

from sqlalchemy import update

from hjelpemiddel.catalog.models import Product
from hjelpemiddel.core.db import utcnow
from hjelpemiddel.core.text import local_today
from hjelpemiddel.lending.models import Loan
from hjelpemiddel.maintenance import services as maintenance
from hjelpemiddel.reports.areas import reuse
from hjelpemiddel.reports.model import Scope
from hjelpemiddel.stock.models import Device
from hjelpemiddel.stock.services import register_device


def this_year() -> Scope:
    today = local_today()
    return Scope(today.replace(month=1, day=1), today + timedelta(days=1))


def test_a_unit_lent_before_makes_its_delivery_reuse_by_count_and_by_value(session, desk, actor, rollator):
    session.execute(update(Product).where(Product.id == rollator.id).values(replacement_value=4000))
    first = desk.loan(desk.citizen("Kari Nordmann"))
    second = desk.loan(desk.citizen("Ola Nordmann"))
    session.add(Loan(device_id=second.device_id, citizen_id=second.citizen_id, loan_type="short_term", status="ended",
                     started_at=utcnow() - timedelta(days=3 * 365), ended_at=utcnow() - timedelta(days=2 * 365)))
    session.flush()
    figures = {f.key: f for f in reuse.build(session, this_year()).figures}
    assert figures["deliveries"].value == 2 and figures["reuse_share"].value == 50.0
    assert figures["reuse_value_share"].value == 50.0
    rows = reuse.rows(session, this_year(), "reuse_share", 1)
    assert {row[0]: row[5] for row in rows.rows} == {first.id: "Nei", second.id: "Ja"}


def test_a_scrapped_unit_is_counted_with_its_reason_and_an_old_unused_one_is_idle(session, actor, depot, rollator):
    scrapped = register_device(session, actor.id, rollator.id, location_code="A-01-2")
    maintenance.scrap_device(session, actor.id, scrapped.barcode, "Ødelagt ramme")
    idle = register_device(session, actor.id, rollator.id, location_code="A-01-2")
    session.execute(update(Device).where(Device.id == idle.id).values(registered_at=utcnow() - timedelta(days=800)))
    session.flush()
    section = reuse.build(session, this_year())
    figures = {f.key: f for f in section.figures}
    assert figures["scrapped"].value == 1 and figures["idle"].value == 1
    assert dict(zip(section.charts[1].labels, section.charts[1].series[0].values)) == {"Ødelagt ramme": 1.0}
    assert reuse.rows(session, this_year(), "idle", 1).rows[0][0] == idle.barcode
    assert reuse.rows(session, this_year(), "scrapped", 1).rows[0][3] == "Ødelagt ramme"


def test_utilisation_counts_days_on_loan_against_days_in_hand(session, desk):
    desk.loan(desk.citizen("Kari Nordmann"))
    figures = {f.key: f for f in reuse.build(session, this_year()).figures}
    assert figures["utilisation"].value is not None and 0 <= figures["utilisation"].value <= 100
    assert reuse.rows(session, this_year(), "utilisation", 1).columns[-1] == "Utnyttelse (%)"


def test_the_replacement_value_is_set_in_the_catalogue_and_a_negative_one_is_refused(lager_api):
    made = lager_api.post("/api/v1/products", json={"name": "Seng X", "iso_class": "181210", "replacement_value": 25000})
    assert made.status_code == 201 and made.get_json()["replacement_value"] == 25000
    refused = lager_api.post("/api/v1/products", json={"name": "Seng Y", "iso_class": "181210", "replacement_value": -1})
    assert refused.status_code == 422 and "replacement_value" in refused.get_json()["error"]["details"]
