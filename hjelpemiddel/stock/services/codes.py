"""The one answer for a scanned or typed code that is not what was asked for, so every scanning page
and every endpoint that takes a unit's barcode says the same thing about the same code."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...core.errors import AppError, NotFound, ValidationFailed
from ...core.ids import code_kind
from ..models import Location


def bad_check_digit(code: str) -> NotFound:
    return NotFound(f"Kontrollsifferet i «{code}» stemmer ikke. Skann på nytt eller tast koden nøye.",
                    {"code": code}, code="bad_check_digit")


def unknown_device_code(code: str) -> NotFound:
    return NotFound(f"Ukjent strekkode «{code}».", {"code": code})


def unknown_location_code(code: str) -> NotFound:
    return NotFound(f"Ukjent lokasjonsstrekkode «{code}».", {"code": code})


def unknown_code(code: str) -> NotFound:
    return NotFound(f"Ukjent kode «{code}».", {"code": code})


def not_a_device(scanned: str, location: Location) -> ValidationFailed:
    """A shelf's (or van's) label scanned where a unit was expected: name the place, so the person
    sees at once what they scanned."""
    message = (f"«{scanned}» er etiketten til lokasjonen {location.code}, ikke et hjelpemiddel. "
               "Skann strekkoden på hjelpemiddelet.")
    error = ValidationFailed(message, {"barcode": [message]}, code="not_a_device")
    error.summarised = True
    return error


def location_by_scan(session: Session, code: str) -> Location | None:
    column = Location.barcode if code_kind(code) == "location" else Location.code
    return session.scalar(select(Location).where(column == code))


def refuse_as_device(session: Session, code: str) -> AppError:
    """Why ``code`` (normalised) is no unit's barcode: a wrong check digit, a location's label, or
    simply unknown."""
    kind = code_kind(code)
    if kind == "bad_check_digit":
        return bad_check_digit(code)
    if kind == "device":
        return unknown_device_code(code)
    location = location_by_scan(session, code)
    if location is not None:
        return not_a_device(code, location)
    if kind == "location":
        return unknown_location_code(code)
    return unknown_device_code(code)
