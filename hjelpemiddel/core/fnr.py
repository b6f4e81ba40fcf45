"""Fødselsnummer (fnr): the 11-digit national id with two mod-11 check digits.

D-numbers (first digit 4–7: day + 40) are accepted, as are H-numbers (month + 40) and the
synthetic test numbers of NAV's test environments (month + 80).
"""
from __future__ import annotations

import re

_WEIGHTS_1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_WEIGHTS_2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _check_digit(digits: str, weights: tuple[int, ...]) -> int | None:
    remainder = sum(int(d) * w for d, w in zip(digits, weights)) % 11
    check = 0 if remainder == 0 else 11 - remainder
    return None if check == 10 else check


def fnr_problem(raw: str) -> str | None:
    """Why this is not a valid fnr, in bokmål, or None when it is valid."""
    fnr = re.sub(r"\s", "", raw or "")
    if not re.fullmatch(r"\d{11}", fnr):
        return "Fødselsnummeret må være 11 siffer."
    day, month = int(fnr[0:2]), int(fnr[2:4])
    if day > 40:
        day -= 40
    if month > 80:
        month -= 80
    elif month > 40:
        month -= 40
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return "Fødselsnummeret har ingen gyldig dato."
    if _check_digit(fnr[:9], _WEIGHTS_1) != int(fnr[9]) or _check_digit(fnr[:10], _WEIGHTS_2) != int(fnr[10]):
        return "Kontrollsifrene i fødselsnummeret stemmer ikke."
    return None


def normalize_fnr(raw: str) -> str:
    return re.sub(r"\s", "", raw or "")


def mask_fnr(fnr: str) -> str:
    """``01019012345`` → ``010190 *****``: the date part only."""
    return f"{fnr[:6]} *****"


def make_fnr(birth6: str, individual3: str) -> str | None:
    """A valid fnr from date part and individual number, or None when no check digit exists (demo/tests)."""
    first = _check_digit(birth6 + individual3, _WEIGHTS_1)
    if first is None:
        return None
    second = _check_digit(birth6 + individual3 + str(first), _WEIGHTS_2)
    return None if second is None else f"{birth6}{individual3}{first}{second}"
