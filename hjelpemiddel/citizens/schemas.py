from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..core.schemas import PageArgs


class CitizenIn(Schema):
    fnr = fields.String(required=True)
    name = fields.String(required=True, validate=validate.Length(1, 200, error="Navnet må ha 1–200 tegn."))
    address = fields.String(required=True, validate=validate.Length(1, 200, error="Adressen må ha 1–200 tegn."))
    postcode = fields.String(required=True, validate=validate.Regexp(r"^\d{4}$", error="Postnummeret må være 4 siffer."))
    city = fields.String(load_default="", validate=validate.Length(max=100))
    kommunenummer = fields.String(required=True, validate=validate.Regexp(r"^\d{4}$", error="Kommunenummeret må være 4 siffer."))
    phone = fields.String(load_default="", validate=validate.Regexp(r"^[+\d][\d ]{0,19}$|^$", error="Ugyldig telefonnummer."))
    access_notes = fields.String(load_default="", validate=validate.Length(max=1000))
    contact_name = fields.String(load_default="", validate=validate.Length(max=200))
    contact_phone = fields.String(load_default="", validate=validate.Regexp(r"^[+\d][\d ]{0,19}$|^$", error="Ugyldig telefonnummer."))


class DoorContactOut(Schema):
    """What the driver needs at the door: never a fødselsnummer."""

    name = fields.String()
    phone = fields.String()
    access_notes = fields.String()
    contact_name = fields.String()
    contact_phone = fields.String()


class DeliveryContactOut(DoorContactOut):
    """What a delivery needs: no fødselsnummer."""

    id = fields.Integer()
    address = fields.String()
    postcode = fields.String()
    city = fields.String()
    kommunenummer = fields.String()


class CitizenOut(DeliveryContactOut):
    fnr_masked = fields.String()
    created_at = fields.DateTime()


class CitizenQuery(PageArgs):
    q = fields.String(load_default=None, validate=validate.Length(max=100))


class FnrLookupIn(Schema):
    fnr = fields.String(required=True)
    purpose = fields.String(required=True, validate=validate.Length(max=300))


class PurposeIn(Schema):
    purpose = fields.String(required=True, validate=validate.Length(max=300))


class FnrOut(Schema):
    citizen_id = fields.Integer()
    fnr = fields.String()


class FnrAccessOut(Schema):
    id = fields.Integer()
    user_id = fields.Integer()
    action = fields.String()
    purpose = fields.String()
    accessed_at = fields.DateTime()
