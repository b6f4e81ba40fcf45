from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..core.schemas import PageArgs
from ..maintenance.services import CHECKLIST_NAMES
from .services import STATUSES

_MONTH = validate.Regexp(r"^\d{4}-\d{2}$", error="Skriv måneden som åååå-mm, for eksempel 2027-06.")


class DueQuery(PageArgs):
    month = fields.String(load_default=None, allow_none=True, validate=_MONTH)
    area = fields.String(load_default=None, allow_none=True,
                         validate=validate.Regexp(r"^(\d{4}|lager)$", error="Et postnummer (fire sifre) eller «lager»."))
    q = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    status = fields.String(load_default="all", validate=validate.OneOf(STATUSES))


class DueUnitOut(Schema):
    barcode = fields.String()
    product = fields.String()
    iso_class = fields.String()
    due_on = fields.Date()
    status = fields.String()
    status_label = fields.String()
    state = fields.String()
    state_label = fields.String()
    area = fields.String()
    where = fields.String()
    plan = fields.String(allow_none=True)
    visit_planned = fields.Boolean()


class AreaCountOut(Schema):
    area = fields.Function(lambda pair: pair[0])
    units = fields.Function(lambda pair: pair[1])


class MonthCountOut(Schema):
    month = fields.Function(lambda pair: pair[0].strftime("%Y-%m"))
    units = fields.Function(lambda pair: pair[1])


class DueOut(Schema):
    month = fields.Function(lambda data: data["summary"].month.strftime("%Y-%m"))
    overdue = fields.Function(lambda data: data["summary"].overdue)
    due_in_month = fields.Function(lambda data: data["summary"].in_month)
    due_within_30_days = fields.Function(lambda data: data["summary"].soon)
    by_area = fields.Function(lambda data: AreaCountOut(many=True).dump(data["summary"].by_area))
    months = fields.Function(lambda data: MonthCountOut(many=True).dump(data["summary"].months))
    total = fields.Function(lambda data: data["page"].total)
    units = fields.Function(lambda data: DueUnitOut(many=True).dump(data["page"].items))


class PeriodicIn(Schema):
    barcode = fields.String(required=True, validate=validate.Length(1, 100))
    results = fields.Dict(keys=fields.String(validate=validate.Length(1, 40)), values=fields.Boolean(), required=True,
                          validate=validate.Length(max=40))
    reasons = fields.Dict(keys=fields.String(validate=validate.Length(1, 40)),
                          values=fields.String(validate=validate.Length(max=500)), load_default=dict,
                          validate=validate.Length(max=40))
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class InspectionOut(Schema):
    id = fields.Integer()
    barcode = fields.String()
    inspected_at = fields.DateTime()
    kind = fields.String()
    place = fields.String()
    checklist = fields.String()
    results = fields.Dict(keys=fields.String(), values=fields.Boolean())
    passed = fields.Boolean()
    outcome = fields.String()
    next_due_on = fields.Date(allow_none=True)
    note = fields.String()


class InspectionsQuery(Schema):
    barcode = fields.String(required=True, validate=validate.Length(1, 100))


class PlanIn(Schema):
    product_id = fields.Integer(load_default=None, allow_none=True)
    iso_prefix = fields.String(load_default=None, allow_none=True,
                               validate=validate.Regexp(r"^\d{2,8}$", error="ISO-klassen skrives med 2–8 sifre."))
    name = fields.String(required=True, validate=validate.Length(1, 100))
    interval_months = fields.Integer(load_default=None, allow_none=True,
                                     validate=validate.Range(1, 120, error="Mellom 1 og 120 måneder."))
    after_each_loan = fields.Boolean(load_default=True)
    checklist = fields.String(required=True, validate=validate.OneOf(sorted(CHECKLIST_NAMES)))
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class PlanOut(Schema):
    id = fields.Integer()
    product_id = fields.Integer(allow_none=True)
    iso_prefix = fields.String(allow_none=True)
    name = fields.String()
    interval_months = fields.Integer(allow_none=True)
    after_each_loan = fields.Boolean()
    checklist = fields.String()
    note = fields.String()


class VisitsIn(Schema):
    until = fields.Date(load_default=None, allow_none=True)


class VisitsOut(Schema):
    planned = fields.Integer()
