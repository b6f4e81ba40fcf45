"""The twin's pages for the depot: the map (with search, time travel and the same content as a
table), a place's units, and the overview with minimum stock."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for

from ..catalog.iso import format_iso_class, iso_title
from ..catalog.services import product_from_text
from ..core.db import get_session, utcnow
from ..core.errors import AppError
from ..core.http import form_data, parse, roles_required
from ..core.paging import counted_page, list_page, page_number
from ..core.schemas import shared
from ..core.text import local_today
from ..stock.services import get_device
from . import services
from .schemas import MapQuery, MinimumIn, MomentArgs

bp = Blueprint("twin_web", __name__, template_folder="templates")
TABLE_PAGE = 50
LIST_PAGE = 25


def _args(schema) -> tuple[dict, AppError | None]:
    """The page's own query (empty fields are no filter); a bad value is named, the page still shown."""
    given = {key: value for key, value in request.args.items() if value.strip() and key in schema.fields}
    try:
        return parse(schema, given), None
    except AppError as error:
        return parse(schema, {}), error


@bp.get("/lager/tvilling")
@roles_required("lager")
def map_page():
    session = get_session()
    args, error = _args(shared(MapQuery))
    try:
        the_map = services.depot_map(session, local_today(), args["q"], args["zone"], args["at"])
    except AppError as refused:
        error, args = refused, {**args, "zone": None, "at": None}
        the_map = services.depot_map(session, local_today(), args["q"])
    unit_then = None
    if request.args.get("enhet", "").strip():
        try:
            device = get_device(session, request.args["enhet"][:40])
            unit_then = services.device_at(session, device.id, device.barcode, args["at"] or utcnow())
        except AppError as unknown:
            error = error or unknown
    # The table lists what the map draws as places: bins, and racks or shelves only when units stand on them.
    places = sorted((p for p in the_map.shown if p.kind == "bin" or (p.kind != "zone" and p.counts)),
                    key=lambda p: p.code)
    zones = sorted((p for p in the_map.places.values() if p.kind == "zone"), key=lambda p: p.code)
    return render_template("twin/map.html", the_map=the_map, args=args, error=error, zones=zones,
                           table=list_page(places, page_number(request.args.get("side")), TABLE_PAGE),
                           unit_then=unit_then, GROUP_LABELS=services.GROUP_LABELS), error.status if error else 200


@bp.get("/lager/tvilling/plass/<code>")
@roles_required("lager")
def place_page(code: str):
    session = get_session()
    args, error = _args(shared(MomentArgs))
    place = services.place_by_code(session, code)
    places = services.load_places(session)
    for place_id, groups in services.count_by_place(session).items():
        if place_id in places:
            places[place_id].counts = groups
    services.roll_up(places)
    number = page_number(request.args.get("side"))
    units, total = services.units_at(session, services.subtree_ids(places, place.id), args["at"], LIST_PAGE,
                                     (number - 1) * LIST_PAGE)
    page = counted_page(units, total, number, LIST_PAGE)
    return render_template("twin/place.html", place=places[place.id], page=page, args=args, error=error,
                           parent=places.get(place.parent_id)), error.status if error else 200


def _overview(error: AppError | None = None):
    session = get_session()
    moment, bad_moment = _args(shared(MomentArgs))
    error = error or bad_moment
    by = "iso_class" if request.args.get("etter") == "iso" else "product"
    q = request.args.get("q", "").strip()[:100] or None
    number = page_number(request.args.get("side"))
    rows, total = services.units_by_product(session, q, LIST_PAGE, (number - 1) * LIST_PAGE, by_class=by == "iso_class")
    page = counted_page(rows, total, number, LIST_PAGE)
    return render_template("twin/overview.html", kinds=services.units_by_place_kind(session, moment["at"]),
                           at=moment["at"],
                           owners=services.units_by_owner(session), minimums=services.list_minimums(session),
                           page=page, by=by, q=q or "", error=error, form=request.form,
                           message=request.args.get("melding"), format_iso=format_iso_class,
                           iso_title=iso_title), error.status if error else 200


@bp.get("/lager/oversikt")
@roles_required("lager")
def overview_page():
    return _overview()


@bp.post("/lager/oversikt/minimum")
@roles_required("lager")
def set_minimum():
    session = get_session()
    data = form_data()
    try:
        if data.get("product", "").strip() and not data.get("product_id"):
            data["product_id"] = str(product_from_text(session, data["product"]).id)
        data.pop("product", None)
        parse_in = {key: value for key, value in data.items() if value.strip() and key in shared(MinimumIn).fields}
        services.set_minimum(session, **parse(shared(MinimumIn), parse_in))
    except AppError as error:
        session.rollback()
        return _overview(error)
    return redirect(url_for("twin_web.overview_page", melding="Minimumsbeholdningen er lagret."))


@bp.post("/lager/oversikt/minimum/<int:minimum_id>/fjern")
@roles_required("lager")
def remove_minimum(minimum_id: int):
    try:
        services.remove_minimum(get_session(), minimum_id)
    except AppError as error:
        return _overview(error)
    return redirect(url_for("twin_web.overview_page", melding="Minimumsbeholdningen er fjernet."))
