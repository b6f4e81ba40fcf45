from __future__ import annotations

from marshmallow import Schema, fields, post_load, validate

from ..core.schemas import PageArgs
from .models import ACTIONS, FOUND_WHERE, SELECTIONS, STATUSES, UNIT_STATUSES
from .services import ACTION_LABELS, FOUND_LABELS, MAX_SERIALS, RECALL_STATUS_LABELS, STATUS_LABELS

_SERIAL = validate.Length(1, 64, error="Et serienummer har 1–64 tegn.")
_SERIAL_NUMBER = validate.Range(0, 2**31 - 1, error="Må være et serienummer med bare sifre.")


class RecallIn(Schema):
    title = fields.String(required=True, validate=validate.Length(1, 200, error="Tittelen må ha 1–200 tegn."))
    reference = fields.String(load_default="", validate=validate.Length(max=100))
    product_ids = fields.List(fields.Integer(validate=validate.Range(1, error="Ukjent produkt.")), required=True,
                              validate=validate.Length(1, 50, error="Velg 1–50 produkter."))
    # Left out, it follows from which of the serial fields is given.
    selection = fields.String(load_default=None, allow_none=True,
                              validate=validate.OneOf(SELECTIONS, error="Må være range, list eller lot."))
    serial_from = fields.Integer(load_default=None, allow_none=True, validate=_SERIAL_NUMBER)
    serial_to = fields.Integer(load_default=None, allow_none=True, validate=_SERIAL_NUMBER)
    serials = fields.List(fields.String(validate=_SERIAL), load_default=None, allow_none=True,
                          validate=validate.Length(max=MAX_SERIALS, error=f"Høyst {MAX_SERIALS} serienumre."))
    lot = fields.String(load_default=None, allow_none=True, validate=_SERIAL)
    recall_action = fields.String(required=True, validate=validate.OneOf(ACTIONS, error="Må være en av: {choices}."))
    due_date = fields.Date(load_default=None, allow_none=True)
    note = fields.String(load_default="", validate=validate.Length(max=2000))

    @post_load
    def _selection(self, data, **kwargs):
        if data["selection"] is None:
            if data["serial_from"] is not None or data["serial_to"] is not None:
                data["selection"] = "range"
            elif data["serials"]:
                data["selection"] = "list"
            elif data["lot"]:
                data["selection"] = "lot"
        data["action"] = data.pop("recall_action")
        return data


class RecallQuery(PageArgs):
    status = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(STATUSES))
    q = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


class RecallOut(Schema):
    id = fields.Integer()
    title = fields.String()
    reference = fields.String()
    products = fields.List(fields.String(), attribute="product_names")
    selection = fields.String()
    serial_from = fields.Integer(allow_none=True)
    serial_to = fields.Integer(allow_none=True)
    serials = fields.List(fields.String(), allow_none=True)
    lot = fields.String(allow_none=True)
    recall_action = fields.String(attribute="action")
    recall_action_label = fields.Function(lambda recall: ACTION_LABELS[recall.action])
    due_date = fields.Date(allow_none=True)
    status = fields.String()
    status_label = fields.Function(lambda recall: RECALL_STATUS_LABELS[recall.status])
    note = fields.String()
    units = fields.Integer()
    handled = fields.Integer()
    open_units = fields.Integer()
    created_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)
    close_note = fields.String()


class BoardQuery(Schema):
    status = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(UNIT_STATUSES))
    found = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(FOUND_WHERE))
    page = fields.Integer(load_default=1, validate=validate.Range(1, 10_000, error="Må være mellom 1 og 10 000."))
    size = fields.Integer(load_default=50, validate=validate.Range(1, 500, error="Må være mellom 1 og 500."))


class BoardRowOut(Schema):
    id = fields.Integer()
    barcode = fields.String()
    product_name = fields.String()
    hms_nr = fields.String(allow_none=True)
    serial = fields.String(allow_none=True)
    nav_flag = fields.Boolean()
    found = fields.String(attribute="found_where")
    found_label = fields.String()
    found_place = fields.String(allow_none=True)
    state_label = fields.String()
    place_now = fields.String(allow_none=True)
    holder = fields.String(allow_none=True)
    planned = fields.String()
    status = fields.String()
    status_label = fields.Function(lambda row: STATUS_LABELS[row.status])
    action_taken = fields.String()
    handled_by = fields.String(allow_none=True)
    handled_at = fields.DateTime(allow_none=True)


class BoardPageOut(Schema):
    total = fields.Integer()
    page = fields.Integer(attribute="number")
    has_next = fields.Boolean()
    items = fields.List(fields.Nested(BoardRowOut))


class RecallBoardOut(Schema):
    recall = fields.Nested(RecallOut)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    found_labels = fields.Function(lambda _board: FOUND_LABELS)
    units = fields.Nested(BoardPageOut)


class HandledIn(Schema):
    what_was_done = fields.String(required=True, validate=validate.Length(1, 2000, error="Skriv hva som ble gjort."))


class HandledOut(Schema):
    id = fields.Integer()
    status = fields.String()
    action_taken = fields.String()
    handled_at = fields.DateTime()


class CloseIn(Schema):
    force = fields.Boolean(load_default=False)
    note = fields.String(load_default="", validate=validate.Length(max=2000))
