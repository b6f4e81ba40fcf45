"""What the full export holds, table by table and column by column: generic over the models'
metadata (a new table is in the archive without a line here), with the few exceptions written
out — secrets left out, derived tables rebuilt instead, the fnr in clear, and what the variant
without personal data drops. Pure: no database, no Flask."""
from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import JSON, LargeBinary, Table, Text, TypeDecorator

from ..models import metadata

FORMAT_VERSION = 1

# Never in any archive: credentials, and the login-attempt log (usernames with addresses, kept
# for minutes to lock out guessing; nothing another system can use).
EXCLUDED_TABLES = {
    "api_tokens": "API-tokens are credentials (their hashes let no one in elsewhere, and must not leave)",
    "login_attempts": "failed logins by username and IP address: a short-lived security log",
}
# Kept by triggers on `devices`: counted again from the imported units (twin.models.REBUILD_SQL).
DERIVED_TABLES = {
    "device_counts": "units per place, product, state and owner: rebuilt from devices on import",
    "place_counts": "units per place and state: rebuilt from devices on import",
    "product_counts": "units per product, state and owner: rebuilt from devices on import",
}
# Columns never exported, from every variant.
EXCLUDED_COLUMNS = {
    ("users", "password_hash"): "password hashes never leave; imported users get an unusable one "
                                "and are given a new password (`hjelpemiddel users set-password`)",
    ("citizens", "fnr_hash"): "a keyed hash under this installation's key: made again on import",
    ("citizens", "fnr_encrypted"): "replaced by `fnr` in clear (full export only), encrypted again on import",
    ("fnr_access_log", "fnr_hash"): "a missed search's keyed hash under this installation's key: "
                                    "useless under another key",
    ("nav_order_lines", "fnr_hash"): "a keyed hash under this installation's key: set again on import "
                                     "from the line's matched citizen",
}
# The variant without personal data: what identifies a person (citizens, their homes, their
# contacts, staff names) and every free text (a note may name anyone). Ids stay, so figures can be
# computed; postcodes and kommunenummer stay (areas, not people).
PERSONAL_COLUMNS = {
    "citizens": {"fnr", "fnr_masked", "name", "address", "city", "phone", "contact_name", "contact_phone"},
    "users": {"username", "full_name"},
    "incidents": {"place"},
    "fnr_access_log": {"purpose"},
    "nav_outbox": {"payload"},
}
PERSONAL_NAMES = {"address", "delivery_address", "send_to_address", "received_by", "requested_by", "latitude",
                  "longitude", "phone", "contact_name", "contact_phone", "full_name", "shipping_instructions"}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    source: str | None  # the database column read; None for `fnr`, made from fnr_encrypted


@dataclass(frozen=True)
class TablePlan:
    table: Table
    columns: tuple[Column, ...]

    @property
    def name(self) -> str:
        return self.table.name


def type_name(column) -> str:
    kind = column.type
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    if isinstance(kind, JSON):
        return "json"
    if isinstance(kind, LargeBinary):
        return "base64"
    try:
        python = kind.python_type
    except NotImplementedError:
        return "text"
    return {bool: "boolean", int: "integer", float: "number", dt.datetime: "datetime", dt.date: "date",
            dt.time: "time"}.get(python, "text")


def is_personal(table: str, column) -> bool:
    return (column.name in PERSONAL_COLUMNS.get(table, ()) or column.name in PERSONAL_NAMES
            or isinstance(column.type, Text) and not isinstance(column.type, JSON))


def archive_plan(personal: bool) -> list[TablePlan]:
    """Every exported table in foreign-key order (parents first), with the columns it carries."""
    plans = []
    for table in metadata.sorted_tables:
        if table.name in EXCLUDED_TABLES or table.name in DERIVED_TABLES:
            continue
        columns = []
        for column in table.columns:
            if table.name == "citizens" and column.name == "fnr_encrypted" and personal:
                columns.append(Column("fnr", "text", None))
            if (table.name, column.name) in EXCLUDED_COLUMNS or (not personal and is_personal(table.name, column)):
                continue
            columns.append(Column(column.name, type_name(column), column.name))
        plans.append(TablePlan(table, tuple(columns)))
    return plans


def encode(value):
    """What json cannot write by itself (``json.dumps(default=…)``): times as ISO 8601, bytes as base64."""
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (bytes, memoryview)):
        return base64.b64encode(bytes(value)).decode()
    raise TypeError(f"cannot archive {type(value).__name__}")


_DECODERS = {"datetime": dt.datetime.fromisoformat, "date": dt.date.fromisoformat, "time": dt.time.fromisoformat,
             "base64": base64.b64decode}


def decoder(type_: str):
    """The archive's value back to the column's: None where JSON's own type is right."""
    return _DECODERS.get(type_)
