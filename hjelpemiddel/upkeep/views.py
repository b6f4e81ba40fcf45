from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from sqlalchemy import select

from ..catalog.models import Product
from ..catalog.services import product_from_text
from ..core.db import get_session
from ..core.errors import AppError
from ..core.http import export_format, export_response, current_user, parse, roles_required
from ..core.paging import page_number
from ..core.schemas import shared
from ..maintenance import services as maintenance
from ..stock.services import get_device
from . import services
from .schemas import DueQuery, PlanIn

bp = Blueprint("upkeep_web", __name__, template_folder="templates")
DUE_FILTERS = ("month", "area", "q", "status")


@bp.get("/lager/kontroller")
@roles_required("lager")
def due_page():
    session = get_session()
    error = None
    try:
        query = parse(shared(DueQuery), {k: v for k, v in request.args.items() if k in DUE_FILTERS and v.strip()})
    except AppError as err:
        query, error = {"month": None, "area": None, "q": None, "status": "all"}, err
    fmt = export_format()
    if fmt and error is None:
        return export_response(fmt, "kontroller", services.DUE_HEADINGS,
                               services.due_export_rows(session, query["month"], query["area"], query["q"],
                                                        query["status"]))
    page = services.due_list(session, query["month"], query["area"], query["q"], query["status"],
                             page_number(request.args.get("side")))
    summary = services.due_summary(session, query["month"], query["q"])
    return render_template("upkeep/due.html", page=page, summary=summary, query=query, error=error,
                           MONTH_NAMES=services.MONTH_NAMES,
                           message=request.args.get("melding")), (error.status if error else 200)


@bp.post("/lager/kontroller/besok")
@roles_required("lager")
def plan_visits():
    planned = services.plan_inspection_visits(get_session(), current_user().id)
    message = (f"{planned} kontrollbesøk er lagt til planleggingen av kjørerunder." if planned
               else "Ingen enheter hos brukere trenger nytt kontrollbesøk nå.")
    return redirect(url_for("upkeep_web.due_page", melding=message))


@bp.route("/kontroll/<barcode>", methods=["GET", "POST"])
@roles_required("lager", "sjafor")
def periodic_form(barcode: str):
    session = get_session()
    device = get_device(session, barcode)
    schedule = maintenance.schedule_for_product(session, device.product)
    error = saved = None
    if request.method == "POST":
        all_ok = request.form.get("all_ok") == "1"
        answers = {key: "ok" if all_ok else request.form.get(f"item_{key}") for key in schedule.checklist.items}
        results = {key: answer == "ok" for key, answer in answers.items() if answer in ("ok", "avvik")}
        reasons = {key: request.form.get(f"reason_{key}", "") for key in schedule.checklist.items}
        try:
            saved = maintenance.record_periodic_inspection(session, current_user().id, device.barcode, results, reasons,
                                                           request.form.get("note", ""))
        except AppError as err:
            error = err
    report = services.inspection_report(session, device.barcode, limit=20)
    problems = error.details.get("reasons", {}) if error is not None and isinstance(error.details, dict) else {}
    return render_template("upkeep/periodic.html", device=device, report=report, checklist=schedule.checklist,
                           periodic=schedule.periodic, saved=saved, error=error, problems=problems,
                           form=request.form if error else {}), (error.status if error else 200)


@bp.route("/admin/kontrollplaner", methods=["GET", "POST"])
@roles_required("admin")
def plans_page():
    session = get_session()
    if request.method == "GET" and (fmt := export_format()):
        return export_response(fmt, "kontrollplaner", maintenance.PLAN_HEADINGS, maintenance.plan_export_rows(session))
    error = None
    form = request.form
    if request.method == "POST":
        try:
            if form.get("delete"):
                maintenance.delete_plan(session, int(form["delete"]) if form["delete"].isdigit() else 0)
                return redirect(url_for("upkeep_web.plans_page", melding="Kontrollplanen er slettet."))
            values = {key: value.strip() for key, value in form.items() if key in shared(PlanIn).fields and value.strip()}
            values["after_each_loan"] = form.get("after_each_loan") == "1"
            if form.get("product", "").strip() and "product_id" not in values:
                values["product_id"] = product_from_text(session, form["product"]).id
            plan_id = form.get("plan_id", "")
            maintenance.save_plan(session, current_user().id, parse(shared(PlanIn), values),
                                  int(plan_id) if plan_id.isdigit() else None)
            return redirect(url_for("upkeep_web.plans_page", melding="Kontrollplanen er lagret. Fristene er oppdatert."))
        except AppError as err:
            error = err
    plans = maintenance.list_plans(session)
    products = {p.id: p for p in session.scalars(select(Product).where(
        Product.id.in_([plan.product_id for plan in plans if plan.product_id])))}
    editing = next((p for p in plans if str(p.id) == request.args.get("endre")), None)
    return render_template("upkeep/plans.html", plans=plans, products=products, error=error, form=form,
                           editing=editing, checklists=maintenance.CHECKLIST_NAMES,
                           message=request.args.get("melding")), (error.status if error else 200)
