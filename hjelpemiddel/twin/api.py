"""The twin's JSON: the map, a place's units, a unit at a past moment, the overview and minimum stock."""
from __future__ import annotations

from flask import Blueprint

from ..core.db import get_session, utcnow
from ..core.http import export_format, export_response, parse, parse_args, roles_required
from ..core.openapi import api_doc
from ..core.schemas import shared
from ..core.text import local_today
from ..stock.services import get_device
from . import services
from .schemas import (MapOut, MapQuery, MinimumIn, MinimumOut, MomentArgs, OverviewOut, PlaceQuery, PlaceUnitsOut,
                      ProductsOut, ProductsQuery, UnitThenOut)

bp = Blueprint("twin_api", __name__, url_prefix="/api/v1")


@bp.get("/twin")
@api_doc("Kartet over lageret: plassene og hva de holder (nå, eller én sone slik den var); format=csv|xlsx gir "
         "plassene med antall som fil", query=MapQuery, response=MapOut, tag="twin", errors=(404,), exports=True)
@roles_required("lager")
def twin_map():
    fmt = export_format()
    args = parse_args(shared(MapQuery))
    the_map = services.depot_map(get_session(), local_today(), args["q"], args["zone"], args["at"])
    if fmt:
        return export_response(fmt, "lagerplasser", services.PLACE_HEADINGS, services.place_export_rows(the_map))
    return shared(MapOut).dump(the_map)


@bp.get("/twin/bins/<code>")
@api_doc("Enhetene på en plass (nå, eller slik det var); format=csv|xlsx gir alle som fil", query=PlaceQuery,
         response=PlaceUnitsOut, tag="twin", errors=(404,), exports=True)
@roles_required("lager")
def twin_place(code: str):
    fmt = export_format()
    args = parse_args(shared(PlaceQuery))
    session = get_session()
    place = services.place_by_code(session, code)
    ids = services.subtree_ids(services.load_places(session), place.id)
    if fmt:
        return export_response(fmt, f"plass-{place.code}", services.PLACE_UNIT_HEADINGS,
                               services.place_unit_export_rows(session, ids, args["at"]))
    units, total = services.units_at(session, ids, args["at"], args["limit"], args["offset"])
    return shared(PlaceUnitsOut).dump({"code": place.code, "name": place.name, "at": args["at"], "total": total,
                                       "units": units})


@bp.get("/twin/devices/<code>")
@api_doc("Hvor en enhet var og i hvilken status på et tidspunkt", query=MomentArgs, response=UnitThenOut, tag="twin")
@roles_required("lager")
def twin_device(code: str):
    args = parse_args(shared(MomentArgs))
    session = get_session()
    device = get_device(session, code)
    return shared(UnitThenOut).dump(services.device_at(session, device.id, device.barcode, args["at"] or utcnow()))


@bp.get("/twin/overview")
@api_doc("Hvor alt er: etter type plass og eier, og minimumsbeholdningen med manglene først",
         response=OverviewOut, tag="twin")
@roles_required("lager")
def twin_overview():
    session = get_session()
    return shared(OverviewOut).dump({"by_place_kind": services.units_by_place_kind(session),
                                     "by_owner": services.units_by_owner(session),
                                     "minimums": services.list_minimums(session)})


@bp.get("/twin/products")
@api_doc("Enheter og ledige per produkt eller ISO-klasse; format=csv|xlsx gir alle som passer som fil",
         query=ProductsQuery, response=ProductsOut, tag="twin", exports=True)
@roles_required("lager")
def twin_products():
    fmt = export_format()
    args = parse_args(shared(ProductsQuery))
    if fmt:
        by_class = args["by"] == "iso_class"
        return export_response(fmt, "etter-iso-klasse" if by_class else "etter-produkt",
                               services.ISO_CLASS_HEADINGS if by_class else services.PRODUCT_HEADINGS,
                               services.product_export_rows(get_session(), args["q"], by_class))
    rows, total = services.units_by_product(get_session(), args["q"], args["limit"], args["offset"],
                                            by_class=args["by"] == "iso_class")
    return shared(ProductsOut).dump({"rows": rows, "total": total})


@bp.put("/twin/minimums")
@api_doc("Sett minimumsbeholdning for et produkt eller en ISO-klasse", body=MinimumIn, response=MinimumOut,
         tag="twin", errors=(404,))
@roles_required("lager")
def set_minimum():
    session = get_session()
    row = services.set_minimum(session, **parse(shared(MinimumIn)))
    return shared(MinimumOut).dump(next(m for m in services.list_minimums(session) if m.id == row.id))


@bp.delete("/twin/minimums/<int:minimum_id>")
@api_doc("Fjern en minimumsbeholdning", status=204, tag="twin")
@roles_required("lager")
def remove_minimum(minimum_id: int):
    services.remove_minimum(get_session(), minimum_id)
    return "", 204
