from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from ..catalog.iso import ISO_TITLES
from ..catalog.services import list_products
from ..citizens.schemas import CitizenIn
from ..citizens.services import list_citizens, register_citizen
from ..core.db import get_session
from ..core.errors import AppError
from ..core.http import current_user, form_data, parse, roles_required
from ..core.paging import page_number
from ..core.schemas import shared
from ..maintenance.services import (CLEANING_METHODS, check_inspectable, checklist_for_device, clean_device,
                                    devices_in_maintenance, inspect_device)
from ..stock.lifecycle import STATE_LABELS
from ..stock.services import get_device, receiving_place
from . import services
from .schemas import DecisionIn, ExtendIn, HandOverIn, NeedIn, ReceiveReturnIn, ReturnRequestIn

bp = Blueprint("lending_web", __name__, template_folder="templates")


@bp.app_context_processor
def _labels():
    return {"NEED_STATUS_LABELS": services.NEED_STATUS_LABELS, "RETURN_REASON_LABELS": services.RETURN_REASON_LABELS,
            "NAV_STATUS_LABELS": services.NAV_STATUS_LABELS,
            "URGENCY_LABELS": {"discharge": "Utskrivning fra sykehus", "urgent": "Haster", "normal": "Normal"},
            "CLEANING_METHODS": CLEANING_METHODS}


# --- the therapist's page -------------------------------------------------------------------

def _therapist_page(error: AppError | None = None, form_name: str | None = None):
    session, user = get_session(), current_user()
    citizens = list_citizens(session, user.role, user.id, limit=500)
    needs = services.list_needs(session, user.role, user.id, limit=500)
    units = services.need_units(session, [need.id for need in needs])
    by_citizen: dict[int, list] = {}
    for need in needs:
        by_citizen.setdefault(need.citizen_id, []).append(need)
    return render_template("lending/therapist.html", citizens=citizens, by_citizen=by_citizen, units=units,
                           products=list_products(session, limit=500), iso_titles=ISO_TITLES, error=error,
                           form_name=form_name, form=request.form, today=date.today()), error.status if error else 200


@bp.get("/terapeut")
@roles_required("terapeut")
def therapist():
    return _therapist_page()


@bp.post("/terapeut/innbyggere")
@roles_required("terapeut")
def create_citizen():
    try:
        register_citizen(get_session(), current_app.extensions["fnr_vault"], current_user().id,
                         **parse(shared(CitizenIn), form_data()))
    except AppError as err:
        return _therapist_page(err, "citizen")
    return redirect(url_for("lending_web.therapist"))


@bp.post("/terapeut/behov")
@roles_required("terapeut")
def create_need():
    user = current_user()
    try:
        services.register_need(get_session(), user.id, user.role, **parse(shared(NeedIn), form_data()))
    except AppError as err:
        return _therapist_page(err, "need")
    return redirect(url_for("lending_web.therapist"))


@bp.post("/terapeut/behov/<int:need_id>/nav")
@roles_required("terapeut")
def send_to_nav(need_id: int):
    user = current_user()
    try:
        services.check_need_access(get_session(), user.role, user.id, need_id)
        services.decide_need(get_session(), user.id, user.role, need_id, "send_to_nav")
    except AppError as err:
        return _therapist_page(err)
    return redirect(url_for("lending_web.therapist"))


def _loan_action(loan_id: int, action, schema):
    """A step on a loan from a page: back to the caller's own page, with the error if refused."""
    user = current_user()
    try:
        services.check_loan_access(get_session(), user.role, user.id, loan_id)
        action(get_session(), user.id, loan_id, **parse(shared(schema), form_data()))
    except AppError as err:
        return _therapist_page(err) if user.role == "terapeut" else _depot_page(err)
    return redirect(url_for("lending_web.therapist" if user.role == "terapeut" else "lending_web.depot"))


@bp.post("/utlan/<int:loan_id>/retur")
@roles_required("terapeut", "lager")
def request_return(loan_id: int):
    return _loan_action(loan_id, services.request_return, ReturnRequestIn)


@bp.post("/utlan/<int:loan_id>/forleng")
@roles_required("terapeut", "lager")
def extend_loan(loan_id: int):
    return _loan_action(loan_id, services.extend_loan, ExtendIn)


# --- the depot's page -----------------------------------------------------------------------

def _depot_page(error: AppError | None = None, message: str | None = None, form_name: str | None = None):
    """The depot's page; after a refused scan, the form that was sent (``form_name``) keeps what was typed."""
    session, args = get_session(), request.args
    place = receiving_place(session, current_app.config["RECEIVING_LOCATION"])
    # Each list pages on its own parameter, so paging one keeps the others where they were.
    return render_template("lending/depot.html",
                           undecided=services.undecided_needs(session, page_number(args.get("side_vedtak"))),
                           waiting=services.waiting_needs(session, page_number(args.get("side_ko"))),
                           ready=services.units_ready_for_hand_over(session, page_number(args.get("side_klar"))),
                           returns=services.loans_awaiting_return(session, page_number(args.get("side_retur"))),
                           maintenance=devices_in_maintenance(session, page_number(args.get("side_vask")),
                                                              q=args.get("sok", "")[:100]),
                           error=error, message=message, receiving_place=place, form_name=form_name,
                           form=request.form), error.status if error else 200


@bp.get("/lager/utlan")
@roles_required("lager")
def depot():
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
        results = {key: request.form.get(f"item_{key}") == "ok" for key in checklist.items}
        try:
            inspection = inspect_device(session, current_user().id, barcode, results, note=request.form.get("note", ""),
                                        on_fail=request.form.get("on_fail", "repair"),
                                        fail_reason=request.form.get("fail_reason", ""),
                                        location_code=request.form.get("location_code") or None)
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
    return render_template("lending/inspect.html", device=device, checklist=checklist, ready=ready,
                           error=error, form=request.form), error.status if error and request.method == "POST" else 200
