from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..citizens.schemas import DoorContactOut
from ..stock.lifecycle import STATE_LABELS
from .models import ACTIONS
from .services import ACTION_LABELS, OUTCOME_LABELS, RUN_STATUS_LABELS, STOP_STATUS_LABELS


class RunIn(Schema):
    run_date = fields.Date(required=True)
    driver = fields.String(load_default=None, allow_none=True)
    van = fields.String(load_default=None, allow_none=True)
    note = fields.String(load_default="", validate=validate.Length(max=1000))


class RunSpec(Schema):
    driver = fields.String(load_default=None, allow_none=True)
    van = fields.String(load_default=None, allow_none=True)


class PlanIn(Schema):
    run_date = fields.Date(required=True)
    runs = fields.List(fields.Nested(RunSpec), load_default=list, validate=validate.Length(max=20))


class RunQuery(Schema):
    run_date = fields.Date(load_default=None)


class ItemOut(Schema):
    barcode = fields.String()
    product = fields.String()
    action = fields.String()
    action_label = fields.Function(lambda i: ACTION_LABELS[i.action])
    state = fields.String()
    state_label = fields.Function(lambda i: STATE_LABELS[i.state])
    location_code = fields.String(allow_none=True)
    picked = fields.Boolean()
    outcome = fields.String(allow_none=True)
    outcome_label = fields.Function(lambda i: OUTCOME_LABELS.get(i.outcome or "", None))
    substituted_for = fields.String(allow_none=True)


class StopOut(Schema):
    id = fields.Integer()
    sequence = fields.Integer()
    actions = fields.List(fields.String())
    kind_label = fields.String()
    citizen = fields.Nested(DoorContactOut)
    address = fields.String()
    postcode = fields.String()
    urgent = fields.Boolean()
    window_start = fields.Time(allow_none=True)
    window_end = fields.Time(allow_none=True)
    status = fields.String()
    status_label = fields.Function(lambda s: STOP_STATUS_LABELS[s.status])
    not_before = fields.Date(allow_none=True)
    outcome_label = fields.String()
    received_by = fields.String()
    completed_at = fields.DateTime(allow_none=True)
    note = fields.String()
    outcome_note = fields.String()
    geo_link = fields.String()
    maps_link = fields.String()
    items = fields.List(fields.Nested(ItemOut))


class RunOut(Schema):
    id = fields.Integer()
    run_date = fields.Date()
    driver = fields.String(allow_none=True)
    van = fields.Function(lambda r: r.van.code if r.van else None)
    status = fields.String()
    status_label = fields.Function(lambda r: RUN_STATUS_LABELS[r.status])
    odometer_start = fields.Integer(allow_none=True)
    odometer_end = fields.Integer(allow_none=True)
    departed_at = fields.DateTime(allow_none=True)
    returned_at = fields.DateTime(allow_none=True)
    stops = fields.List(fields.Nested(StopOut))


class PickIn(Schema):
    barcode = fields.String(required=True, validate=validate.Length(1, 64))


class PickOut(Schema):
    barcode = fields.String()
    stop_id = fields.Integer()
    substituted_for = fields.String(allow_none=True)
    remaining = fields.Integer()


class OutcomeIn(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(list(OUTCOME_LABELS), error="Må være en av: {choices}."))
    action = fields.String(load_default=None, allow_none=True,
                           validate=validate.OneOf(ACTIONS, error="Må være en av: {choices}."))
    received_by = fields.String(load_default="", validate=validate.Length(max=200))
    note = fields.String(load_default="", validate=validate.Length(max=2000))
    # Some of the visit's units only (one of two refused); left out, the outcome is for every unit of the part.
    barcodes = fields.List(fields.String(validate=validate.Length(1, 64)), load_default=None, allow_none=True,
                           validate=validate.Length(1, 100))


# Required by the run service (with its own message); here only bounded.
class StartIn(Schema):
    odometer_start = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(0, 10_000_000))


class FinishIn(Schema):
    odometer_end = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(0, 10_000_000))
    # Stops still open become «Ikke besøkt» only when this says so; else 409 listing them.
    confirm_unvisited = fields.Boolean(load_default=False)


class MoveStopIn(Schema):
    run_id = fields.Integer(required=True, allow_none=True)
    position = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, 500))


class RepairStopIn(Schema):
    device_barcode = fields.String(required=True)
    note = fields.String(required=True, validate=validate.Length(1, 2000, error="Beskriv hva som skal repareres."))


class WindowIn(Schema):
    window_start = fields.Time(required=True, allow_none=True)
    window_end = fields.Time(required=True, allow_none=True)


class StopPlainOut(Schema):
    id = fields.Integer()
    run_id = fields.Integer(allow_none=True)
    sequence = fields.Integer()
    status = fields.String()
    window_start = fields.Time(allow_none=True)
    window_end = fields.Time(allow_none=True)
