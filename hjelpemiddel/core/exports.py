"""Lists as files for a spreadsheet: rows (an iterator of tuples) and headings in, bytes out, a chunk at
a time, so a list of a million rows is written in bounded memory. Pure: no Flask, no database.

CSV: semicolons, CRLF and a byte-order mark, as Norwegian Excel opens it with æøå; dates as people
write them (dd.mm.åååå); a text starting with = + - @ gets a leading apostrophe, since a spreadsheet
would read it as a formula (texts come from people). XLSX: a real workbook of one sheet with inline
strings, numbers as numbers and dates as dates, written through ``zipfile`` into a buffer that is
emptied after every batch of rows."""
from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from xml.sax.saxutils import escape

from .text import local_time

FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
BATCH = 500  # rows per chunk handed to the response
_FORMULA_STARTS = ("=", "+", "-", "@")
# Characters XML 1.0 cannot carry at all (a stray control character would make the workbook unreadable).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EXCEL_EPOCH = datetime(1899, 12, 30)
_MAX_CELL = 32_767  # Excel's longest text in a cell


def safe_text(value: str) -> str:
    """A text a spreadsheet shows as it is, never runs as a formula."""
    return "'" + value if value[:1] in _FORMULA_STARTS else value


def _moment(value: datetime) -> datetime:
    # Stored moments are UTC; people read them in Norwegian time.
    return local_time(value) if value.tzinfo is not None else value


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Ja" if value else "Nei"
    if isinstance(value, datetime):
        return _moment(value).strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, (int, Decimal)):
        return str(value).replace(".", ",")
    if isinstance(value, float):
        # A decimal comma, as the semicolons promise Norwegian Excel.
        return f"{value:.6f}".rstrip("0").rstrip(".").replace(".", ",")
    return safe_text(str(value))


def csv_chunks(headings: Sequence[str], rows: Iterable[Sequence]) -> Iterator[bytes]:
    """The CSV in chunks of ``BATCH`` rows; the first chunk holds the byte-order mark and the headings."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    out.write("\ufeff")
    writer.writerow(headings)
    written = 0
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
        written += 1
        if written % BATCH == 0:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode("utf-8")


def csv_bytes(headings: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    return b"".join(csv_chunks(headings, rows))


# --- XLSX -----------------------------------------------------------------------------------

_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
<Default Extension="xml" ContentType="application/xml"/>\
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>\
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
</Types>"""
_ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>\
</Relationships>"""
_WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>"""
_WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>\
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>\
</Relationships>"""
# Style 1: a date (dd.mm.yyyy), 2: a moment (dd.mm.yyyy hh:mm), 3: the bold headings.
_STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
<numFmts count="2"><numFmt numFmtId="164" formatCode="dd.mm.yyyy"/><numFmt numFmtId="165" formatCode="dd.mm.yyyy hh:mm"/></numFmts>\
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>\
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>\
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>\
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>\
</styleSheet>"""
_SHEET_START = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>\
</sheetView></sheetViews><sheetData>"""
_SHEET_END = "</sheetData></worksheet>"


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _serial(value: date | datetime) -> float:
    if isinstance(value, datetime):
        moment = _moment(value).replace(tzinfo=None, microsecond=0)
        return round((moment - _EXCEL_EPOCH).total_seconds() / 86_400, 9)
    return float((value - _EXCEL_EPOCH.date()).days)


def _xlsx_cell(ref: str, value, style: int = 0) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        value = "Ja" if value else "Nei"
    elif isinstance(value, (int, float, Decimal)):
        return f'<c r="{ref}"><v>{value}</v></c>'
    elif isinstance(value, (date, datetime)):
        kind = 2 if isinstance(value, datetime) else 1
        return f'<c r="{ref}" s="{kind}"><v>{_serial(value)!r}</v></c>'
    text = escape(_NOT_XML.sub("", str(value))[:_MAX_CELL])
    styled = f' s="{style}"' if style else ""
    return f'<c r="{ref}" t="inlineStr"{styled}><is><t xml:space="preserve">{text}</t></is></c>'


def _xlsx_row(number: int, columns: list[str], values: Sequence, style: int = 0) -> str:
    cells = "".join(_xlsx_cell(f"{column}{number}", value, style) for column, value in zip(columns, values))
    return f'<row r="{number}">{cells}</row>'


class _Drain(io.RawIOBase):
    """A write-only stream whose bytes are taken away after each batch: ``zipfile`` writes an
    unseekable archive to it (sizes after each member), so nothing but a batch is ever held."""

    def __init__(self):
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def xlsx_chunks(headings: Sequence[str], rows: Iterable[Sequence], sheet: str = "Liste") -> Iterator[bytes]:
    """The workbook in chunks of about ``BATCH`` rows; headings bold, the first row frozen."""
    drain = _Drain()
    name = escape(re.sub(r"[\[\]:*?/\\]", "", sheet)[:31] or "Liste", {'"': "&quot;"})
    # The fastest deflate: a million rows are sent in half a minute rather than most of one, a fifth bigger.
    with zipfile.ZipFile(drain, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for part, body in (("[Content_Types].xml", _CONTENT_TYPES), ("_rels/.rels", _ROOT_RELS),
                           ("xl/workbook.xml", _WORKBOOK.format(name=name)),
                           ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS), ("xl/styles.xml", _STYLES)):
            archive.writestr(part, body)
        columns = [_column(index) for index in range(len(headings))]
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet_file:
            buffer = [_SHEET_START, _xlsx_row(1, columns, headings, style=3)]
            number = 1
            for row in rows:
                number += 1
                buffer.append(_xlsx_row(number, columns, row))
                if number % BATCH == 0:
                    sheet_file.write("".join(buffer).encode("utf-8"))
                    buffer = []
                    yield drain.take()
            buffer.append(_SHEET_END)
            sheet_file.write("".join(buffer).encode("utf-8"))
    yield drain.take()


def xlsx_bytes(headings: Sequence[str], rows: Iterable[Sequence], sheet: str = "Liste") -> bytes:
    return b"".join(xlsx_chunks(headings, rows, sheet))


def export_chunks(fmt: str, headings: Sequence[str], rows: Iterable[Sequence], sheet: str = "Liste") -> Iterator[bytes]:
    return csv_chunks(headings, rows) if fmt == "csv" else xlsx_chunks(headings, rows, sheet)


def file_name(base: str, today: date, fmt: str) -> str:
    """«hjelpemidler-2026-12-04.xlsx»: the list and the day it was taken, in ASCII so every browser keeps it."""
    ascii_base = base.lower().translate(str.maketrans({"æ": "ae", "ø": "o", "å": "a", " ": "-"}))
    ascii_base = re.sub(r"[^a-z0-9-]", "", ascii_base) or "liste"
    return f"{ascii_base}-{today.isoformat()}.{fmt}"

