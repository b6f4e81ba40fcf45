from __future__ import annotations

from marshmallow import Schema, fields, validate

from .services import CLEANING_METHODS


class CleanIn(Schema):
    method = fields.String(required=True, validate=validate.OneOf(list(CLEANING_METHODS), error="Må være en av: {choices}."))
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class InspectIn(Schema):
    results = fields.Dict(keys=fields.String(), values=fields.Boolean(), required=True)
    note = fields.String(load_default="", validate=validate.Length(max=2000))
    on_fail = fields.String(load_default="repair", validate=validate.OneOf(("repair", "scrap"), error="Må være repair eller scrap."))
    fail_reason = fields.String(load_default="", validate=validate.Length(max=2000))
    location_code = fields.String(load_default=None, allow_none=True)


class ChecklistOut(Schema):
    name = fields.String()
    title = fields.String()
    items = fields.Dict(keys=fields.String(), values=fields.String())


class InspectionOut(Schema):
    id = fields.Integer()
    checklist = fields.String()
    passed = fields.Boolean()
    outcome = fields.String()
    results = fields.Dict()
    inspected_at = fields.DateTime()
    note = fields.String()
