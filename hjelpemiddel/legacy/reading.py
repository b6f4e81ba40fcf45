"""Reading the old system's files: CSV (``;``/``,``, UTF-8 with/without BOM, cp1252) or XLSX (one sheet
per kind). Pure: bytes in, rows of canonical columns out."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from ..catalog.services import decode_csv_bytes
from ..core.errors import ValidationFailed

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
KINDS = ("products", "locations", "devices", "citizens_loans")  # the order they are imported in
KIND_LABELS = {"products": "Produkter", "locations": "Lokasjoner", "devices": "Enheter",
               "citizens_loans": "Innbyggere og utlån"}
# A file or sheet name containing one of these words says which kind it holds.
_KIND_WORDS = {"products": ("produkt", "product", "katalog"), "locations": ("lokasjon", "location", "plasser"),
               "devices": ("enhet", "device", "hjelpemidler"),
               "citizens_loans": ("innbygger", "citizen", "utlån", "utlan", "loan", "bruker")}
# canonical column -> (heading in the report, accepted headings, lower-case without spaces)
COLUMNS = {
    "hms_nr": ("HMS-nr", {"hms-nr", "hmsnr", "hms_nr", "hmsartnr", "artikkelnr"}),
    "name": ("Navn", {"navn", "name", "produktnavn", "artikkelnavn"}),
    "iso_class": ("ISO-klasse", {"iso-klasse", "isoklasse", "iso", "isokode", "iso_class"}),
    "supplier": ("Leverandør", {"leverandør", "leverandor", "produsent", "supplier"}),
    "product": ("Produkt", {"produkt", "product", "produktnavn"}),
    "code": ("Kode", {"kode", "lokasjonskode", "code", "plasskode"}),
    "kind": ("Type", {"type", "kind", "lokasjonstype"}),
    "parent": ("Overordnet", {"overordnet", "forelder", "parent", "ligger i"}),
    "barcode": ("Strekkode", {"strekkode", "barcode", "gammelstrekkode", "løpenr", "id"}),
    "serial": ("Serienummer", {"serienummer", "serienr", "serial", "serial_number"}),
    "place": ("Plass", {"plass", "lokasjon", "hylle", "location"}),
    "fnr": ("Fødselsnummer", {"fødselsnummer", "fodselsnummer", "fnr", "personnummer"}),
    "address": ("Adresse", {"adresse", "address", "gateadresse"}),
    "postcode": ("Postnummer", {"postnummer", "postnr", "postcode"}),
    "city": ("Poststed", {"poststed", "sted", "city"}),
    "kommunenummer": ("Kommunenummer", {"kommunenummer", "kommunenr", "kommune"}),
    "phone": ("Telefon", {"telefon", "tlf", "mobil", "phone"}),
    "loan_start": ("Utlånt fra", {"utlåntfra", "utlantfra", "utlånsdato", "utlansdato", "låntfra", "startdato",
                                  "loan_start"}),
}
REQUIRED = {"products": ("name", "iso_class"), "locations": ("code", "kind"),
            "devices": (), "citizens_loans": ("fnr", "name")}


def _key(heading: str) -> str:
    return "".join(heading.split()).lower()


_BY_HEADING = {_key(alias): column for column, (_label, aliases) in COLUMNS.items() for alias in aliases}
# "Navn" in a citizens file is the citizen's name; "Produktnavn" in a devices file names the product.
_BY_HEADING["produktnavn"] = "product"


@dataclass
class Table:
    kind: str
    source: str
    rows: list[tuple[int, dict]] = field(default_factory=list)  # (line or sheet row, canonical values)
    ignored: list[str] = field(default_factory=list)


def kind_of(name: str) -> str | None:
    lowered = name.lower()
    return next((kind for kind, words in _KIND_WORDS.items() if any(w in lowered for w in words)), None)


def _table(kind: str, source: str, rows) -> Table:
    table = Table(kind, source)
    iterator = iter(rows)
    header = next(iterator, None)
    if not header:
        raise ValidationFailed.for_field("file", f"{source}: filen er tom.")
    mapping = {}
    for index, heading in enumerate(header):
        column = _BY_HEADING.get(_key(str(heading or "")))
        if column is None or column in mapping.values():
            table.ignored.append(str(heading or ""))
        else:
            mapping[index] = column
    missing = [COLUMNS[c][0] for c in REQUIRED[kind] if c not in mapping.values()]
    if missing:
        raise ValidationFailed.for_field("file", f"{source}: mangler kolonne(r) {', '.join(missing)}.")
    for line, row in enumerate(iterator, start=2):
        cells = ["" if cell is None else str(cell).strip() for cell in row]
        if not any(cells):
            continue
        if len(table.rows) >= MAX_ROWS:
            raise ValidationFailed.for_field("file", f"{source}: mer enn {MAX_ROWS} rader; del filen opp.")
        table.rows.append((line, {column: cells[i] if i < len(cells) else "" for i, column in mapping.items()}))
    return table


def read_file(filename: str, raw: bytes) -> list[Table]:
    if len(raw) > MAX_BYTES:
        raise ValidationFailed.for_field("file", f"{filename}: filen er større enn {MAX_BYTES // 1024 // 1024} MB.")
    if filename.lower().endswith(".xlsx"):
        return _read_xlsx(filename, raw)
    kind = kind_of(filename)
    if kind is None:
        raise ValidationFailed.for_field("file", f"{filename}: filnavnet må si hva filen har "
                                                 "(produkter, lokasjoner, enheter eller innbyggere).")
    text = decode_csv_bytes(raw)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    try:
        return [_table(kind, filename, list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)))]
    except csv.Error:
        raise ValidationFailed.for_field("file", f"{filename}: kan ikke leses som CSV.") from None


def _read_xlsx(filename: str, raw: bytes) -> list[Table]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a broken file
        raise ValidationFailed.for_field("file", f"{filename}: kan ikke leses som XLSX.") from None
    tables = []
    try:
        for sheet in book.worksheets:
            kind = kind_of(sheet.title) or kind_of(filename)
            if kind is not None:
                tables.append(_table(kind, f"{filename}/{sheet.title}", sheet.iter_rows(values_only=True)))
    finally:
        book.close()
    if not tables:
        raise ValidationFailed.for_field("file", f"{filename}: ingen ark heter produkter, lokasjoner, enheter "
                                                 "eller innbyggere.")
    return tables
