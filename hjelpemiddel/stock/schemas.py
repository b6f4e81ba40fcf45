from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..catalog.iso import format_iso_class
from ..core.schemas import PageArgs, hms_nr_field
from .lifecycle import EVENT_LABELS, STATE_LABELS
from .models import CONDITIONS, LOCATION_KINDS, LOCATION_PURPOSES, OWNERS


_SIZE = validate.Range(0.1, 1_000, error="Må være mellom 0,1 og 1000 meter.")
_TURN = validate.Range(-360, 360, error="Må være mellom -360 og 360 grader.")
_PURPOSE = validate.OneOf(LOCATION_PURPOSES, error="Må være en av: {choices}.")


class LocationIn(Schema):
    code = fields.String(required=True, validate=validate.Length(1, 40, error="Koden må ha 1–40 tegn."))
    name = fields.String(load_default="", validate=validate.Length(max=200))
    kind = fields.String(required=True, validate=validate.OneOf(LOCATION_KINDS, error="Må være en av: {choices}."))
    parent_code = fields.String(load_default=None, allow_none=True)
    capacity = fields.Integer(load_default=None, allow_none=True,
                              validate=validate.Range(min=0, error="Kapasiteten kan ikke være negativ."))
    x = fields.Float(load_default=None, allow_none=True, validate=validate.Range(-10_000, 10_000))
    y = fields.Float(load_default=None, allow_none=True, validate=validate.Range(-10_000, 10_000))
    width = fields.Float(load_default=None, allow_none=True, validate=_SIZE)
    depth = fields.Float(load_default=None, allow_none=True, validate=_SIZE)
    rotation = fields.Float(load_default=0.0, validate=_TURN)
    purpose = fields.String(load_default=None, allow_none=True, validate=_PURPOSE)


class LocationLayoutIn(Schema):
    """What may change of a place on the map; an absent field stays as it is."""
    name = fields.String(validate=validate.Length(max=200))
    capacity = fields.Integer(allow_none=True, validate=validate.Range(min=0, error="Kapasiteten kan ikke være negativ."))
    x = fields.Float(allow_none=True, validate=validate.Range(-10_000, 10_000))
    y = fields.Float(allow_none=True, validate=validate.Range(-10_000, 10_000))
    width = fields.Float(allow_none=True, validate=_SIZE)
    depth = fields.Float(allow_none=True, validate=_SIZE)
    rotation = fields.Float(validate=_TURN)
    purpose = fields.String(allow_none=True, validate=_PURPOSE)


class LocationOut(Schema):
    id = fields.Integer()
    code = fields.String()
    barcode = fields.String()
    name = fields.String()
    kind = fields.String()
    path = fields.String()
    capacity = fields.Integer(allow_none=True)
    x = fields.Float(allow_none=True)
    y = fields.Float(allow_none=True)
    width = fields.Float(allow_none=True)
    depth = fields.Float(allow_none=True)
    rotation = fields.Float()
    purpose = fields.String(allow_none=True)


class LocationQuery(Schema):
    kind = fields.String(load_default=None, validate=validate.OneOf(LOCATION_KINDS))
    parent_code = fields.String(load_default=None)
    q = fields.String(load_default=None, validate=validate.Length(max=100))
    limit = fields.Integer(load_default=500, validate=validate.Range(1, 500))


class LocationRef(Schema):
    code = fields.String()
    barcode = fields.String()
    name = fields.String()
    path = fields.String()


class ProductRef(Schema):
    id = fields.Integer()
    name = fields.String()
    hms_nr = fields.String(allow_none=True)
    iso_class = fields.String()
    iso_class_display = fields.Function(lambda p: format_iso_class(p.iso_class))


class DeviceIn(Schema):
    product_id = fields.Integer(required=True)
    serial_number = fields.String(load_default=None, allow_none=True,
                                  validate=validate.Regexp(r"^[\w\-./ ]{1,64}$", error="Serienummeret må ha 1–64 tegn (bokstaver, sifre, - . /)."))
    owner = fields.String(load_default="kommune", validate=validate.OneOf(OWNERS, error="Må være en av: {choices}."))
    nav_hms_nr = hms_nr_field(load_default=None, allow_none=True)
    nav_serial = fields.String(load_default=None, allow_none=True,
                               validate=validate.Regexp(r"^[\w\-]{1,64}$", error="NAV-serienummeret må ha 1–64 tegn."))
    location_code = fields.String(load_default=None, allow_none=True)
    condition = fields.String(load_default="good", validate=validate.OneOf(CONDITIONS, error="Må være en av: {choices}."))
    barcode = fields.String(load_default=None, allow_none=True)
    note = fields.String(load_default="", validate=validate.Length(max=1000))


class DeviceOut(Schema):
    id = fields.Integer()
    barcode = fields.String()
    product = fields.Nested(ProductRef)
    serial_number = fields.String(allow_none=True)
    owner = fields.String()
    nav_hms_nr = fields.String(allow_none=True)
    nav_serial = fields.String(allow_none=True)
    condition = fields.String()
    state = fields.String()
    state_label = fields.Function(lambda d: STATE_LABELS[d.state])
    location = fields.Nested(LocationRef, allow_none=True)
    registered_at = fields.DateTime()


class DeviceQuery(PageArgs):
    product_id = fields.Integer(load_default=None)
    state = fields.String(load_default=None, validate=validate.OneOf(list(STATE_LABELS)))
    owner = fields.String(load_default=None, validate=validate.OneOf(OWNERS))
    location_code = fields.String(load_default=None)
    q = fields.String(load_default=None, validate=validate.Length(max=100))
    iso_class = fields.String(load_default=None, validate=validate.Regexp(r"^\d{2}( ?\d{2}){0,2}$", error="ISO-klasse er 2, 4 eller 6 siffer."))
    after = fields.Integer(load_default=None, validate=validate.Range(0))
    before = fields.Integer(load_default=None, validate=validate.Range(0))


class EventOut(Schema):
    id = fields.Integer()
    occurred_at = fields.DateTime()
    kind = fields.String()
    kind_label = fields.Function(lambda e: EVENT_LABELS.get(e.kind, e.kind))
    from_state = fields.String(allow_none=True)
    to_state = fields.String(allow_none=True)
    to_state_label = fields.Function(lambda e: STATE_LABELS.get(e.to_state, e.to_state or ""))
    from_location = fields.String(allow_none=True)
    to_location = fields.String(allow_none=True)
    actor = fields.String(allow_none=True)
    note = fields.String()
    data = fields.Dict(allow_none=True)


class MoveIn(Schema):
    location_code = fields.String(required=True, validate=validate.Length(1, 40))
    note = fields.String(load_default="", validate=validate.Length(max=1000))
    # The person saw the «does not fit here» warning and moves the unit anyway.
    force = fields.Boolean(load_default=False)


class MoveOut(Schema):
    moved = fields.Boolean()
    device = fields.Nested(DeviceOut)


class LabelsIn(Schema):
    barcodes = fields.List(fields.String(), required=True, validate=validate.Length(1, 5000, error="Oppgi 1–5000 strekkoder."))
    layout = fields.String(load_default=None)
    start_position = fields.Integer(load_default=0, validate=validate.Range(0, 200))


class LabelArgs(Schema):
    layout = fields.String(load_default=None)


class BlankLabelsIn(Schema):
    count = fields.Integer(required=True, validate=validate.Range(1, 5000, error="Antall må være 1–5000."))


class BlankLabelsOut(Schema):
    barcodes = fields.List(fields.String())


class ReplaceLabelIn(Schema):
    note = fields.String(load_default="", validate=validate.Length(max=1000))


class HolderOut(Schema):
    name = fields.String()
    loan_until = fields.Date(allow_none=True)
    loan_status = fields.String()


class RunRef(Schema):
    id = fields.Integer()
    run_date = fields.Date()
    stop_sequence = fields.Integer(allow_none=True)


class ScanOut(Schema):
    kind = fields.String()
    run = fields.Nested(RunRef, allow_none=True)
    holder = fields.Nested(HolderOut, allow_none=True)
    hold = fields.String(allow_none=True, metadata={"description": "Hvorfor enheten holdes tilbake fra utlån selv om "
                                                                   "statusen ennå sier ledig (en tilbakekalling), ellers null"})
    scanned_code = fields.String()
    retired_label = fields.Boolean()
    device = fields.Nested(DeviceOut, allow_none=True)
    history = fields.List(fields.Nested(EventOut), allow_none=True)
    location = fields.Nested(LocationOut, allow_none=True)

