"""A unit the driver collected is received at the scan station: one press on its card, or scanned onto
the receiving place in move mode — off the van, waiting to be washed."""
from __future__ import annotations

import itertools

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from hjelpemiddel.catalog.models import Product
from hjelpemiddel.catalog.services import create_product
from hjelpemiddel.citizens.services import register_citizen
from hjelpemiddel.core.auth import User
from hjelpemiddel.core.db import get_session
from hjelpemiddel.core.fnr import make_fnr
from hjelpemiddel.core.text import local_today
from hjelpemiddel.lending import services as lending
from hjelpemiddel.stock import services as stock

from .conftest import login_as
from .test_scan_station_browser import scan, scan_and_wait

pytestmark = pytest.mark.browser
_names = itertools.count(1)


def collected_unit(live_server) -> str:
    """A rollator lent to a new citizen, asked back and collected into the van: «Hentet»."""
    with live_server.app.app_context():
        session = get_session()
        # A product of its own, so the units other browser tests count on stay where they are.
        product = session.scalar(select(Product).where(Product.name == "Skannetestrullator")) or create_product(
            session, hms_nr=None, name="Skannetestrullator", iso_class="120606")
        stock.register_device(session, None, product.id, location_code="A-01-2")
        van = stock.find_location(session, "BIL-SKANN") or stock.create_location(
            session, "BIL-SKANN", "van", "Bil for skannetester", parent_code="HL")
        admin = session.scalar(select(User.id).where(User.username == live_server.seed.users["admin"]))
        serial = 300 + next(_names)
        citizen = register_citizen(session, live_server.app.extensions["fnr_vault"], admin,
                                   make_fnr("010150", f"{serial:03d}") or make_fnr("020250", f"{serial:03d}"),
                                   f"Skann Testesen {serial}", "Skannveien 1", "6509", "1505", city="Kristiansund")
        need = lending.register_need(session, admin, "admin", citizen.id, local_today(), "normal", "short_term",
                                     product_id=product.id)
        lending.decide_need(session, admin, "admin", need.id, "approve")
        barcode = lending.need_units(session, [need.id])[need.id][0].barcode
        loan = lending.hand_over(session, admin, barcode)
        lending.request_return(session, admin, loan.id, "need_ended")
        lending.collect_unit(session, admin, barcode, van.id, note="Hentet på kjørerunde")
        session.commit()
    return barcode


def test_a_collected_unit_is_received_with_one_press_on_its_card(page, live_server):
    barcode = collected_unit(live_server)
    login_as(page, live_server, "lager", next_path="/skann")
    scan_and_wait(page, barcode, f"{barcode} funnet.")
    card = page.get_by_test_id("device-card")
    expect(card).to_contain_text("Hentet, ikke mottatt på lageret")
    expect(card).to_contain_text("BIL-SKANN")

    page.get_by_test_id("receive").click()

    expect(page.get_by_test_id("scan-status")).to_contain_text(f"{barcode} er mottatt")
    expect(card).to_contain_text("Mottatt, venter på vask")
    assert live_server.device(barcode).state == "cleaning"
    assert live_server.device(barcode).location_code != "BIL-SKANN"


def test_collected_units_scanned_onto_a_location_in_move_mode_are_received_there(page, live_server):
    first, second = collected_unit(live_server), collected_unit(live_server)
    login_as(page, live_server, "lager", next_path="/skann")
    scan_and_wait(page, live_server.seed.location_barcodes["A-01-1"], "Lokasjon A-01-1 valgt. Skann hjelpemidlene.")

    for barcode in (first, second):
        scan(page, barcode)
        expect(page.get_by_test_id("scan-status")).to_have_text(
            f"{barcode} er mottatt på A-01-1. Den venter på vask og kontroll før den kan lånes ut igjen.")

    for barcode in (first, second):
        now = live_server.device(barcode)
        assert (now.state, now.location_code) == ("cleaning", "A-01-1")
        assert (now.history[-1].kind, now.history[-1].from_location, now.history[-1].to_location) == (
            "return_received", "BIL-SKANN", "A-01-1")
