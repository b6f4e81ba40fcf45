from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..core.schemas import PageArgs
from ..stock.lifecycle import STATE_LABELS, DeviceState
from .models import QUARANTINE_REASONS, REPAIR_CAUSES, SPARE_PART_REASONS
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
    cause = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(
        list(REPAIR_CAUSES), error="Velg en årsak fra listen."))


class UsedPartIn(Schema):
    hmsnr = fields.String(load_default=None, allow_none=True)
    navn = fields.String(required=True, validate=validate.Length(1, 200, error="Delen må ha et navn."))
    antall = fields.Integer(load_default=1, validate=validate.Range(1, 99, error="Antall må være 1–99."))


class StockPartIn(Schema):
    spare_part_id = fields.Integer(required=True)
    quantity = fields.Integer(load_default=1, validate=validate.Range(1, 99, error="Antall må være 1–99."))


class CompleteRepairIn(Schema):
    work_done = fields.String(required=True, validate=validate.Length(1, 2000, error="Skriv hva som ble gjort."))
    minutes_spent = fields.Integer(required=True, validate=validate.Range(1, 24 * 60, error="Tidsbruk i minutter: 1–1440."))
    parts_used = fields.List(fields.Nested(UsedPartIn), load_default=list)
    cause = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(
        list(REPAIR_CAUSES), error="Velg en årsak fra listen."))
    # Parts from the municipality's own stock (not for NAV's units), taken out as the repair completes.
    stock_parts = fields.List(fields.Nested(StockPartIn), load_default=list,
                              validate=validate.Length(max=20, error="Høyst 20 deler."))


class WarrantyOut(Schema):
    under_warranty = fields.Boolean()
    until = fields.Date()
    years = fields.Integer()
    claim_to = fields.String()
    text = fields.String()


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
    cause = fields.String(allow_none=True)
    cause_label = fields.Function(lambda r: REPAIR_CAUSES.get(r.cause) if r.cause else None)
    created_at = fields.DateTime()
    completed_at = fields.DateTime(allow_none=True)
    # Set by the API on the repair it answers: the unit's warranty by the one rule.
    warranty = fields.Nested(WarrantyOut, allow_none=True)


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


# --- spare parts ------------------------------------------------------------------------------

_PART_NUMBER = validate.Length(1, 40, error="Delenummeret må ha 1–40 tegn.")
_PART_NAME = validate.Length(1, 200, error="Navnet må ha 1–200 tegn.")
_NOT_NEGATIVE = validate.Range(0, 1_000_000, error="Må være mellom 0 og 1 000 000.")


class SparePartIn(Schema):
    part_number = fields.String(required=True, validate=_PART_NUMBER)
    name = fields.String(required=True, validate=_PART_NAME)
    quantity = fields.Integer(load_default=0, validate=_NOT_NEGATIVE)
    minimum_quantity = fields.Integer(load_default=0, validate=_NOT_NEGATIVE)
    location_code = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    product_ids = fields.List(fields.Integer(), load_default=list, validate=validate.Length(max=50))
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class SparePartPatch(Schema):
    name = fields.String(validate=_PART_NAME)
    minimum_quantity = fields.Integer(validate=_NOT_NEGATIVE)
    location_code = fields.String(allow_none=True, validate=validate.Length(max=40))
    product_ids = fields.List(fields.Integer(), validate=validate.Length(max=50))
    note = fields.String(validate=validate.Length(max=2000))


class ReceivePartIn(Schema):
    quantity = fields.Integer(required=True, validate=validate.Range(1, 1_000_000, error="Antall må være minst 1."))
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class CountPartIn(Schema):
    counted = fields.Integer(required=True, validate=_NOT_NEGATIVE)
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class SparePartQuery(PageArgs):
    q = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    below_minimum = fields.Boolean(load_default=False)


class SparePartOut(Schema):
    id = fields.Integer()
    part_number = fields.String()
    code = fields.String()
    name = fields.String()
    quantity = fields.Integer()
    minimum_quantity = fields.Integer()
    below_minimum = fields.Boolean()
    location_code = fields.String(allow_none=True)
    product_ids = fields.List(fields.Integer())
    note = fields.String()


class MovementOut(Schema):
    id = fields.Integer()
    delta = fields.Integer()
    quantity_after = fields.Integer()
    reason = fields.String(validate=validate.OneOf(SPARE_PART_REASONS))
    repair_order_id = fields.Integer(allow_none=True)
    note = fields.String()
    created_by_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class MovementQuery(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(1, 10_000, error="Må være mellom 1 og 10 000."))
    size = fields.Integer(load_default=50, validate=validate.Range(1, 500, error="Må være mellom 1 og 500."))


class MovementPageOut(Schema):
    total = fields.Integer()
    page = fields.Integer(attribute="number")
    has_next = fields.Boolean()
    items = fields.List(fields.Nested(MovementOut))


# --- failure figures --------------------------------------------------------------------------

class FailureQuery(Schema):
    date_from = fields.Date(required=True)
    date_to = fields.Date(required=True)
    product_id = fields.Integer(load_default=None, allow_none=True)
    iso_class = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(
        r"^[\d ]{0,11}$", error="ISO-klassen skrives med sifre, f.eks. 12 23."))
    min_loan_months = fields.Float(load_default=6.0, validate=validate.Range(0, 10_000, error="Må være 0–10 000."))


class CauseCountOut(Schema):
    cause = fields.String(allow_none=True)
    label = fields.String()
    count = fields.Integer()


class FailureFigureOut(Schema):
    product_id = fields.Integer()
    product_name = fields.String()
    hms_nr = fields.String(allow_none=True)
    iso_class = fields.String()
    repairs = fields.Integer()
    loan_months = fields.Float()
    repairs_per_100_loan_months = fields.Float(allow_none=True)
    top_causes = fields.List(fields.Nested(CauseCountOut))
