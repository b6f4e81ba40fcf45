from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, Response, current_app

from ..catalog.iso import format_iso_class, search_product_groups
from ..core.db import get_session, utcnow
from ..core.http import current_user, parse, parse_args, roles_required
from ..core.openapi import api_doc
from ..core.schemas import shared
from ..core.text import local_today
from . import monthly, services
from .schemas import (AreaOut, GroupOut, GroupQuery, TargetOut, TargetsIn, MonthQuery, ReportQuery, RowsOut, RowsQuery,
                      SectionOut)
from .targets import load_targets, save_targets

bp = Blueprint("reports_api", __name__, url_prefix="/api/v1")


@bp.get("/reports")
@api_doc("Rapportområdene (styringsdata)", response=AreaOut, many=True, tag="reports")
@roles_required("lager")
def areas():
    return shared(AreaOut, many=True).dump([{"key": key, "title": title} for key, title in services.list_areas()])


@bp.get("/reports/product-groups")
@api_doc("Produktgrupper (ISO 9999) til rapportenes filter, etter sifre eller navn", query=GroupQuery,
         response=GroupOut, many=True, tag="reports")
@roles_required("lager")
def product_groups():
    query = parse_args(shared(GroupQuery))
    found = search_product_groups(query["q"], query["limit"])
    return shared(GroupOut, many=True).dump([{"id": code, "code": format_iso_class(code), "name": title}
                                             for code, title in found])


@bp.get("/reports/<area>")
@api_doc("Et rapportområdes tall og diagrammer for en periode, et postnummerområde og en produktgruppe",
         query=ReportQuery, response=SectionOut, tag="reports", errors=(404,))
@roles_required("lager")
def report(area: str):
    scope = services.scope_for(parse_args(shared(ReportQuery)), local_today())
    section = services.build_report(get_session(), area, scope)
    return shared(SectionOut).dump({**asdict(section), "scope": scope})


@bp.get("/reports/<area>/<figure>/rows")
@api_doc("Radene bak ett tall, en side om gangen", query=RowsQuery, response=RowsOut, tag="reports", errors=(404,))
@roles_required("lager")
def rows(area: str, figure: str):
    query = parse_args(shared(RowsQuery))
    scope = services.scope_for(query, local_today())
    return shared(RowsOut).dump(services.build_rows(get_session(), area, figure, scope, query["side"]))


@bp.get("/reports/monthly.pdf")
@api_doc("Månedsrapporten som PDF, laget nå", query=MonthQuery, produces="application/pdf", tag="reports")
@roles_required("lager")
def monthly_pdf():
    month = parse_args(shared(MonthQuery))["month"]
    pdf = monthly.make_monthly_report(get_session(), month, current_app.config["DEPOT_NAME"], utcnow())
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="manedsrapport-{month}.pdf"'})


def _targets_out(targets) -> list[dict]:
    return shared(TargetOut, many=True).dump([{"urgency": urgency, "amount": target.amount, "unit": target.unit,
                                                "text": target.text} for urgency, target in targets.items()])


@bp.get("/report-targets")
@api_doc("Kommunens mål for levering per hastegrad (ventetidsrapporten måler mot dem)", response=TargetOut, many=True,
         tag="reports")
@roles_required("lager")
def targets():
    return _targets_out(load_targets(get_session()))


@bp.put("/report-targets")
@api_doc("Sett målene for levering (en eller flere hastegrader)", body=TargetsIn, response=TargetOut, many=True,
         tag="reports")
@roles_required("admin")
def set_targets():
    data = parse(shared(TargetsIn))
    return _targets_out(save_targets(get_session(), current_user().id, data))
