from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass, field

from marshmallow import ValidationError as SchemaValidationError
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..core.errors import Conflict, NotFound, ValidationFailed
from ..core.paging import streamed
from ..core.sorting import SortOrder, order_by_columns
from .models import Product
from .schemas import ProductIn

MAX_IMPORT_ROWS = 100_000

# Column names as the export from a supplier or NAV's catalogue tends to spell them.
_COLUMN_ALIASES = {
    "hms_nr": {"hms_nr", "hmsnr", "hms-nr", "hms nr", "hmsartnr", "artikkelnr"},
    "name": {"name", "navn", "produktnavn", "artikkelnavn", "articlename"},
    "supplier": {"supplier", "leverandør", "leverandor", "produsent"},
    "iso_class": {"iso_class", "iso", "isokode", "iso-klasse", "isoklasse", "iso_kode", "isocategory"},
    "individually_tracked": {"individually_tracked", "individmerket", "individ", "serienummerpliktig"},
    "inspection_interval_days": {"inspection_interval_days", "kontrollintervall", "kontrollintervall_dager"},
    "replacement_value": {"replacement_value", "gjenanskaffelsesverdi", "verdi", "pris", "innkjopspris"},
}
_TRUE = {"1", "true", "ja", "j", "yes", "y", "x"}
_FALSE = {"0", "false", "nei", "n", "no"}


def create_product(session: Session, **values) -> Product:
    _check_hms_nr_free(session, values.get("hms_nr"))
    product = Product(**values)
    session.add(product)
    session.flush()
    return product


def get_product(session: Session, product_id: int) -> Product:
    product = session.get(Product, product_id)
    if product is None:
        raise NotFound(f"Fant ikke produkt {product_id}.", {"product_id": product_id})
    return product


PRODUCT_SORTS = {"iso": (Product.iso_class, Product.name), "navn": (Product.name,), "hms": (Product.hms_nr,),
                 "leverandor": (Product.supplier, Product.name)}


def list_products(session: Session, q: str | None = None, iso_class: str | None = None,
                  limit: int = 50, offset: int = 0, sort: SortOrder = SortOrder("iso")) -> list[Product]:
    return list(session.scalars(_products(q, iso_class, sort).limit(limit).offset(offset)))


PRODUCT_HEADINGS = ("HMS-nr", "Navn", "Leverandør", "ISO 9999", "Individmerket", "Kontroll hver (dager)",
                    "Gjenanskaffelsesverdi (kr)")


def product_export_rows(session: Session, q: str | None = None, iso_class: str | None = None,
                        sort: SortOrder = SortOrder("iso")):
    """Every product the catalogue's search matches as rows for a download (``core.exports``)."""
    return ((product.hms_nr, product.name, product.supplier, product.iso_class, product.individually_tracked,
             product.inspection_interval_days, product.replacement_value)
            for product in streamed(session, _products(q, iso_class, sort), scalars=True))


def _products(q: str | None, iso_class: str | None, sort: SortOrder):
    stmt = select(Product).order_by(*order_by_columns(PRODUCT_SORTS, sort, Product.id))
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(or_(func.lower(Product.name).like(like), func.lower(Product.supplier).like(like),
                              Product.hms_nr == q.strip()))
    if iso_class:
        stmt = stmt.where(Product.iso_class.startswith(iso_class))
    return stmt


@dataclass(frozen=True)
class ProductMatch:
    """What typed text names: the one product meant (an exact name or HMS-nr, or the only match),
    else the candidates to choose from; ``exact`` says whether any product matched exactly."""

    product: Product | None
    candidates: list[Product]
    exact: bool


def match_product(session: Session, text: str, limit: int = 10) -> ProductMatch:
    text = text.strip()
    found = list_products(session, q=text, limit=limit + 1) if text else []
    exact = [p for p in found if p.name.lower() == text.lower() or p.hms_nr == text]
    if len(exact) == 1 or len(found) == 1:
        return ProductMatch((exact or found)[0], [], bool(exact))
    return ProductMatch(None, found[:limit], bool(exact))


def product_from_text(session: Session, text: str, field: str = "product_id") -> Product:
    """The product typed text names, or a refusal naming ``field`` with what matched."""
    match = match_product(session, text)
    if match.product is not None:
        return match.product
    if not text.strip():
        raise ValidationFailed.for_field(field, "Velg et produkt.")
    if not match.candidates:
        raise ValidationFailed.for_field(field, f"Fant ikke noe produkt som passer «{text.strip()}».")
    raise ValidationFailed.for_field(field, f"Flere produkter passer «{text.strip()}»: velg ett i listen.")


def _check_hms_nr_free(session: Session, hms_nr: str | None, except_id: int | None = None) -> None:
    if hms_nr is None:
        return
    existing = session.scalar(select(Product.id).where(Product.hms_nr == hms_nr))
    if existing is not None and existing != except_id:
        raise Conflict(f"HMS-nr {hms_nr} er allerede registrert på produkt {existing}.",
                       {"hms_nr": hms_nr, "product_id": existing})


# --- CSV import -----------------------------------------------------------------------------

@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    loaded: bool = False
    dry_run: bool = False
    ignored_columns: list[str] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def decode_csv_bytes(raw: bytes) -> str:
    """UTF-8 (with or without BOM) as exported by most tools, else Windows-1252 as Excel writes it."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _header_map(header: list[str], report: ImportReport) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for index, name in enumerate(header):
        key = name.strip().lower()
        target = next((col for col, aliases in _COLUMN_ALIASES.items() if key in aliases), None)
        if target is None:
            report.ignored_columns.append(name)
        elif target in mapping.values():
            raise ValidationFailed(f"Kolonnen «{name}» står to ganger i overskriften.", {"header": [name]})
        else:
            mapping[index] = target
    missing = [col for col in ("name", "iso_class") if col not in mapping.values()]
    if missing:
        raise ValidationFailed("Filen mangler kolonne(r): " + ", ".join(missing) + ".",
                               {"header": [f"Mangler kolonnen «{col}»." for col in missing]})
    return mapping


def _row_values(row: list[str], mapping: dict[int, str]) -> dict:
    values: dict = {}
    for index, column in mapping.items():
        cell = row[index].strip() if index < len(row) else ""
        if column in ("hms_nr", "inspection_interval_days", "replacement_value"):
            values[column] = cell.replace(" ", "") if column == "replacement_value" and cell else (cell or None)
        elif column == "individually_tracked":
            lowered = cell.lower()
            values[column] = True if lowered in _TRUE or not lowered else False if lowered in _FALSE else cell
        else:
            values[column] = cell
    return values


def import_products_csv(session: Session, text: str, skip_invalid: bool = False, dry_run: bool = False) -> ImportReport:
    """Validate every row and upsert products (by HMS-nr, else by name and supplier).

    A file with any bad row loads nothing unless ``skip_invalid``; the report names every bad row.
    """
    report = ImportReport(dry_run=dry_run)
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample.splitlines()[0] if sample else "", delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        rows = list(reader)  # the upload's size limit bounds it
    except csv.Error:
        raise ValidationFailed.for_field("file", f"Filen kan ikke leses som CSV (feil på linje {reader.line_num}).") \
            from None
    header = rows[0] if rows else None
    if not header:
        raise ValidationFailed("Filen er tom.", {"file": ["Filen er tom."]})
    mapping = _header_map(header, report)

    schema = ProductIn()
    valid: list[tuple[int, dict]] = []
    seen_hms: dict[str, int] = {}
    for line_no, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        report.rows += 1
        if report.rows > MAX_IMPORT_ROWS:
            raise ValidationFailed(f"Filen har mer enn {MAX_IMPORT_ROWS} rader.", {"file": ["For mange rader."]})
        try:
            values = schema.load(_row_values(row, mapping), partial=False)
        except SchemaValidationError as err:
            report.errors.append({"line": line_no, "fields": err.messages})
            continue
        hms = values.get("hms_nr")
        if hms and hms in seen_hms:
            report.errors.append({"line": line_no, "fields": {"hms_nr": [f"HMS-nr {hms} står også på linje {seen_hms[hms]}."]}})
            continue
        if hms:
            seen_hms[hms] = line_no
        valid.append((line_no, values))

    report.skipped = len(report.errors)
    if report.errors and not skip_invalid:
        raise ValidationFailed(
            f"{len(report.errors)} av {report.rows} rader har feil; ingenting er lastet inn.",
            {"report": report.as_dict()},
        )
    if dry_run:
        return report

    by_hms = {p.hms_nr: p for p in session.scalars(select(Product).where(Product.hms_nr.in_(list(seen_hms))))} if seen_hms else {}
    by_name = {(p.name.lower(), p.supplier.lower()): p
               for p in session.scalars(select(Product).where(Product.hms_nr.is_(None)))}
    for _line_no, values in valid:
        existing = by_hms.get(values["hms_nr"]) if values["hms_nr"] else by_name.get(
            (values["name"].lower(), values["supplier"].lower()))
        if existing is None:
            product = Product(**values)
            session.add(product)
            if not values["hms_nr"]:
                by_name[(values["name"].lower(), values["supplier"].lower())] = product
            report.created += 1
        else:
            for key, value in values.items():
                setattr(existing, key, value)
            report.updated += 1
    session.flush()
    report.loaded = True
    return report
