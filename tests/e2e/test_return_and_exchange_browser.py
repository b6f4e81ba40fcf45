"""Scenario 4, «Return, clean, inspect, lend again», and scenario 2's exchange, in real browsers.

The driver collects a rollator on the phone; it rides in the van («Hentet, ikke mottatt på lageret»)
until the depot scans it in on /lager/utlan, washes it, inspects it, and it is on the shelf again. A
unit handed in over the counter goes the same way and, inspected, goes straight to a need waiting in
the queue. At Marit's door the driver delivers a new bed and collects the old one: one visit,
«Levering og henting», both outcomes on the phone and in the kjørebok. At picking, a free unit of the
same product replaces the planned one, and from then on only the unit in the van is listed.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from ..support import decode_pages, pdf_text
from .conftest import login_as
from .depot_helpers import (DESKTOP, PHONE, VAN, Arranger, assert_plain_bokmal, download, flash, pick_scan, run_on,
                            run_stops, submit)

pytestmark = pytest.mark.browser

TODAY = date.today()
# Each test plans its own day (the drivers' day test uses tomorrow and the day after next).
RETURN_DAY, EXCHANGE_DAY, SWAP_DAY = (TODAY + timedelta(days=n) for n in (5, 6, 7))
WAITS_FOR_WASH = "Den venter på vask og kontroll før den kan lånes ut igjen."


# --- what the users do ------------------------------------------------------------------------------

def receive_form(page):
    return page.locator("form", has=page.get_by_role("heading", name="Ta imot retur"))


def maintenance_row(page, barcode: str):
    return page.get_by_test_id("maintenance").locator("tr", has_text=barcode)


def start_run_on_phone(phone, run_id: int) -> None:
    phone.goto(f"/sjafor/runde/{run_id}")
    start = phone.get_by_test_id("start-form")
    start.get_by_label("Kilometerstand ved start").fill("51200")
    assert submit(phone, start.get_by_role("button", name="Kjør ut")) == 302
    expect(phone.locator("main p.muted").first).to_contain_text("Underveis")


def inspect_all_ok(page, barcode: str, shelf: str) -> int:
    """«Kontroller» on the depot page, every checklist item OK, put on a shelf, saved."""
    with page.expect_navigation():
        maintenance_row(page, barcode).get_by_role("link", name="Kontroller").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(barcode)
    radios = page.get_by_role("radio", name=re.compile(r": OK$"))
    assert radios.count() >= 3
    for radio in radios.all():
        radio.check()
    page.get_by_label("Sett på plass").fill(shelf)
    return submit(page, page.get_by_role("button", name="Lagre kontroll"))


def wash(page, barcode: str, method: str = "Manuell vask og desinfeksjon") -> int:
    row = maintenance_row(page, barcode)
    expect(row).to_contain_text("Mottatt, venter på vask")
    row.get_by_label("Vaskemetode").select_option(label=method)
    return submit(page, row.get_by_role("button", name="Vasket"))


def folder(tmp_path, name: str):
    (tmp_path / name).mkdir(exist_ok=True)
    return tmp_path / name


# --- the scenarios ----------------------------------------------------------------------------------

def test_a_collected_unit_is_received_washed_inspected_and_back_on_the_shelf(new_page, live_server):
    with Arranger(live_server) as depot:
        depot.sweep_open_stops()
        rollator = depot.product("Rollator Topro Troja")
        gunnar = depot.citizen("Gunnar Strand", "Fjellvegen 9")
        unit = depot.unit_to_collect(gunnar, rollator, TODAY)
        run_id = depot.planned_run(RETURN_DAY)

    # The driver collects it at Gunnar's door: it rides in the van, not yet received at the depot.
    phone = new_page(**PHONE)
    login_as(phone, live_server, "sjafor")
    start_run_on_phone(phone, run_id)
    [stop] = run_stops(live_server, run_id)
    card = phone.get_by_test_id(f"stop-{stop['id']}")
    expect(card).to_contain_text(f"Henting: {unit}")
    assert submit(phone, card.get_by_role("button", name="Hentet", exact=True)) == 302
    expect(phone.get_by_test_id(f"outcome-{stop['id']}")).to_contain_text(re.compile(r"^Hentet \d\d:\d\d"))
    van = live_server.device(unit)
    assert (van.state, van.location_code) == ("returned", VAN)

    # At the depot the unit is listed as still in the van, to be received first.
    desk = new_page(**DESKTOP)
    login_as(desk, live_server, "lager", next_path="/lager/utlan")
    expect(maintenance_row(desk, unit)).to_contain_text("Hentet, ikke mottatt på lageret")
    expect(maintenance_row(desk, unit)).to_contain_text("Ta imot først")
    assert_plain_bokmal(desk)

    # A mistyped shelf is refused, and the form keeps what was typed.
    form = receive_form(desk)
    expect(form.get_by_label("Sett på")).to_have_accessible_name(re.compile(r"tomt: HL – Hjelpemiddellageret"))
    form.get_by_label("Skann hjelpemiddelet").fill(unit)
    form.get_by_label("Sett på").fill("X-99")
    assert submit(desk, form.get_by_role("button", name="Motta")) == 422
    expect(desk.get_by_role("alert")).to_contain_text("Lokasjon: Fant ingen lokasjon «X-99».")
    expect(form.get_by_label("Skann hjelpemiddelet")).to_have_value(unit)
    expect(form.get_by_label("Sett på")).to_have_value("X-99")
    assert live_server.device(unit).state == "returned"

    # Received with the shelf left empty: it goes to the receiving place and waits to be washed.
    form.get_by_label("Sett på").fill("")
    assert submit(desk, form.get_by_role("button", name="Motta")) == 302
    expect(flash(desk)).to_have_text(f"{unit} er mottatt på HL. {WAITS_FOR_WASH}")
    expect(receive_form(desk).get_by_label("Skann hjelpemiddelet")).to_have_value("")
    received = live_server.device(unit)
    assert (received.state, received.location_code) == ("cleaning", "HL")

    # Washed, then inspected: every item OK, on shelf A-01-1, free to lend.
    assert wash(desk, unit) == 302
    expect(flash(desk)).to_have_text(f"{unit} er vasket og venter på kontroll.")
    expect(maintenance_row(desk, unit)).to_contain_text("Vasket, venter på kontroll")
    assert inspect_all_ok(desk, unit, "A-01-1") == 302
    expect(flash(desk)).to_have_text(f"{unit}: kontroll godkjent. Den står nå som «Ledig på lager» på A-01-1.")
    expect(maintenance_row(desk, unit)).to_have_count(0)
    shelf = live_server.device(unit)
    assert (shelf.state, shelf.location_code) == ("available", "A-01-1")
    assert [e.kind for e in shelf.history][-4:] == ["collected", "return_received", "cleaned", "inspected"]

    # A second scan of the same unit says it is already received, and changes nothing.
    form = receive_form(desk)
    form.get_by_label("Skann hjelpemiddelet").fill(unit)
    assert submit(desk, form.get_by_role("button", name="Motta")) == 302
    expect(flash(desk)).to_contain_text(f"{unit} er allerede mottatt (")
    expect(flash(desk)).to_contain_text("og står som «Ledig på lager».")
    assert live_server.device(unit).history == shelf.history
    assert_plain_bokmal(desk)


def test_a_unit_handed_in_over_the_counter_goes_straight_to_a_need_in_the_queue(new_page, live_server):
    with Arranger(live_server) as depot:
        chair = depot.product("Dusjstol Etac Clean", "093303")
        ragnhild = depot.citizen("Ragnhild Moe", "Sjøgata 12")
        unit = depot.unit_on_loan(ragnhild, chair, TODAY)
        # Another citizen waits for the same chair: none is free.
        trond = depot.citizen("Trond Aune", "Bakkene 3")
        depot.approved_need(trond, chair, TODAY + timedelta(days=3))

    desk = new_page(**DESKTOP)
    login_as(desk, live_server, "lager", next_path="/lager/utlan")
    expect(desk.get_by_test_id("queue")).to_contain_text("Trond Aune")
    form = receive_form(desk)
    form.get_by_label("Skann hjelpemiddelet").fill(unit)
    form.get_by_label("Sett på").fill("A-01-2")
    assert submit(desk, form.get_by_role("button", name="Motta")) == 302
    expect(flash(desk)).to_have_text(f"{unit} er mottatt på A-01-2. {WAITS_FOR_WASH}")
    assert [e.kind for e in live_server.device(unit).history][-2:] == ["handed_in", "return_received"]

    assert wash(desk, unit) == 302
    assert inspect_all_ok(desk, unit, "A-01-2") == 302
    expect(flash(desk)).to_have_text(f"{unit}: kontroll godkjent. Den er reservert for Trond Aune, som ventet i køen "
                                     "på A-01-2.")
    expect(desk.get_by_test_id("queue")).not_to_contain_text("Trond Aune")
    expect(desk.get_by_test_id("ready").locator("tr", has_text=unit)).to_contain_text("Trond Aune")
    assert live_server.device(unit).state == "reserved"
    assert_plain_bokmal(desk)


def plan_day_in_browser(desk, live_server, run_date: date) -> int:
    """«Planlegg» on /lager/runder for the e2e driver and the test's van; the run's id."""
    desk.goto(f"/lager/runder?dato={run_date.isoformat()}")
    plan = desk.get_by_test_id("plan-form")
    plan.get_by_label("Sjåfør").first.select_option(label="E2E Sjafor")
    plan.get_by_label("Bil").first.select_option(value=VAN)
    assert submit(desk, plan.get_by_role("button", name=f"Planlegg {run_date:%d.%m.%Y}")) == 302
    return run_on(live_server, run_date)


def test_an_exchange_visit_is_one_stop_with_both_outcomes_on_the_phone_and_in_the_kjorebok(new_page, live_server,
                                                                                              tmp_path):
    with Arranger(live_server) as depot:
        depot.sweep_open_stops()
        old_bed, new_bed = depot.product("Sykeseng Opus 2", "181210"), depot.product("Elseng Invacare SB 755", "181210")
        marit = depot.citizen("Marit Solheim", "Byttevegen 4")
        collect = depot.unit_to_collect(marit, old_bed, TODAY)
        deliver = depot.reserved_unit(marit, new_bed, EXCHANGE_DAY)

    # The planner plans the day: Marit's door is one visit, «Levering og henting».
    desk = new_page(**DESKTOP)
    login_as(desk, live_server, "lager")
    run_id = plan_day_in_browser(desk, live_server, EXCHANGE_DAY)
    [stop] = run_stops(live_server, run_id)
    assert (stop["kind"], stop["name"], stop["items"]) == ("Levering og henting", marit.name,
                                                           [("collect", collect), ("deliver", deliver)])
    row = desk.get_by_test_id(f"run-{run_id}").locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Levering og henting")
    expect(row).to_contain_text(f"Levering: {deliver}")
    expect(row).to_contain_text(f"Henting: {collect}")

    # Picking: only the unit to deliver is on the pick list.
    desk.goto(f"/runder/{run_id}/plukk")
    expect(desk.get_by_test_id("pick-lines").locator("tbody tr")).to_have_count(1)
    assert pick_scan(desk, deliver).status == 200
    expect(desk.get_by_test_id("pick-status")).to_have_text(f"{deliver} plukket. Alt er plukket.")

    # On the phone: one card, a part per action with its own buttons, «Ikke hjemme» once for the visit.
    phone = new_page(**PHONE)
    login_as(phone, live_server, "sjafor")
    start_run_on_phone(phone, run_id)
    cards = phone.locator("section.stop")
    expect(cards).to_have_count(1)
    card = phone.get_by_test_id(f"stop-{stop['id']}")
    expect(card.get_by_role("heading")).to_have_text("1. Levering og henting")
    delivery, pickup = card.locator("fieldset", has_text="Levering"), card.locator("fieldset", has_text="Henting")
    expect(card.locator("fieldset legend")).to_have_text(["Levering", "Henting"])
    expect(delivery.get_by_role("button")).to_have_text(["Levert", "Avvist"])
    expect(pickup.get_by_role("button")).to_have_text(["Hentet", "Avvist"])
    expect(card.get_by_role("button", name="Ikke hjemme")).to_have_count(1)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390, "the exchange visit scrolls sideways"

    # «Avvist» on the pickup without saying why is refused in the card, keeping what was typed.
    card.get_by_label("Mottatt av").fill("Marit selv")
    assert submit(phone, pickup.get_by_role("button", name="Avvist")) == 422
    expect(card.get_by_role("alert")).to_contain_text("Merknad: Skriv hvorfor hjelpemiddelet ble avvist.")
    expect(card.get_by_label("Mottatt av")).to_have_value("Marit selv")
    assert run_stops(live_server, run_id)[0]["outcome"] == ""

    # Delivered, then collected: both recorded on the one visit.
    assert submit(phone, delivery.get_by_role("button", name="Levert")) == 302
    expect(card).to_contain_text(re.compile(rf"Levering: {deliver} .* – Levert"))
    expect(card.locator("fieldset")).to_have_count(0)
    assert submit(phone, card.get_by_role("button", name="Hentet", exact=True)) == 302
    expect(phone.get_by_test_id(f"outcome-{stop['id']}")).to_contain_text(
        re.compile(r"^Levert · Hentet \d\d:\d\d · mottatt av Marit selv"))
    expect(card).to_have_class(re.compile(r"\bstop-done\b"))
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert_plain_bokmal(phone)
    assert (live_server.device(deliver).state, live_server.device(collect).state) == ("on_loan", "returned")
    assert run_stops(live_server, run_id)[0]["outcome"] == "Levert · Hentet"

    # The kjørebok lists the visit once, both units, both outcomes.
    log = download(phone, "Kjørebok (PDF)")
    text = pdf_text(log, folder(tmp_path, "log"))
    assert text.count(marit.name) == 1, text
    assert text.count("Utfall:") == 1 and "Utfall: Levert · Hentet" in text, text
    assert "Marit selv" in text
    assert sorted(c for page in decode_pages(log, folder(tmp_path, "log")) for c in page) == sorted([collect, deliver])


def test_a_unit_swapped_at_picking_is_the_only_one_listed_after(new_page, live_server, tmp_path):
    with Arranger(live_server) as depot:
        depot.sweep_open_stops()
        walker = depot.product("Rollator Dolomite Futura")
        olav = depot.citizen("Olav Lien", "Lien gård")
        planned = depot.reserved_unit(olav, walker, SWAP_DAY, shelf="A-01-2")
        spare = depot.unit(walker, shelf="A-01-1")
        run_id = depot.planned_run(SWAP_DAY)
    [stop] = run_stops(live_server, run_id)
    assert stop["items"] == [("deliver", planned)]

    # At the shelf the picker takes the spare of the same model: it replaces the planned unit.
    desk = new_page(**DESKTOP)
    login_as(desk, live_server, "lager", next_path=f"/runder/{run_id}/plukk")
    expect(desk.locator(f'tr[data-barcode="{planned}"]')).to_have_count(1)
    assert pick_scan(desk, spare).status == 200
    expect(desk.get_by_test_id("pick-status")).to_have_text(f"{spare} plukket. Erstatter {planned}. Alt er plukket.")
    expect(desk.locator(f'tr[data-barcode="{spare}"]')).to_have_class(re.compile(r"\bpicked\b"))
    expect(desk.locator(f'tr[data-barcode="{planned}"]')).to_have_count(0)
    desk.reload()
    lines = desk.get_by_test_id("pick-lines").locator("tbody tr")
    expect(lines).to_have_count(1)
    expect(lines.locator(".barcode")).to_have_text(spare)
    expect(lines.locator(".tick")).to_have_text("✓")
    assert planned not in desk.get_by_test_id("pick-lines").inner_text()
    assert (live_server.device(spare).state, live_server.device(spare).location_code) == ("picked", VAN)
    assert (live_server.device(planned).state, live_server.device(planned).location_code) == ("available", "A-01-2")
    assert run_stops(live_server, run_id)[0]["items"] == [("deliver", spare)]

    # On the phone the visit lists the unit in the van, and nothing else.
    phone = new_page(**PHONE)
    login_as(phone, live_server, "sjafor")
    start_run_on_phone(phone, run_id)
    card = phone.get_by_test_id(f"stop-{stop['id']}")
    units = card.locator("ul li")
    expect(units).to_have_count(1)
    expect(units).to_contain_text(f"Levering: {spare}")
    expect(units.locator(".mono")).to_have_text(spare)
    expect(card).not_to_contain_text(planned)
    card.get_by_label("Mottatt av").fill("kona")
    assert submit(phone, card.get_by_role("button", name="Levert", exact=True)) == 302
    expect(phone.get_by_test_id(f"outcome-{stop['id']}")).to_contain_text("mottatt av kona")
    assert live_server.device(spare).state == "on_loan"
    assert live_server.device(planned).state == "available"

    # The kjørebok has the unit in the van only, in text and as a barcode.
    log = download(phone, "Kjørebok (PDF)")
    text = pdf_text(log, folder(tmp_path, "log"))
    assert spare in text and planned not in text, text
    assert [c for page in decode_pages(log, folder(tmp_path, "log")) for c in page] == [spare]
    assert "Utfall: Levert" in text
