from __future__ import annotations

from flask import Blueprint, Response, current_app, request, url_for

from ..core.db import get_session, read_connection
from ..core.http import current_user, export_format, export_response, parse, parse_args, roles_required
from ..core.openapi import api_doc
from ..core.schemas import shared
from .. import queries
from ..scan_card import scan_card
from . import services
from .label_layouts import resolve_layout
from .schemas import (BlankLabelsIn, BlankLabelsOut, DeviceIn, DeviceOut, DeviceQuery, EventOut, LabelArgs,
                      LabelsIn, LocationIn, LocationLayoutIn, LocationOut, LocationQuery, MoveIn, MoveOut, ReplaceLabelIn,
                      ScanOut)

bp = Blueprint("stock_api", __name__, url_prefix="/api/v1")
READERS = ("lager", "sjafor", "terapeut")


def label_response(labels, layout_name: str | None, start_position: int = 0, zpl: bool = False) -> Response:
    layout = resolve_layout(layout_name, "ZPL_LABEL_LAYOUT" if zpl else "DEFAULT_LABEL_LAYOUT")
    body, mimetype = services.render_labels(labels, layout, start_position)
    return Response(body, mimetype=mimetype)


def _footer() -> str:
    return current_app.config["DEPOT_NAME"]


# --- locations ------------------------------------------------------------------------------

@bp.post("/locations")
@api_doc("Opprett en lokasjon (lager, sone, reol, hylle, hyllerom)", body=LocationIn, response=LocationOut, status=201, tag="stock")
@roles_required()
def create_location():
    return shared(LocationOut).dump(services.create_location(get_session(), **parse(shared(LocationIn)))), 201


@bp.get("/locations")
@api_doc("Lokasjoner", query=LocationQuery, response=LocationOut, many=True, tag="stock")
@roles_required(*READERS)
def list_locations():
    return shared(LocationOut, many=True).dump(services.list_locations(get_session(), **parse_args(shared(LocationQuery))))


@bp.patch("/locations/<code>")
@api_doc("Endre en lokasjons plassering og formål på kartet", body=LocationLayoutIn, response=LocationOut, tag="stock",
         errors=(404,))
@roles_required("lager")
def update_location_layout(code: str):
    return shared(LocationOut).dump(services.update_location_layout(get_session(), code,
                                                                    **parse(shared(LocationLayoutIn))))


@bp.get("/locations/<code>")
@api_doc("Én lokasjon (kode eller strekkode)", response=LocationOut, tag="stock")
@roles_required(*READERS)
def get_location(code: str):
    return shared(LocationOut).dump(services.get_location(get_session(), code))


@bp.get("/locations/<code>/label.pdf")
@api_doc("Etikett for en lokasjon", query=LabelArgs, produces="application/pdf", tag="labels")
@roles_required("lager")
def location_label(code: str):
    args = parse_args(shared(LabelArgs))
    return label_response(services.location_label_data(get_session(), [code], _footer()), args["layout"])


# --- devices --------------------------------------------------------------------------------

@bp.post("/devices")
@api_doc("Registrer et hjelpemiddel; svaret har strekkoden", body=DeviceIn, response=DeviceOut, status=201, tag="stock")
@roles_required("lager")
def register_device():
    device = services.register_device(get_session(), current_user().id, **parse(shared(DeviceIn)))
    return shared(DeviceOut).dump(device), 201


@bp.get("/devices")
@api_doc("Hjelpemidler, nyeste først; neste side i Link-headeren (rel=\"next\", after=<id>); format=csv|xlsx gir alle som passer som fil",
         query=DeviceQuery, response=DeviceOut, many=True, tag="stock", exports=True)
@roles_required(*READERS)
def list_devices():
    fmt = export_format()
    query = parse_args(shared(DeviceQuery))
    if fmt:
        filters = {key: query[key] for key in ("product_id", "state", "owner", "location_code", "q", "iso_class")}
        return export_response(fmt, "hjelpemidler", services.DEVICE_HEADINGS,
                               services.device_export_rows(get_session(), **filters))
    limit = query.pop("limit")
    rows = services.list_devices(get_session(), **query, limit=limit + 1)
    headers = {}
    if len(rows) > limit and not (query["before"] is not None and query["after"] is None):
        rows = rows[:limit]
        # The next page by key, not by offset: the same cost however deep (RFC 8288 link; the body stays a list).
        args = {key: value for key, value in request.args.items() if key not in ("after", "before", "offset")}
        headers["Link"] = f'<{url_for("stock_api.list_devices", **args, after=rows[-1].id)}>; rel="next"'
    elif len(rows) > limit:
        rows = rows[1:]
    return shared(DeviceOut, many=True).dump(rows), 200, headers


@bp.get("/devices/<barcode>")
@api_doc("Ett hjelpemiddel", response=DeviceOut, tag="stock")
@roles_required(*READERS)
def get_device(barcode: str):
    return shared(DeviceOut).dump(services.get_device(get_session(), barcode))


@bp.get("/devices/<barcode>/history")
@api_doc("Historikken til et hjelpemiddel, eldste først", response=EventOut, many=True, tag="stock")
@roles_required(*READERS)
def device_history(barcode: str):
    session = get_session()
    return shared(EventOut, many=True).dump(services.device_history(session, services.get_device(session, barcode).id))


@bp.post("/devices/<barcode>/move")
@api_doc("Sett på plass eller flytt et hjelpemiddel", body=MoveIn, response=MoveOut, tag="stock")
@roles_required("lager")
def move_device(barcode: str):
    result = services.move_device(get_session(), barcode, actor_id=current_user().id, **parse(shared(MoveIn)))
    return shared(MoveOut).dump(result)


@bp.post("/devices/<barcode>/label/replace")
@api_doc("Erstatt etiketten (ny strekkode; den gamle finner fortsatt hjelpemiddelet)", body=ReplaceLabelIn,
         response=DeviceOut, tag="labels")
@roles_required("lager")
def replace_label(barcode: str):
    device = services.replace_device_label(get_session(), barcode, current_user().id, **parse(shared(ReplaceLabelIn)))
    return shared(DeviceOut).dump(device)


@bp.get("/devices/<barcode>/label.pdf")
@api_doc("Etikett som PDF", query=LabelArgs, produces="application/pdf", tag="labels")
@roles_required("lager")
def device_label_pdf(barcode: str):
    args = parse_args(shared(LabelArgs))
    return label_response(services.device_label_data(get_session(), [barcode], _footer()), args["layout"])


@bp.get("/devices/<barcode>/label.zpl")
@api_doc("Etikett som ZPL for Zebra-skrivere", query=LabelArgs, produces="application/zpl", tag="labels")
@roles_required("lager")
def device_label_zpl(barcode: str):
    args = parse_args(shared(LabelArgs))
    return label_response(services.device_label_data(get_session(), [barcode], _footer()), args["layout"], zpl=True)


@bp.post("/labels.pdf")
@api_doc("Etiketter for mange hjelpemidler i én PDF", body=LabelsIn, produces="application/pdf", tag="labels")
@roles_required("lager")
def labels_pdf():
    data = parse(shared(LabelsIn))
    labels = services.device_label_data(get_session(), data["barcodes"], _footer())
    return label_response(labels, data["layout"], data["start_position"])


@bp.post("/labels.zpl")
@api_doc("Etiketter for mange hjelpemidler som ZPL", body=LabelsIn, produces="application/zpl", tag="labels")
@roles_required("lager")
def labels_zpl():
    data = parse(shared(LabelsIn))
    labels = services.device_label_data(get_session(), data["barcodes"], _footer())
    return label_response(labels, data["layout"], zpl=True)


@bp.post("/labels/blank")
@api_doc("Utsted ferdigtrykte etiketter som kan tas i bruk ved registrering", body=BlankLabelsIn,
         response=BlankLabelsOut, status=201, tag="labels")
@roles_required("lager")
def blank_labels():
    return shared(BlankLabelsOut).dump({"barcodes": services.issue_blank_labels(get_session(), **parse(shared(BlankLabelsIn)))}), 201


# --- scanning -------------------------------------------------------------------------------

@bp.get("/scan/<path:code>")
@api_doc("Slå opp en skannet kode: hjelpemiddel eller lokasjon", response=ScanOut, tag="stock", errors=(422,))
@roles_required("lager", "sjafor")
def scan(code: str):
    with read_connection() as connection:  # a unit's barcode, the hot path: rows straight into the answer
        card = scan_card(connection, code)
    return card if card is not None else shared(ScanOut).dump(queries.scan(get_session(), code))
