from __future__ import annotations

from flask import Blueprint, render_template, request

from ..catalog.services import product_from_text
from ..core.db import get_session
from ..core.errors import AppError
from ..core.http import export_format, export_list, export_response, parse, roles_required
from ..core.paging import list_page, page_number
from ..core.schemas import shared
from . import services
from .schemas import ForecastQuery

bp = Blueprint("forecast_web", __name__, template_folder="templates")
FILTERS = ("product_id", "iso_class", "days", "shortfall_only")


def _query() -> tuple[dict, AppError | None]:
    """The filters as typed; a product typed without choosing in the type-ahead is found by its text."""
    data = {key: value for key, value in request.args.items() if key in FILTERS and value.strip()}
    typed = request.args.get("product", "").strip()
    try:
        if typed and "product_id" not in data:
            data["product_id"] = str(product_from_text(get_session(), typed).id)
        if not typed:
            data.pop("product_id", None)
        return parse(shared(ForecastQuery), data), None
    except AppError as err:
        return {"product_id": None, "iso_class": None, "days": 30, "shortfall_only": False}, err


def _export(fmt: str):
    """The per-product table as a file, or (``liste=dager``) the chosen product's or ISO class's days;
    a bad filter is refused, not dropped."""
    session = get_session()
    query, error = _query()
    if error is not None:
        raise error
    product_id, iso_class, days = query["product_id"], query["iso_class"], query["days"]
    services.check_scope(product_id, iso_class)
    if export_list("produkter", "dager") == "dager":
        chosen = (services.forecast_products(session, product_id, None, days)[0] if product_id is not None else
                  services.forecast_iso_class(session, iso_class, days) if iso_class else None)
        return export_response(fmt, "prognose-dager", services.DAY_HEADINGS, services.day_export_rows(chosen))
    forecasts = services.forecast_products(session, product_id, iso_class, days)
    if query["shortfall_only"]:
        forecasts = [f for f in forecasts if f.first_shortfall is not None]
    return export_response(fmt, "prognose", services.FORECAST_HEADINGS, services.forecast_export_rows(forecasts))


@bp.get("/lager/prognose")
@roles_required("lager")
def forecast_page():
    fmt = export_format()
    if fmt:
        return _export(fmt)
    session = get_session()
    query, error = _query()
    product_id, iso_class, days = query["product_id"], query["iso_class"], query["days"]
    chosen = whole = backtest = None
    forecasts: list = []
    try:
        services.check_scope(product_id, iso_class)
        forecasts = services.forecast_products(session, product_id, iso_class, days)
        if product_id is not None:
            chosen = forecasts[0]
        if iso_class:
            whole = services.forecast_iso_class(session, iso_class, days)
        backtest = services.backtest_forecast(session, days, product_id, iso_class)
    except AppError as err:
        error = error or err
    if query["shortfall_only"]:
        forecasts = [f for f in forecasts if f.first_shortfall is not None]
    page = list_page(forecasts, page_number(request.args.get("side")), services.PAGE_SIZE)
    product_text = chosen.product.name if chosen else request.args.get("product", "")
    return render_template("forecast/forecast.html", page=page, chosen=chosen, whole=whole, backtest=backtest,
                           query=query, error=error, product_text=product_text,
                           iso_text=request.args.get("iso_class", "")), (error.status if error else 200)
