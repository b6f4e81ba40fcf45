from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from ..citizens.services import list_citizens
from ..core.db import get_session
from ..core.errors import AppError, ValidationFailed
from ..core.http import current_user, export_format, export_list, export_response, form_data, parse, roles_required
from ..core.paging import page_number
from ..core.schemas import shared
from ..maintenance import services as maintenance
from ..maintenance.schemas import CompleteRepairIn, RepairIn
from ..stock.services import device_history, get_device
from . import deliver_outbox_after_commit, get_port, job_session_factory, jobs, services
from .schemas import PartOrderIn, ReceiveIn, ResolveIn, ReturnIn

bp = Blueprint("nav_web", __name__, template_folder="templates")

PLACE_LABELS = {"home": "Hos bruker", "depot": "På lageret"}


@bp.app_context_processor
def _labels():
    return {"LINE_STATE_LABELS": services.LINE_STATE_LABELS, "LEVERING_LABELS": services.LEVERING_LABELS,
            "part_order_status_label": services.part_order_status_label, "PLACE_LABELS": PLACE_LABELS,
            "order_line_status_label": services.order_line_status_label, "SHIPPED_STATUSES": services.SHIPPED_STATUSES,
            "APPLICATION_STATUS_LABELS": services.APPLICATION_STATUS_LABELS}


CITIZEN_CHOICES = 50


def _depot_page(error: AppError | None = None):
    session = get_session()
    if error is not None:
        session.rollback()
    user, args = current_user(), request.args
    arrivals = services.arrivals_page(session, page_number(args.get("side_mottak")), size=20)
    # The citizen picker lists those whose name matches what was typed; one more than shown tells
    # whether the list was cut.
    search = args.get("innbygger", "").strip()[:100]
    citizens = list_citizens(session, user.role, user.id, q=search or None, limit=CITIZEN_CHOICES + 1)
    return render_template(
        "nav/depot.html", error=error, form=request.form, message=args.get("melding"),
        upcoming=services.upcoming_page(session, page_number(args.get("side_leveranser")),
                                        q=args.get("sok", "").strip()[:100] or None),
        counts=services.count_order_lines(session),
        sync_state=services.get_sync_state(session), arrivals=arrivals,
        lines_for=services.expected_lines_for(session, [a.hms_nr for a in arrivals]),
        awaiting_decision=services.nav_returns_awaiting_decision(session, page_number(args.get("side_retur"))),
        outbox=services.outbox_summary(session),
        default_location=current_app.config["RECEIVING_LOCATION"],
        citizens=citizens[:CITIZEN_CHOICES], citizens_cut=len(citizens) > CITIZEN_CHOICES, citizen_search=search,
        interval=current_app.config["NAV_SYNC_INTERVAL_MINUTES"],
    ), error.status if error else 200


def _then(action, message):
    try:
        result = action()
    except AppError as err:
        return _depot_page(err)
    return redirect(url_for("nav_web.depot", melding=message(result) if callable(message) else message))


@bp.get("/lager/nav")
@roles_required("lager")
def depot():
    fmt = export_format()
    if fmt:
        # One page, several lists: ``liste`` says which one is downloaded (the deliveries without one).
        session, which = get_session(), export_list("leveranser", "mottak", "retur")
        if which == "mottak":
            return export_response(fmt, "nav-mottak-uten-ordrelinje", services.ARRIVAL_HEADINGS,
                                   services.arrival_export_rows(session))
        if which == "retur":
            return export_response(fmt, "nav-retur", services.NAV_RETURN_HEADINGS,
                                   services.nav_return_export_rows(session))
        return export_response(fmt, "nav-leveranser", services.UPCOMING_HEADINGS,
                               services.upcoming_export_rows(session, q=request.args.get("sok", "").strip()[:100] or None))
    return _depot_page()


@bp.post("/lager/nav/synk")
@roles_required("lager")
def sync():
    def run():
        return jobs.run_all(job_session_factory(), get_port(), current_app.extensions["fnr_vault"],
                            current_app.config["NAV_PAGE_SIZE"], force_outbox=True)

    def said(summary):
        if not summary.ok:
            return f"NAV svarte ikke: {summary.error}. Det som kom inn før feilen er lagret; prøv igjen."
        return (f"Hentet fra NAV: {summary.applied.new} nye og {summary.applied.updated} endrede ordrelinjer"
                f" ({summary.applied.unchanged} uendret), {summary.applied.needs_matched} koblet til behov.")

    return _then(run, said)


@bp.post("/lager/nav/mottak")
@roles_required("lager")
def receive():
    try:
        received = services.receive_nav_device(get_session(), current_user().id, **parse(shared(ReceiveIn), form_data()),
                                               receiving_location=current_app.config["RECEIVING_LOCATION"])
    except AppError as err:
        return _depot_page(err)
    if received.matched:
        return redirect(url_for("stock_web.device", barcode=received.device.barcode, etikett="1"))
    return redirect(url_for("nav_web.depot", melding=" ".join(received.messages)))


@bp.post("/lager/nav/mottak/<int:arrival_id>/avklar")
@roles_required("lager")
def resolve(arrival_id: int):
    data = form_data()
    if "order_line_id" in data and not data["order_line_id"].isdigit():
        data.pop("order_line_id")
    return _then(lambda: services.resolve_arrival(get_session(), current_user().id, arrival_id,
                                                  **parse(shared(ResolveIn), data),
                                                  receiving_location=current_app.config["RECEIVING_LOCATION"]),
                 "Mottaket er avklart.")


@bp.post("/lager/nav/retur")
@roles_required("lager")
def nav_return():
    def run():
        device = services.return_nav_device(get_session(), current_user().id, **parse(shared(ReturnIn), form_data()))
        deliver_outbox_after_commit()
        return device

    return _then(run, lambda device: f"{device.barcode}: " + (
        "sendes tilbake til NAV." if device.state == "returned_to_nav" else "beholdes for gjenbruk og går til vask."))


@bp.post("/lager/nav/innbygger-utlan")
@roles_required("lager")
def import_loans():
    user = current_user()
    citizen_id = request.form.get("citizen_id", "")
    if not citizen_id.isdigit():
        return _depot_page(ValidationFailed.for_field("citizen_id", "Velg en innbygger."))
    try:
        devices = services.import_citizen_nav_loans(get_session(), get_port(), current_app.extensions["fnr_vault"],
                                                    user.role, user.id, int(citizen_id))
    except AppError as err:
        return _depot_page(err)
    if not devices:
        return redirect(url_for("nav_web.depot", melding="Fant ingen nye NAV-hjelpemidler hos innbyggeren."))
    return redirect(url_for("stock_web.labels", barcodes=",".join(d.barcode for d in devices)))


# --- service on one device: repairs and spare-part orders -------------------------------------

def _service_page(barcode: str, error: AppError | None = None, message: str | None = None):
    session = get_session()
    if error is not None:
        session.rollback()
    device = get_device(session, barcode)
    return render_template("nav/service.html", device=device, error=error, form=request.form,
                           message=message or request.args.get("melding"),
                           warranty=maintenance.device_warranty(session, device),
                           repairs=maintenance.list_repairs(session, device.id),
                           part_orders=services.list_part_orders(session, device.barcode),
                           history=device_history(session, device.id)[-15:]), error.status if error else 200


def _service_then(barcode: str, action, message: str):
    try:
        action()
    except AppError as err:
        return _service_page(barcode, err)
    return redirect(url_for("nav_web.service", barcode=barcode, melding=message))


@bp.get("/service/<barcode>")
@roles_required("lager", "sjafor")
def service(barcode: str):
    return _service_page(barcode)


@bp.post("/service/<barcode>/reparasjon")
@roles_required("lager", "sjafor")
def open_repair(barcode: str):
    data = form_data()
    return _service_then(barcode, lambda: maintenance.open_repair(
        get_session(), current_user().id, **parse(shared(RepairIn), {**_filled(data, "place", "description", "cause"),
                                                                     "barcode": barcode})),
                         "Reparasjonen er opprettet.")


@bp.post("/service/<barcode>/reparasjon/<int:repair_id>/ferdig")
@roles_required("lager", "sjafor")
def complete_repair(barcode: str, repair_id: int):
    data = form_data()
    parts = [_filled(data, f"part_hmsnr_{i}", f"part_navn_{i}", f"part_antall_{i}", prefix="part_", suffix=f"_{i}")
             for i in range(3) if data.get(f"part_navn_{i}")]
    return _service_then(barcode, lambda: maintenance.complete_repair(
        get_session(), current_user().id, repair_id,
        **parse(shared(CompleteRepairIn), {**_filled(data, "work_done", "minutes_spent", "cause"), "parts_used": parts,
                                           "stock_parts": _stock_parts(data)})),
        "Reparasjonen er registrert i historikken.")


STOCK_PART_ROWS = 3


def _stock_parts(data: dict) -> list[dict]:
    """Parts from the municipality's stock: chosen in the type-ahead (its id), or typed by part number
    when the page is used without it."""
    rows = []
    for i in range(STOCK_PART_ROWS):
        chosen, typed = data.get(f"stock_part_id_{i}", ""), data.get(f"stock_part_{i}", "")
        if not chosen and not typed:
            continue
        if not chosen.isdigit():
            chosen = str(maintenance.find_spare_part(get_session(), typed, field="stock_parts").id)
        rows.append({"spare_part_id": chosen, "quantity": data.get(f"stock_antall_{i}", "1")})
    return rows


@bp.post("/service/<barcode>/delbestilling")
@roles_required("lager", "sjafor")
def order_parts(barcode: str):
    data = form_data()
    parts = [{"antall": "1", **_filled(data, f"hmsnr_{i}", f"navn_{i}", f"kategori_{i}", f"antall_{i}", suffix=f"_{i}")}
             for i in range(3) if data.get(f"hmsnr_{i}") or data.get(f"navn_{i}")]
    payload = {**_filled(data, "levering", "repair_id"), "barcode": barcode, "parts": parts}
    if data.get("battery_training") == "on":
        payload["battery_training"] = True

    def run():
        order = services.order_parts(get_session(), current_user().id, **parse(shared(PartOrderIn), payload))
        deliver_outbox_after_commit()
        return order

    return _service_then(barcode, run, "Delbestillingen er lagt i utboksen og sendes til NAV.")


def _filled(data: dict, *names: str, prefix: str = "", suffix: str = "") -> dict:
    """The form's filled-in fields for a schema: an empty box counts as not given (so the schema's default
    or its «required» answers), and the row marks of a repeated field (``part_navn_1``) are dropped."""
    return {name.removeprefix(prefix).removesuffix(suffix): data[name] for name in names if data.get(name, "") != ""}
