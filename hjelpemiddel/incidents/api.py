from __future__ import annotations

from flask import Blueprint, Response

from ..core.db import get_session
from ..core.http import export_format, export_response, current_user, parse, parse_args, roles_required
from ..core.openapi import api_doc
from ..core.schemas import shared
from . import services
from .schemas import IncidentExportOut, IncidentIn, IncidentOut, IncidentPageOut, IncidentQuery, SentIn

bp = Blueprint("incidents_api", __name__, url_prefix="/api/v1")


@bp.post("/incidents")
@api_doc("Meld et uhell med et hjelpemiddel; det settes i karantene med en gang, og alvorlig skade eller dødsfall "
         "får frist for melding til myndighetene (neste virkedag)", body=IncidentIn, response=IncidentOut,
         status=201, tag="incidents")
@roles_required("lager", "sjafor")
def report():
    incident = services.report_incident(get_session(), current_user().id, **parse(shared(IncidentIn)))
    return shared(IncidentOut).dump(incident), 201


@bp.get("/incidents")
@api_doc("Uhell, nyeste først: søk på strekkode, produkt eller sted; filter på personskade og «ikke sendt»",
         query=IncidentQuery, response=IncidentPageOut, tag="incidents", exports=True)
@roles_required("lager")
def list_incidents():
    fmt = export_format()
    query = parse_args(shared(IncidentQuery))
    if fmt:
        return export_response(fmt, "uhell", services.INCIDENT_HEADINGS,
                               services.incident_export_rows(get_session(), query["q"], query["injury"],
                                                             query["not_sent"]))
    page = services.list_incidents(get_session(), query["q"], query["injury"], query["not_sent"], query["page"],
                                   query["size"])
    return shared(IncidentPageOut).dump(page)


@bp.get("/incidents/<int:incident_id>")
@api_doc("Ett uhell", response=IncidentOut, tag="incidents")
@roles_required("lager")
def get(incident_id: int):
    return shared(IncidentOut).dump(services.get_incident(get_session(), incident_id))


@bp.post("/incidents/<int:incident_id>/sent")
@api_doc("Marker uhellet som sendt til myndighetene (med referanse); det forsvinner fra startsiden",
         body=SentIn, response=IncidentOut, tag="incidents")
@roles_required("lager")
def mark_sent(incident_id: int):
    incident = services.mark_incident_sent(get_session(), current_user().id, incident_id, **parse(shared(SentIn)))
    return shared(IncidentOut).dump(incident)


@bp.get("/incidents/<int:incident_id>/export.json")
@api_doc("Uhellet i feltene NAVs skjema for uhellsmelding spør etter", response=IncidentExportOut, tag="incidents")
@roles_required("lager")
def export_json(incident_id: int):
    incident = services.get_incident(get_session(), incident_id)
    response = shared(IncidentExportOut).dump(services.incident_export(incident))
    return response, 200, {"Content-Disposition": f'attachment; filename="uhell-{incident_id}.json"'}


@bp.get("/incidents/<int:incident_id>/export.csv")
@api_doc("Uhellet i feltene NAVs skjema for uhellsmelding spør etter, som CSV (semikolon)", produces="text/csv",
         tag="incidents")
@roles_required("lager")
def export_csv(incident_id: int):
    incident = services.get_incident(get_session(), incident_id)
    return Response(services.incident_csv(incident), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="uhell-{incident_id}.csv"'})
