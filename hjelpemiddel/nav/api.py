from __future__ import annotations

from flask import Blueprint, current_app, request

from ..core.db import get_session
from ..core.errors import Unavailable
from ..core.http import current_user, export_format, export_response, parse, parse_args, roles_required
from ..core.openapi import api_doc
from ..core.schemas import shared
from . import deliver_outbox_after_commit, get_port, job_session_factory, jobs, services
from .schemas import (ArrivalOut, ArrivalQuery, ImportedOut, OrderLineOut, PartOrderIn, PartOrderOut, PartOrderQuery,
                      ReceivedOut, ReceiveIn, ResolveIn, ReturnIn, DeviceStateOut, SyncIn, SyncOut, SyncStateOut,
                      UpcomingQuery)

bp = Blueprint("nav_api", __name__, url_prefix="/api/v1")


def _vault():
    return current_app.extensions["fnr_vault"]


# --- sync -----------------------------------------------------------------------------------

@bp.post("/nav/sync")
@api_doc("Hent ordrelinjer fra NAV (og send det som venter i utboksen)", body=SyncIn, response=SyncOut, tag="nav")
@roles_required("lager")
def sync():
    options = parse(shared(SyncIn)) if request.data else parse(shared(SyncIn), {})
    summary = jobs.run_all(job_session_factory(), get_port(), _vault(), current_app.config["NAV_PAGE_SIZE"],
                           from_start=options["from_start"], force_outbox=True)
    if not summary.ok:
        # The pages fetched before NAV failed are kept (each committed with its cursor).
        raise Unavailable("NAV svarte ikke under synkroniseringen. Det som kom inn før feilen er lagret; "
                          "neste synk fortsetter der denne stoppet.", shared(SyncOut).dump(summary), code="nav_unavailable")
    return shared(SyncOut).dump(summary)


@bp.get("/nav/sync")
@api_doc("Status for synkroniseringen med NAV", response=SyncStateOut, tag="nav")
@roles_required("lager")
def sync_state():
    return shared(SyncStateOut).dump(services.get_sync_state(get_session()))


@bp.get("/nav/upcoming")
@api_doc("Kommende leveranser fra NAV; format=csv|xlsx gir alle linjer med den statusen som fil", query=UpcomingQuery,
         response=OrderLineOut, many=True, tag="nav", exports=True)
@roles_required("lager")
def upcoming():
    fmt = export_format()
    query = parse_args(shared(UpcomingQuery))
    if fmt:
        return export_response(fmt, "nav-leveranser", services.UPCOMING_HEADINGS,
                               services.upcoming_export_rows(get_session(), query["state"], query["q"]))
    return shared(OrderLineOut, many=True).dump(services.upcoming_deliveries(get_session(), **query))


# --- receiving --------------------------------------------------------------------------------

@bp.post("/nav/receive")
@api_doc("Ta imot et NAV-hjelpemiddel (HMS-nr + serienr)", body=ReceiveIn, response=ReceivedOut, status=201, tag="nav")
@roles_required("lager")
def receive():
    received = services.receive_nav_device(get_session(), current_user().id, **parse(shared(ReceiveIn)),
                                           receiving_location=current_app.config["RECEIVING_LOCATION"])
    return shared(ReceivedOut).dump(received), 201


@bp.get("/nav/arrivals")
@api_doc("Mottak som ikke passet noen ordrelinje; format=csv|xlsx gir alle med den statusen som fil", query=ArrivalQuery,
         response=ArrivalOut, many=True, tag="nav", exports=True)
@roles_required("lager")
def arrivals():
    fmt = export_format()
    query = parse_args(shared(ArrivalQuery))
    if fmt:
        return export_response(fmt, "nav-mottak-uten-ordrelinje", services.ARRIVAL_HEADINGS,
                               services.arrival_export_rows(get_session(), query["status"]))
    return shared(ArrivalOut, many=True).dump(services.list_arrivals(get_session(), **query))


@bp.post("/nav/arrivals/<int:arrival_id>/resolve")
@api_doc("Avklar et umatchet mottak", body=ResolveIn, response=ArrivalOut, tag="nav")
@roles_required("lager")
def resolve(arrival_id: int):
    arrival = services.resolve_arrival(get_session(), current_user().id, arrival_id, **parse(shared(ResolveIn)),
                                       receiving_location=current_app.config["RECEIVING_LOCATION"])
    return shared(ArrivalOut).dump(arrival)


# --- NAV loans at home, returns ---------------------------------------------------------------

@bp.post("/citizens/<int:citizen_id>/nav-loans/import")
@api_doc("Registrer NAV-hjelpemidler innbyggeren allerede har", response=ImportedOut, status=201, tag="nav")
@roles_required("lager", "terapeut")
def import_loans(citizen_id: int):
    user = current_user()
    devices = services.import_citizen_nav_loans(get_session(), get_port(), _vault(), user.role, user.id, citizen_id)
    return shared(ImportedOut).dump({"registered": devices,
                                     "labels_url": "/etiketter?barcodes=" + ",".join(d.barcode for d in devices)}), 201


@bp.post("/nav/returns")
@api_doc("Send et NAV-hjelpemiddel tilbake til NAV, eller behold det for gjenbruk", body=ReturnIn,
         response=DeviceStateOut, tag="nav")
@roles_required("lager")
def nav_return():
    device = services.return_nav_device(get_session(), current_user().id, **parse(shared(ReturnIn)))
    deliver_outbox_after_commit()
    return shared(DeviceStateOut).dump(device)


# --- spare-part orders ------------------------------------------------------------------------

@bp.post("/nav/part-orders")
@api_doc("Bestill deler fra NAV (delbestilling) via utboksen", body=PartOrderIn, response=PartOrderOut, status=202, tag="nav")
@roles_required("sjafor", "lager")
def order_parts():
    order = services.order_parts(get_session(), current_user().id, **parse(shared(PartOrderIn)))
    deliver_outbox_after_commit()
    return shared(PartOrderOut).dump(order), 202


@bp.get("/nav/part-orders")
@api_doc("Delbestillinger; format=csv|xlsx gir alle som passer som fil", query=PartOrderQuery, response=PartOrderOut,
         many=True, tag="nav", errors=(404,), exports=True)
@roles_required("sjafor", "lager")
def part_orders():
    fmt = export_format()
    query = parse_args(shared(PartOrderQuery))
    if fmt:
        return export_response(fmt, "delbestillinger", services.PART_ORDER_HEADINGS,
                               services.part_order_export_rows(get_session(), query["barcode"], query["open_only"]))
    return shared(PartOrderOut, many=True).dump(services.list_part_orders(get_session(), **query))


@bp.get("/nav/part-orders/<int:part_order_id>")
@api_doc("Én delbestilling", response=PartOrderOut, tag="nav")
@roles_required("sjafor", "lager")
def part_order(part_order_id: int):
    return shared(PartOrderOut).dump(services.get_part_order(get_session(), part_order_id))


@bp.post("/nav/outbox/deliver")
@api_doc("Send det som venter i utboksen til NAV nå", tag="nav")
@roles_required("lager")
def deliver_outbox():
    counts = jobs.deliver_outbox(job_session_factory(), get_port(), _vault(), force=True)
    return {"delivered": counts, "outbox": services.outbox_summary(get_session())}
