from __future__ import annotations

from flask import Blueprint, Response, current_app

from ..core.db import get_session
from ..core.http import export_format, export_response, current_user, parse, parse_args, roles_required
from ..core.openapi import api_doc
from ..core.schemas import shared
from ..documents.delivery_log import build_delivery_log_pdf
from ..documents.picklist import build_picklist_pdf
from . import services
from .schemas import (FinishIn, MoveStopIn, OutcomeIn, PickIn, PickOut, PlanIn, RepairStopIn, RunIn, RunOut, RunQuery,
                      StartIn, StopOut, StopPlainOut, WindowIn)

bp = Blueprint("logistics_api", __name__, url_prefix="/api/v1")


def _run(run_id: int):
    return shared(RunOut).dump(services.run_view(get_session(), run_id))


def _visible_run(run_id: int):
    user = current_user()
    services.check_run_access(services.get_run(get_session(), run_id), user.role, user.id)


@bp.post("/runs")
@api_doc("Opprett en kjørerunde for en dato, sjåfør og bil", body=RunIn, response=RunOut, status=201, tag="logistics")
@roles_required("lager")
def create_run():
    run = services.create_run(get_session(), current_user().id, **parse(shared(RunIn)))
    return _run(run.id), 201


@bp.get("/runs")
@api_doc("Kjørerunder (sjåfør: egne); format=csv|xlsx gir rundene med ett besøk per rad som fil", query=RunQuery,
         response=RunOut, many=True, tag="logistics", exports=True)
@roles_required("lager", "sjafor")
def list_runs():
    user, fmt = current_user(), export_format()
    if fmt:
        return export_response(fmt, "kjorerunder", services.RUN_HEADINGS,
                               services.run_export_rows(get_session(), parse_args(shared(RunQuery))["run_date"],
                                                        user.id if user.role == "sjafor" else None))
    runs = services.list_runs(get_session(), driver_id=user.id if user.role == "sjafor" else None,
                              **parse_args(shared(RunQuery)))
    return [shared(RunOut).dump(services.run_view(get_session(), run.id)) for run in runs]


@bp.post("/runs/plan")
@api_doc("Foreslå dagens kjørerunder: alle åpne stopp fordelt etter område og ordnet til en rute", body=PlanIn,
         response=RunOut, many=True, tag="logistics")
@roles_required("lager")
def plan():
    runs = services.plan_runs(get_session(), current_user().id, **parse(shared(PlanIn)))
    return [_run(run.id) for run in runs]


@bp.get("/runs/<int:run_id>")
@api_doc("Én kjørerunde med stopp", response=RunOut, tag="logistics")
@roles_required("lager", "sjafor")
def get_run(run_id: int):
    _visible_run(run_id)
    return _run(run_id)


@bp.get("/runs/<int:run_id>/picklist.pdf")
@api_doc("Plukkliste (PDF) i gangrekkefølge", produces="application/pdf", tag="logistics")
@roles_required("lager", "sjafor")
def picklist_pdf(run_id: int):
    _visible_run(run_id)
    data = services.pick_list_data(get_session(), run_id, current_app.config["DEPOT_NAME"])
    return Response(build_picklist_pdf(data), mimetype="application/pdf",
                    headers={"Content-Disposition": f"inline; filename=plukkliste-{run_id}.pdf"})


@bp.get("/runs/<int:run_id>/delivery-log.pdf")
@api_doc("Kjørebok (PDF); etter runden med utfallene", produces="application/pdf", tag="logistics")
@roles_required("lager", "sjafor")
def delivery_log_pdf(run_id: int):
    _visible_run(run_id)
    data = services.delivery_log_data(get_session(), run_id, current_app.config["DEPOT_NAME"])
    return Response(build_delivery_log_pdf(data), mimetype="application/pdf",
                    headers={"Content-Disposition": f"inline; filename=kjorebok-{run_id}.pdf"})


@bp.post("/runs/<int:run_id>/pick")
@api_doc("Plukk ved skanning: riktig enhet krysses av, feil enhet avvises med grunn", body=PickIn,
         response=PickOut, tag="logistics")
@roles_required("lager", "sjafor")
def pick(run_id: int):
    _visible_run(run_id)
    return shared(PickOut).dump(services.pick_device(get_session(), current_user().id, run_id, **parse(shared(PickIn))))


@bp.post("/runs/<int:run_id>/start")
@api_doc("Kjør ut med kilometerstanden: plukkede enheter er under utkjøring", body=StartIn, response=RunOut, tag="logistics")
@roles_required("lager", "sjafor")
def start(run_id: int):
    _visible_run(run_id)
    services.start_run(get_session(), current_user().id, run_id, **parse(shared(StartIn)))
    return _run(run_id)


@bp.post("/runs/<int:run_id>/stops/<int:stop_id>/outcome")
@api_doc("Registrer utfallet av et besøk eller én del av det (levert, hentet, reparert, ikke hjemme, avvist); "
         "et bytte registreres som levert og hentet; med barcodes bare for de enhetene (én av flere avvist)", body=OutcomeIn,
         response=StopOut, tag="logistics")
@roles_required("lager", "sjafor")
def outcome(run_id: int, stop_id: int):
    user = current_user()
    services.record_outcome(get_session(), user.id, user.role, run_id, stop_id,
                            loan_days=current_app.config["LOAN_DEFAULT_DAYS"], **parse(shared(OutcomeIn)))
    view = services.run_view(get_session(), run_id)
    return shared(StopOut).dump(next(stop for stop in view.stops if stop.id == stop_id))


@bp.post("/runs/<int:run_id>/finish")
@api_doc("Avslutt runden med kilometerstanden (ikke lavere enn ved start); åpne stopp blir «Ikke besøkt» og går "
         "tilbake til planlegging når confirm_unvisited er sann, ellers 409 med listen over dem", body=FinishIn,
         response=RunOut, tag="logistics")
@roles_required("lager", "sjafor")
def finish(run_id: int):
    user = current_user()
    services.finish_run(get_session(), user.id, user.role, run_id, **parse(shared(FinishIn)))
    return _run(run_id)


@bp.post("/stops/<int:stop_id>/move")
@api_doc("Flytt et åpent stopp til en annen runde (eller tilbake til planlegging med run_id null)", body=MoveStopIn,
         response=StopPlainOut, tag="logistics")
@roles_required("lager")
def move_stop(stop_id: int):
    return shared(StopPlainOut).dump(services.move_stop(get_session(), stop_id, **parse(shared(MoveStopIn))))


@bp.post("/stops/<int:stop_id>/window")
@api_doc("Sett tidsvinduet for et stopp (når brukeren kan ta imot)", body=WindowIn, response=StopPlainOut, tag="logistics")
@roles_required("lager")
def set_window(stop_id: int):
    return shared(StopPlainOut).dump(services.set_stop_window(get_session(), stop_id, **parse(shared(WindowIn))))


@bp.post("/stops/repair")
@api_doc("Legg inn et reparasjonsbesøk hos bruker", body=RepairStopIn, response=StopPlainOut, status=201, tag="logistics")
@roles_required("lager", "sjafor")
def repair_stop():
    stop = services.add_repair_visit(get_session(), current_user().id, **parse(shared(RepairStopIn)))
    return shared(StopPlainOut).dump(stop), 201
