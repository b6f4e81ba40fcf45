"""An archive read back into an empty, migrated database: every table in the manifest's order, in
batches, each fnr encrypted again under this installation's keys; then what the archive leaves out
is made again here (the twin's counts, the keyed hashes), and PostgreSQL's sequences are moved past
the imported ids. One transaction, committed by the caller: a failed import leaves nothing."""
from __future__ import annotations

import io
import itertools
import json
import zipfile
from collections.abc import Callable, Iterator

from sqlalchemy import bindparam, func, select, text, update
from sqlalchemy.engine import Connection

from ..citizens.services.retention import anonymised_hash
from ..core.crypto import FnrVault
from ..core.errors import Conflict, ValidationFailed
from ..core.paging import in_batches
from ..models import metadata
from ..twin.models import REBUILD_SQL
from .export import schema_revision
from .tables import DERIVED_TABLES, FORMAT_VERSION, decoder, type_name

BATCH = 1000
# No password leaves with the archive; imported users log in after an admin sets them a new one.
UNUSABLE_PASSWORD = "!imported"


def _refuse(message: str) -> None:
    raise ValidationFailed.for_field("archive", message)


def read_manifest(archive: zipfile.ZipFile) -> dict:
    try:
        manifest = json.loads(archive.read("manifest.json"))
    except (KeyError, ValueError):
        _refuse("Filen er ikke et eksportarkiv fra Hjelpemiddel (manifest.json mangler eller er ugyldig).")
    if manifest.get("format") != "hjelpemiddel-archive" or manifest.get("format_version") != FORMAT_VERSION:
        _refuse(f"Arkivformatet støttes ikke (format {manifest.get('format')!r}, versjon {manifest.get('format_version')!r}).")
    if manifest.get("variant") != "full":
        _refuse("Arkivet er uten personopplysninger og kan ikke leses inn; bruk en full eksport.")
    return manifest


def check_target(connection: Connection, manifest: dict) -> None:
    revision = schema_revision(connection)
    if revision is None:
        _refuse("Databasen er ikke migrert; kjør «hjelpemiddel db upgrade» først.")
    if manifest.get("schema_revision") not in (None, revision):
        _refuse(f"Arkivet er laget med skjemaversjon {manifest['schema_revision']}, databasen har {revision}; "
                "oppgrader den av dem som er eldst først.")
    for table in metadata.sorted_tables:
        if table.name not in DERIVED_TABLES and connection.execute(select(1).select_from(table).limit(1)).first():
            raise Conflict(f"Databasen er ikke tom (tabellen {table.name} har rader); arkivet leses bare inn "
                           "i en tom, migrert database.", code="not_empty")


def _lines(archive: zipfile.ZipFile, name: str) -> Iterator[list]:
    with archive.open(name) as raw:
        for line in io.TextIOWrapper(raw, encoding="utf-8"):
            if line.strip():
                yield json.loads(line)


def _row_maker(table, columns: list[str], types: dict[str, str], vault: FnrVault,
               parse_text: bool = True) -> Callable[[list], dict]:
    """``parse_text`` False: times stay ISO text (PostgreSQL's COPY reads them as they are)."""
    unknown = [name for name in columns if name != "fnr" and name not in table.c]
    if unknown:
        _refuse(f"Tabellen {table.name} i arkivet har kolonner databasen ikke har: {', '.join(unknown)}.")
    decoders = [(i, name, decoder(types.get(name, "text")) if parse_text or types.get(name) == "base64" else None)
                for i, name in enumerate(columns)]

    def make(values: list) -> dict:
        row = {name: (decode(values[i]) if decode and values[i] is not None else values[i])
               for i, name, decode in decoders}
        if table.name == "citizens":
            fnr = row.pop("fnr", "")
            row["fnr_encrypted"] = vault.encrypt(fnr) if fnr else ""
            row["fnr_hash"] = vault.lookup_hash(fnr) if fnr else anonymised_hash(row["id"])
        elif table.name == "users":
            row["password_hash"] = UNUSABLE_PASSWORD
        return row

    return make


def _self_references(table) -> list[str]:
    """Columns pointing into their own table (a place's parent): written after every row exists."""
    return [fk.parent.name for fk in table.foreign_keys if fk.column.table is table and fk.parent.nullable]


def _insert_table(connection: Connection, archive: zipfile.ZipFile, entry: dict, vault: FnrVault) -> int:
    table = metadata.tables.get(entry["name"])
    if table is None:
        _refuse(f"Databasen har ingen tabell {entry['name']}.")
    lines = _lines(archive, entry["file"])
    columns = next(lines)
    make = _row_maker(table, columns, {c["name"]: c["type"] for c in entry["columns"]}, vault,
                      parse_text=connection.dialect.name != "postgresql")
    later = [name for name in _self_references(table) if name in columns]
    rows = ({**make(values), **{name: None for name in later}} for values in lines)
    if connection.dialect.name == "postgresql":
        count = _copy_rows(connection, table, rows)
    else:
        count = 0
        for batch in in_batches(rows, BATCH):
            connection.execute(table.insert(), batch)
            count += len(batch)
    if later:
        _set_self_references(connection, archive, entry, table, later, make)
    if count != entry["rows"]:
        _refuse(f"Tabellen {table.name} har {count} rader i arkivet, manifestet sier {entry['rows']}.")
    return count


def _copy_rows(connection: Connection, table, rows) -> int:
    """PostgreSQL's COPY: the rows streamed in as they are read, many times faster than INSERTs
    (triggers and foreign keys are checked all the same)."""
    first = next(rows, None)
    if first is None:
        return 0
    names = list(first)
    encoders = [json.dumps if type_name(table.c[name]) == "json" else None for name in names]
    quote = connection.dialect.identifier_preparer.quote
    sql = f"COPY {quote(table.name)} ({', '.join(map(quote, names))}) FROM STDIN"
    count = 0
    with connection.connection.driver_connection.cursor() as cursor, cursor.copy(sql) as copy:
        for row in itertools.chain([first], rows):
            copy.write_row([value if value is None or encode is None else encode(value)
                            for value, encode in zip(row.values(), encoders)])
            count += 1
    return count


def _set_self_references(connection, archive, entry, table, names, make) -> None:
    [key] = table.primary_key.columns
    stmt = update(table).where(key == bindparam("_key")).values({name: bindparam(f"_{name}") for name in names})
    lines = _lines(archive, entry["file"])
    next(lines)
    batch = []
    for values in lines:
        row = make(values)
        if any(row[name] is not None for name in names):
            batch.append({"_key": row[key.name], **{f"_{name}": row[name] for name in names}})
        if len(batch) == BATCH:
            connection.execute(stmt, batch)
            batch = []
    if batch:
        connection.execute(stmt, batch)


def _after_import(connection: Connection) -> None:
    for sql in REBUILD_SQL:
        connection.execute(text(sql))
    lines, citizens = metadata.tables["nav_order_lines"], metadata.tables["citizens"]
    connection.execute(update(lines).where(lines.c.citizen_id.is_not(None)).values(
        fnr_hash=select(citizens.c.fnr_hash).where(citizens.c.id == lines.c.citizen_id).scalar_subquery()))
    if connection.dialect.name == "postgresql":
        for table in metadata.sorted_tables:
            keys = list(table.primary_key.columns)
            if len(keys) == 1 and keys[0].autoincrement in (True, "auto") and keys[0].type.python_type is int:
                top = connection.execute(select(func.max(keys[0]))).scalar()
                if top is not None:
                    connection.execute(text("SELECT setval(pg_get_serial_sequence(:t, :c), :v)"),
                                       {"t": table.name, "c": keys[0].name, "v": top})


def import_archive(connection: Connection, vault: FnrVault, fileobj, progress: Callable[[str, int], None] = None) -> dict[str, int]:
    """Every table of the archive into this empty database; how many rows each got."""
    try:
        archive = zipfile.ZipFile(fileobj)
    except zipfile.BadZipFile:
        _refuse("Filen er ikke et zip-arkiv.")
    with archive:
        manifest = read_manifest(archive)
        check_target(connection, manifest)
        counts = {}
        for entry in manifest["tables"]:
            counts[entry["name"]] = _insert_table(connection, archive, entry, vault)
            if progress:
                progress(entry["name"], counts[entry["name"]])
        _after_import(connection)
    return counts
