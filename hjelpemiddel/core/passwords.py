"""The password rule for every password a person sets (CLI, admin page, demo): long enough, not on
the list of common passwords shipped in ``common_passwords.txt``, not the username, not one
character repeated. Plain functions: no Flask, no database."""
from __future__ import annotations

import functools
import re
import secrets
from pathlib import Path

from .errors import ValidationFailed

MIN_LENGTH = 12
_LIST = Path(__file__).with_name("common_passwords.txt")
# «Sommerfugl2026!» is «sommerfugl» with the usual ending: the ending adds almost nothing to guess.
_USUAL_ENDING = re.compile(r"[\d!?.#@$%&*_-]{1,6}$")


@functools.cache
def common_passwords() -> frozenset[str]:
    lines = _LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def password_problem(password: str, username: str = "") -> str | None:
    """Why ``password`` is refused (bokmål), or None when it may be used."""
    if len(password) < MIN_LENGTH:
        return f"Passordet må ha minst {MIN_LENGTH} tegn."
    lowered = password.lower()
    if len(set(lowered)) < 4:
        return "Passordet har for få forskjellige tegn."
    name = username.strip().lower()
    if name and (lowered == name or _USUAL_ENDING.sub("", lowered) == name or lowered == name * 2):
        return "Passordet kan ikke være brukernavnet."
    if lowered in common_passwords() or _USUAL_ENDING.sub("", lowered) in common_passwords():
        return "Passordet er for vanlig og lett å gjette. Velg et annet, gjerne flere ord satt sammen."
    return None


def check_password(password: str, username: str = "") -> None:
    problem = password_problem(password, username)
    if problem is not None:
        raise ValidationFailed.for_field("password", problem)


def generate_password() -> str:
    """A random password for a person to change later (admin reset, the demo in production)."""
    return secrets.token_urlsafe(15)
