from __future__ import annotations

from flask import Blueprint, current_app

from ..core.db import get_session
from ..core.errors import NotFound
from ..core.http import export_format, export_response, current_user, parse, parse_args, roles_required
from ..core.openapi import api_doc
from ..core.schemas import shared
from . import services
from .schemas import (CitizenIn, CitizenOut, CitizenQuery, DeliveryContactOut, FnrAccessOut, FnrLookupIn, FnrOut,
                      FollowUpOut, FollowUpQuery, PurposeIn)

bp = Blueprint("citizens_api", __name__, url_prefix="/api/v1")


def vault():
    return current_app.extensions["fnr_vault"]


def citizen_schema(many: bool = False):
    """Warehouse staff get what a delivery needs; therapists and admin also the masked fnr."""
    return shared(CitizenOut if current_user().has_role("terapeut") else DeliveryContactOut, many=many)


@bp.post("/citizens")
@api_doc("Registrer en innbygger (fødselsnummeret lagres kryptert). Finnes fødselsnummeret fra før, svarer "
         "409 uten å si hvem det gjelder: slå opp på det i stedet.",
         body=CitizenIn, response=CitizenOut, status=201, tag="citizens")
@roles_required("terapeut")
def register_citizen():
    citizen = services.register_citizen(get_session(), vault(), current_user().id, **parse(shared(CitizenIn)))
    return shared(CitizenOut).dump(citizen), 201


@bp.get("/citizens")
@api_doc("Innbyggere du har tilgang til", query=CitizenQuery, response=CitizenOut, many=True, tag="citizens")
@roles_required("terapeut", "lager")
def list_citizens():
    user = current_user()
    citizens = services.list_citizens(get_session(), user.role, user.id, **parse_args(shared(CitizenQuery)))
    return citizen_schema(many=True).dump(citizens)


@bp.get("/citizens/<int:citizen_id>")
@api_doc("Én innbygger (fødselsnummer maskert)", response=CitizenOut, tag="citizens")
@roles_required("terapeut", "lager")
def get_citizen(citizen_id: int):
    user = current_user()
    return citizen_schema().dump(services.check_citizen_access(get_session(), user.role, user.id, citizen_id))


@bp.post("/citizens/lookup")
@api_doc("Finn en innbygger på fødselsnummer (formål kreves, logges; FNR_LOOKUPS_PER_HOUR per bruker og time, "
         "deretter 429 med Retry-After)", body=FnrLookupIn, response=CitizenOut, tag="citizens", errors=(429,))
@roles_required("terapeut")
def lookup_citizen():
    user = current_user()
    try:
        citizen = services.find_citizen_by_fnr(get_session(), vault(), user.role, user.id,
                                               per_hour=current_app.config["FNR_LOOKUPS_PER_HOUR"],
                                               **parse(shared(FnrLookupIn)))
    except NotFound:
        get_session().commit()  # the miss stays in the log (and counts) although the answer is 404
        raise
    return shared(CitizenOut).dump(citizen)


@bp.post("/citizens/<int:citizen_id>/fnr")
@api_doc("Vis fødselsnummeret i klartekst (krever formål, logges)", body=PurposeIn, response=FnrOut, tag="citizens")
@roles_required("terapeut")
def reveal_fnr(citizen_id: int):
    user = current_user()
    fnr = services.reveal_fnr(get_session(), vault(), user.role, user.id, citizen_id, **parse(shared(PurposeIn)))
    return shared(FnrOut).dump({"citizen_id": citizen_id, "fnr": fnr})


@bp.get("/citizens/<int:citizen_id>/fnr-access")
@api_doc("Hvem har brukt fødselsnummeret, med søk som bommet før innbyggeren ble registrert",
         response=FnrAccessOut, many=True, tag="citizens")
@roles_required()
def fnr_access(citizen_id: int):
    return shared(FnrAccessOut, many=True).dump(services.fnr_access_log(get_session(), citizen_id))


@bp.get("/fnr-access/follow-up")
@api_doc("Oppfølging av tilgangsloggen: søk, bom og visninger per bruker og dag; brukere over "
         "FNR_FOLLOW_UP_THRESHOLD flagget; format=csv|xlsx gir hele perioden som fil", query=FollowUpQuery,
         response=FollowUpOut, tag="citizens", exports=True)
@roles_required()
def follow_up():
    fmt = export_format()
    if fmt:
        return export_response(fmt, "fnr-tilgang", services.FOLLOW_UP_HEADINGS,
                               services.follow_up_export_rows(get_session(),
                                                              threshold=current_app.config["FNR_FOLLOW_UP_THRESHOLD"],
                                                              **parse_args(shared(FollowUpQuery))))
    page = services.access_follow_up(get_session(), threshold=current_app.config["FNR_FOLLOW_UP_THRESHOLD"],
                                     **parse_args(shared(FollowUpQuery)))
    return shared(FollowUpOut).dump(page)
