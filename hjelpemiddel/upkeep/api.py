from __future__ import annotations

from flask import Blueprint, Response, current_app

from ..core.db import get_session, utcnow
from ..core.http import export_format, export_response, current_user, parse, parse_args, roles_required
from ..core.openapi import api_doc
from ..core.schemas import shared
from ..core.text import local_time
from ..documents.inspection_report import inspection_report_pdf
from ..maintenance import services as maintenance
from ..stock.models import Device
from ..stock.services import get_device
from . import services
from .schemas import (DueOut, DueQuery, InspectionOut, InspectionsQuery, PeriodicIn, PlanIn, PlanOut, VisitsIn,
                      VisitsOut)

bp = Blueprint("upkeep_api", __name__, url_prefix="/api/v1")


def _inspection(inspection, barcode: str) -> dict:
    return {**shared(InspectionOut).dump(inspection), "barcode": barcode}


@bp.get("/inspections/due")
@api_doc("Periodiske kontroller som forfaller i en måned (forfalte først), med antall per område og måned",
         query=DueQuery, response=DueOut, tag="inspections", exports=True)
@roles_required("lager")
def due():
    fmt = export_format()
    query = parse_args(shared(DueQuery))
    session = get_session()
    if fmt:
        return export_response(fmt, "kontroller", services.DUE_HEADINGS,
                               services.due_export_rows(session, query["month"], query["area"], query["q"],
                                                        query["status"]))
    size = query["limit"]
    page = services.due_list(session, query["month"], query["area"], query["q"], query["status"],
                             query["offset"] // size + 1, size)
    summary = services.due_summary(session, query["month"], query["q"])
    return shared(DueOut).dump({"page": page, "summary": summary})


@bp.post("/inspections")
@api_doc("Registrer en periodisk kontroll etter enhetens kontrollplan (på lageret eller hos bruker)", body=PeriodicIn,
         response=InspectionOut, status=201, tag="inspections")
@roles_required("lager", "sjafor")
def record():
    data = parse(shared(PeriodicIn))
    session = get_session()
    inspection = maintenance.record_periodic_inspection(session, current_user().id, data["barcode"],
                                                        data["results"], data["reasons"], data["note"])
    return _inspection(inspection, session.get(Device, inspection.device_id).barcode), 201


@bp.get("/inspections")
@api_doc("En enhets kontroller, nyeste først", query=InspectionsQuery, response=InspectionOut, many=True,
         tag="inspections", errors=(404,))
@roles_required("lager", "sjafor")
def history():
    session = get_session()
    device = get_device(session, parse_args(shared(InspectionsQuery))["barcode"])
    inspections = maintenance.inspection_history(session, device.barcode)
    return [_inspection(inspection, device.barcode) for inspection in inspections]


@bp.get("/devices/<barcode>/inspection-report.pdf")
@api_doc("Kontrollrapport for én enhet (PDF)", produces="application/pdf", tag="inspections")
@roles_required("lager", "sjafor")
def report_pdf(barcode: str):
    report = services.inspection_report(get_session(), barcode)
    body = inspection_report_pdf(report, current_app.config["DEPOT_NAME"], local_time(utcnow()))
    return Response(body, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="kontrollrapport-{report.barcode}.pdf"'})


@bp.post("/inspections/visits")
@api_doc("Planlegg kontrollbesøk for enheter hos brukere som forfaller innen datoen (standard: 30 dager)",
         body=VisitsIn, response=VisitsOut, tag="inspections")
@roles_required("lager")
def plan_visits():
    until = parse(shared(VisitsIn))["until"]
    return shared(VisitsOut).dump({"planned": services.plan_inspection_visits(get_session(), current_user().id, until)})


@bp.get("/maintenance-plans")
@api_doc("Kontrollplanene (per produkt eller ISO-klasse); format=csv|xlsx gir dem som fil", response=PlanOut,
         many=True, tag="inspections", exports=True)
@roles_required("lager")
def plans():
    fmt = export_format()
    if fmt:
        return export_response(fmt, "kontrollplaner", maintenance.PLAN_HEADINGS,
                               maintenance.plan_export_rows(get_session()))
    return shared(PlanOut, many=True).dump(maintenance.list_plans(get_session()))


@bp.post("/maintenance-plans")
@api_doc("Ny kontrollplan; fristene for alle enheter den gjelder følger med", body=PlanIn, response=PlanOut,
         status=201, tag="inspections")
@roles_required("admin")
def create_plan():
    plan = maintenance.save_plan(get_session(), current_user().id, parse(shared(PlanIn)))
    return shared(PlanOut).dump(plan), 201


@bp.put("/maintenance-plans/<int:plan_id>")
@api_doc("Endre en kontrollplan", body=PlanIn, response=PlanOut, tag="inspections")
@roles_required("admin")
def update_plan(plan_id: int):
    return shared(PlanOut).dump(maintenance.save_plan(get_session(), current_user().id, parse(shared(PlanIn)), plan_id))


@bp.delete("/maintenance-plans/<int:plan_id>")
@api_doc("Slett en kontrollplan", status=204, tag="inspections")
@roles_required("admin")
def delete_plan(plan_id: int):
    maintenance.delete_plan(get_session(), plan_id)
    return "", 204
