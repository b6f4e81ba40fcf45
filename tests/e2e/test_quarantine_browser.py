"""Quarantine (karantene) in a real browser, as the warehouse worker uses /lager/karantene.

Kåre's shower chair is reserved for him when its seat is found cracked: it is scanned into
quarantine, and his need gets the other free chair at once. The worker finds it again by searching,
tries to scrap it without saying why (refused, naming the field, nothing lost), then releases it
back to the shelf. A chair of the same model, taken off the shelf by a recall earlier, is scrapped
with a note.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from hjelpemiddel.maintenance.services import quarantine_device

from .conftest import login_as
from .depot_helpers import DESKTOP, Arranger, assert_plain_bokmal, flash, submit

pytestmark = pytest.mark.browser


def quarantine_by_scan(page, barcode: str, reason: str, note: str = "") -> int:
    """Reason and description first, then the scan: the scanner's Enter sends the form."""
    form = page.get_by_test_id("quarantine-form")
    form.get_by_label("Årsak").select_option(label=reason)
    form.get_by_label("Beskrivelse").fill(note)
    form.get_by_label("Skann hjelpemiddelet").click()
    with page.expect_navigation(), page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.keyboard.type(barcode, delay=5)
        page.keyboard.press("Enter")
    return posted.value.status


def search(page, text: str = "", reason: str = "Alle") -> None:
    """The list's own search form, as a person fills it (every field is sent, empty or not)."""
    form = page.get_by_role("search")
    form.get_by_label("Søk").fill(text)
    form.get_by_label("Årsak").select_option(label=reason)
    with page.expect_navigation():
        form.get_by_role("button", name="Vis").click()


def listed(page) -> list[str]:
    return [row.get_attribute("data-testid").removeprefix("quarantined-")
            for row in page.get_by_test_id("quarantined").locator("tbody tr").all()]


def test_quarantine_a_reserved_unit_find_it_refuse_scrapping_without_a_note_and_release_it(new_page, live_server):
    with Arranger(live_server) as depot:
        chair = depot.product("Dusjstol Karma Aquatec")
        kare = depot.citizen("Kåre Vik", "Vikaveien 7")
        cracked = depot.reserved_unit(kare, chair, date.today() + timedelta(days=3))
        spare = depot.unit(chair, "A-01-1")
        recalled = [depot.unit(chair, "A-01-2") for _ in range(3)]
        chair_name = depot.product_name(chair)
        # Earlier today a recall of the model took three more off the shelf.
        for barcode in recalled:
            quarantine_device(depot.session, depot.ids["lager"], barcode, "recall", "Feltsikkerhetsmelding FSN-2026-11")

    page = new_page(**DESKTOP)
    login_as(page, live_server, "lager")
    expect(page.get_by_role("navigation").get_by_role("link", name="Karantene")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("navigation").get_by_role("link", name="Karantene").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Karantene")

    # The cracked seat: scanned in, out of use at once; Kåre's need gets the free chair.
    assert quarantine_by_scan(page, cracked, "Skade", "Sprukket sete") == 302
    expect(flash(page)).to_have_text(f"{cracked} er satt i karantene.")
    row = page.get_by_test_id(f"quarantined-{cracked}")
    expect(row).to_contain_text("Skade: Sprukket sete")
    expect(row).to_contain_text("Reservert")
    expect(row.get_by_label("Slipp til").locator("option")).to_have_text(
        ["Ledig på lager", "Til reparasjon", "Kassert"])
    assert live_server.device(cracked).state == "quarantined"
    assert live_server.device(spare).state == "reserved"
    assert [e.kind for e in live_server.device(spare).history][-1] == "reserved"

    # A second scan of it says so, and keeps the scan in the field.
    assert quarantine_by_scan(page, cracked, "Skade") == 409
    expect(page.get_by_role("alert")).to_have_text(f"{cracked} er allerede i karantene.")
    expect(page.get_by_test_id("quarantine-form").get_by_label("Skann hjelpemiddelet")).to_have_value(cracked)
    page.get_by_test_id("quarantine-form").get_by_label("Skann hjelpemiddelet").fill("")

    # Found by searching for its barcode (the form sends «Alle» reasons as an empty field).
    search(page, cracked)
    assert page.url.endswith(f"?q={cracked}&reason=")
    assert listed(page) == [cracked]
    expect(page.get_by_test_id("quarantined").get_by_role("heading")).to_have_text("I karantene nå (1)")
    expect(page.get_by_role("search").get_by_label("Søk")).to_have_value(cracked)

    # Filtered by reason and by the model, a page of two at a time.
    search(page, chair_name, "Tilbakekalling")
    assert sorted(listed(page)) == sorted(recalled)
    page.goto(f"/lager/karantene?q={chair_name}&reason=recall&limit=2")
    pager = page.locator("p.pager")
    expect(pager).to_contain_text("Viser 1–2 av 3")
    assert listed(page) == recalled[::-1][:2]
    with page.expect_navigation():
        pager.get_by_role("link", name="Neste →").click()
    expect(page.locator("p.pager")).to_contain_text("Viser 3–3 av 3")
    assert listed(page) == [recalled[0]]
    expect(page.get_by_role("search").get_by_label("Årsak")).to_have_value("recall")
    search(page, "finnes-ikke-XYZ")
    expect(page.get_by_test_id("quarantined")).to_contain_text("Ingen hjelpemidler i karantene som passer søket.")

    # Scrapping without a note is refused, naming the field; the row keeps what was chosen.
    search(page, cracked)
    row = page.get_by_test_id(f"quarantined-{cracked}")
    row.get_by_label("Slipp til").select_option(label="Kassert")
    assert submit(page, row.get_by_role("button", name="Slipp")) == 422
    expect(page.get_by_role("alert")).to_have_text("Merknad: Kassering krever en begrunnelse.")
    row = page.get_by_test_id(f"quarantined-{cracked}")
    expect(row.get_by_label("Slipp til")).to_have_value("scrapped")
    expect(page.get_by_test_id("quarantine-form").get_by_label("Beskrivelse")).to_have_value("")
    assert live_server.device(cracked).state == "quarantined"
    assert_plain_bokmal(page)

    # Released back: the seat was fine after all; the chair is free on the shelf.
    row.get_by_label("Slipp til").select_option(label="Ledig på lager")
    row.get_by_label("Merknad").fill("Setet er helt, bare tape")
    assert submit(page, row.get_by_role("button", name="Slipp")) == 302
    expect(flash(page)).to_have_text(f"{cracked} er sluppet fra karantene: «Ledig på lager».")
    expect(page.get_by_test_id(f"quarantined-{cracked}")).to_have_count(0)
    assert live_server.device(cracked).state == "available"
    assert live_server.device(spare).state == "reserved"

    # A recalled chair is scrapped, with the note that says why.
    search(page, recalled[0])
    row = page.get_by_test_id(f"quarantined-{recalled[0]}")
    row.get_by_label("Slipp til").select_option(label="Kassert")
    row.get_by_label("Merknad").fill("Tilbakekalt av produsent")
    assert submit(page, row.get_by_role("button", name="Slipp")) == 302
    expect(flash(page)).to_have_text(f"{recalled[0]} er sluppet fra karantene: «Kassert».")
    scrapped = live_server.device(recalled[0])
    assert scrapped.state == "scrapped" and "Tilbakekalt av produsent" in scrapped.history[-1].note
    assert_plain_bokmal(page)
    assert re.search(r"\bI karantene nå \(\d+\)", page.get_by_test_id("quarantined").inner_text())
