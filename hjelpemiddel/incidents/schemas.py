from __future__ import annotations

from marshmallow import Schema, fields, validate

from .models import DESCRIPTION_MAX, INJURIES, PLACE_MAX, REFERENCE_MAX
from .services import INJURY_LABELS, is_flagged

_INJURY = validate.OneOf(INJURIES, error="Velg ingen personskade, lettere skade, alvorlig skade eller dødsfall.")


class IncidentIn(Schema):
    barcode = fields.String(required=True, validate=validate.Length(1, 100, error="Skann eller skriv strekkoden."))
    place = fields.String(required=True, validate=validate.Length(
        1, PLACE_MAX, error=f"Skriv hvor det skjedde (høyst {PLACE_MAX} tegn)."))
    description = fields.String(required=True, validate=validate.Length(
        1, DESCRIPTION_MAX, error=f"Skriv hva som skjedde (høyst {DESCRIPTION_MAX} tegn)."))
    injury = fields.String(required=True, validate=_INJURY)


class IncidentQuery(Schema):
    q = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    injury = fields.String(load_default=None, allow_none=True, validate=_INJURY)
    not_sent = fields.Boolean(load_default=False)
    page = fields.Integer(load_default=1, validate=validate.Range(1, 10_000, error="Må være mellom 1 og 10 000."))
    size = fields.Integer(load_default=50, validate=validate.Range(1, 500, error="Må være mellom 1 og 500."))


class SentIn(Schema):
    reference = fields.String(load_default="", validate=validate.Length(
        max=REFERENCE_MAX, error=f"Referansen kan ha høyst {REFERENCE_MAX} tegn."))


class IncidentOut(Schema):
    id = fields.Integer()
    barcode = fields.String()
    product_name = fields.String()
    product_hms_nr = fields.String(allow_none=True)
    serial_number = fields.String(allow_none=True)
    owner = fields.String()
    nav_hms_nr = fields.String(allow_none=True)
    nav_serial = fields.String(allow_none=True)
    place = fields.String()
    description = fields.String()
    injury = fields.String()
    injury_label = fields.Function(lambda incident: INJURY_LABELS[incident.injury])
    reported_at = fields.DateTime()
    quarantine_id = fields.Integer(allow_none=True)
    for_authorities = fields.Function(is_flagged)
    authority_deadline = fields.Date(allow_none=True)
    sent_to_authorities_at = fields.DateTime(allow_none=True)
    authority_reference = fields.String()


class IncidentPageOut(Schema):
    total = fields.Integer()
    page = fields.Integer(attribute="number")
    has_next = fields.Boolean()
    items = fields.List(fields.Nested(IncidentOut))


class IncidentExportOut(Schema):
    """The fields of NAV's incident form."""

    device_name = fields.String()
    product_number = fields.String()
    serial_number = fields.String()
    place = fields.String()
    cause = fields.String()
    injury = fields.String()
    date = fields.String()
    barcode = fields.String()
    owner = fields.String()
