from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from sqlalchemy import select

from ..core.auth import User
from ..core.db import get_session
from ..core.errors import AppError
from ..core.http import export_format, export_response, current_user, form_data, parse, roles_required
from ..core.schemas import parse_norwegian_date, shared
from ..core.text import local_today
from ..stock.services import list_locations
from . import services
from .models import SUCCESS
from .schemas import FinishIn, MoveStopIn, OutcomeIn, PlanIn, StartIn

bp = Blueprint("logistics_web", __name__, template_folder="templates")


@bp.app_context_processor
def _labels():
    return {"ACTION_LABELS": services.ACTION_LABELS, "OUTCOME_LABELS": services.OUTCOME_LABELS,
            "RUN_STATUS_LABELS": services.RUN_STATUS_LABELS, "STOP_STATUS_LABELS": services.STOP_STATUS_LABELS,
            "SUCCESS": SUCCESS}


def _plan_page(run_date: date, error: AppError | None = None):
    session = get_session()
    runs = [services.run_view(session, run.id) for run in services.list_runs(session, run_date)]
    drivers = list(session.scalars(select(User).where(User.role == "sjafor", User.active.is_(True)).order_by(User.username)))
    vans = list_locations(session, kind="van")
    return render_template("logistics/plan.html", run_date=run_date, runs=runs, drivers=drivers, vans=vans,
                           unplanned=services.stop_views(session, services.unplanned_stops(session)), error=error), error.status if error else 200


def _date_arg() -> date:
    text = request.values.get("dato", "")
    try:
        return parse_norwegian_date(text) or date.fromisoformat(text)
    except ValueError:
        return local_today() + timedelta(days=1)


@bp.get("/lager/runder")
@roles_required("lager")
def plan_page():
    fmt = export_format()
    if fmt:
        return export_response(fmt, "kjorerunder", services.RUN_HEADINGS,
                               services.run_export_rows(get_session(), _date_arg()))
    return _plan_page(_date_arg())


@bp.post("/lager/runder/planlegg")
@roles_required("lager")
def plan():
    run_date = _date_arg()
    specs = [{"driver": d or None, "van": v or None}
             for d, v in zip(request.form.getlist("driver"), request.form.getlist("van")) if d or v]
    try:
        services.plan_runs(get_session(), current_user().id, **parse(shared(PlanIn), {"run_date": run_date.isoformat(), "runs": specs}))
    except AppError as err:
        return _plan_page(run_date, err)
    return redirect(url_for("logistics_web.plan_page", dato=run_date.isoformat()))


@bp.post("/lager/stopp/<int:stop_id>/flytt")
@roles_required("lager")
def move_stop(stop_id: int):
    data = form_data()
    data["run_id"] = data.get("run_id") or None
    try:
        services.move_stop(get_session(), stop_id, **parse(shared(MoveStopIn), data))
    except AppError as err:
        return _plan_page(_date_arg(), err)
    return redirect(url_for("logistics_web.plan_page", dato=_date_arg().isoformat()))


@bp.get("/runder/<int:run_id>/plukk")
@roles_required("lager", "sjafor")
def pick_page(run_id: int):
    session, user = get_session(), current_user()
    services.check_run_access(services.get_run(session, run_id), user.role, user.id)
    return render_template("logistics/pick.html", run=services.run_view(session, run_id),
                           lines=services.pick_list(session, run_id))


# --- the driver's phone ---------------------------------------------------------------------

@bp.get("/sjafor")
@roles_required("sjafor")
def driver_home():
    user = current_user()
    session = get_session()
    today = local_today()
    runs = [run for run in services.list_runs(session, driver_id=user.id) if run.run_date >= today - timedelta(days=1)]
    return render_template("logistics/driver_home.html", runs=[services.run_view(session, r.id) for r in runs],
                           today=today)


def _driver_run(run_id: int, error: AppError | None = None, failed_stop: int | None = None):
    """The run on the phone; a refused outcome is shown in its own stop's card with what was typed."""
    user = current_user()
    session = get_session()
    run = services.get_run(session, run_id)
    services.check_run_access(run, user.role, user.id)
    return render_template("logistics/driver_run.html", run=services.run_view(session, run_id), error=error,
                           failed_stop=failed_stop, form=request.form), error.status if error else 200


@bp.get("/sjafor/runde/<int:run_id>")
@roles_required("sjafor", "lager")
def driver_run(run_id: int):
    return _driver_run(run_id)


@bp.post("/sjafor/runde/<int:run_id>/start")
@roles_required("sjafor", "lager")
def start_run(run_id: int):
    user = current_user()
    try:
        services.check_run_access(services.get_run(get_session(), run_id), user.role, user.id)
        services.start_run(get_session(), user.id, run_id, **parse(shared(StartIn), form_data()))
    except AppError as err:
        return _driver_run(run_id, err)
    return redirect(url_for("logistics_web.driver_run", run_id=run_id))


@bp.post("/sjafor/runde/<int:run_id>/stopp/<int:stop_id>")
@roles_required("sjafor", "lager")
def record_outcome(run_id: int, stop_id: int):
    user = current_user()
    try:
        data = form_data()
        if request.args.get("action"):
            data["action"] = request.args["action"]  # which part of an exchange visit the button is for
        if request.args.get("enhet"):
            data["barcodes"] = [request.args["enhet"]]  # the one unit the button is for (one of several refused)
        services.record_outcome(get_session(), user.id, user.role, run_id, stop_id,
                                loan_days=current_app.config["LOAN_DEFAULT_DAYS"], **parse(shared(OutcomeIn), data))
    except AppError as err:
        return _driver_run(run_id, err, failed_stop=stop_id)
    next_open = next((s.id for s in services.run_stops(get_session(), run_id) if s.status == "open"), stop_id)
    return redirect(url_for("logistics_web.driver_run", run_id=run_id) + f"#stopp-{next_open}")


@bp.post("/sjafor/runde/<int:run_id>/ferdig")
@roles_required("sjafor", "lager")
def finish_run(run_id: int):
    """Asked twice when stops are open: the first answer lists them, the second (``confirm=1``) finishes."""
    user = current_user()
    data = form_data()
    data["confirm_unvisited"] = data.pop("confirm", "") == "1"
    try:
        services.finish_run(get_session(), user.id, user.role, run_id, **parse(shared(FinishIn), data))
    except services.UnvisitedStopsOpen as question:
        session = get_session()
        return render_template("logistics/finish_confirm.html", run=services.run_view(session, run_id),
                               stops=services.stop_views(session, question.stops), question=question,
                               odometer_end=data.get("odometer_end", ""))
    except AppError as err:
        return _driver_run(run_id, err)
    return redirect(url_for("logistics_web.driver_run", run_id=run_id))
