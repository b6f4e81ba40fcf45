from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..core.schemas import DigitsField, PageArgs
from ..stock.lifecycle import STATE_LABELS
from .models import APPLICATION_TYPES, NAV_STATUSES, NEED_STATUSES, RETURN_REASONS, URGENCIES
from .services import LOAN_STATUS_LABELS, NAV_STATUS_LABELS, NEED_STATUS_LABELS, RETURN_REASON_LABELS


class BasketRowIn(Schema):
    """What is needed: a product, or any product of an ISO class, and how many."""

    product_id = fields.Integer(load_default=None, allow_none=True)
    iso_class = DigitsField((4, 6, 8), "ISO-klassen må være 4, 6 eller 8 siffer (f.eks. 12 06 06).",
                            load_default=None, allow_none=True)
    quantity = fields.Integer(load_default=1, validate=validate.Range(1, 20, error="Antall må være 1–20."))


class _NeedTerms(Schema):
    """For whom, by when and how urgently: shared by one need and a basket of them."""

    citizen_id = fields.Integer(required=True)
    needed_by = fields.Date(required=True)
    urgency = fields.String(required=True, validate=validate.OneOf(URGENCIES, error="Må være en av: {choices}."))
    discharge_date = fields.Date(load_default=None, allow_none=True)
    discharge_time = fields.Time(load_default=None, allow_none=True)
    delivery_address = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300))
    notes = fields.String(load_default="", validate=validate.Length(max=2000))
    requested_by = fields.String(load_default="", validate=validate.Length(max=200))
    application_type = fields.String(load_default="short_term",
                                     validate=validate.OneOf(APPLICATION_TYPES, error="Må være en av: {choices}."))


class NeedIn(_NeedTerms, BasketRowIn):
    pass


class BasketIn(_NeedTerms):
    """Several products for one citizen at once; everything but the product lines is shared."""

    rows = fields.List(fields.Nested(BasketRowIn), required=True,
                       validate=validate.Length(1, 20, error="Kurven må ha 1–20 produkter."))


class DecisionIn(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(("approve", "reject", "send_to_nav"),
                                                                    error="Må være en av: {choices}."))
    reason = fields.String(load_default="", validate=validate.Length(max=2000))


class ReasonIn(Schema):
    reason = fields.String(required=True, validate=validate.Length(1, 2000, error="Oppgi en grunn."))


class NavStatusIn(Schema):
    nav_status = fields.String(required=True, validate=validate.OneOf(NAV_STATUSES, error="Må være en av: {choices}."))
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class NeedQuery(PageArgs):
    status = fields.String(load_default=None, validate=validate.OneOf(NEED_STATUSES))
    citizen_id = fields.Integer(load_default=None)


class CitizenRef(Schema):
    id = fields.Integer()
    name = fields.String()


class NeedProductRef(Schema):
    id = fields.Integer()
    name = fields.String()


class NeedOut(Schema):
    id = fields.Integer()
    citizen = fields.Nested(CitizenRef)
    product = fields.Nested(NeedProductRef, allow_none=True)
    iso_class = fields.String(allow_none=True)
    quantity = fields.Integer()
    needed_by = fields.Date()
    urgency = fields.String()
    discharge_date = fields.Date(allow_none=True)
    discharge_time = fields.Time(allow_none=True)
    delivery_address = fields.String()
    notes = fields.String()
    requested_by = fields.String()
    application_type = fields.String()
    status = fields.String()
    status_label = fields.Function(lambda n: NEED_STATUS_LABELS[n.status])
    nav_status = fields.String(allow_none=True)
    nav_status_label = fields.Function(lambda n: NAV_STATUS_LABELS.get(n.nav_status or "", None))
    decision_reason = fields.String()
    registered_at = fields.DateTime()
    status_changed_at = fields.DateTime()
    delivered_at = fields.DateTime(allow_none=True)
    lead_time_minutes = fields.Integer(allow_none=True)


class UnitOut(Schema):
    barcode = fields.String()
    product_name = fields.String()
    state = fields.String()
    state_label = fields.Function(lambda u: STATE_LABELS[u.state])
    reservation_id = fields.Integer(allow_none=True)
    loan_id = fields.Integer(allow_none=True)
    loan_status = fields.String(allow_none=True)
    expected_end = fields.Date(allow_none=True)
    since = fields.DateTime()


class NeedEventOut(Schema):
    id = fields.Integer()
    occurred_at = fields.DateTime()
    kind = fields.String()
    status = fields.String()
    note = fields.String()
    data = fields.Dict(allow_none=True)


class NeedDetailOut(NeedOut):
    units = fields.List(fields.Nested(UnitOut))
    timeline = fields.List(fields.Nested(NeedEventOut))
    queue_position = fields.Integer(allow_none=True)


class ReservationIn(Schema):
    need_id = fields.Integer(required=True)
    device_barcode = fields.String(load_default=None, allow_none=True)


class ChangeReservationIn(Schema):
    device_barcode = fields.String(required=True)


class ReservationOut(Schema):
    id = fields.Integer()
    need_id = fields.Integer()
    device_barcode = fields.Function(lambda r: r.device.barcode)
    status = fields.String()
    created_at = fields.DateTime()


class HandOverIn(Schema):
    device_barcode = fields.String(required=True)
    need_id = fields.Integer(load_default=None, allow_none=True)
    received_by = fields.String(load_default="", validate=validate.Length(max=200))


class LoanOut(Schema):
    id = fields.Integer()
    device_barcode = fields.Function(lambda loan: loan.device.barcode)
    product_name = fields.Function(lambda loan: loan.device.product.name)
    citizen = fields.Nested(CitizenRef)
    need_id = fields.Integer(allow_none=True)
    loan_type = fields.String()
    status = fields.String()
    status_label = fields.Function(lambda loan: LOAN_STATUS_LABELS[loan.status])
    started_at = fields.DateTime()
    expected_end = fields.Date(allow_none=True)
    received_by = fields.String()
    return_reason = fields.String(allow_none=True)
    return_reason_label = fields.Function(lambda loan: RETURN_REASON_LABELS.get(loan.return_reason or "", None))
    ended_at = fields.DateTime(allow_none=True)


class LoanQuery(PageArgs):
    citizen_id = fields.Integer(load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf(("active", "return_requested", "ended")))


class ExtendIn(Schema):
    new_end = fields.Date(required=True)
    reason = fields.String(required=True, validate=validate.Length(1, 2000, error="Oppgi grunnen til forlengelsen."))


class ReturnRequestIn(Schema):
    reason = fields.String(required=True, validate=validate.OneOf(RETURN_REASONS, error="Må være en av: {choices}."))
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class ReceiveReturnIn(Schema):
    device_barcode = fields.String(required=True)
    location_code = fields.String(load_default=None, allow_none=True)
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class ReceiptOut(Schema):
    barcode = fields.Function(lambda r: r.device.barcode)
    state = fields.Function(lambda r: r.device.state)
    state_label = fields.Function(lambda r: STATE_LABELS[r.device.state])
    location_code = fields.String(allow_none=True)
    loan_id = fields.Function(lambda r: r.loan.id if r.loan else None)
    already_received = fields.Boolean()
    message = fields.String()
