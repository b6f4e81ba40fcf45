"""The one writer of lists as files: CSV as Norwegian Excel opens it, XLSX a real workbook, both
streamed, and no text a spreadsheet would run as a formula."""
from __future__ import annotations

import csv
import io
import tracemalloc
from datetime import date, datetime, timezone
from decimal import Decimal

import openpyxl
import pytest

from hjelpemiddel.core.exports import (BATCH, csv_bytes, csv_cell, csv_chunks, file_name, safe_text, xlsx_bytes,
                                       xlsx_chunks)

HEADINGS = ("Strekkode", "Produkt", "Antall", "Pris", "Trengs innen", "Registrert", "Merknad")
ROW = ("HJM00000018", "Rullestol «Æøå»; lett", 3, Decimal("1250.50"), date(2026, 3, 4),
       datetime(2026, 7, 1, 10, 30, tzinfo=timezone.utc), None)


def read_csv(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_csv_starts_with_a_byte_order_mark_and_uses_semicolons_and_crlf():
    body = csv_bytes(HEADINGS, [ROW])
    assert body.startswith(b"\xef\xbb\xbfStrekkode;Produkt;")
    assert b"\r\n" in body and body.count(b"\r\n") == 2


def test_csv_quotes_a_text_with_a_semicolon_and_writes_dates_and_numbers_the_norwegian_way():
    [headings, row] = read_csv(csv_bytes(HEADINGS, [ROW]))
    assert headings == list(HEADINGS)
    # Summer time in Oslo: 10:30 UTC is 12:30 there.
    assert row == ["HJM00000018", "Rullestol «Æøå»; lett", "3", "1250,50", "04.03.2026", "01.07.2026 12:30", ""]


@pytest.mark.parametrize("text,written", [
    ("=SUM(A1:A9)", "'=SUM(A1:A9)"), ("+47 99 88 77 66", "'+47 99 88 77 66"), ("-1", "'-1"),
    ("@cmd", "'@cmd"), ("Vanlig tekst", "Vanlig tekst"), ("", ""), ("a=b", "a=b"),
])
def test_a_text_a_spreadsheet_would_run_gets_a_leading_apostrophe_in_csv(text, written):
    assert safe_text(text) == written
    assert read_csv(csv_bytes(("Tekst",), [(text,)]))[1] == [written]


@pytest.mark.parametrize("value,written", [(True, "Ja"), (False, "Nei"), (-5, "-5"), (2.25, "2,25"),
                                           (1234567.0, "1234567"), (None, "")])
def test_csv_cells_say_yes_and_no_and_keep_numbers_whole(value, written):
    assert csv_cell(value) == written


def test_xlsx_opens_with_openpyxl_with_numbers_dates_and_texts_in_their_types():
    rows = [ROW, ("=HYPERLINK(\"x\")", "Kontroll\x01tegn", 0, 2.5, date(2000, 1, 1),
                  datetime(2026, 1, 2, 23, 59, tzinfo=timezone.utc), True)]
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(HEADINGS, rows, sheet="Hjelpemidler"))).active
    assert sheet.title == "Hjelpemidler"
    assert [cell.value for cell in sheet[1]] == list(HEADINGS)
    first = [cell.value for cell in sheet[2]]
    assert first[:4] == ["HJM00000018", "Rullestol «Æøå»; lett", 3, 1250.5]
    assert first[4] == datetime(2026, 3, 4) and sheet["E2"].is_date
    assert first[5] == datetime(2026, 7, 1, 12, 30) and sheet["F2"].number_format == "dd.mm.yyyy hh:mm"
    assert first[6] is None
    second = [cell.value for cell in sheet[3]]
    # A formula stays a text in a workbook (an inline string is never calculated); a control
    # character XML cannot carry is dropped rather than breaking the file.
    assert sheet["A3"].data_type == "s" and second[0] == "=HYPERLINK(\"x\")"
    assert second[1] == "Kontrolltegn" and second[2] == 0 and second[6] == "Ja"
    assert second[5] == datetime(2026, 1, 3, 0, 59)  # past midnight in Oslo


def test_an_empty_list_is_a_file_with_only_its_headings():
    assert read_csv(csv_bytes(HEADINGS, [])) == [list(HEADINGS)]
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(HEADINGS, []))).active
    assert sheet.max_row == 1


def test_both_writers_stream_a_chunk_per_batch_of_rows_reading_rows_only_as_they_go():
    taken = []

    def rows(count):
        for number in range(count):
            taken.append(number)
            yield (f"HJM{number:08d}", number)

    for writer in (csv_chunks, xlsx_chunks):
        taken.clear()
        chunks = writer(("Strekkode", "Nr"), rows(3 * BATCH + 7))
        next(chunks)
        assert len(taken) <= BATCH + 1, "the first chunk is sent before the rest is read"
        assert len(list(chunks)) >= 3


def test_a_large_workbook_is_written_in_bounded_memory():
    rows = ((f"HJM{number:08d}", "Rollator Topro Olympos M", number, date(2026, 1, 1)) for number in range(100_000))
    tracemalloc.start()
    size = sum(len(chunk) for chunk in xlsx_chunks(("Strekkode", "Produkt", "Nr", "Dato"), rows))
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert size > 1_000_000
    assert peak < 10_000_000, f"peak {peak} bytes for 100 000 rows"


def test_a_file_is_named_by_its_list_and_day_in_ascii():
    assert file_name("Hjelpemidler", date(2026, 12, 4), "csv") == "hjelpemidler-2026-12-04.csv"
    assert file_name("Kø på lager", date(2026, 1, 2), "xlsx") == "ko-pa-lager-2026-01-02.xlsx"
    assert file_name("\"; rm", date(2026, 1, 2), "csv") == "-rm-2026-01-02.csv"
