from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for

from ..core.db import get_session
from ..core.errors import AppError
from ..core.sorting import sort_order
from ..core.http import export_format, export_response, form_data, parse, parse_args, roles_required
from . import services
from .api import ALL_ROLES, uploaded_csv_text
from .iso import ISO_TITLES, format_iso_class, iso_title
from .schemas import ImportArgs, ProductIn, ProductQuery

bp = Blueprint("catalog_web", __name__, template_folder="templates")


@bp.app_template_filter("iso")
def iso_filter(digits: str) -> str:
    return format_iso_class(digits)


def _render_products(error: AppError | None = None, report=None):
    query = parse_args(ProductQuery())
    order = sort_order(request.args, services.PRODUCT_SORTS, "iso")
    products = services.list_products(get_session(), **query, sort=order)
    return render_template("catalog/products.html", products=products, query=query, order=order, error=error,
                           report=report,
                           form=request.form, iso_titles=ISO_TITLES, iso_title=iso_title), error.status if error else 200


@bp.get("/katalog")
@roles_required(*ALL_ROLES)
def products():
    fmt = export_format()
    if fmt:
        query = parse_args(ProductQuery())
        return export_response(fmt, "katalog", services.PRODUCT_HEADINGS,
                               services.product_export_rows(get_session(), query["q"], query["iso_class"],
                                                            sort_order(request.args, services.PRODUCT_SORTS, "iso")))
    return _render_products()


@bp.post("/katalog")
@roles_required("lager")
def create_product():
    data = form_data()
    data["individually_tracked"] = "individually_tracked" in data
    try:
        services.create_product(get_session(), **parse(ProductIn(), data))
    except AppError as err:
        return _render_products(err)
    return redirect(url_for("catalog_web.products"))


@bp.post("/katalog/import")
@roles_required("lager")
def import_products():
    try:
        args = parse(ImportArgs(), {key: request.form[key] for key in ("skip_invalid", "dry_run") if key in request.form})
        report = services.import_products_csv(get_session(), uploaded_csv_text(), **args)
    except AppError as err:
        return _render_products(err, report=err.details.get("report"))
    return _render_products(report=report.as_dict())
