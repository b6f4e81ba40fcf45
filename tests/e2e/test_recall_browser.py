"""A recall in a real browser: the depot worker registers a manufacturer's notice for a sling model's
serial range; the board shows the unit on the shelf quarantined and the one at a citizen's home with an
urgent visit planned, the holder's name masked. A recall larger than its first batch holds its units
from the pick until the worker has quarantined them (its scan card says so); one released lends again."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from hjelpemiddel.core.db import get_database, get_session
from hjelpemiddel.lending import services as lending
from hjelpemiddel.recalls.cli import run_recall_quarantines
from hjelpemiddel.recalls.services import register
from hjelpemiddel.stock import services as stock

from .conftest import login_as
from .depot_helpers import DESKTOP, Arranger, assert_plain_bokmal, pick_scan, submit

pytestmark = pytest.mark.browser


def register_recall(page, title: str, product: str, serial_from: str, serial_to: str, reference: str = "") -> int:
    """The form on /lager/tilbakekalling/ny filled in and sent: a quarantine over a serial range."""
    form = page.get_by_test_id("recall-form")
    form.get_by_label("Tittel").fill(title)
    form.get_by_label("Produsentens referanse").fill(reference)
    form.get_by_test_id("product-0").fill(product)
    form.get_by_label("Serienummer fra (bare sifre)").fill(serial_from)
    form.get_by_label("Serienummer til").fill(serial_to)
    form.get_by_label("Tiltak").select_option("quarantine")
    return submit(page, form.get_by_role("button", name="Registrer og finn enhetene"))


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
    assert register_recall(page, "Sømmen kan revne", name, "210000", "210450", reference="FSN-2026-014") == 302
    expect(page.get_by_test_id("board-counts")).to_contain_text("0 behandlet, 2 åpne")
    shelf_row, home_row = page.get_by_test_id(f"unit-{on_shelf}"), page.get_by_test_id(f"unit-{at_home}")
    expect(shelf_row).to_contain_text("I karantene")
    expect(shelf_row).to_contain_text("Satt i karantene")
    expect(home_row).to_contain_text("Hjemme hos bruker")
    expect(home_row).to_contain_text("Besøk planlagt (haster)")
    expect(home_row).to_contain_text("Randi F.")
    expect(home_row).not_to_contain_text("Fjeld")
    assert_plain_bokmal(page)


def test_a_recall_larger_than_its_first_batch_holds_its_units_from_a_pick_until_the_worker_quarantines_them(
        new_page, live_server, monkeypatch):
    run_day = date.today() + timedelta(days=33)
    with Arranger(live_server) as depot:
        depot.sweep_open_stops()
        chair = depot.product("Dusjstol Stor tilbakekalling", iso_class="093307")
        name = depot.product_name(chair)
        planned = depot.reserved_unit(depot.citizen("Håkon Vik", "Fjordgata 9"), chair, run_day)
        on_shelf = [stock.register_device(depot.session, depot.ids["lager"], chair, serial_number=f"31000{n}",
                                          location_code="A-01-2").barcode for n in range(1, 4)]
        run_id = depot.planned_run(run_day)
    # The registration quarantines one unit itself; the worker does the rest.
    monkeypatch.setattr(register, "INLINE_QUARANTINES", 1)

    page = new_page(**DESKTOP)
    login_as(page, live_server, "lager", next_path="/lager/tilbakekalling/ny")
    assert register_recall(page, "Beina kan knekke", name, "310000", "310999") == 302
    board = page.url
    expect(page.get_by_test_id("board-counts")).to_contain_text("0 behandlet, 3 åpne")
    expect(page.get_by_test_id("board-pending")).to_contain_text("2 enheter på lager settes i karantene nå")
    expect(page.get_by_test_id("board").get_by_text("Settes i karantene")).to_have_count(2)
    held = next(barcode for barcode in on_shelf
                if "Settes i karantene" in page.get_by_test_id(f"unit-{barcode}").inner_text())
    assert_plain_bokmal(page)

    # The driver picking the day's run scans a held chair instead of the planned one: refused, with the recall's name.
    page.goto(f"{live_server.url}/runder/{run_id}/plukk")
    page.get_by_test_id("pick-input").focus()
    answer = pick_scan(page, held)
    assert answer.status == 409 and answer.json()["error"]["code"] == "held"
    expect(page.get_by_test_id("pick-status")).to_have_text(
        f"{held} er omfattet av tilbakekallingen «Beina kan knekke» og settes i karantene og kan ikke lånes ut.")
    assert pick_scan(page, planned).status == 200

    # At the scan station and on its page the held chair still reads free, but says it is held back and why.
    reason = "Er omfattet av tilbakekallingen «Beina kan knekke» og settes i karantene. Kan ikke lånes ut."
    page.goto(f"{live_server.url}/skann")
    page.get_by_test_id("scan-input").fill(held)
    page.get_by_test_id("scan-input").press("Enter")
    expect(page.get_by_test_id("scan-status")).to_have_text(f"{held} funnet.")
    expect(page.get_by_test_id("device-card")).to_contain_text("Ledig på lager")
    expect(page.get_by_test_id("device-hold")).to_have_text(reason)
    page.goto(f"{live_server.url}/hjelpemidler/{held}")
    expect(page.get_by_test_id("device-hold")).to_have_text(reason)
    assert_plain_bokmal(page)

    # The worker's round: every unit quarantined, and the board says so.
    assert run_recall_quarantines(get_database(live_server.app).session_factory)[0] == 2
    page.goto(board)
    expect(page.get_by_test_id("board-pending")).to_have_count(0)
    for barcode in on_shelf:
        expect(page.get_by_test_id(f"unit-{barcode}")).to_contain_text("Satt i karantene")
        expect(page.get_by_test_id(f"unit-{barcode}")).to_contain_text("I karantene")

    # The manufacturer clears one chair: released on the quarantine page, the board marks it handled,
    # and a citizen waiting for the model gets it.
    with Arranger(live_server) as depot:
        waiting = depot.approved_need(depot.citizen("Mari Lund", "Storgata 2"), chair, run_day)
    page.goto(f"{live_server.url}/lager/karantene?q={held}&reason=")
    row = page.get_by_test_id(f"quarantined-{held}")
    expect(row).to_contain_text("Tilbakekalling: Beina kan knekke")
    row.get_by_label("Slipp til").select_option(label="Ledig på lager")
    row.get_by_label("Merknad").fill("Kontrollert etter produsentens anvisning")
    assert submit(page, row.get_by_role("button", name="Slipp")) == 302
    assert live_server.device(held).state == "reserved"
    page.goto(board)
    expect(page.get_by_test_id("board-counts")).to_contain_text("1 behandlet, 2 åpne")
    expect(page.get_by_test_id(f"unit-{held}")).to_contain_text("Kontrollert etter produsentens anvisning")
    with live_server.app.app_context():
        [unit] = lending.need_units(get_session(), [waiting])[waiting]
    assert unit.barcode == held
