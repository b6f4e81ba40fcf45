"""The archive's ``README.md``: a hand-written introduction, then every table and column as the
models describe them (docstring, type, references), so it stays true as tables are added."""
from __future__ import annotations

from ..core.db import Base
from ..models import metadata
from .tables import DERIVED_TABLES, EXCLUDED_COLUMNS, EXCLUDED_TABLES

INTRO = """\
# Hjelpemiddel: full export

This archive holds everything the depot system knew when it was made ({created_at}, schema revision
`{schema_revision}`), variant **{variant}**. It is meant to be read by any other system: nothing in it
needs our software.

## Format

- `manifest.json`: the format and its version, when the archive was made, the schema revision, and
  every table with its file, row count and columns with their types.
- `tables/<table>.jsonl`: one file per table, in foreign-key order (a table comes after the tables it
  refers to). UTF-8 [JSON lines](https://jsonlines.org/): the **first line is the array of column
  names**, every further line one row as an array of values in that order. JSON lines rather than
  CSV because it keeps what CSV loses: `null` apart from an empty text, numbers and booleans as
  such, structured columns (type `json`) nested as they are, and line breaks inside notes without
  quoting rules. Any language reads it line by line, however large the file.
- Types: `integer`, `number`, `boolean`, `text`, `json` (nested JSON), `datetime` (ISO 8601 with
  offset, UTC), `date` (`YYYY-MM-DD`), `time` (`HH:MM:SS`), `base64` (binary, e.g. a PDF).
- Ids are the database's own: a column `x_id` refers to the `id` of the table named under it below.
- A unit's whole history is `device_events` (append-only, in id order); a need's is `need_events`.

## What is left out or changed

{exclusions}

`citizens.fnr` is the fødselsnummer **in clear** in the full export (empty for an anonymised
citizen): keep this file as you would keep the register itself. The variant without personal data
has no fnr, names, addresses, phones, contact persons, staff names or free text at all; ids,
postcodes and kommunenummer stay, so figures can still be computed.

## Tables
"""


def _classes() -> dict[str, type]:
    return {mapper.local_table.name: mapper.class_ for mapper in Base.registry.mappers
            if getattr(mapper, "local_table", None) is not None}


def _summary(cls: type | None) -> str:
    doc = (cls.__doc__ or "").strip() if cls is not None else ""
    return " ".join(doc.split("\n\n")[0].split()) if doc else ""


def format_readme(manifest: dict) -> str:
    exclusions = "\n".join(
        [f"- table `{name}`: not exported ({why})" for name, why in EXCLUDED_TABLES.items()]
        + [f"- table `{name}`: not exported, derived ({why})" for name, why in DERIVED_TABLES.items()]
        + [f"- `{table}.{column}`: {why}" for (table, column), why in EXCLUDED_COLUMNS.items()])
    lines = [INTRO.format(exclusions=exclusions, **manifest)]
    classes = _classes()
    for entry in manifest["tables"]:
        table = metadata.tables[entry["name"]]
        lines.append(f"### `{entry['name']}` ({entry['rows']} rows)\n")
        summary = _summary(classes.get(entry["name"]))
        if summary:
            lines.append(summary + "\n")
        lines.append("| column | type | notes |\n|---|---|---|")
        for column in entry["columns"]:
            notes = []
            source = table.c.get(column["name"])
            if source is None:
                notes.append("fødselsnummer in clear (11 digits)")
            else:
                notes += [f"→ `{fk.column.table.name}.{fk.column.name}`" for fk in source.foreign_keys]
                if source.primary_key:
                    notes.append("primary key")
                if not source.nullable and not source.primary_key:
                    notes.append("required")
                if source.unique:
                    notes.append("unique")
            lines.append(f"| `{column['name']}` | {column['type']} | {', '.join(notes)} |")
        lines.append("")
    return "\n".join(lines)
