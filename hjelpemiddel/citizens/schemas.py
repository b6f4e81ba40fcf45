from __future__ import annotations

from datetime import date, timedelta

from marshmallow import Schema, fields, validate

from ..core.schemas import PageArgs
from ..core.text import local_today
from .services import PURPOSE_TEXT_MAX, PURPOSES


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


class PurposeIn(Schema):
    """Why the fnr is used: ``purpose`` from the list (codes: need_registration «Registrering av
    behov», nav_application «Søknad til NAV», delivery «Levering/henting», loan_follow_up «Oppfølging
    av utlån», other «Annet») and ``purpose_text`` beside it, at most 300 characters, required
    (at least 3) for ``other``. Both are written to the access log."""

    purpose = fields.String(required=True, validate=validate.OneOf(
        list(PURPOSES), error="Velg et formål fra listen: " + ", ".join(PURPOSES.values()) + "."))
    purpose_text = fields.String(load_default="", validate=validate.Length(
        max=PURPOSE_TEXT_MAX, error=f"Beskrivelsen kan ha høyst {PURPOSE_TEXT_MAX} tegn."))


class FnrLookupIn(PurposeIn):
    """A search by fnr: at most ``FNR_LOOKUPS_PER_HOUR`` per user and hour (429 with ``Retry-After``
    beyond it); a miss answers 404 and is logged by the number's keyed hash."""

    fnr = fields.String(required=True, validate=validate.Length(max=20))


class FnrOut(Schema):
    citizen_id = fields.Integer()
    fnr = fields.String()


class FnrAccessOut(Schema):
    """One use of the fnr. ``found`` is false for a search that missed (made before the citizen was
    registered, found again by the number's keyed hash)."""

    id = fields.Integer()
    user_id = fields.Integer()
    action = fields.String()
    purpose_code = fields.String(allow_none=True)
    purpose = fields.String()
    found = fields.Function(lambda entry: entry.citizen_id is not None)
    accessed_at = fields.DateTime()


def _default_from() -> date:
    return local_today() - timedelta(days=30)


class FollowUpQuery(PageArgs):
    """Admin's follow-up of the fnr access log: per user and Norwegian day, within at most 366 days."""

    date_from = fields.Date(load_default=_default_from)
    date_to = fields.Date(load_default=local_today)
    username = fields.String(data_key="user", load_default=None, validate=[
        validate.Length(max=64), validate.Regexp(r"^[^\x00]*$", error="Ugyldige tegn.")])
    flagged_only = fields.Boolean(load_default=False)


class FollowUpRowOut(Schema):
    user_id = fields.Integer()
    username = fields.String()
    full_name = fields.String()
    day = fields.Date()
    lookups = fields.Integer(metadata={"description": "søk på fødselsnummer, med bom"})
    misses = fields.Integer(metadata={"description": "søk som ikke fant noen"})
    reveals = fields.Integer(metadata={"description": "fødselsnummer vist i klartekst eller sendt til NAV"})
    flagged = fields.Boolean(metadata={"description": "søk + visninger over terskelen den dagen"})


class FollowUpOut(Schema):
    rows = fields.List(fields.Nested(FollowUpRowOut))
    total = fields.Integer()
    date_from = fields.Date()
    date_to = fields.Date()
    threshold = fields.Integer()
