from __future__ import annotations

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for

from ..catalog.services import product_from_text
from ..core.db import get_session
from ..catalog.models import Product
from ..core.errors import AppError, ValidationFailed
from ..core.http import current_user, export_format, export_response, form_data, parse, roles_required
from ..core.paging import page_number
from ..core.schemas import shared
from ..core.text import local_today
from ..documents.barcode_image import code128_svg
from .. import queries
from . import services
from .label_layouts import resolve_layout
from .lifecycle import EVENT_LABELS, STATE_LABELS
from .models import CONDITIONS, LOCATION_KINDS, PURPOSE_LABELS
from .schemas import DeviceIn, DeviceQuery, LocationIn, LocationLayoutIn

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
    # The depot worker lands here with a scanner in hand: today's work is beside the scan field.
    work = queries.todays_work(get_session(), local_today()) if current_user().role == "lager" else None
    return render_template("stock/scan.html", work=work, today=local_today())


@bp.get("/hjelpemidler")
@roles_required(*READERS)
def devices():
    # An empty filter from the form is no filter.
    fmt = export_format()
    query = parse(shared(DeviceQuery), {key: value for key, value in request.args.items()
                                        if value.strip() and key != "format"})
    session = get_session()
    if fmt:
        filters = {key: query[key] for key in ("product_id", "state", "owner", "location_code", "q", "iso_class")}
        return export_response(fmt, "hjelpemidler", services.DEVICE_HEADINGS,
                               services.device_export_rows(session, **filters))
    try:
        page = services.device_page(session, **query)
    except ValidationFailed as unknown_place:
        return render_template("stock/devices.html", page=None, query=query, error=unknown_place,
                               product=None), unknown_place.status
    product = session.get(Product, query["product_id"]) if query["product_id"] else None
    return render_template("stock/devices.html", page=page, query=query, error=None, product=product)


@bp.get("/hjelpemidler/<barcode>")
@roles_required(*READERS)
def device(barcode: str):
    session = get_session()
    found = services.get_device(session, barcode)
    return render_template("stock/device.html", device=found, history=services.device_history(session, found.id),
                           holder=queries.device_holder(session, found), hold=queries.device_hold(session, found),
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
            typed = data.pop("product", "")
            if "product_id" not in data:  # typed without choosing in the type-ahead (or without JavaScript)
                data["product_id"] = product_from_text(session, typed).id
            created = services.register_device(session, current_user().id, **parse(DeviceIn(), data))
            return redirect(url_for("stock_web.device", barcode=created.barcode, etikett="1" if print_now else None))
        except AppError as err:
            error = err
    return render_template("stock/register.html", error=error, form=request.form, conditions=CONDITIONS), \
        error.status if error else 200


def _render_locations(error: AppError | None = None, layout: dict | None = None):
    """One level of the tree at a time: the location chosen (``kode``) and a page of what lies in it,
    or, without one, the depots and what lies directly in them; or a search. Device counts for the
    locations shown only."""
    session, args = get_session(), request.args
    number, search = page_number(args.get("side")), args.get("q", "").strip()[:100]
    parent, page, children = None, None, {}
    if search:
        page = services.search_locations(session, search, number)
    else:
        try:
            parent, page = services.location_children(session, args.get("kode", "").strip()[:40] or None, number)
        except AppError as unknown:
            error = error or unknown
            parent, page = services.location_children(session, None, number)
        if parent is None:
            children = services.children_of(session, [location.id for location in page])
    shown = [location.id for location in page] + [c.id for listed in children.values() for c in listed]
    if parent is not None:
        shown.append(parent.id)
    return render_template("stock/locations.html", parent=parent, page=page, children=children, search=search,
                           counts=services.count_devices_at(session, shown), error=error, form=request.form,
                           kinds=LOCATION_KINDS, layout=layout or {}, PURPOSE_LABELS=PURPOSE_LABELS,
                           message=args.get("melding")), error.status if error else 200


@bp.get("/lokasjoner")
@roles_required(*READERS)
def locations():
    return _render_locations()


@bp.post("/lokasjoner/<code>/kart")
@roles_required("lager")
def update_location_layout(code: str):
    # An emptied field clears the value (back to the zone's purpose, the kind's default size).
    form = {key: (value if value.strip() else None) for key, value in form_data().items()
            if key in ("x", "y", "width", "depth", "rotation", "purpose")}
    form["rotation"] = form.get("rotation") or 0
    try:
        services.update_location_layout(get_session(), code, **parse(shared(LocationLayoutIn), form))
    except AppError as err:
        get_session().rollback()
        return _render_locations(err, layout=form_data())
    return redirect(url_for("stock_web.locations", kode=code, melding="Plasseringen på kartet er lagret."))


@bp.post("/lokasjoner")
@roles_required()
def create_location():
    try:
        services.create_location(get_session(), **parse(LocationIn(), form_data()))
    except AppError as err:
        return _render_locations(err)
    return redirect(url_for("stock_web.locations", kode=request.args.get("kode") or None))


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
