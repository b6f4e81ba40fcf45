from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..core.schemas import DigitsField

MAX_DAYS = 5 * 366 + 1
_MONTH = validate.Regexp(r"^20\d{2}-(0[1-9]|1[0-2])$",
                         error="Skriv måneden som åååå-mm (år 2000–2099), for eksempel 2026-11.")


class ReportQuery(Schema):
    """A report's scope as people and programs give it: a period from–to (both days included), or a
    preset; a postcode area; a product group."""

    periode = fields.String(load_default=None, allow_none=True,
                            validate=validate.OneOf(("maned", "forrige-maned", "12-maneder", "i-ar", "i-fjor"),
                                                    error="Ukjent periode."))
    fra = fields.Date(load_default=None, allow_none=True)
    til = fields.Date(load_default=None, allow_none=True)
    postnummer = DigitsField((1, 2, 3, 4), "Postnummerområde: ett til fire sifre, for eksempel 65 eller 6509.",
                             load_default=None, allow_none=True)
    produktgruppe = DigitsField((2, 4, 6, 8), "Produktgruppe: en ISO 9999-klasse med 2, 4 eller 6 sifre, for "
                                "eksempel 12 eller 1222.", load_default=None, allow_none=True)

    @validates_schema
    def _period(self, data, **kwargs):
        start, end = data.get("fra"), data.get("til")
        if start and end:
            if end < start:
                raise ValidationError("Til-datoen må være samme dag som eller etter fra-datoen.", "til")
            if (end - start).days >= MAX_DAYS:
                raise ValidationError("En rapport dekker høyst fem år.", "til")


class RowsQuery(ReportQuery):
    side = fields.Integer(load_default=1, validate=validate.Range(1, 1000, error="Side må være mellom 1 og 1000."))


class MonthQuery(Schema):
    month = fields.String(required=True, validate=_MONTH)


class GroupQuery(Schema):
    q = fields.String(load_default="", validate=validate.Length(max=100))
    limit = fields.Integer(load_default=10, validate=validate.Range(1, 50, error="Må være mellom 1 og 50."))


class GroupOut(Schema):
    id = fields.String()
    code = fields.String()
    name = fields.String()


class FigureOut(Schema):
    key = fields.String()
    title = fields.String()
    value = fields.Float(allow_none=True)
    unit = fields.String()
    how = fields.String()
    count = fields.Integer(allow_none=True)


class SeriesOut(Schema):
    name = fields.String()
    values = fields.List(fields.Float(allow_none=True))


class ChartOut(Schema):
    key = fields.String()
    title = fields.String()
    kind = fields.String()
    unit = fields.String()
    labels = fields.List(fields.String())
    series = fields.List(fields.Nested(SeriesOut))


class ScopeOut(Schema):
    start = fields.Date()
    end = fields.Date(attribute="last_day")
    postcode_area = fields.String(allow_none=True)
    product_group = fields.String(allow_none=True)


class SectionOut(Schema):
    area = fields.String()
    title = fields.String()
    scope = fields.Nested(ScopeOut)
    figures = fields.List(fields.Nested(FigureOut))
    charts = fields.List(fields.Nested(ChartOut))


class AreaOut(Schema):
    key = fields.String()
    title = fields.String()


class RowsOut(Schema):
    title = fields.String()
    columns = fields.List(fields.String())
    rows = fields.Method("_rows")
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()

    def _rows(self, page):
        return [[value.isoformat() if hasattr(value, "isoformat") else value for value in row] for row in page.rows]


class TargetIn(Schema):
    amount = fields.Integer(required=True, validate=validate.Range(1, 720, error="Må være mellom 1 og 720."))
    unit = fields.String(required=True, validate=validate.OneOf(("working_days", "hours"),
                                                                error="Velg virkedager («working_days») eller timer («hours»)."))


class TargetsIn(Schema):
    normal = fields.Nested(TargetIn)
    urgent = fields.Nested(TargetIn)
    discharge = fields.Nested(TargetIn)


class TargetOut(Schema):
    urgency = fields.String()
    amount = fields.Integer()
    unit = fields.String()
    text = fields.String()
