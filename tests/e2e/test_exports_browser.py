"""A list downloaded from the browser: the device list filtered by a search, «Last ned CSV» and «Last
ned Excel» clicked, and both files read back hold exactly the rows the filtered page shows."""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect

from .conftest import login_as

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
