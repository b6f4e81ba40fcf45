"""Import NAV order lines from an export file (JSON list of records, or CSV with NAV's column names)."""
from __future__ import annotations

import csv
import json
from pathlib import Path

from .port import ORDER_LINE_WIRE_KEYS, OrderLine, RecordInvalid


class OrderLineFileError(ValueError):
    """A file could not be imported; ``row`` (1-based data row) and ``field`` name the problem."""

    def __init__(self, path: Path, row: int | None, field: str | None, message: str):
        self.path, self.row, self.field, self.message = path, row, field, message
        where = f"rad {row}" if row is not None else "fil"
        super().__init__(f"{path.name}: {where}{', felt ' + field if field else ''}: {message}")


def read_order_lines(path: str | Path) -> list[OrderLine]:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        records = _read_json(path)
    elif suffix == ".csv":
        records = _read_csv(path)
    else:
        raise OrderLineFileError(path, None, None, f"ukjent filtype {suffix!r} (bruk .json eller .csv)")
    lines = []
    for row, record in enumerate(records, start=1):
        try:
            lines.append(OrderLine.from_wire(record))
        except RecordInvalid as exc:
            raise OrderLineFileError(path, row, exc.field, exc.message) from exc
    return lines


def _read_json(path: Path) -> list:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        raise OrderLineFileError(path, None, None, f"ugyldig JSON: {exc}") from exc
    if isinstance(data, dict) and isinstance(data.get("ordrelinjer"), list):
        data = data["ordrelinjer"]
    if not isinstance(data, list):
        raise OrderLineFileError(path, None, None, "forventet en liste av ordrelinjer")
    return data


def _read_csv(path: Path) -> list[dict]:
    text = path.read_text(encoding="utf-8-sig")
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else ",", delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(text.splitlines(), dialect=dialect)
    columns = set(reader.fieldnames or [])
    missing = {"OrdreNumber", "LineNumber", "OrderedItem", "Quantity", "User_ItemType"} - columns
    if missing:
        raise OrderLineFileError(path, None, sorted(missing)[0], f"mangler kolonne(r): {', '.join(sorted(missing))}")
    unknown = columns - set(ORDER_LINE_WIRE_KEYS)
    if unknown:
        raise OrderLineFileError(path, None, sorted(unknown)[0], "ukjent kolonne")
    return [dict(row) for row in reader]
