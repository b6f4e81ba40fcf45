from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, redirect, render_template, request, url_for

from ..core.db import get_session
from ..core.errors import AppError
from ..core.paging import list_page, page_number
from ..core.text import local_today
from ..core.sorting import SORT_ARGS, sort_order
from ..core.http import export_format, export_response, current_user, form_data, parse, roles_required
from ..core.schemas import shared
from ..stock.lifecycle import STATE_LABELS
from . import services
from .models import REPAIR_CAUSES
from .services.failures import MIN_LOAN_MONTHS
from .schemas import CountPartIn, FailureQuery, QuarantineIn, QuarantineQuery, ReceivePartIn, ReleaseIn, SparePartIn

bp = Blueprint("maintenance_web", __name__, template_folder="templates")
PAGE_SIZE = 25


def _quarantine_page(error: AppError | None = None, failed_barcode: str | None = None):
    """The page; after a refused release, that row keeps what was chosen and typed."""
    session = get_session()
    if error is not None:
        session.rollback()
    try:
        # The search form sends every field; an empty one (search text, «Alle» reasons) means no filter.
        query = parse(shared(QuarantineQuery), {key: value for key, value in request.args.items()
                                                if value.strip() and key not in SORT_ARGS and key != "format"})
    except AppError:
        query = {"reason": None, "q": None, "limit": PAGE_SIZE, "offset": 0}
    query["limit"] = min(query["limit"], PAGE_SIZE)
    order = sort_order(request.args, services.QUARANTINE_SORTS, "siden", descending=True)
    units, total = services.list_quarantined(session, **query, sort=order)
    return render_template("maintenance/quarantine.html", units=units, total=total, query=query, error=error, order=order,
                           form=request.form, message=request.args.get("melding"), page_size=query["limit"],
                           failed_barcode=failed_barcode,
                           REASON_LABELS=services.REASON_LABELS, STATE_LABELS=STATE_LABELS), error.status if error else 200


@bp.get("/lager/karantene")
@roles_required("lager")
def quarantine_page():
    fmt = export_format()
    if fmt:
        query = parse(shared(QuarantineQuery), {key: value for key, value in request.args.items()
                                                if value.strip() and key in ("reason", "q")})
        order = sort_order(request.args, services.QUARANTINE_SORTS, "siden", descending=True)
        return export_response(fmt, "karantene", services.QUARANTINE_HEADINGS,
                               services.quarantine_export_rows(get_session(), query["reason"], query["q"], order))
    return _quarantine_page()


@bp.post("/lager/karantene")
@roles_required("lager")
def quarantine():
    data = form_data()
    barcode = data.pop("barcode", "")
    try:
        services.quarantine_device(get_session(), current_user().id, barcode, **parse(shared(QuarantineIn), data))
    except AppError as err:
        return _quarantine_page(err)
    return redirect(url_for("maintenance_web.quarantine_page", melding=f"{barcode} er satt i karantene."))


@bp.post("/lager/karantene/<barcode>/slipp")
@roles_required("lager")
def release(barcode: str):
    try:
        entry = services.release_device(get_session(), current_user().id, barcode, **parse(shared(ReleaseIn), form_data()))
    except AppError as err:
        return _quarantine_page(err, failed_barcode=barcode)
    return redirect(url_for("maintenance_web.quarantine_page",
                            melding=f"{barcode} er sluppet fra karantene: «{STATE_LABELS[entry.released_to]}»."))


# --- spare parts (reservedeler) ---------------------------------------------------------------

def _parts_page(error: AppError | None = None, failed_part: int | None = None):
    """The list; after a refused form, that form keeps what was typed."""
    session = get_session()
    if error is not None:
        session.rollback()
    q = request.args.get("q", "").strip()[:100] or None
    below = request.args.get("under_minimum") == "1"
    page = services.list_spare_parts(session, q, below, page_number(request.args.get("side")), PAGE_SIZE)
    return render_template("maintenance/spare_parts.html", page=page, q=q, below=below, error=error,
                           form=request.form, failed_part=failed_part,
                           message=request.args.get("melding")), error.status if error else 200


def _parts_then(action, message, failed_part: int | None = None):
    try:
        result = action()
    except AppError as err:
        return _parts_page(err, failed_part)
    return redirect(url_for("maintenance_web.spare_parts_page", melding=message(result)))


@bp.get("/lager/reservedeler")
@roles_required("lager")
def spare_parts_page():
    fmt = export_format()
    if fmt:
        q = request.args.get("q", "").strip()[:100] or None
        return export_response(fmt, "reservedeler", services.SPARE_PART_HEADINGS,
                               services.spare_part_export_rows(get_session(), q, request.args.get("under_minimum") == "1"))
    return _parts_page()


@bp.get("/lager/reservedeler/<int:part_id>")
@roles_required("lager")
def spare_part_page(part_id: int):
    """A part and its history: every receipt, use on a repair and count, newest first, of one kind if asked."""
    session = get_session()
    reason = request.args.get("hendelse") if request.args.get("hendelse") in services.MOVEMENT_REASON_LABELS else None
    fmt = export_format()
    if fmt:
        return export_response(fmt, "reservedel-historikk", services.MOVEMENT_HEADINGS,
                               services.movement_export_rows(session, part_id, reason))
    movements = services.list_movement_lines(session, part_id, reason, page_number(request.args.get("side")), PAGE_SIZE)
    return render_template("maintenance/spare_part.html", part=services.spare_part_view(session, services.get_spare_part(session, part_id)),
                           movements=movements, reason=reason, REASONS=services.MOVEMENT_REASON_LABELS)


@bp.post("/lager/reservedeler")
@roles_required("lager")
def create_spare_part():
    return _parts_then(lambda: services.create_spare_part(get_session(), current_user().id,
                                                          **parse(shared(SparePartIn), form_data())),
                       lambda part: f"Reservedel {part.part_number} er opprettet.")


@bp.post("/lager/reservedeler/<int:part_id>/mottak")
@roles_required("lager")
def receive_spare_part(part_id: int):
    return _parts_then(lambda: services.receive_spare_part(get_session(), current_user().id, part_id,
                                                           **parse(shared(ReceivePartIn), form_data())),
                       lambda part: f"Mottatt: {part.name} har nå {part.quantity} på lager.", part_id)


@bp.post("/lager/reservedeler/<int:part_id>/telling")
@roles_required("lager")
def count_spare_part(part_id: int):
    return _parts_then(lambda: services.count_spare_part(get_session(), current_user().id, part_id,
                                                         **parse(shared(CountPartIn), form_data())),
                       lambda part: f"Telling lagret: {part.name} har {part.quantity} på lager.", part_id)


# --- failure figures (feilstatistikk) ---------------------------------------------------------

FAILURE_FILTERS = ("date_from", "date_to", "iso_class")


@bp.get("/lager/feilstatistikk")
@roles_required("lager")
def failure_figures_page():
    session = get_session()
    today = local_today()
    error, figures = None, []
    data = {key: value for key, value in request.args.items() if key in FAILURE_FILTERS and value.strip()}
    data.setdefault("date_from", (today - timedelta(days=365)).isoformat())
    data.setdefault("date_to", today.isoformat())
    try:
        query = parse(shared(FailureQuery), data)
        figures = services.failure_figures(session, **query)
    except AppError as err:
        error = err
        query = {"date_from": today - timedelta(days=365), "date_to": today, "iso_class": None}
    fmt = export_format()
    if fmt and error is None:
        return export_response(fmt, "feilstatistikk", services.FAILURE_HEADINGS, services.failure_export_rows(figures))
    page = list_page(figures, page_number(request.args.get("side")), PAGE_SIZE)
    return render_template("maintenance/failure_figures.html", page=page, query=query, error=error,
                           iso_text=request.args.get("iso_class", ""),
                           min_months=MIN_LOAN_MONTHS), error.status if error else 200


@bp.app_context_processor
def _repair_labels():
    return {"REPAIR_CAUSES": REPAIR_CAUSES}
