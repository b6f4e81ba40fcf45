"""Shared marshmallow pieces. Validation messages reach depot staff, so they are in bokmål."""
from __future__ import annotations

import functools
import re

from marshmallow import Schema, ValidationError, fields, validate

# marshmallow has no locale switch; its defaults are class attributes, set once here for the app.
_NORWEGIAN_MESSAGES = {
    fields.Field: {"required": "Feltet må fylles ut.", "null": "Feltet kan ikke være tomt.",
                   "validator_failed": "Ugyldig verdi."},
    fields.String: {"invalid": "Må være tekst.", "invalid_utf8": "Ugyldig tegnkoding."},
    fields.Integer: {"invalid": "Må være et heltall."},
    fields.Number: {"invalid": "Må være et tall.", "too_large": "Tallet er for stort."},
    fields.Float: {"special": "NaN og uendelig er ikke tillatt."},
    fields.Boolean: {"invalid": "Må være true eller false."},
    fields.Date: {"invalid": "Må være en dato (ÅÅÅÅ-MM-DD)."},
    fields.List: {"invalid": "Må være en liste."},
    fields.Nested: {"type": "Ugyldig type."},
}
for _cls, _messages in _NORWEGIAN_MESSAGES.items():
    _cls.default_error_messages = {**_cls.default_error_messages, **_messages}
Schema._default_error_messages = {"type": "Ugyldig innhold: forventet et JSON-objekt.", "unknown": "Ukjent felt."}


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
