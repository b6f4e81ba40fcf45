from __future__ import annotations

from flask import Blueprint

from ..core.db import get_session
from ..core.http import export_format, export_response, parse_args, roles_required
from ..core.openapi import api_doc
from ..core.schemas import shared
from . import services
from .schemas import BacktestOut, BacktestQuery, ForecastListOut, ForecastQuery

bp = Blueprint("forecast_api", __name__, url_prefix="/api/v1")


@bp.get("/forecast")
@api_doc("Prognose: ledige enheter per dag de neste dagene, per produkt (mangel først) og for en ISO-klasse samlet; "
         "format=csv|xlsx gir tabellen per produkt som fil", query=ForecastQuery, response=ForecastListOut,
         tag="forecast", errors=(404,), exports=True)
@roles_required("lager")
def forecast():
    fmt = export_format()
    query = parse_args(shared(ForecastQuery))
    session = get_session()
    services.check_scope(query["product_id"], query["iso_class"])
    forecasts = services.forecast_products(session, query["product_id"], query["iso_class"], query["days"])
    if query["shortfall_only"]:
        forecasts = [f for f in forecasts if f.first_shortfall is not None]
    if fmt:
        return export_response(fmt, "prognose", services.FORECAST_HEADINGS, services.forecast_export_rows(forecasts))
    whole = (services.forecast_iso_class(session, query["iso_class"], query["days"]) if query["iso_class"] else None)
    page = forecasts[query["offset"]:query["offset"] + query["limit"]]
    return shared(ForecastListOut).dump({"total": len(forecasts), "iso_class_total": whole, "products": page})


@bp.get("/forecast/backtest")
@api_doc("Tilbaketest: prognosen fra for «days» dager siden mot det som skjedde, feil per produktgruppe",
         query=BacktestQuery, response=BacktestOut, tag="forecast", errors=(404,))
@roles_required("lager")
def backtest():
    query = parse_args(shared(BacktestQuery))
    return shared(BacktestOut).dump(services.backtest_forecast(get_session(), query["days"], query["product_id"],
                                                               query["iso_class"]))
