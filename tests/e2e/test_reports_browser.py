"""A manager reads the reports in Chromium: the overview, the waiting page narrowed to one postcode
area (figure, «Slik regnes det», the chart's numbers beside it), the rows behind the median downloaded
as CSV and as Excel and read back, and the month's report PDF read back with pdftotext."""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from hjelpemiddel.citizens.services import register_citizen
from hjelpemiddel.core.auth import User
from hjelpemiddel.core.db import get_session, utcnow
from hjelpemiddel.core.fnr import make_fnr
from hjelpemiddel.core.text import local_today
from hjelpemiddel.lending import services as lending

from ..support import pdf_text
from .conftest import login_as

pytestmark = pytest.mark.browser
POSTCODE = "9991"


def lend_after_waiting(live_server, days: int) -> int:
    """A need registered ``days`` ago at a door in POSTCODE, approved and handed over now."""
    barcode = live_server.make_device("rollator_jazz", location_code="A-01-2")
    app = live_server.app
    with app.app_context():
        session = get_session()
        therapist = session.scalar(select(User).where(User.username == live_server.seed.users["terapeut"]))
        lager = session.scalar(select(User).where(User.username == live_server.seed.users["lager"]))
        citizen = register_citizen(session, app.extensions["fnr_vault"], therapist.id,
                                   make_fnr("010150", f"{400 + days:03d}") or make_fnr("020150", f"{400 + days:03d}"),
                                   "Rapport Testesen", "Fjellveien 1", POSTCODE, "1505", city="Rapportby")
        need = lending.register_need(session, therapist.id, "terapeut", citizen.id, local_today() + timedelta(days=3),
                                     "normal", "short_term", product_id=live_server.seed.products["rollator_jazz"])
        need.registered_at = utcnow() - timedelta(days=days)
        lending.decide_need(session, lager.id, "lager", need.id, "approve")
        [held] = lending.need_units(session, [need.id])[need.id]
        assert held.barcode == barcode
        lending.hand_over(session, lager.id, barcode, received_by="Bruker")
        session.commit()
        return need.id


def test_a_manager_reads_the_waiting_report_for_an_area_and_takes_its_rows_and_the_month_away(
        page, live_server, tmp_path):
    first, second = lend_after_waiting(live_server, 2), lend_after_waiting(live_server, 4)
    login_as(page, live_server, "lager", next_path="/rapporter")
    expect(page.get_by_role("heading", name="Rapporter (styringsdata)")).to_be_visible()
    expect(page.get_by_test_id("area-ventetid")).to_be_visible()

    page.get_by_role("link", name="Alle tall og diagrammer for ventetid").click()
    page.get_by_role("textbox", name="Postnummerområde").fill(POSTCODE)
    page.get_by_role("button", name="Vis").click()
    expect(page).to_have_url(re.compile(rf"postnummer={POSTCODE}"))
    median = page.get_by_test_id("figure-median_all")
    expect(median).to_contain_text("3,0 dager")
    expect(median).to_contain_text("Regnet av 2 rader")
    median.get_by_text("Slik regnes det").click()
    expect(median).to_contain_text("siste enhet var levert")
    expect(page.get_by_test_id("chart-waiting_by_month").locator("svg[role=img]")).to_be_visible()
    expect(page.get_by_test_id("chart-table-waiting_by_urgency")).to_contain_text("Vanlig")

    median.get_by_role("link", name=re.compile("Vis radene")).click()
    rows = page.get_by_test_id("figure-rows")
    expect(rows.locator("tbody tr")).to_have_count(2)
    expect(rows.locator("tbody tr").first).to_contain_text(str(second))  # the longest wait first

    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Last ned CSV").click()
    csv_path = Path(tmp_path) / csv_download.value.suggested_filename
    csv_download.value.save_as(csv_path)
    lines = list(csv.reader(io.StringIO(csv_path.read_bytes().decode("utf-8-sig")), delimiter=";"))
    assert lines[0][:2] == ["Behov nr.", "Hastegrad"]
    assert [line[0] for line in lines[1:]] == [str(second), str(first)]
    assert [line[6] for line in lines[1:]] == ["4", "2"] and {line[3] for line in lines[1:]} == {POSTCODE}

    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="Last ned Excel").click()
    xlsx_path = Path(tmp_path) / xlsx_download.value.suggested_filename
    xlsx_download.value.save_as(xlsx_path)
    table = list(openpyxl.load_workbook(xlsx_path, read_only=True).active.iter_rows(values_only=True))
    assert [row[0] for row in table[1:]] == [second, first] and [row[6] for row in table[1:]] == [4, 2]

    page.goto(f"{live_server.url}/rapporter")
    month = local_today().strftime("%Y-%m")
    page.get_by_role("textbox", name="Måned").fill(month)
    page.get_by_role("button", name="Lag månedsrapport").click()
    expect(page).to_have_url(re.compile(rf"/rapporter/manedsrapport\.pdf\?month={month}"))  # Chromium shows it
    pdf = page.request.get(page.url).body()  # the same address, in the logged-in session, for pdftotext
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf, tmp_path)
    assert "Månedsrapport" in text and "Ventetid, median" in text and "Måneden før" in text
