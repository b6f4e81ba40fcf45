"""Shared marshmallow pieces. Validation messages reach depot staff, so they are in bokmål."""
from __future__ import annotations

import functools
import re
from datetime import date

from marshmallow import Schema, ValidationError, fields, validate

# marshmallow has no locale switch; its defaults are class attributes, set once here for the app.
_NORWEGIAN_MESSAGES = {
    fields.Field: {"required": "Feltet må fylles ut.", "null": "Feltet kan ikke være tomt.",
                   "validator_failed": "Ugyldig verdi."},
    fields.String: {"invalid": "Må være tekst.", "invalid_utf8": "Ugyldig tegnkoding.",
                    "control": "Teksten inneholder ugyldige tegn.",
                    "too_long": "Teksten er for lang (høyst {max} tegn)."},
    fields.Integer: {"invalid": "Må være et heltall."},
    fields.Number: {"invalid": "Må være et tall.", "too_large": "Tallet er utenfor gyldig område."},
    fields.Float: {"special": "NaN og uendelig er ikke tillatt."},
    fields.Boolean: {"invalid": "Må være true eller false."},
    fields.Date: {"invalid": "Må være en dato som 24.12.2026.",
                  "out_of_window": "Datoen må være mellom {first} og {last}."},
    fields.Time: {"invalid": "Må være et klokkeslett (TT:MM)."},
    fields.List: {"invalid": "Må være en liste."},
    fields.Nested: {"type": "Ugyldig type."},
}
for _cls, _messages in _NORWEGIAN_MESSAGES.items():
    _cls.default_error_messages = {**_cls.default_error_messages, **_messages}
Schema._default_error_messages = {"type": "Ugyldig innhold: forventet et JSON-objekt.", "unknown": "Ukjent felt."}

# Bounds every input has, whatever its schema says, so nothing odd reaches the database: whole
# numbers a PostgreSQL integer holds (1.5 is refused, not truncated), text without NUL bytes or
# lone surrogates (PostgreSQL and UTF-8 refuse them) and of a bounded length, dates in a window a
# depot can mean. Declared validators narrow these further. Set on the field classes, like the
# messages above, so no schema can forget them; the OpenAPI document shows them (openapi.py).
INT_MIN, INT_MAX = -2**31, 2**31 - 1
TEXT_MAX = 10_000
FIRST_DATE, LAST_DATE = date(2000, 1, 1), date(2099, 12, 31)
_integer_validated = fields.Integer._validated
_string_deserialize = fields.String._deserialize
_date_deserialize = fields.Date._deserialize


def _bounded_integer(self, value):
    if isinstance(value, float) and not value.is_integer():
        raise self.make_error("invalid")
    number = _integer_validated(self, value)
    if not INT_MIN <= number <= INT_MAX:
        raise self.make_error("too_large")
    return number


def _clean_text(self, value, attr, data, **kwargs):
    text = _string_deserialize(self, value, attr, data, **kwargs)
    if not is_clean_text(text):
        raise self.make_error("control")
    if len(text) > TEXT_MAX:
        raise self.make_error("too_long", max=TEXT_MAX)
    return text


_NORWEGIAN_DATE = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*$")


def parse_norwegian_date(text: str) -> date | None:
    """«24.12.2026» as people write it (pages show and take dates so, whatever the browser's
    locale); None if the text is not such a date."""
    match = _NORWEGIAN_DATE.match(text) if isinstance(text, str) else None
    if match is None:
        return None
    try:
        return date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        return None


def _windowed_date(self, value, attr, data, **kwargs):
    day = parse_norwegian_date(value) or _date_deserialize(self, value, attr, data, **kwargs)
    if not FIRST_DATE <= day <= LAST_DATE:
        raise self.make_error("out_of_window", first=f"{FIRST_DATE:%d.%m.%Y}", last=f"{LAST_DATE:%d.%m.%Y}")
    return day


fields.Integer._validated = _bounded_integer
fields.String._deserialize = _clean_text
fields.Date._deserialize = _windowed_date


def is_clean_text(text: str) -> bool:
    """No NUL byte and valid UTF-8 (no lone surrogates): what every text that is stored must be."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class DigitsField(fields.String):
    """Digits typed with spaces, dots or dashes (``12 22 03``) are stored as digits only."""

    def __init__(self, lengths: tuple[int, ...], message: str, **kwargs):
        super().__init__(**kwargs)
        self.lengths = lengths
        self.message = message

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        digits = re.sub(r"[\s.\-]", "", text)
        if not digits.isdigit() or len(digits) not in self.lengths:
            raise ValidationError(self.message)
        return digits


def hms_nr_field(**kwargs) -> fields.String:
    return fields.String(validate=validate.Regexp(r"^\d{6}$", error="HMS-nr må være nøyaktig 6 siffer."), **kwargs)


class PageArgs(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 500, error="Må være mellom 1 og 500."))
    offset = fields.Integer(load_default=0, validate=validate.Range(0, error="Kan ikke være negativ."))


@functools.lru_cache(maxsize=None)
def shared(schema_class: type[Schema], many: bool = False) -> Schema:
    """One instance per schema class: building a schema (and its nested ones) per request costs
    more than the dump itself. Instances carry no per-call state."""
    return schema_class(many=many)
