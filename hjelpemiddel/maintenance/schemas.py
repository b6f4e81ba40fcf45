from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..core.schemas import PageArgs
from ..stock.lifecycle import STATE_LABELS, DeviceState
from .models import QUARANTINE_REASONS
from .services import CLEANING_METHODS, REASON_LABELS


class CleanIn(Schema):
    method = fields.String(required=True, validate=validate.OneOf(list(CLEANING_METHODS), error="Må være en av: {choices}."))
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class InspectIn(Schema):
    results = fields.Dict(keys=fields.String(), values=fields.Boolean(), required=True)
    # Why each failed point failed, by the same keys: required for every point answered false.
    reasons = fields.Dict(keys=fields.String(validate=validate.Length(max=40)),
                          values=fields.String(validate=validate.Length(max=500)), load_default=dict)
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


class RepairIn(Schema):
    barcode = fields.String(required=True)
    place = fields.String(required=True, validate=validate.OneOf(("home", "depot"), error="Må være home eller depot."))
    description = fields.String(required=True, validate=validate.Length(1, 2000, error="Beskriv hva som er galt."))


class UsedPartIn(Schema):
    hmsnr = fields.String(load_default=None, allow_none=True)
    navn = fields.String(required=True, validate=validate.Length(1, 200, error="Delen må ha et navn."))
    antall = fields.Integer(load_default=1, validate=validate.Range(1, 99, error="Antall må være 1–99."))


class CompleteRepairIn(Schema):
    work_done = fields.String(required=True, validate=validate.Length(1, 2000, error="Skriv hva som ble gjort."))
    minutes_spent = fields.Integer(required=True, validate=validate.Range(1, 24 * 60, error="Tidsbruk i minutter: 1–1440."))
    parts_used = fields.List(fields.Nested(UsedPartIn), load_default=list)


class RepairOut(Schema):
    id = fields.Integer()
    device_id = fields.Integer()
    place = fields.String()
    status = fields.String()
    description = fields.String()
    stop_id = fields.Integer(allow_none=True)
    work_done = fields.String()
    minutes_spent = fields.Integer(allow_none=True)
    parts_used = fields.List(fields.Dict())
    created_at = fields.DateTime()
    completed_at = fields.DateTime(allow_none=True)


class QuarantineIn(Schema):
    reason = fields.String(required=True, validate=validate.OneOf(QUARANTINE_REASONS,
                                                                  error="Velg uhell, tilbakekalling eller skade."))
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class ReleaseIn(Schema):
    to_state = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(
        [state.value for state in DeviceState], error="Ukjent status."))
    note = fields.String(load_default="", validate=validate.Length(max=2000))
    location_code = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))


class QuarantineQuery(PageArgs):
    reason = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(QUARANTINE_REASONS))
    q = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))


class QuarantineOut(Schema):
    id = fields.Integer()
    barcode = fields.String()
    product_name = fields.String()
    location_code = fields.String(allow_none=True)
    reason = fields.String()
    reason_label = fields.Function(lambda q: REASON_LABELS[q.reason])
    note = fields.String()
    from_state = fields.String()
    from_state_label = fields.Function(lambda q: STATE_LABELS[q.from_state])
    opened_at = fields.DateTime()
    released_at = fields.DateTime(allow_none=True)
    released_to = fields.String(allow_none=True)
    release_to = fields.Function(lambda q: [{"state": s.value, "label": STATE_LABELS[s]}
                                            for s in getattr(q, "release_to", [])])


class QuarantinePageOut(Schema):
    total = fields.Integer()
    items = fields.List(fields.Nested(QuarantineOut))


class ScrapIn(Schema):
    reason = fields.String(required=True, validate=validate.Length(1, 2000, error="Kassering krever en begrunnelse."))
