"""What the twin's API and pages accept and answer."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from marshmallow import Schema, ValidationError, fields, post_load, validate

from ..core.db import LOCAL_ZONE
from ..core.schemas import PageArgs
from ..core.text import iso_time_from_norwegian

_CODE = validate.Length(max=40, error="Høyst 40 tegn.")


class MomentArgs(Schema):
    """A past moment: a date (``dd.mm.åååå``) and, if given, a time of day (``14:30``); a date alone
    means the end of that day. Answered as ``at`` (UTC), or None for now."""
    date = fields.Date(load_default=None, allow_none=True)
    time = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5))

    @post_load
    def moment(self, data, **kwargs):
        day, clock = data.pop("date"), data.pop("time")
        if day is None:
            if clock:
                raise ValidationError("Velg en dato for klokkeslettet.", "date")
            data["at"] = None
            return data
        try:
            when = time.fromisoformat(iso_time_from_norwegian(clock)) if clock else None
        except ValueError:
            raise ValidationError("Skriv klokkeslettet som tt:mm, for eksempel 14:30.", "time") from None
        local = (datetime.combine(day, when, LOCAL_ZONE) if when else
                 datetime.combine(day + timedelta(days=1), time(0), LOCAL_ZONE) - timedelta(microseconds=1))
        data["at"] = local.astimezone(timezone.utc)
        return data


class MapQuery(MomentArgs):
    q = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    zone = fields.String(load_default=None, allow_none=True, validate=_CODE)


class PlaceQuery(MomentArgs, PageArgs):
    pass


class ProductsQuery(PageArgs):
    q = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    by = fields.String(load_default="product", validate=validate.OneOf(("product", "iso_class"),
                                                                       error="Må være product eller iso_class."))


class MinimumIn(Schema):
    product_id = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1))
    iso_class = fields.String(load_default=None, allow_none=True,
                              validate=validate.Regexp(r"^\d{2,8}$", error="ISO-klassen er 2–8 sifre."))
    minimum = fields.Integer(required=True, validate=validate.Range(0, 100_000, error="Må være mellom 0 og 100000."))


class PlaceOut(Schema):
    code = fields.String()
    name = fields.String()
    kind = fields.String()
    purpose = fields.String()
    x = fields.Float(allow_none=True)
    y = fields.Float(allow_none=True)
    width = fields.Function(lambda p: p.size[0])
    depth = fields.Function(lambda p: p.size[1])
    rotation = fields.Float()
    capacity = fields.Integer(allow_none=True)
    units = fields.Integer()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    held = fields.Dict(keys=fields.String(), values=fields.Integer())


class HitOut(Schema):
    code = fields.String()
    name = fields.String()
    available = fields.Integer(attribute="hit_units")


class VanOut(Schema):
    code = fields.String()
    name = fields.String()
    units = fields.Integer()
    run_id = fields.Integer(allow_none=True)
    run_status = fields.String(allow_none=True)
    stops_done = fields.Integer()
    stops_total = fields.Integer()


class PostcodeAreaOut(Schema):
    postcode = fields.String()
    units = fields.Integer()


class MapOut(Schema):
    at = fields.DateTime(allow_none=True)
    zone = fields.Function(lambda m: m.zone.code if m.zone else None)
    places = fields.Function(lambda m: PlaceOut(many=True).dump(m.shown))
    hits = fields.List(fields.Nested(HitOut))
    vans = fields.List(fields.Nested(VanOut))
    areas = fields.List(fields.Nested(PostcodeAreaOut))
    at_nav = fields.Integer()


class UnitThereOut(Schema):
    barcode = fields.String()
    product = fields.String()
    state = fields.String()
    state_label = fields.String()
    place_code = fields.String()
    since = fields.DateTime(allow_none=True)


class PlaceUnitsOut(Schema):
    code = fields.String()
    name = fields.String()
    at = fields.DateTime(allow_none=True)
    total = fields.Integer()
    units = fields.List(fields.Nested(UnitThereOut))


class UnitThenOut(Schema):
    barcode = fields.String()
    at = fields.DateTime()
    state = fields.String(allow_none=True)
    state_label = fields.String()
    place_code = fields.String(allow_none=True)
    place_name = fields.String(allow_none=True)
    since = fields.DateTime(allow_none=True)


class RowOut(Schema):
    key = fields.String()
    label = fields.String()
    units = fields.Integer()
    available = fields.Integer()


class MinimumOut(Schema):
    id = fields.Integer()
    product_id = fields.Integer(allow_none=True)
    iso_class = fields.String(allow_none=True)
    label = fields.String()
    minimum = fields.Integer()
    available = fields.Integer()
    missing = fields.Integer()


class OverviewOut(Schema):
    by_place_kind = fields.List(fields.Nested(RowOut))
    by_owner = fields.List(fields.Nested(RowOut))
    minimums = fields.List(fields.Nested(MinimumOut))


class ProductsOut(Schema):
    total = fields.Integer()
    rows = fields.List(fields.Nested(RowOut))
