"""The twin's pages for the depot: the map (with search, time travel and the same content as a
table), a place's units, and the overview with minimum stock."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for

from ..catalog.iso import format_iso_class, iso_title
from ..catalog.services import product_from_text
from ..core.db import get_session, utcnow
from ..core.errors import AppError
from ..core.http import export_format, export_list, export_response, form_data, parse, roles_required
from ..core.paging import counted_page, list_page, page_number
from ..core.schemas import shared
from ..core.text import local_today
from ..stock.services import get_device
from . import services
from .schemas import MapQuery, MinimumIn, MomentArgs

bp = Blueprint("twin_web", __name__, template_folder="templates")
TABLE_PAGE = 50
LIST_PAGE = 25


def _given(schema) -> dict:
    return {key: value for key, value in request.args.items() if value.strip() and key in schema.fields}


def _args(schema) -> tuple[dict, AppError | None]:
    """The page's own query (empty fields are no filter); a bad value is named, the page still shown."""
    try:
        return parse(schema, _given(schema)), None
    except AppError as error:
        return parse(schema, {}), error


def _map_export(fmt: str):
    """One of the map page's tables as a file (``liste``): the places (as the time travel shows them),
    the search's hits, or the units at homes by postcode. A bad filter is refused, not dropped."""
    args = parse(shared(MapQuery), _given(shared(MapQuery)))
    the_map = services.depot_map(get_session(), local_today(), args["q"], args["zone"], args["at"])
    which = export_list("plasser", "treff", "postnummer")
    if which == "treff":
        return export_response(fmt, "ledige-treff", services.HIT_HEADINGS, services.hit_export_rows(the_map))
    if which == "postnummer":
        return export_response(fmt, "hos-innbyggere", services.AREA_HEADINGS, services.area_export_rows(the_map))
    return export_response(fmt, "lagerplasser", services.PLACE_HEADINGS, services.place_export_rows(the_map))


@bp.get("/lager/tvilling")
@roles_required("lager")
def map_page():
    fmt = export_format()
    if fmt:
        return _map_export(fmt)
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
    places = services.map_places(the_map)
    zones = sorted((p for p in the_map.places.values() if p.kind == "zone"), key=lambda p: p.code)
    return render_template("twin/map.html", the_map=the_map, args=args, error=error, zones=zones,
                           table=list_page(places, page_number(request.args.get("side")), TABLE_PAGE),
                           unit_then=unit_then, GROUP_LABELS=services.GROUP_LABELS), error.status if error else 200


@bp.get("/lager/tvilling/plass/<code>")
@roles_required("lager")
def place_page(code: str):
    session = get_session()
    fmt = export_format()
    if fmt:
        at = parse(shared(MomentArgs), _given(shared(MomentArgs)))["at"]
        place = services.place_by_code(session, code)
        ids = services.subtree_ids(services.load_places(session), place.id)
        return export_response(fmt, f"plass-{place.code}", services.PLACE_UNIT_HEADINGS,
                               services.place_unit_export_rows(session, ids, at))
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


def _overview_export(fmt: str):
    """One of the overview's tables as a file (``liste``): by kind of place (now or at the moment asked),
    by owner, the minimums, or (else) by product or ISO class with the page's search."""
    session, which = get_session(), export_list("produkt", "type", "eier", "minimum")
    if which == "type":
        at = parse(shared(MomentArgs), _given(shared(MomentArgs)))["at"]
        return export_response(fmt, "etter-type-plass", services.KIND_HEADINGS,
                               services.kind_export_rows(services.units_by_place_kind(session, at)))
    if which == "eier":
        return export_response(fmt, "etter-eier", services.OWNER_HEADINGS,
                               services.owner_export_rows(services.units_by_owner(session)))
    if which == "minimum":
        return export_response(fmt, "minimumsbeholdning", services.MINIMUM_HEADINGS,
                               services.minimum_export_rows(services.list_minimums(session)))
    by_class = request.args.get("etter") == "iso"
    q = request.args.get("q", "").strip()[:100] or None
    return export_response(fmt, "etter-iso-klasse" if by_class else "etter-produkt",
                           services.ISO_CLASS_HEADINGS if by_class else services.PRODUCT_HEADINGS,
                           services.product_export_rows(session, q, by_class))


@bp.get("/lager/oversikt")
@roles_required("lager")
def overview_page():
    fmt = export_format()
    if fmt:
        return _overview_export(fmt)
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
