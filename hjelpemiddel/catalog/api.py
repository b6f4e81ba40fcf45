from __future__ import annotations

from flask import Blueprint, request

from ..core.db import get_session
from ..core.errors import BadRequest
from ..core.http import export_format, export_response, parse, parse_args, roles_required
from ..core.openapi import api_doc
from ..core.schemas import shared
from . import services
from .schemas import ImportArgs, ImportReportOut, ProductIn, ProductOut, ProductQuery

bp = Blueprint("catalog_api", __name__, url_prefix="/api/v1")
ALL_ROLES = ("lager", "terapeut", "sjafor")


@bp.post("/products")
@api_doc("Registrer et produkt i katalogen", body=ProductIn, response=ProductOut, status=201, tag="catalog")
@roles_required("lager")
def create_product():
    product = services.create_product(get_session(), **parse(shared(ProductIn)))
    return shared(ProductOut).dump(product), 201


@bp.get("/products")
@api_doc("Søk i katalogen; format=csv|xlsx gir alle som passer som fil", query=ProductQuery, response=ProductOut,
         many=True, tag="catalog", exports=True)
@roles_required(*ALL_ROLES)
def list_products():
    fmt = export_format()
    if fmt:
        query = parse_args(shared(ProductQuery))
        return export_response(fmt, "katalog", services.PRODUCT_HEADINGS,
                               services.product_export_rows(get_session(), query["q"], query["iso_class"]))
    return shared(ProductOut, many=True).dump(services.list_products(get_session(), **parse_args(shared(ProductQuery))))


@bp.get("/products/<int:product_id>")
@api_doc("Ett produkt", response=ProductOut, tag="catalog")
@roles_required(*ALL_ROLES)
def get_product(product_id: int):
    return shared(ProductOut).dump(services.get_product(get_session(), product_id))


def uploaded_csv_text() -> str:
    """The CSV from a multipart ``file`` field or a raw ``text/csv`` body."""
    upload = request.files.get("file")
    raw = upload.read() if upload is not None else request.get_data()
    if not raw:
        raise BadRequest("Ingen CSV-fil mottatt: send filen i feltet «file» eller som text/csv.", code="missing_file")
    return services.decode_csv_bytes(raw)


@bp.post("/products/import")
@api_doc("Importer katalog fra CSV (alt eller ingenting, med mindre skip_invalid)", query=ImportArgs,
         response=ImportReportOut, consumes="text/csv", tag="catalog")
@roles_required("lager")
def import_products():
    args = parse_args(shared(ImportArgs))
    report = services.import_products_csv(get_session(), uploaded_csv_text(), **args)
    return shared(ImportReportOut).dump(report)
