"""A recall in a real browser: the depot worker registers a manufacturer's notice for a sling model's
serial range; the board shows the unit on the shelf quarantined and the one at a citizen's home with an
urgent visit planned, the holder's name masked."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from hjelpemiddel.stock import services as stock

from .conftest import login_as
from .depot_helpers import DESKTOP, Arranger, assert_plain_bokmal, submit

pytestmark = pytest.mark.browser


def test_a_recall_is_registered_and_its_board_shows_the_quarantined_unit_and_the_planned_visit(new_page, live_server):
    with Arranger(live_server) as depot:
        sling = depot.product("Løftesele Tilbakekalt", iso_class="123621")
        name = depot.product_name(sling)
        at_home = depot.unit_on_loan(depot.citizen("Randi Fjeld", "Langveien 4"), sling, date.today() + timedelta(days=2))
        stock.get_device(depot.session, at_home).serial_number = "210044"
        on_shelf = stock.register_device(depot.session, depot.ids["lager"], sling, serial_number="210001",
                                         location_code="A-01-2").barcode
        stock.register_device(depot.session, depot.ids["lager"], sling, serial_number="210999", location_code="A-01-2")

    page = new_page(**DESKTOP)
    login_as(page, live_server, "lager", next_path="/lager/tilbakekalling")
    page.get_by_test_id("new-recall").click()
    form = page.get_by_test_id("recall-form")
    form.get_by_label("Tittel").fill("Sømmen kan revne")
    form.get_by_label("Produsentens referanse").fill("FSN-2026-014")
    form.get_by_test_id("product-0").fill(name)
    form.get_by_label("Serienummer fra (bare sifre)").fill("210000")
    form.get_by_label("Serienummer til").fill("210450")
    form.get_by_label("Tiltak").select_option("quarantine")
    assert submit(page, form.get_by_role("button", name="Registrer og finn enhetene")) == 302
    expect(page.get_by_test_id("board-counts")).to_contain_text("0 behandlet, 2 åpne")
    shelf_row, home_row = page.get_by_test_id(f"unit-{on_shelf}"), page.get_by_test_id(f"unit-{at_home}")
    expect(shelf_row).to_contain_text("I karantene")
    expect(shelf_row).to_contain_text("Satt i karantene")
    expect(home_row).to_contain_text("Hjemme hos bruker")
    expect(home_row).to_contain_text("Besøk planlagt (haster)")
    expect(home_row).to_contain_text("Randi F.")
    expect(home_row).not_to_contain_text("Fjeld")
    assert_plain_bokmal(page)
