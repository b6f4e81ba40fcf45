"""NAV's order lines (hm-oebs-listener): upcoming deliveries to the municipality, fetched in pages
of changed lines after a cursor."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .errors import RecordInvalid
from .values import read_int, read_number, read_text

USER_ITEM_TYPES = ("Hjelpemiddel", "Individstyrt hjelpemiddel", "Del")

_ORDER_LINE_KEYS = {
    "ordre_number": "OrdreNumber", "line_number": "LineNumber", "shipment_number": "ShipmentNumber",
    "ordered_item": "OrderedItem", "description": "Description", "category_num": "CategoryNum",
    "category_description": "CategoryDescription", "user_item_type": "User_ItemType",
    "quantity": "Quantity", "shipping_quantity_uom": "ShippingQuantityUom",
    "shipping_instructions": "ShippingInstructions", "account_number": "AccountNumber",
    "send_til_addresse1": "SendTilAddresse1", "serie_nummer_liste": "SerieNummerListe",
    "incident_nummer": "IncidentNummer", "referanse_nummer": "ReferanseNummer",
    "status": "Status", "last_update_date": "LastUpdateDate",
}
ORDER_LINE_WIRE_KEYS: tuple[str, ...] = tuple(_ORDER_LINE_KEYS.values())


def _serials(value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):  # CSV: separated by ; , or whitespace
        return tuple(part for part in re.split(r"[;,\s]+", value.strip()) if part)
    if isinstance(value, (list, tuple)):
        return tuple(str(part).strip() for part in value if str(part).strip())
    raise RecordInvalid("SerieNummerListe", "forventet liste av serienumre")


@dataclass(frozen=True)
class OrderLine:
    """One NAV order line (an upcoming delivery to the municipality). Same line may arrive again, updated."""

    ordre_number: str
    line_number: int
    ordered_item: str
    quantity: float | int
    user_item_type: str
    shipment_number: str | None = None
    description: str | None = None
    category_num: str | None = None
    category_description: str | None = None
    shipping_quantity_uom: str | None = None
    shipping_instructions: str | None = None
    account_number: str | None = None
    send_til_addresse1: str | None = None
    serie_nummer_liste: tuple[str, ...] = ()
    incident_nummer: str | None = None
    referanse_nummer: str | None = None
    status: str | None = None
    last_update_date: str | None = None

    @property
    def key(self) -> tuple[str, int, str]:
        """Identity of the line across updates: order number + line + shipment (NAV's identity).

        The same order line shipped in two shipments is two lines; a line without a shipment
        number yet has ``""`` as its shipment part.
        """
        return (self.ordre_number, self.line_number, self.shipment_number or "")

    @property
    def to_municipal_address(self) -> bool:
        """A leading 4-digit number in SendTilAddresse1 means a municipal receiving address."""
        return bool(self.send_til_addresse1 and re.match(r"^\d{4}\b", self.send_til_addresse1))

    @property
    def spare_part_saksnummer(self) -> int | None:
        ref = self.referanse_nummer or ""
        return int(ref[6:]) if ref.startswith("hmdel_") and ref[6:].isdigit() else None

    @classmethod
    def from_wire(cls, record: dict) -> "OrderLine":
        if not isinstance(record, dict):
            raise RecordInvalid("(record)", "forventet et objekt")
        item_type = read_text(record, "User_ItemType", required=True)
        if item_type not in USER_ITEM_TYPES:
            raise RecordInvalid("User_ItemType", f"ukjent type {item_type!r}")
        line_number = read_int(record, "LineNumber", required=True)
        return cls(
            ordre_number=read_text(record, "OrdreNumber", required=True),
            line_number=line_number,
            ordered_item=read_text(record, "OrderedItem", required=True),
            quantity=read_number(record, "Quantity"),
            user_item_type=item_type,
            shipment_number=read_text(record, "ShipmentNumber"),
            description=read_text(record, "Description"),
            category_num=read_text(record, "CategoryNum"),
            category_description=read_text(record, "CategoryDescription"),
            shipping_quantity_uom=read_text(record, "ShippingQuantityUom"),
            shipping_instructions=read_text(record, "ShippingInstructions"),
            account_number=read_text(record, "AccountNumber"),
            send_til_addresse1=read_text(record, "SendTilAddresse1"),
            serie_nummer_liste=_serials(record.get("SerieNummerListe")),
            incident_nummer=read_text(record, "IncidentNummer"),
            referanse_nummer=read_text(record, "ReferanseNummer"),
            status=read_text(record, "Status"),
            last_update_date=read_text(record, "LastUpdateDate"),
        )

    def to_wire(self) -> dict:
        out = {wire: getattr(self, attr) for attr, wire in _ORDER_LINE_KEYS.items()}
        out["SerieNummerListe"] = list(self.serie_nummer_liste)
        return out


@dataclass(frozen=True)
class OrderLinePage:
    """A page of changed order lines. Pass ``next_cursor`` to get the next page; store it between runs."""

    lines: list[OrderLine]
    next_cursor: str | None
    has_more: bool = False
    remaining: int | None = None  # how many lines NAV says follow, when it says

    @classmethod
    def from_wire(cls, body: dict, cursor: str | None) -> "OrderLinePage":
        """NAV's page ``{"ordrelinjer", "nextCursor", "hasMore", "remaining"}`` asked for after ``cursor``.

        The same line may come more than once in a page; its last (newest) version is kept.
        Raises KeyError/TypeError for a malformed page and RecordInvalid for a malformed line."""
        deduped: dict[tuple[str, int, str], OrderLine] = {}
        for record in body["ordrelinjer"]:
            line = OrderLine.from_wire(record)
            deduped.pop(line.key, None)
            deduped[line.key] = line
        next_cursor = body.get("nextCursor")
        remaining = body.get("remaining")
        return cls(lines=list(deduped.values()),
                   next_cursor=str(next_cursor) if next_cursor is not None else cursor,
                   has_more=bool(body.get("hasMore")),
                   remaining=remaining if isinstance(remaining, int) and not isinstance(remaining, bool) else None)
