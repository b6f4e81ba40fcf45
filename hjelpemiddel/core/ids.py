"""Short plain barcodes: a prefix telling what was scanned, seven digits and a Luhn check digit.

A Luhn digit catches every single mistyped digit and most swapped neighbours when a code is
keyed in by hand because a label is worn.
"""
from __future__ import annotations

import re

DEVICE_PREFIX = "HJM"
LOCATION_PREFIX = "LOK"
_BODY_DIGITS = 7
_CODE_RE = re.compile(r"^(HJM|LOK)(\d{7})(\d)$")


def luhn_digit(digits: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def make_code(prefix: str, number: int) -> str:
    if not 0 < number < 10**_BODY_DIGITS:
        raise ValueError(f"barcode number out of range: {number}")
    body = f"{number:0{_BODY_DIGITS}d}"
    return f"{prefix}{body}{luhn_digit(body)}"


def parse_code(code: str) -> tuple[str, int] | None:
    """(prefix, number) for a well-formed code with a correct check digit, else None."""
    match = _CODE_RE.match(code)
    if not match or luhn_digit(match.group(2)) != match.group(3):
        return None
    return match.group(1), int(match.group(2))


def looks_like_code(code: str) -> bool:
    """Has our prefix and shape, whether or not the check digit is right."""
    return bool(_CODE_RE.match(code))


def normalize_scan(raw: str) -> str:
    # Keyboard-wedge scanners add stray whitespace; people type lower case.
    return raw.strip().upper()


def code_kind(code: str) -> str:
    """What a normalised code is by its shape alone: "device" or "location" (our prefix, right
    check digit), "bad_check_digit" (our shape, wrong digit), or "other" (a location code, a
    serial number, anything else)."""
    parsed = parse_code(code)
    if parsed:
        return "device" if parsed[0] == DEVICE_PREFIX else "location"
    return "bad_check_digit" if looks_like_code(code) else "other"
