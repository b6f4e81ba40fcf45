"""Returns to NAV: the return record and NAV's rules for it."""
from __future__ import annotations

from typing import Any

from .errors import RecordInvalid


def return_to_wire(hmsnr: str, serienr: str, note: str | None, kept_for_reuse: bool) -> dict:
    """NAV's return record: ``{"hmsnr", "serienr", "merknad", "beholdesForGjenbruk"}``."""
    return {"hmsnr": hmsnr, "serienr": serienr, "merknad": note, "beholdesForGjenbruk": kept_for_reuse}


def validate_return(record: Any) -> None:
    """NAV's rules for a return record (``return_to_wire``); raises RecordInvalid naming the field."""
    if not isinstance(record, dict):
        raise RecordInvalid("(body)", "forventet et JSON-objekt")
    for name in ("hmsnr", "serienr"):
        if not isinstance(record.get(name), str) or not record[name].strip():
            raise RecordInvalid(name, "mangler")
    if not isinstance(record.get("merknad", ""), (str, type(None))):
        raise RecordInvalid("merknad", "må være tekst")
    if not isinstance(record.get("beholdesForGjenbruk", False), bool):
        raise RecordInvalid("beholdesForGjenbruk", "må være true eller false")
