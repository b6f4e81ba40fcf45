from __future__ import annotations

from flask import Blueprint, Response

from ..core.db import get_session
from ..core.http import export_format, export_response, current_user, parse, parse_args, roles_required
from ..core.openapi import api_doc
from ..core.schemas import shared
from ..core.text import local_time
from ..documents.recalls import recall_csv
from . import services
from .schemas import (BoardQuery, CloseIn, HandledIn, HandledOut, RecallBoardOut, RecallIn, RecallOut,
                      RecallQuery)

bp = Blueprint("recalls_api", __name__, url_prefix="/api/v1")


@bp.post("/recalls")
@api_doc("Registrer en tilbakekalling: alle berørte enheter finnes, de på lageret settes i karantene, "
         "de hjemme hos brukere får et besøk som haster", body=RecallIn, response=RecallOut, status=201, tag="recalls")
@roles_required("lager")
def register():
    session = get_session()
    recall = services.register_recall(session, current_user().id, **parse(shared(RecallIn)))
    return shared(RecallOut).dump(services.describe_recall(session, recall.id)), 201


@bp.get("/recalls")
@api_doc("Tilbakekallinger, åpne og nyeste først; format=csv|xlsx gir alle som passer som fil", query=RecallQuery,
         response=RecallOut, many=True, tag="recalls", exports=True)
@roles_required("lager")
def list_recalls():
    fmt = export_format()
    query = parse_args(shared(RecallQuery))
    if fmt:
        return export_response(fmt, "tilbakekallinger", services.RECALL_HEADINGS,
                               services.recall_export_rows(get_session(), query["status"], query["q"]))
    page = services.list_recalls(get_session(), query["status"], query["q"], query["offset"] // query["limit"] + 1,
                                 query["limit"])
    return shared(RecallOut, many=True).dump(page.items)


@bp.get("/recalls/<int:recall_id>")
@api_doc("Én tilbakekalling med tavlen: enhetene, hvor de ble funnet og hva som er gjort", query=BoardQuery,
         response=RecallBoardOut, tag="recalls", exports=True)
@roles_required("lager")
def board(recall_id: int):
    fmt = export_format()
    query = parse_args(shared(BoardQuery))
    session = get_session()
    if fmt:
        return export_response(fmt, "tilbakekalling-tavle", services.BOARD_HEADINGS,
                               services.board_export_rows(session, recall_id, query["status"], query["found"]))
    summary = services.describe_recall(session, recall_id)
    units = services.recall_board(session, recall_id, query["status"], query["found"], query["page"], query["size"])
    return shared(RecallBoardOut).dump({"recall": summary, "counts": services.board_counts(session, recall_id),
                                        "units": units})


@bp.post("/recalls/<int:recall_id>/units/<int:unit_id>/handled")
@api_doc("Marker en enhet som behandlet, med hva som ble gjort", body=HandledIn, response=HandledOut, tag="recalls")
@roles_required("lager")
def handled(recall_id: int, unit_id: int):
    unit = services.mark_recall_unit_handled(get_session(), current_user().id, recall_id, unit_id,
                                             **parse(shared(HandledIn)))
    return shared(HandledOut).dump(unit)


@bp.post("/recalls/<int:recall_id>/close")
@api_doc("Lukk tilbakekallingen (med åpne enheter bare med force og en merknad)", body=CloseIn, response=RecallOut,
         tag="recalls")
@roles_required("lager")
def close(recall_id: int):
    session = get_session()
    services.close_recall(session, current_user().id, recall_id, **parse(shared(CloseIn)))
    return shared(RecallOut).dump(services.describe_recall(session, recall_id))


@bp.get("/recalls/<int:recall_id>/units.csv")
@api_doc("Tavlen som CSV til produsenten (uten navn)", produces="text/csv", tag="recalls")
@roles_required("lager")
def units_csv(recall_id: int):
    _recall, rows = services.recall_export(get_session(), recall_id)
    return Response(recall_csv(rows, local_time), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="tilbakekalling-{recall_id}.csv"'})
