from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from .. import queries
from ..core.db import get_session
from ..core.errors import AppError
from ..core.http import current_user, export_format, export_list, export_response, form_data, parse, roles_required
from ..core.paging import page_number
from ..core.schemas import shared
from ..core.text import local_today
from ..maintenance.services import (CLEANING_METHODS, IN_MAINTENANCE_HEADINGS, WARNING_DAYS, check_inspectable,
                                    checklist_for_device, clean_device, devices_in_maintenance, due_date,
                                    in_maintenance_export_rows, inspect_device)
from ..stock.lifecycle import STATE_LABELS
from ..stock.services import get_device, receiving_place
from . import services
from .schemas import DecisionIn, ExtendIn, HandOverIn, ReceiveReturnIn, ReturnRequestIn
from .therapist_views import loan_action_for_therapist

bp = Blueprint("lending_web", __name__, template_folder="templates")


@bp.app_context_processor
def _labels():
    return {"NEED_STATUS_LABELS": services.NEED_STATUS_LABELS, "RETURN_REASON_LABELS": services.RETURN_REASON_LABELS,
            "NAV_STATUS_LABELS": services.NAV_STATUS_LABELS,
            "URGENCY_LABELS": services.URGENCY_LABELS,
            "CLEANING_METHODS": CLEANING_METHODS}


def _loan_action(loan_id: int, action, schema):
    """A step on a loan from a page: back to the caller's own page, with the error if refused."""
    user = current_user()
    if user.role == "terapeut":
        return loan_action_for_therapist(loan_id, action, schema)
    try:
        services.check_loan_access(get_session(), user.role, user.id, loan_id)
        action(get_session(), user.id, loan_id, **parse(shared(schema), form_data()))
    except AppError as err:
        return _depot_page(err)
    return redirect(url_for("lending_web.depot"))


@bp.post("/utlan/<int:loan_id>/retur")
@roles_required("terapeut", "lager")
def request_return(loan_id: int):
    return _loan_action(loan_id, services.request_return, ReturnRequestIn)


@bp.post("/utlan/<int:loan_id>/forleng")
@roles_required("terapeut", "lager")
def extend_loan(loan_id: int):
    return _loan_action(loan_id, services.extend_loan, ExtendIn)


# --- the start page ---------------------------------------------------------------------------

@bp.get("/start")
@roles_required("lager")
def start():
    """What needs doing today, for admin (their home) and the depot (a link from the scan station)."""
    return render_template("lending/start.html", work=queries.todays_work(get_session(), local_today()),
                           today=local_today())


# --- the depot's page -----------------------------------------------------------------------

def _depot_page(error: AppError | None = None, message: str | None = None, form_name: str | None = None):
    """The depot's page; after a refused scan, the form that was sent (``form_name``) keeps what was typed."""
    session, args = get_session(), request.args
    place = receiving_place(session, current_app.config["RECEIVING_LOCATION"])
    # Each list pages on its own parameter, so paging one keeps the others where they were.
    return render_template("lending/depot.html",
                           undecided=services.undecided_needs(session, page_number(args.get("side_vedtak"))),
                           waiting=services.waiting_needs(session, page_number(args.get("side_ko"))),
                           ready=services.units_ready_for_hand_over(session, page_number(args.get("side_klar")),
                                                                    q=args.get("sok_klar", "")[:100]),
                           returns=services.loans_awaiting_return(session, page_number(args.get("side_retur"))),
                           maintenance=devices_in_maintenance(session, page_number(args.get("side_vask")),
                                                              q=args.get("sok", "")[:100]),
                           error=error, message=message, receiving_place=place, form_name=form_name,
                           form=request.form), error.status if error else 200


@bp.get("/lager/utlan")
@roles_required("lager")
def depot():
    fmt = export_format()
    if fmt:
        # One page, several lists: ``liste`` says which one is downloaded.
        session, which = get_session(), export_list("ko", "vedtak", "klar", "retur", "vask")
        if which == "vedtak":
            return export_response(fmt, "behov-til-vedtak", services.NEED_HEADINGS, services.undecided_export_rows(session))
        if which == "retur":
            user = current_user()
            return export_response(fmt, "returer", services.LOAN_HEADINGS,
                                   services.loan_export_rows(session, user.role, user.id, status="return_requested"))
        if which == "klar":
            return export_response(fmt, "klar-til-utlevering", services.READY_HEADINGS,
                                   services.ready_export_rows(session, request.args.get("sok_klar", "")[:100]))
        if which == "vask":
            return export_response(fmt, "vask-og-kontroll", IN_MAINTENANCE_HEADINGS,
                                   in_maintenance_export_rows(session, request.args.get("sok", "")[:100]))
        return export_response(fmt, "ko", services.NEED_HEADINGS, services.queue_export_rows(session))
    return _depot_page(message=request.args.get("melding"))


def _depot_action(action, message: str, form_name: str | None = None):
    try:
        action()
    except AppError as err:
        return _depot_page(err, form_name=form_name)
    return redirect(url_for("lending_web.depot", melding=message))


@bp.post("/lager/behov/<int:need_id>/vedtak")
@roles_required("lager")
def decide(need_id: int):
    user, session = current_user(), get_session()
    try:
        need = services.decide_need(session, user.id, user.role, need_id, **parse(shared(DecisionIn), form_data()))
    except AppError as err:
        err.message = f"Behov {need_id}: {err.message}"
        return _depot_page(err)
    citizen = services.check_need_access(session, user.role, user.id, need_id).citizen.name
    units = services.need_units(session, [need_id])[need_id]
    if need.status == "rejected":
        message = f"Søknaden for {citizen} er avslått."
    elif units:
        message = f"Innvilget: {', '.join(u.barcode + ' (' + u.product_name + ')' for u in units)} er reservert for {citizen}."
    else:
        message = f"Innvilget for {citizen}, men ingen enhet er ledig: behovet står i kø."
    return redirect(url_for("lending_web.depot", melding=message))


@bp.post("/lager/utlevering")
@roles_required("lager")
def hand_over():
    data = parse(shared(HandOverIn), form_data())
    days = current_app.config["LOAN_DEFAULT_DAYS"]
    return _depot_action(lambda: services.hand_over(get_session(), current_user().id, loan_days=days, **data),
                         f"{data['device_barcode']} er utlånt.", form_name="hand_over")


@bp.post("/lager/retur")
@roles_required("lager")
def receive_return():
    try:
        receipt = services.receive_at_depot(get_session(), current_user().id,
                                            receiving_location=current_app.config["RECEIVING_LOCATION"],
                                            **parse(shared(ReceiveReturnIn), form_data()))
    except AppError as err:
        return _depot_page(err, form_name="receive")
    return redirect(url_for("lending_web.depot", melding=receipt.message))


@bp.post("/lager/vask/<barcode>")
@roles_required("lager")
def clean(barcode: str):
    data = form_data()
    return _depot_action(lambda: clean_device(get_session(), current_user().id, barcode, data.get("method", ""),
                                              data.get("note", "")), f"{barcode} er vasket og venter på kontroll.")


def _after_inspection(session, barcode: str, passed: bool) -> str:
    """Where the inspected unit went: on the shelf, straight to a need waiting in the queue, or not passed."""
    device = get_device(session, barcode)
    where = f" på {device.location.code}" if device.location else ""
    reservation = services.active_reservation(session, device.id) if passed else None
    if reservation is not None:
        user = current_user()
        citizen = services.check_need_access(session, user.role, user.id, reservation.need_id).citizen.name
        return f"{device.barcode}: kontroll godkjent. Den er reservert for {citizen}, som ventet i køen{where}."
    verdict = "godkjent" if passed else "ikke godkjent"
    return f"{device.barcode}: kontroll {verdict}. Den står nå som «{STATE_LABELS[device.state]}»{where}."


@bp.route("/lager/kontroll/<barcode>", methods=["GET", "POST"])
@roles_required("lager")
def inspect(barcode: str):
    session = get_session()
    checklist = checklist_for_device(session, barcode)
    error = None
    if request.method == "POST":
        # «Alle punkter OK» without JavaScript submits the form itself: every point passes.
        all_ok = request.form.get("all_ok") == "1"
        answers = {key: "ok" if all_ok else request.form.get(f"item_{key}") for key in checklist.items}
        results = {key: answer == "ok" for key, answer in answers.items() if answer in ("ok", "avvik")}
        reasons = {key: request.form.get(f"reason_{key}", "") for key in checklist.items}
        try:
            inspection = inspect_device(session, current_user().id, barcode, results, note=request.form.get("note", ""),
                                        on_fail=request.form.get("on_fail", "repair"),
                                        fail_reason=request.form.get("fail_reason", ""), reasons=reasons,
                                        location_code=request.form.get("location_code") or None,
                                        periodic=request.form.get("periodic") == "1")
            message = _after_inspection(session, barcode, inspection.passed)
            return redirect(url_for("lending_web.depot", melding=message))
        except AppError as err:
            error = err
    device = get_device(session, barcode)
    # Say at once when there is nothing to inspect, rather than after every item is ticked.
    ready = True
    try:
        check_inspectable(device)
    except AppError as not_ready:
        ready, error = False, error or not_ready
    problems = error.details.get("reasons", {}) if error is not None and isinstance(error.details, dict) else {}
    due_on = due_date(session, device.id)
    # A unit whose periodic inspection is due within the warning may have it now, with the same checklist.
    periodic_due = due_on if due_on is not None and due_on <= local_today() + timedelta(days=WARNING_DAYS) else None
    return render_template("lending/inspect.html", device=device, checklist=checklist, ready=ready,
                           error=error, form=request.form, problems=problems, periodic_due=periodic_due), \
        error.status if error and request.method == "POST" else 200
