from __future__ import annotations

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for

from ..catalog.services import list_products
from ..core.db import get_session
from ..core.errors import AppError
from ..core.http import current_user, form_data, parse, parse_args, roles_required
from ..documents.barcode_image import code128_svg
from .. import queries
from . import services
from .label_layouts import resolve_layout
from .lifecycle import EVENT_LABELS, STATE_LABELS
from .models import CONDITIONS, LOCATION_KINDS
from .schemas import DeviceIn, DeviceQuery, LocationIn

bp = Blueprint("stock_web", __name__, template_folder="templates")
READERS = ("lager", "sjafor", "terapeut")
CONDITION_LABELS = {"new": "Ny", "good": "God", "fair": "Brukbar", "poor": "Dårlig"}
KIND_LABELS = {"depot": "Lager", "zone": "Sone", "rack": "Reol", "shelf": "Hylle", "bin": "Hyllerom", "van": "Bil"}


@bp.app_context_processor
def _labels():
    return {"STATE_LABELS": STATE_LABELS, "EVENT_LABELS": EVENT_LABELS, "CONDITION_LABELS": CONDITION_LABELS,
            "KIND_LABELS": KIND_LABELS}


@bp.get("/skann")
@roles_required("lager", "sjafor")
def scan_station():
    return render_template("stock/scan.html")


@bp.get("/hjelpemidler")
@roles_required(*READERS)
def devices():
    query = parse_args(DeviceQuery())
    session = get_session()
    return render_template("stock/devices.html", devices=services.list_devices(session, **query), query=query,
                           locations=services.list_locations(session))


@bp.get("/hjelpemidler/<barcode>")
@roles_required(*READERS)
def device(barcode: str):
    session = get_session()
    found = services.get_device(session, barcode)
    return render_template("stock/device.html", device=found, history=services.device_history(session, found.id),
                           holder=queries.device_holder(session, found),
                           barcode_svg=code128_svg(found.barcode), print_label=request.args.get("etikett") == "1",
                           layouts=sorted(current_app.extensions["label_layouts"]))


@bp.route("/hjelpemidler/ny", methods=["GET", "POST"])
@roles_required("lager")
def register_device():
    session = get_session()
    error = None
    if request.method == "POST":
        try:
            data = form_data()
            print_now = data.pop("print_label", None) == "on"
            created = services.register_device(session, current_user().id, **parse(DeviceIn(), data))
            return redirect(url_for("stock_web.device", barcode=created.barcode, etikett="1" if print_now else None))
        except AppError as err:
            error = err
    return render_template("stock/register.html", error=error, form=request.form,
                           products=list_products(session, limit=500), locations=services.list_locations(session),
                           conditions=CONDITIONS), error.status if error else 200


def _render_locations(error: AppError | None = None):
    session = get_session()
    all_locations = services.list_locations(session)
    children: dict[int | None, list] = {}
    for location in all_locations:
        children.setdefault(location.parent_id, []).append(location)
    return render_template("stock/locations.html", children=children, counts=services.count_devices_by_location(session),
                           error=error, form=request.form, kinds=LOCATION_KINDS, all_locations=all_locations), \
        error.status if error else 200


@bp.get("/lokasjoner")
@roles_required(*READERS)
def locations():
    return _render_locations()


@bp.post("/lokasjoner")
@roles_required()
def create_location():
    try:
        services.create_location(get_session(), **parse(LocationIn(), form_data()))
    except AppError as err:
        return _render_locations(err)
    return redirect(url_for("stock_web.locations"))


def _labels_page(form, error: AppError | None = None):
    """The label form; each layout says how many labels a sheet holds, so the page offers «skip used
    labels» only where there is a sheet to skip on."""
    layouts = current_app.extensions["label_layouts"]
    options = [(layouts[name], services.labels_per_sheet(layouts[name])) for name in sorted(layouts)]
    chosen = form.get("layout") or current_app.config["DEFAULT_LABEL_LAYOUT"]
    per_page = dict((layout.name, n) for layout, n in options).get(chosen, 1)
    page = render_template("stock/labels.html", error=error, form=form, layouts=options, chosen=chosen,
                           per_page=per_page)
    return (page, error.status) if error else page


@bp.route("/etiketter", methods=["GET", "POST"])
@roles_required("lager")
def labels():
    if request.method == "GET":
        return _labels_page({"barcodes": request.args.get("barcodes", "")})
    barcodes = request.form.get("barcodes", "").split()
    kind = request.form.get("kind", "device")
    session, footer = get_session(), current_app.config["DEPOT_NAME"]
    try:
        layout = resolve_layout(request.form.get("layout"))
        start_position = services.check_start_position(layout, request.form.get("start_position", "0"))
        data = (services.location_label_data(session, barcodes, footer) if kind == "location"
                else services.device_label_data(session, barcodes, footer))
        body, mimetype = services.render_labels(data, layout, start_position)
    except AppError as err:
        return _labels_page(request.form, err)
    extension = "zpl" if mimetype == "application/zpl" else "pdf"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f"inline; filename=etiketter.{extension}"})
