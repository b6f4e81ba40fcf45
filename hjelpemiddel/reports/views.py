from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request, url_for
from markupsafe import Markup

from ..catalog.iso import format_iso_class
from ..core.db import get_session, utcnow
from ..core.errors import AppError, NotFound
from ..core.http import current_user, export_format, export_response, parse, roles_required
from ..core.schemas import shared
from ..core.text import local_today
from . import monthly, services
from .charts import format_number, to_svg
from .areas._calendar import add_months
from .areas.waiting import URGENCIES
from .schemas import MonthQuery, ReportQuery, RowsQuery, TargetsIn
from .targets import UNIT_LABELS, load_targets, save_targets

bp = Blueprint("reports_web", __name__, template_folder="templates")
SCOPE_FIELDS = ("periode", "fra", "til", "postnummer", "produktgruppe")


def _scope(schema=ReportQuery):
    """The page's scope, or the default one and the error naming the field that was wrong."""
    values = {k: v for k, v in request.args.items() if k in (*SCOPE_FIELDS, "side") and v.strip()}
    try:
        query, error = parse(shared(schema), values), None
    except AppError as err:
        query, error = {"side": 1}, err
    return query, services.scope_for(query, local_today()), error


def figure_value(figure) -> str:
    if figure.value is None:
        return "–"
    decimals = 0 if figure.unit in ("stk", "kr") else 1
    return f"{format_number(figure.value, decimals)} {figure.unit}".replace(" %", "\u202f%")


def scope_url(endpoint: str, **values) -> str:
    """Another report page with the scope this one shows."""
    scope_args = {k: v for k, v in request.args.items() if k in SCOPE_FIELDS and v.strip()}
    return url_for(endpoint, **values, **scope_args)


def _context(query, scope, error) -> dict:
    return {"scope_url": scope_url, "query": query, "scope": scope, "error": error, "PERIODS": services.PERIODS,
            "figure_value": figure_value, "format_number": format_number, "format_iso_class": format_iso_class}


@bp.get("/rapporter")
@roles_required("lager")
def overview():
    query, scope, error = _scope()
    session = get_session()
    sections = services.build_overview(session, scope)
    return render_template("reports/overview.html", sections=sections, stored=monthly.list_monthly_reports(session),
                           last_month=monthly.month_key(add_months(local_today(), -1)),
                           **_context(query, scope, error)), (error.status if error else 200)


@bp.get("/rapporter/<area>")
@roles_required("lager")
def area_page(area: str):
    query, scope, error = _scope()
    section = services.build_report(get_session(), area, scope)
    charts = [(chart, Markup(to_svg(chart))) for chart in section.charts]
    return render_template("reports/area.html", section=section, charts=charts, area=area,
                           **_context(query, scope, error)), (error.status if error else 200)


@bp.get("/rapporter/<area>/<figure>")
@roles_required("lager")
def rows_page(area: str, figure: str):
    query, scope, error = _scope(RowsQuery)
    session = get_session()
    section = services.build_report(session, area, scope)
    chosen = next((f for f in section.figures if f.key == figure), None)
    if chosen is None:
        raise NotFound(f"Fant ikke tallet «{figure}» i rapporten.", {"figure": figure})
    fmt = export_format()
    if fmt is not None:
        first = services.build_rows(session, area, figure, scope, 1)
        return export_response(fmt, f"rapport-{area}-{figure}", first.columns,
                               services.iterate_rows(session, area, figure, scope, first))
    rows = services.build_rows(session, area, figure, scope, query.get("side", 1))
    return render_template("reports/rows.html", section=section, figure=chosen, rows=rows, area=area,
                           **_context(query, scope, error)), (error.status if error else 200)


@bp.get("/rapporter/manedsrapport.pdf")
@roles_required("lager")
def monthly_pdf():
    month = parse(shared(MonthQuery), {"month": request.args.get("month", "")})["month"]
    session = get_session()
    pdf = monthly.make_monthly_report(session, month, current_app.config["DEPOT_NAME"], utcnow())
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="manedsrapport-{month}.pdf"'})


@bp.get("/rapporter/arkiv/<month>.pdf")
@roles_required("lager")
def stored_pdf(month: str):
    pdf = monthly.stored_monthly_report(get_session(), month)
    if pdf is None:
        raise NotFound(f"Ingen lagret månedsrapport for {month}.", {"month": month})
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="manedsrapport-{month}.pdf"'})


@bp.route("/admin/rapportmal", methods=["GET", "POST"])
@roles_required("admin")
def targets_page():
    session = get_session()
    error, message = None, None
    if request.method == "POST":
        values = {urgency: {"amount": request.form.get(f"{urgency}_amount", ""),
                            "unit": request.form.get(f"{urgency}_unit", "")} for urgency in URGENCIES}
        try:
            save_targets(session, current_user().id, parse(shared(TargetsIn), values))
            message = "Målene er lagret."
        except AppError as err:
            error = err
    return render_template("reports/targets.html", targets=load_targets(session), URGENCIES=URGENCIES,
                           UNIT_LABELS=UNIT_LABELS, error=error, message=message,
                           form=request.form if error else {}), (error.status if error else 200)
