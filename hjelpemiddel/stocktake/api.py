from __future__ import annotations

from flask import Blueprint, Response, current_app

from ..core.db import get_session
from ..core.http import export_format, export_response, current_user, parse, parse_args, roles_required
from ..core.openapi import api_doc
from ..core.schemas import shared
from ..core.text import local_time, local_today
from ..documents.stocktake import stocktake_csv, stocktake_pdf
from . import services
from .schemas import (ApprovedLineOut, ApproveOut, LinesPageOut, LinesQuery, PlanOut, ProgressOut, ScanIn, ScanOut,
                      StartIn, StocktakeOut, StocktakeQuery, SummaryOut)

bp = Blueprint("stocktake_api", __name__, url_prefix="/api/v1")


@bp.post("/stocktakes")
@api_doc("Start en varetelling av en lokasjon med alt under (blind som standard)", body=StartIn,
         response=StocktakeOut, status=201, tag="stocktake")
@roles_required("lager")
def start():
    session = get_session()
    stocktake = services.start_stocktake(session, current_user().id, **parse(shared(StartIn)))
    return shared(StocktakeOut).dump(services.describe_stocktake(session, stocktake.id)), 201


@bp.get("/stocktakes")
@api_doc("Varetellinger, nyeste først; format=csv|xlsx gir alle som passer som fil", query=StocktakeQuery,
         response=StocktakeOut, many=True, tag="stocktake", exports=True)
@roles_required("lager")
def list_stocktakes():
    fmt = export_format()
    query = parse_args(shared(StocktakeQuery))
    if fmt:
        return export_response(fmt, "varetellinger", services.STOCKTAKE_HEADINGS,
                               services.stocktake_export_rows(get_session(), query["status"]))
    page = services.list_stocktakes(get_session(), query["status"], query["offset"] // query["limit"] + 1,
                                    query["limit"])
    return shared(StocktakeOut, many=True).dump(page.items)


@bp.get("/stocktakes/plan")
@api_doc("Plan for syklisk telling: sonene med ABC-klasse, sist telt og når de skal telles", response=PlanOut,
         tag="stocktake")
@roles_required("lager")
def plan():
    zones, week_ends = services.cycle_plan(get_session(), local_today())
    return shared(PlanOut).dump({"zones": zones, "week_ends": week_ends})


@bp.get("/stocktakes/<int:stocktake_id>")
@api_doc("Én varetelling", response=StocktakeOut, tag="stocktake")
@roles_required("lager")
def get(stocktake_id: int):
    return shared(StocktakeOut).dump(services.describe_stocktake(get_session(), stocktake_id))


@bp.post("/stocktakes/<int:stocktake_id>/scans")
@api_doc("Skann i en varetelling: en hylleetikett blir hylla som telles, et hjelpemiddel telles på den",
         body=ScanIn, response=ScanOut, tag="stocktake")
@roles_required("lager")
def scan(stocktake_id: int):
    answer = services.scan_in_stocktake(get_session(), current_user().id, stocktake_id, **parse(shared(ScanIn)))
    return shared(ScanOut).dump(answer)


@bp.get("/stocktakes/<int:stocktake_id>/progress")
@api_doc("Fremdrift: hyller og hjelpemidler telt, og av hvem", response=ProgressOut, tag="stocktake")
@roles_required("lager")
def progress(stocktake_id: int):
    return shared(ProgressOut).dump(services.stocktake_progress(get_session(), stocktake_id))


@bp.post("/stocktakes/<int:stocktake_id>/close")
@api_doc("Avslutt tellingen og lag resultatet", response=StocktakeOut, tag="stocktake")
@roles_required("lager")
def close(stocktake_id: int):
    session = get_session()
    services.close_stocktake(session, current_user().id, stocktake_id)
    return shared(StocktakeOut).dump(services.describe_stocktake(session, stocktake_id))


@bp.get("/stocktakes/<int:stocktake_id>/summary")
@api_doc("Resultatet i tall: funnet, feil plass, uventet, mangler, flyttet, venter på godkjenning",
         response=SummaryOut, tag="stocktake")
@roles_required("lager")
def summary(stocktake_id: int):
    session = get_session()
    services.result_page(session, stocktake_id, size=1)  # refuses an open count
    return shared(SummaryOut).dump(services.result_summary(session, stocktake_id))


@bp.get("/stocktakes/<int:stocktake_id>/lines")
@api_doc("Resultatets linjer, alle eller ett utfall", query=LinesQuery, response=LinesPageOut, tag="stocktake")
@roles_required("lager")
def lines(stocktake_id: int):
    query = parse_args(shared(LinesQuery))
    page = services.result_page(get_session(), stocktake_id, query["outcome"], query["page"], query["size"])
    return shared(LinesPageOut).dump(page)


@bp.post("/stocktakes/<int:stocktake_id>/lines/<int:line_id>/approve")
@api_doc("Godkjenn én justering (flytt til der den ble telt, eller noter at den mangler)",
         response=ApprovedLineOut, tag="stocktake")
@roles_required("lager")
def approve_line(stocktake_id: int, line_id: int):
    line = services.approve_line(get_session(), current_user().id, stocktake_id, line_id)
    return shared(ApprovedLineOut).dump(line)


@bp.post("/stocktakes/<int:stocktake_id>/approve")
@api_doc("Godkjenn alle justeringer som venter", response=ApproveOut, tag="stocktake")
@roles_required("lager")
def approve_all(stocktake_id: int):
    return shared(ApproveOut).dump(services.approve_all(get_session(), current_user().id, stocktake_id))


def _report(stocktake_id: int):
    return services.stocktake_report(get_session(), stocktake_id)


@bp.get("/stocktakes/<int:stocktake_id>/result.pdf")
@api_doc("Resultatet som PDF", produces="application/pdf", tag="stocktake")
@roles_required("lager")
def result_pdf(stocktake_id: int):
    body = stocktake_pdf(_report(stocktake_id), current_app.config["DEPOT_NAME"], local_time)
    return Response(body, mimetype="application/pdf")


@bp.get("/stocktakes/<int:stocktake_id>/result.csv")
@api_doc("Resultatet som CSV (semikolon)", produces="text/csv", tag="stocktake")
@roles_required("lager")
def result_csv(stocktake_id: int):
    return Response(stocktake_csv(_report(stocktake_id), local_time), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="varetelling-{stocktake_id}.csv"'})
