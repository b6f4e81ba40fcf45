from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..core.schemas import PageArgs, hms_nr_field
from .services import LEVERING_LABELS, LINE_STATE_LABELS, order_line_status_label, part_order_status_label

_ONE_OF = "Må være en av: {choices}."


class SyncIn(Schema):
    from_start = fields.Boolean(load_default=False)


class ApplyOut(Schema):
    new = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    needs_matched = fields.Integer()
    parts_matched = fields.Integer()


class SyncOut(Schema):
    ok = fields.Boolean()
    error = fields.String()
    pages = fields.Integer()
    applied = fields.Nested(ApplyOut)
    outbox = fields.Dict(keys=fields.String(), values=fields.Integer())
    part_orders_checked = fields.Integer()
    applications_checked = fields.Integer()


class SyncStateOut(Schema):
    cursor = fields.String(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)
    last_error = fields.String()
    lines_received = fields.Integer()
    pages = fields.Integer()


class UpcomingQuery(Schema):
    state = fields.String(load_default="expected", validate=validate.OneOf(tuple(LINE_STATE_LABELS), error=_ONE_OF))
    q = fields.String(load_default=None, validate=validate.Length(1, 100),
                      metadata={"description": "HMS-nr eller ordrenummer, eller en del av beskrivelsen"})
    limit = fields.Integer(load_default=200, validate=validate.Range(1, 1000, error="Må være mellom 1 og 1000."))
    offset = fields.Integer(load_default=0, validate=validate.Range(0, error="Kan ikke være negativ."))


class OrderLineOut(Schema):
    id = fields.Integer()
    ordre_number = fields.String()
    line_number = fields.Integer()
    shipment_number = fields.String(attribute="shipment_key")
    hms_nr = fields.String()
    description = fields.String()
    item_type = fields.String()
    quantity = fields.Float()
    received_quantity = fields.Integer()
    serials = fields.List(fields.String())
    nav_status = fields.String(allow_none=True)
    nav_status_label = fields.Function(lambda line: order_line_status_label(line.nav_status))
    expected_on = fields.Date(allow_none=True)
    state = fields.String()
    citizen_name = fields.String(allow_none=True)
    citizen_id = fields.Integer(allow_none=True)
    need_id = fields.Integer(allow_none=True)


class ReceiveIn(Schema):
    hms_nr = hms_nr_field(required=True)
    serial = fields.String(required=True, validate=validate.Length(1, 64, error="Serienummeret må ha 1–64 tegn."))
    location_code = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 40),
                                  metadata={"description": "Hvor den står; uten: RECEIVING_LOCATION"})
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class ReceivedDeviceOut(Schema):
    barcode = fields.String()
    state = fields.String()
    nav_hms_nr = fields.String()
    nav_serial = fields.String()


class ReceivedOut(Schema):
    matched = fields.Boolean()
    device = fields.Nested(ReceivedDeviceOut, allow_none=True)
    order_line_id = fields.Function(lambda r: r.order_line.id if r.order_line else None)
    need_id = fields.Function(lambda r: r.need.id if r.need else None)
    arrival_id = fields.Function(lambda r: r.arrival.id if r.arrival else None)
    messages = fields.List(fields.String())
    label_url = fields.Function(lambda r: f"/api/v1/devices/{r.device.barcode}/label.pdf" if r.device else None)


class ArrivalOut(Schema):
    id = fields.Integer()
    hms_nr = fields.String()
    serial = fields.String()
    note = fields.String()
    status = fields.String()
    received_at = fields.DateTime()
    resolution = fields.String()
    order_line_id = fields.Integer(allow_none=True)
    device_id = fields.Integer(allow_none=True)


class ArrivalQuery(PageArgs):
    status = fields.String(load_default="open", validate=validate.OneOf(("open", "resolved"), error=_ONE_OF))


class ResolveIn(Schema):
    resolution = fields.String(required=True, validate=validate.Length(1, 2000, error="Skriv hva som ble gjort."))
    order_line_id = fields.Integer(load_default=None, allow_none=True)
    location_code = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 40))


class ReturnIn(Schema):
    barcode = fields.String(required=True)
    disposition = fields.String(required=True, validate=validate.OneOf(("return_to_nav", "keep_for_reuse"), error=_ONE_OF))
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class DeviceStateOut(Schema):
    barcode = fields.String()
    state = fields.String()
    owner = fields.String()


class ImportedOut(Schema):
    registered = fields.List(fields.Nested(DeviceStateOut))
    labels_url = fields.String()


class PartIn(Schema):
    hmsnr = hms_nr_field(required=True)
    navn = fields.String(required=True, validate=validate.Length(1, 200, error="Delen må ha et navn."))
    kategori = fields.String(load_default="", validate=validate.Length(max=100))
    antall = fields.Integer(required=True, validate=validate.Range(1, 99, error="Antall må være 1–99."))
    maks_antall = fields.Integer(load_default=None, allow_none=True)
    lev_art_nr = fields.String(load_default=None, allow_none=True)


class PartOrderIn(Schema):
    barcode = fields.String(required=True)
    parts = fields.List(fields.Nested(PartIn), required=True,
                        validate=validate.Length(min=1, error="Minst én del må bestilles."))
    levering = fields.String(load_default="TIL_XK_LAGER", validate=validate.OneOf(tuple(LEVERING_LABELS), error=_ONE_OF))
    battery_training = fields.Boolean(load_default=None, allow_none=True)
    repair_id = fields.Integer(load_default=None, allow_none=True)


class PartOrderOut(Schema):
    id = fields.Integer()
    uuid = fields.String()
    device_id = fields.Integer()
    levering = fields.String()
    lines = fields.List(fields.Dict())
    status = fields.String()
    nav_status = fields.String(allow_none=True)
    status_label = fields.Function(part_order_status_label)
    saksnummer = fields.Integer(allow_none=True)
    oebs_ordrenummer = fields.String(allow_none=True)
    expected_delivery = fields.Date(allow_none=True)
    order_line_id = fields.Integer(allow_none=True)
    refusal_code = fields.String(allow_none=True)
    refusal_message = fields.String()
    created_at = fields.DateTime()
    sent_at = fields.DateTime(allow_none=True)


class PartOrderQuery(PageArgs):
    barcode = fields.String(load_default=None, validate=validate.Length(1, 40))
    open_only = fields.Boolean(load_default=False)
