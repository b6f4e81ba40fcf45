from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for

from ..core.db import get_session
from ..core.errors import AppError
from ..core.http import export_format, export_response, current_user, form_data, parse, roles_required
from ..core.paging import page_number
from ..core.schemas import shared
from ..core.text import local_today
from ..stock.lifecycle import STATE_LABELS
from ..stock.services import get_device
from . import services
from .models import INJURIES
from .schemas import IncidentIn, SentIn

bp = Blueprint("incidents_web", __name__, template_folder="templates")
PAGE_SIZE = 25


def _new_page(error: AppError | None = None):
    session = get_session()
    if error is not None:
        session.rollback()
    barcode = (request.form.get("barcode") or request.args.get("strekkode") or "").strip()[:100]
    device = None
    if barcode:
        try:
            device = get_device(session, barcode)
        except AppError:
            device = None  # the form says so when it is sent
    return render_template("incidents/new.html", barcode=barcode, device=device, error=error, form=request.form,
                           reported=request.args.get("meldt"), INJURY_LABELS=services.INJURY_LABELS,
                           STATE_LABELS=STATE_LABELS), error.status if error else 200


@bp.get("/uhell/ny")
@roles_required("lager", "sjafor")
def new():
    return _new_page()


@bp.post("/uhell/ny")
@roles_required("lager", "sjafor")
def report():
    try:
        incident = services.report_incident(get_session(), current_user().id, **parse(shared(IncidentIn), form_data()))
    except AppError as err:
        return _new_page(err)
    if current_user().has_role("lager"):
        return redirect(url_for("incidents_web.detail", incident_id=incident.id,
                                melding=f"Uhellet er meldt, og {incident.barcode} er satt i karantene."))
    return redirect(url_for("incidents_web.new", meldt=incident.barcode))


@bp.get("/lager/uhell")
@roles_required("lager")
def incidents():
    args = request.args
    q = args.get("q", "").strip()[:100] or None
    injury = args.get("skade") if args.get("skade") in INJURIES else None
    not_sent = args.get("ikke_sendt") == "ja"
    fmt = export_format()
    if fmt:
        return export_response(fmt, "uhell", services.INCIDENT_HEADINGS,
                               services.incident_export_rows(get_session(), q, injury, not_sent))
    page = services.list_incidents(get_session(), q, injury, not_sent, page_number(args.get("side")), PAGE_SIZE)
    return render_template("incidents/list.html", page=page, q=q or "", injury=injury, not_sent=not_sent,
                           today=local_today(), INJURY_LABELS=services.INJURY_LABELS)


def _detail_page(incident_id: int, error: AppError | None = None):
    session = get_session()
    if error is not None:
        session.rollback()
    incident = services.get_incident(session, incident_id)
    return render_template("incidents/detail.html", incident=incident, error=error, form=request.form,
                           export=services.incident_export(incident), fields=services.EXPORT_FIELDS,
                           flagged=services.is_flagged(incident), today=local_today(),
                           message=request.args.get("melding"), INJURY_LABELS=services.INJURY_LABELS
                           ), error.status if error else 200


@bp.get("/lager/uhell/<int:incident_id>")
@roles_required("lager")
def detail(incident_id: int):
    return _detail_page(incident_id)


@bp.post("/lager/uhell/<int:incident_id>/sendt")
@roles_required("lager")
def mark_sent(incident_id: int):
    try:
        services.mark_incident_sent(get_session(), current_user().id, incident_id, **parse(shared(SentIn), form_data()))
    except AppError as err:
        return _detail_page(incident_id, err)
    return redirect(url_for("incidents_web.detail", incident_id=incident_id,
                            melding="Uhellet er markert som sendt til myndighetene."))
