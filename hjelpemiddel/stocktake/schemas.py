from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..core.schemas import PageArgs
from .models import OUTCOMES
from .services import CLASS_TEXT, DECISION_LABELS, OUTCOME_LABELS

_CODE = validate.Length(1, 100, error="Koden må ha 1–100 tegn.")


class StartIn(Schema):
    location_code = fields.String(required=True, validate=validate.Length(1, 40, error="Velg en lokasjon (1–40 tegn)."))
    blind = fields.Boolean(load_default=True)
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class StocktakeQuery(PageArgs):
    status = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(("counting", "closed")))


class StocktakeOut(Schema):
    id = fields.Integer()
    location_code = fields.String(attribute="root_code")
    location_name = fields.String(attribute="root_name")
    blind = fields.Boolean()
    status = fields.String()
    note = fields.String()
    expected_units = fields.Function(lambda row: None if row.blind and row.status == "counting" else row.expected_units)
    started_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)


class ScanIn(Schema):
    code = fields.String(required=True, validate=_CODE)
    bin_code = fields.String(load_default=None, allow_none=True, validate=_CODE)


class ScanOut(Schema):
    kind = fields.String()
    bin_code = fields.String()
    message = fields.String()
    barcode = fields.String(allow_none=True)
    product_name = fields.String(allow_none=True)
    repeated = fields.Boolean()


class CounterOut(Schema):
    name = fields.Function(lambda pair: pair[0])
    units = fields.Function(lambda pair: pair[1])


class ProgressOut(Schema):
    status = fields.String()
    bins_done = fields.Integer()
    bins_total = fields.Integer()
    units_counted = fields.Integer()
    expected_units = fields.Integer(allow_none=True)
    counters = fields.List(fields.Nested(CounterOut))


class LinesQuery(Schema):
    outcome = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(OUTCOMES))
    page = fields.Integer(load_default=1, validate=validate.Range(1, 10_000, error="Må være mellom 1 og 10 000."))
    size = fields.Integer(load_default=50, validate=validate.Range(1, 500, error="Må være mellom 1 og 500."))


class LineOut(Schema):
    id = fields.Integer()
    barcode = fields.String()
    product_name = fields.String()
    outcome = fields.String()
    outcome_label = fields.Function(lambda line: OUTCOME_LABELS[line.outcome])
    expected_location = fields.String(attribute="expected_code", allow_none=True)
    counted_location = fields.String(attribute="counted_code", allow_none=True)
    decision = fields.String(allow_none=True)
    decision_label = fields.Function(lambda line: DECISION_LABELS.get(line.decision, ""))


class LinesPageOut(Schema):
    total = fields.Integer()
    page = fields.Integer(attribute="number")
    has_next = fields.Boolean()
    items = fields.List(fields.Nested(LineOut))


class SummaryOut(Schema):
    found = fields.Integer()
    misplaced = fields.Integer()
    unexpected = fields.Integer()
    missing = fields.Integer()
    moved = fields.Integer()
    pending = fields.Integer()


class ApprovedLineOut(Schema):
    id = fields.Integer()
    outcome = fields.String()
    decision = fields.String()


class ApproveOut(Schema):
    approved = fields.Integer()
    left = fields.Integer()
    examples = fields.List(fields.String())


class PlanRowOut(Schema):
    location_code = fields.String(attribute="code")
    location_name = fields.String(attribute="name")
    abc_class = fields.String(attribute="abc")
    units = fields.Integer()
    last_counted = fields.DateTime(allow_none=True)
    last_part_counted = fields.DateTime(allow_none=True)
    due = fields.Date()
    due_this_week = fields.Boolean()


class PlanOut(Schema):
    week_ends = fields.Date()
    classes = fields.Function(lambda _plan: CLASS_TEXT)
    zones = fields.List(fields.Nested(PlanRowOut))
