"""A technician completes a repair on the service page with a part from the municipality's stock, in a
real browser: the warranty line is shown, the part is chosen in the type-ahead, the cause is picked,
and the stock goes down by what was used; the depot worker finds the use in the part's history."""
from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from hjelpemiddel.maintenance import services
from hjelpemiddel.maintenance.models import SparePart

from .conftest import login_as
from .depot_helpers import DESKTOP, Arranger, assert_plain_bokmal, flash, submit

pytestmark = pytest.mark.browser


def test_a_repair_completed_with_a_stock_part_takes_it_from_stock_and_shows_the_warranty(new_page, live_server):
    number = f"E2E-{uuid.uuid4().hex[:8].upper()}"
    with Arranger(live_server) as depot:
        walker = depot.product("Rollator Gemino")
        barcode = depot.unit(walker)
        part = services.create_spare_part(depot.session, depot.ids["lager"], number, f"Forhjul {number}", quantity=4)
    page = new_page(**DESKTOP)
    login_as(page, live_server, "sjafor", next_path=f"/service/{barcode}")
    expect(page.get_by_test_id("warranty")).to_contain_text("Garanti: ja, til ")
    expect(page.get_by_test_id("warranty")).to_contain_text("krav rettes til E2E")

    page.get_by_label("Hva er galt").fill("Forhjulet slingrer")
    page.get_by_label("Hvor").select_option(label="På lageret")
    page.get_by_label("Årsak").select_option(label="Hjul/styrehjul")
    assert submit(page, page.get_by_role("button", name="Ny reparasjon")) == 302
    expect(flash(page)).to_contain_text("Reparasjonen er opprettet")

    page.get_by_label("Hva ble gjort").fill("Byttet forhjul")
    page.get_by_label("Tidsbruk (minutter)").fill("25")
    picker = page.get_by_test_id("stock-part-0")
    picker.press_sequentially(number[:8], delay=20)
    option = page.get_by_role("option", name=f"{number} – Forhjul {number}")
    option.click()
    expect(picker).to_have_value(f"Forhjul {number}")
    page.get_by_test_id("stock-antall-0").fill("2")
    submit(page, page.get_by_role("button", name="Reparasjon ferdig"))
    expect(flash(page)).to_contain_text("Reparasjonen er registrert i historikken")
    expect(page.get_by_test_id("repairs")).to_contain_text(f"2 × Forhjul {number}")
    expect(page.get_by_test_id("repairs")).to_contain_text("Årsak: Hjul/styrehjul")
    assert_plain_bokmal(page)
    with Arranger(live_server) as depot:
        assert depot.session.get(SparePart, part.id).quantity == 2

    # At the depot, the part's page shows the use on this unit's repair in its history, filtered and downloadable.
    login_as(page, live_server, "lager", next_path=f"/lager/reservedeler?q={number}")
    page.get_by_role("link", name=f"Forhjul {number}").click()
    expect(page.get_by_test_id("part-facts")).to_contain_text("På lager2")
    page.get_by_label("Hendelse").select_option(label="Brukt på reparasjon")
    page.get_by_role("button", name="Vis").click()
    history = page.get_by_test_id("part-movements")
    expect(history).to_contain_text("Historikk (1)")
    expect(history.get_by_role("row").nth(1)).to_contain_text("Brukt på reparasjon")
    expect(history.get_by_role("row").nth(1)).to_contain_text("-2")
    expect(history.get_by_role("link", name=barcode)).to_be_visible()
    expect(page.get_by_test_id("export-csv")).to_have_attribute("href", re.compile(r"hendelse=used"))
    assert_plain_bokmal(page)
