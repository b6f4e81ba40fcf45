"""A list downloaded from the browser: the device list filtered by a search, «Last ned CSV» and «Last
ned Excel» clicked, and both files read back hold exactly the rows the filtered page shows; the
depot page's washing list, one of several lists on its page, with its own search."""
from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect

from hjelpemiddel.lending import services as lending

from .conftest import login_as
from .depot_helpers import Arranger

pytestmark = pytest.mark.browser


def test_the_filtered_device_list_downloads_as_csv_and_excel_with_the_rows_on_the_page(page, live_server, tmp_path):
    login_as(page, live_server, "lager", next_path="/hjelpemidler")
    page.get_by_label("Søk (strekkode, serienummer, produkt)").fill("Dusjstol Etac Swift")
    page.get_by_role("button", name="Vis").click()
    expect(page).to_have_url(re.compile(r"q=Dusjstol"))
    rows = page.locator("table tbody tr")
    shown = sorted(rows.nth(i).locator("td").first.inner_text().strip() for i in range(rows.count()))
    assert len(shown) >= 2 and all(code.startswith("HJM") for code in shown)

    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Last ned CSV").click()
    csv_path = Path(tmp_path) / csv_download.value.suggested_filename
    csv_download.value.save_as(csv_path)
    assert csv_path.name.startswith("hjelpemidler-") and csv_path.suffix == ".csv"
    lines = list(csv.reader(io.StringIO(csv_path.read_bytes().decode("utf-8-sig")), delimiter=";"))
    assert lines[0][:2] == ["Strekkode", "Produkt"]
    assert sorted(line[0] for line in lines[1:]) == shown
    assert {line[1] for line in lines[1:]} == {"Dusjstol Etac Swift"}

    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="Last ned Excel").click()
    xlsx_path = Path(tmp_path) / xlsx_download.value.suggested_filename
    xlsx_download.value.save_as(xlsx_path)
    assert xlsx_path.suffix == ".xlsx"
    sheet = openpyxl.load_workbook(xlsx_path, read_only=True).active
    table = list(sheet.iter_rows(values_only=True))
    assert list(table[0][:2]) == ["Strekkode", "Produkt"]
    assert sorted(row[0] for row in table[1:]) == shown
    assert {row[1] for row in table[1:]} == {"Dusjstol Etac Swift"}


def test_the_washing_list_on_the_depot_page_downloads_with_its_search_and_the_units_state(page, live_server, tmp_path):
    with Arranger(live_server) as depot:
        stool = depot.product("Dusjkrakk Nedlasting", iso_class="093303")
        back = [depot.unit_on_loan(depot.citizen(name, "Fjordgata 3"), stool, date.today() + timedelta(days=1))
                for name in ("Eva Nedlasting", "Finn Nedlasting")]
        for barcode in back:
            lending.receive_at_depot(depot.session, depot.ids["lager"], barcode, location_code="A-01-1")
    login_as(page, live_server, "lager", next_path="/lager/utlan")
    washing = page.get_by_test_id("maintenance")
    washing.get_by_label("Søk (strekkode eller produkt)").fill(back[0])
    washing.get_by_role("button", name="Søk").click()
    expect(page).to_have_url(re.compile(rf"sok={back[0]}"))
    washing = page.get_by_test_id("maintenance")
    expect(washing.locator("tbody tr")).to_have_count(1)

    with page.expect_download() as download:
        washing.get_by_role("link", name="Last ned CSV").click()
    path = Path(tmp_path) / download.value.suggested_filename
    download.value.save_as(path)
    lines = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig")), delimiter=";"))
    assert path.name.startswith("vask-og-kontroll-")
    assert lines[0][:4] == ["Strekkode", "Produkt", "HMS-nr", "Status"]
    assert [(line[0], line[1], line[3]) for line in lines[1:]] == [(back[0], depot.product_name(stool), "Mottatt, venter på vask")]
