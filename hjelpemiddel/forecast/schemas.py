"""What the forecast's API and page accept and answer."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..core.schemas import DigitsField
from .model import DEFAULT_DAYS, MAX_DAYS

ISO_MESSAGE = "ISO-klassen må være 2, 4, 6 eller 8 siffer (f.eks. 12 22 03)."


class ForecastQuery(Schema):
    product_id = fields.Integer(load_default=None, allow_none=True,
                                validate=validate.Range(1, error="Må være et produkt-id (et positivt heltall)."))
    iso_class = DigitsField((2, 4, 6, 8), ISO_MESSAGE, load_default=None, allow_none=True)
    days = fields.Integer(load_default=DEFAULT_DAYS,
                          validate=validate.Range(1, MAX_DAYS, error=f"Antall dager må være 1–{MAX_DAYS}."))
    shortfall_only = fields.Boolean(load_default=False)
    limit = fields.Integer(load_default=25, validate=validate.Range(1, 500, error="Må være mellom 1 og 500."))
    offset = fields.Integer(load_default=0, validate=validate.Range(0, 100_000, error="Må være 0–100000."))


class BacktestQuery(Schema):
    product_id = fields.Integer(load_default=None, allow_none=True,
                                validate=validate.Range(1, error="Må være et produkt-id (et positivt heltall)."))
    iso_class = DigitsField((2, 4, 6, 8), ISO_MESSAGE, load_default=None, allow_none=True)
    days = fields.Integer(load_default=DEFAULT_DAYS,
                          validate=validate.Range(1, MAX_DAYS, error=f"Antall dager må være 1–{MAX_DAYS}."))


class AffectedNeedOut(Schema):
    need_id = fields.Integer()
    needed_by = fields.Date()
    urgency = fields.String()
    missing = fields.Integer()


class DayOut(Schema):
    day = fields.Date()
    available = fields.Integer()
    incoming = fields.Float()
    outgoing = fields.Integer()
    planned_out = fields.Integer()
    shortfall = fields.Boolean()
    needs_affected = fields.List(fields.Nested(AffectedNeedOut))


class ProductRefOut(Schema):
    id = fields.Integer()
    name = fields.String()
    hms_nr = fields.String(allow_none=True)
    iso_class = fields.String()


class ForecastOut(Schema):
    product = fields.Nested(ProductRefOut, allow_none=True)
    iso_class = fields.String()
    first_shortfall = fields.Date(allow_none=True)
    shortfall_days = fields.Integer()
    turnaround_days = fields.Float()
    extended_share = fields.Float(attribute="behaviour.extended_share")
    late_share = fields.Float(attribute="behaviour.late_share")
    series = fields.List(fields.Nested(DayOut))


class ForecastListOut(Schema):
    total = fields.Integer()
    iso_class_total = fields.Nested(ForecastOut, allow_none=True)
    products = fields.List(fields.Nested(ForecastOut))


class GroupErrorOut(Schema):
    group = fields.String()
    products = fields.Integer()
    mean_absolute_error = fields.Float()
    mean_actual = fields.Float()


class ProductBacktestOut(Schema):
    product_id = fields.Integer()
    group = fields.String()
    mean_absolute_error = fields.Float()
    forecast = fields.Method("_forecast")
    actual = fields.List(fields.Integer())

    def _forecast(self, result) -> list[int]:
        return [day.available for day in result.forecast]


class BacktestOut(Schema):
    as_of = fields.Date()
    days = fields.Integer()
    groups = fields.List(fields.Nested(GroupErrorOut))
    products = fields.List(fields.Nested(ProductBacktestOut))
