from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..core.schemas import DigitsField, PageArgs, hms_nr_field
from .iso import format_iso_class, iso_title

ISO_CLASS_MESSAGE = "ISO-klassen må være 6 siffer (f.eks. 12 22 03) eller NAVs 8 siffer."


class ProductIn(Schema):
    hms_nr = hms_nr_field(load_default=None, allow_none=True)
    name = fields.String(required=True, validate=validate.Length(1, 200, error="Navnet må ha 1–200 tegn."))
    iso_class = DigitsField((6, 8), ISO_CLASS_MESSAGE, required=True)
    supplier = fields.String(load_default="", validate=validate.Length(max=200, error="Høyst 200 tegn."))
    individually_tracked = fields.Boolean(load_default=True)
    inspection_interval_days = fields.Integer(
        load_default=None, allow_none=True,
        validate=validate.Range(1, 3650, error="Kontrollintervallet må være 1–3650 dager."),
    )
    replacement_value = fields.Integer(
        load_default=None, allow_none=True,
        validate=validate.Range(0, 10_000_000, error="Gjenanskaffelsesverdien må være 0–10 000 000 kroner."),
    )


class ProductOut(Schema):
    id = fields.Integer()
    hms_nr = fields.String(allow_none=True)
    name = fields.String()
    supplier = fields.String()
    iso_class = fields.String()
    iso_class_display = fields.Function(lambda p: format_iso_class(p.iso_class))
    iso_class_title = fields.Function(lambda p: iso_title(p.iso_class))
    individually_tracked = fields.Boolean()
    inspection_interval_days = fields.Integer(allow_none=True)
    replacement_value = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class ProductQuery(PageArgs):
    q = fields.String(load_default=None, validate=validate.Length(max=100))
    iso_class = DigitsField((2, 4, 6, 8), "ISO-klassen må være 2, 4, 6 eller 8 siffer.", load_default=None)


class ImportArgs(Schema):
    skip_invalid = fields.Boolean(load_default=False)
    dry_run = fields.Boolean(load_default=False)


class ImportReportOut(Schema):
    rows = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    skipped = fields.Integer()
    loaded = fields.Boolean()
    dry_run = fields.Boolean()
    ignored_columns = fields.List(fields.String())
    errors = fields.List(fields.Dict())
