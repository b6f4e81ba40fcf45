"""Reading and checking NAV's field values: text and numbers out of wire records (a bad one raises
``RecordInvalid`` naming the wire key), and the value rules the record rules share."""
from __future__ import annotations

import re
from typing import Any

from .errors import RecordInvalid

SIX_DIGITS = re.compile(r"^\d{6}$")
ISO_CATEGORY = re.compile(r"^(\d{6}|\d{8})$")  # ISO 9999's 6 digits, or NAV's 8
FOUR_DIGITS = re.compile(r"^\d{4}$")


def valid_fnr(fnr: Any) -> bool:
    """11 digits whose two mod-11 check digits are right (D-numbers and synthetic test numbers pass)."""
    if not isinstance(fnr, str) or not re.fullmatch(r"\d{11}", fnr):
        return False
    d = [int(c) for c in fnr]
    k1 = 11 - sum(w * x for w, x in zip([3, 7, 6, 1, 8, 9, 4, 5, 2], d)) % 11
    k2 = 11 - sum(w * x for w, x in zip([5, 4, 3, 2, 7, 6, 5, 4, 3, 2], d)) % 11
    return (k1 % 11) == d[9] and (k2 % 11) == d[10]


def read_text(record: dict, key: str, *, required: bool = False) -> str | None:
    """Stripped text; None when missing or blank (refused if ``required``), refused when not a scalar."""
    value = record.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise RecordInvalid(key, "mangler")
        return None
    if isinstance(value, (dict, list, bool)):
        raise RecordInvalid(key, f"forventet tekst, fikk {type(value).__name__}")
    return str(value).strip()


def read_int(record: dict, key: str, *, required: bool = False) -> int | None:
    """A whole number, also from text ("3", "3.0"); None when missing (refused if ``required``)."""
    value = record.get(key)
    if value is None or value == "":
        if required:
            raise RecordInvalid(key, "mangler")
        return None
    if isinstance(value, bool):
        raise RecordInvalid(key, "forventet heltall")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise RecordInvalid(key, f"forventet heltall, fikk {value!r}") from None
    if number != int(number):
        raise RecordInvalid(key, f"forventet heltall, fikk {value!r}")
    return int(number)


def read_number(record: dict, key: str) -> float | int:
    """A required number of zero or more, also from text with a decimal comma; whole numbers as int."""
    value = record.get(key)
    if value is None or value == "" or isinstance(value, bool):
        raise RecordInvalid(key, "mangler" if value in (None, "") else "forventet tall")
    try:
        number = float(str(value).replace(",", "."))
    except (TypeError, ValueError):
        raise RecordInvalid(key, f"forventet tall, fikk {value!r}") from None
    if number < 0:
        raise RecordInvalid(key, "kan ikke være negativt")
    return int(number) if number == int(number) else number


def is_count(value: Any) -> bool:
    """A whole number of at least 1 (not a bool)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def is_six_digits(value: Any) -> bool:
    """Text of exactly six digits, as hmsnr and serienr are."""
    return isinstance(value, str) and bool(SIX_DIGITS.match(value))
