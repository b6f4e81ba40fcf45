"""Scenario 5 on the demo: a notice for the sling model's serials 210000–210450 finds 3 on the shelf
(quarantined at once) and 11 at citizens' homes (visits planned, urgent)."""
from sqlalchemy import func, select

from hjelpemiddel.demo import load_demo
from hjelpemiddel.demo.slings import AT_HOME, ON_SHELF, SLING_CLASS
from hjelpemiddel.catalog.models import Product
from hjelpemiddel.core.auth import User
from hjelpemiddel.logistics.models import Stop
from hjelpemiddel.recalls import services as recalls
from hjelpemiddel.stock.models import Device


def test_the_scenario_5_recall_on_the_demo_finds_3_on_the_shelf_and_11_at_homes(session, vault):
    load_demo(session, seed=7, vault=vault)
    product_id = session.scalar(select(Product.id).where(Product.iso_class == SLING_CLASS,
                                                         Product.individually_tracked.is_(True)).order_by(Product.id))
    lager = session.scalar(select(User).where(User.role == "lager"))
    recall = recalls.register_recall(session, lager.id, "Sømmen på beinstroppene kan revne", [product_id], "range",
                                     "quarantine", reference="FSN-2026-014", serial_from=210000, serial_to=210450)
    counts = recalls.board_counts(session, recall.id)
    assert (counts["shelf"], counts["home"], counts["total"]) == (len(ON_SHELF), len(AT_HOME), 14) == (3, 11, 14)
    quarantined = session.scalar(select(func.count()).select_from(Device).where(
        Device.serial_number.in_(ON_SHELF), Device.product_id == product_id, Device.state == "quarantined"))
    assert quarantined == 3
    rows = recalls.recall_board(session, recall.id, found="home").items
    stops = {row.barcode: row for row in rows}
    assert len(stops) == 11 and all(row.planned == "Besøk planlagt (haster)" and row.holder for row in rows)
    urgent = session.scalar(select(func.count()).select_from(Stop).where(Stop.urgent.is_(True), Stop.status == "open",
                                                                         Stop.note.like("Tilbakekalling%")))
    assert 1 <= urgent <= 11
