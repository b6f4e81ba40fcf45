from __future__ import annotations

from flask import Blueprint, current_app

from ..core.db import get_session
from ..core.http import current_user, export_format, export_response, parse, parse_args, roles_required
from ..core.openapi import api_doc
from ..core.schemas import shared
from . import services
from .schemas import (ChangeReservationIn, DecisionIn, ExtendIn, HandOverIn, LoanOut, LoanQuery, NavStatusIn,
                      NeedDetailOut, NeedIn, NeedOut, NeedQuery, ReasonIn, ReceiptOut, ReceiveReturnIn, ReservationIn,
                      ReservationOut, ReturnRequestIn)

bp = Blueprint("lending_api", __name__, url_prefix="/api/v1")


def _detail(need_id: int):
    user = current_user()
    return shared(NeedDetailOut).dump(services.need_detail(get_session(), user.role, user.id, need_id))


@bp.post("/needs")
@api_doc("Registrer et behov for en innbygger", body=NeedIn, response=NeedOut, status=201, tag="lending")
@roles_required("terapeut")
def register_need():
    user = current_user()
    need = services.register_need(get_session(), user.id, user.role, **parse(shared(NeedIn)))
    return shared(NeedOut).dump(need), 201


@bp.get("/needs")
@api_doc("Behov (terapeut: egne innbyggere); format=csv|xlsx gir alle som passer som fil", query=NeedQuery,
         response=NeedOut, many=True, tag="lending", exports=True)
@roles_required("terapeut", "lager")
def list_needs():
    user, fmt = current_user(), export_format()
    if fmt:
        query = parse_args(shared(NeedQuery))
        return export_response(fmt, "behov", services.NEED_HEADINGS,
                               services.need_export_rows(get_session(), user.role, user.id, query["status"],
                                                         query["citizen_id"]))
    return shared(NeedOut, many=True).dump(services.list_needs(get_session(), user.role, user.id, **parse_args(shared(NeedQuery))))


@bp.get("/needs/queue")
@api_doc("Innvilgede behov som venter på hjelpemiddel, i køens rekkefølge; format=csv|xlsx gir hele køen som fil",
         response=NeedOut, many=True, tag="lending", exports=True)
@roles_required("lager")
def queue():
    fmt = export_format()
    if fmt:
        return export_response(fmt, "ko", services.NEED_HEADINGS, services.queue_export_rows(get_session()))
    return shared(NeedOut, many=True).dump(services.waiting_needs(get_session(), size=200).items)


@bp.get("/needs/<int:need_id>")
@api_doc("Ett behov med hjelpemidler og tidslinje", response=NeedDetailOut, tag="lending")
@roles_required("terapeut", "lager")
def get_need(need_id: int):
    return _detail(need_id)


@bp.post("/needs/<int:need_id>/decision")
@api_doc("Vedtak: innvilg eller avslå korttidslån, eller send langtidssøknad til NAV", body=DecisionIn,
         response=NeedDetailOut, tag="lending")
@roles_required("lager", "terapeut")
def decide(need_id: int):
    user = current_user()
    services.check_need_access(get_session(), user.role, user.id, need_id)
    services.decide_need(get_session(), user.id, user.role, need_id, **parse(shared(DecisionIn)))
    return _detail(need_id)


@bp.post("/needs/<int:need_id>/nav-status")
@api_doc("NAVs behandling av en langtidssøknad", body=NavStatusIn, response=NeedDetailOut, tag="lending")
@roles_required("terapeut")
def nav_status(need_id: int):
    user = current_user()
    services.check_need_access(get_session(), user.role, user.id, need_id)
    services.set_nav_status(get_session(), user.id, need_id, **parse(shared(NavStatusIn)))
    return _detail(need_id)


@bp.post("/needs/<int:need_id>/cancel")
@api_doc("Kanseller et behov (reservasjoner oppheves)", body=ReasonIn, response=NeedDetailOut, tag="lending")
@roles_required("terapeut", "lager")
def cancel(need_id: int):
    user = current_user()
    services.check_need_access(get_session(), user.role, user.id, need_id)
    services.cancel_need(get_session(), user.id, need_id, **parse(shared(ReasonIn)))
    return _detail(need_id)


@bp.post("/reservations")
@api_doc("Reserver et bestemt hjelpemiddel, eller den eldste ledige enheten som passer", body=ReservationIn,
         response=ReservationOut, status=201, tag="lending")
@roles_required("lager")
def reserve():
    reservation = services.reserve_for_need(get_session(), current_user().id, **parse(shared(ReservationIn)))
    return shared(ReservationOut).dump(reservation), 201


@bp.post("/reservations/<int:reservation_id>/change")
@api_doc("Bytt hjelpemiddelet i en reservasjon", body=ChangeReservationIn, response=ReservationOut, tag="lending")
@roles_required("lager")
def change_reservation(reservation_id: int):
    reservation = services.change_reservation(get_session(), current_user().id, reservation_id,
                                              **parse(shared(ChangeReservationIn)))
    return shared(ReservationOut).dump(reservation)


@bp.post("/reservations/<int:reservation_id>/cancel")
@api_doc("Opphev en reservasjon", body=ReasonIn, response=ReservationOut, tag="lending")
@roles_required("lager")
def cancel_reservation(reservation_id: int):
    reservation = services.cancel_reservation(get_session(), current_user().id, reservation_id, **parse(shared(ReasonIn)))
    return shared(ReservationOut).dump(reservation)


@bp.post("/loans")
@api_doc("Utlevering på lageret: skann hjelpemiddelet, utlånet starter", body=HandOverIn, response=LoanOut,
         status=201, tag="lending")
@roles_required("lager")
def hand_over():
    loan = services.hand_over(get_session(), current_user().id, loan_days=current_app.config["LOAN_DEFAULT_DAYS"],
                              **parse(shared(HandOverIn)))
    return shared(LoanOut).dump(loan), 201


@bp.get("/loans")
@api_doc("Utlån; format=csv|xlsx gir alle som passer som fil", query=LoanQuery, response=LoanOut, many=True,
         tag="lending", errors=(404,), exports=True)
@roles_required("lager", "terapeut")
def list_loans():
    user, fmt = current_user(), export_format()
    if fmt:
        query = parse_args(shared(LoanQuery))
        return export_response(fmt, "utlan", services.LOAN_HEADINGS,
                               services.loan_export_rows(get_session(), user.role, user.id, query["citizen_id"],
                                                         query["status"]))
    loans = services.list_loans_for(get_session(), user.role, user.id, **parse_args(shared(LoanQuery)))
    return shared(LoanOut, many=True).dump(loans)


@bp.post("/loans/<int:loan_id>/extend")
@api_doc("Forleng et utlån", body=ExtendIn, response=LoanOut, tag="lending")
@roles_required("lager", "terapeut")
def extend(loan_id: int):
    user = current_user()
    services.check_loan_access(get_session(), user.role, user.id, loan_id)
    return shared(LoanOut).dump(services.extend_loan(get_session(), user.id, loan_id, **parse(shared(ExtendIn))))


@bp.post("/loans/<int:loan_id>/return-request")
@api_doc("Bestill retur: hjelpemiddelet venter på henting", body=ReturnRequestIn, response=LoanOut, tag="lending")
@roles_required("lager", "terapeut")
def return_request(loan_id: int):
    user = current_user()
    services.check_loan_access(get_session(), user.role, user.id, loan_id)
    return shared(LoanOut).dump(services.request_return(get_session(), user.id, loan_id, **parse(shared(ReturnRequestIn))))


@bp.post("/returns/receive")
@api_doc("Ta imot en retur på lageret (skann), enten den kom med bil, over disken eller er NAVs; hjelpemiddelet "
         "går til mottaket og venter på vask og kontroll. En ny skanning av samme enhet sier at den alt er mottatt.",
         body=ReceiveReturnIn, response=ReceiptOut, tag="lending")
@roles_required("lager")
def receive_return():
    receipt = services.receive_at_depot(get_session(), current_user().id,
                                        receiving_location=current_app.config["RECEIVING_LOCATION"],
                                        **parse(shared(ReceiveReturnIn)))
    return shared(ReceiptOut).dump(receipt)
