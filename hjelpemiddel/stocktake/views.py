from __future__ import annotations

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for

from ..core.db import get_session
from ..core.errors import AppError
from ..core.http import export_format, export_response, current_user, form_data, parse, roles_required
from ..core.paging import page_number
from ..core.schemas import shared
from ..core.text import local_time, local_today
from ..documents.stocktake import stocktake_csv, stocktake_pdf
from . import services
from .models import OUTCOMES
from .schemas import StartIn

bp = Blueprint("stocktake_web", __name__, template_folder="templates")
PAGE_SIZE = 50


def _list_page(error: AppError | None = None):
    session = get_session()
    if error is not None:
        session.rollback()
    page = services.list_stocktakes(session, number=page_number(request.args.get("side")), size=25)
    return render_template("stocktake/list.html", page=page, error=error, form=request.form,
                           message=request.args.get("melding")), error.status if error else 200


@bp.get("/lager/varetelling")
@roles_required("lager")
def stocktakes():
    fmt = export_format()
    if fmt:
        return export_response(fmt, "varetellinger", services.STOCKTAKE_HEADINGS,
                               services.stocktake_export_rows(get_session()))
    return _list_page()


@bp.post("/lager/varetelling")
@roles_required("lager")
def start():
    data = form_data()
    data["blind"] = data.get("blind") == "ja"
    try:
        stocktake = services.start_stocktake(get_session(), current_user().id, **parse(shared(StartIn), data))
    except AppError as err:
        return _list_page(err)
    return redirect(url_for("stocktake_web.count", stocktake_id=stocktake.id))


@bp.get("/lager/varetelling/plan")
@roles_required("lager")
def plan():
    rows, week_ends = services.cycle_plan(get_session(), local_today())
    return render_template("stocktake/plan.html", rows=rows, week_ends=week_ends, classes=services.CLASS_TEXT,
                           intervals=services.INTERVAL_DAYS)


@bp.get("/lager/varetelling/<int:stocktake_id>")
@roles_required("lager")
def count(stocktake_id: int):
    session = get_session()
    stocktake = services.describe_stocktake(session, stocktake_id)
    if stocktake.status != "counting":
        return redirect(url_for("stocktake_web.result", stocktake_id=stocktake_id))
    return render_template("stocktake/count.html", stocktake=stocktake,
                           progress=services.stocktake_progress(session, stocktake_id))


@bp.post("/lager/varetelling/<int:stocktake_id>/avslutt")
@roles_required("lager")
def close(stocktake_id: int):
    if services.get_stocktake(get_session(), stocktake_id).status == "counting":  # else closed by another counter
        services.close_stocktake(get_session(), current_user().id, stocktake_id)
    return redirect(url_for("stocktake_web.result", stocktake_id=stocktake_id))


def _result_page(stocktake_id: int, error: AppError | None = None, message: str | None = None):
    session = get_session()
    if error is not None:
        session.rollback()
    outcome = request.args.get("utfall")
    outcome = outcome if outcome in OUTCOMES else None
    stocktake = services.describe_stocktake(session, stocktake_id)
    if stocktake.status == "counting":
        return redirect(url_for("stocktake_web.count", stocktake_id=stocktake_id))
    page = services.result_page(session, stocktake_id, outcome, page_number(request.args.get("side")), PAGE_SIZE)
    return render_template("stocktake/result.html", stocktake=stocktake, page=page, outcome=outcome,
                           summary=services.result_summary(session, stocktake_id), error=error,
                           message=message or request.args.get("melding"),
                           OUTCOME_LABELS=services.OUTCOME_LABELS), error.status if error else 200


@bp.get("/lager/varetelling/<int:stocktake_id>/resultat")
@roles_required("lager")
def result(stocktake_id: int):
    return _result_page(stocktake_id)


@bp.post("/lager/varetelling/<int:stocktake_id>/linjer/<int:line_id>/godkjenn")
@roles_required("lager")
def approve_line(stocktake_id: int, line_id: int):
    try:
        services.approve_line(get_session(), current_user().id, stocktake_id, line_id)
    except AppError as err:
        return _result_page(stocktake_id, err)
    return redirect(url_for("stocktake_web.result", stocktake_id=stocktake_id, utfall=request.args.get("utfall"),
                            melding="Justeringen er godkjent."))


@bp.post("/lager/varetelling/<int:stocktake_id>/godkjenn")
@roles_required("lager")
def approve_all(stocktake_id: int):
    try:
        summary = services.approve_all(get_session(), current_user().id, stocktake_id)
    except AppError as err:
        return _result_page(stocktake_id, err)
    message = f"{summary.approved} justeringer er godkjent."
    if summary.left:
        message += f" {summary.left} står igjen: " + " ".join(summary.examples[:5])
    return redirect(url_for("stocktake_web.result", stocktake_id=stocktake_id, melding=message))


@bp.get("/lager/varetelling/<int:stocktake_id>/varetelling.pdf")
@roles_required("lager")
def result_pdf(stocktake_id: int):
    report = services.stocktake_report(get_session(), stocktake_id)
    return Response(stocktake_pdf(report, current_app.config["DEPOT_NAME"], local_time), mimetype="application/pdf")


@bp.get("/lager/varetelling/<int:stocktake_id>/varetelling.csv")
@roles_required("lager")
def result_csv(stocktake_id: int):
    report = services.stocktake_report(get_session(), stocktake_id)
    return Response(stocktake_csv(report, local_time), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="varetelling-{stocktake_id}.csv"'})
