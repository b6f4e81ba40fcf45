from __future__ import annotations

from flask import Blueprint

from ..core.db import get_session
from ..core.http import current_user, parse, roles_required
from ..core.openapi import api_doc
from ..core.schemas import shared
from ..stock.schemas import DeviceOut
from . import services
from .schemas import ChecklistOut, CleanIn, InspectIn, InspectionOut

bp = Blueprint("maintenance_api", __name__, url_prefix="/api/v1")


@bp.post("/devices/<barcode>/clean")
@api_doc("Registrer vask/klargjøring (metode og hvem); hjelpemiddelet går til kontroll", body=CleanIn,
         response=DeviceOut, tag="maintenance")
@roles_required("lager")
def clean(barcode: str):
    return shared(DeviceOut).dump(services.clean_device(get_session(), current_user().id, barcode, **parse(shared(CleanIn))))


@bp.get("/devices/<barcode>/checklist")
@api_doc("Sjekklisten for kontroll av dette hjelpemiddelet", response=ChecklistOut, tag="maintenance")
@roles_required("lager")
def checklist(barcode: str):
    return shared(ChecklistOut).dump(services.checklist_for_device(get_session(), barcode))


@bp.post("/devices/<barcode>/inspect")
@api_doc("Kontroll mot sjekklisten: godkjent → ledig, ellers reparasjon eller kassering", body=InspectIn,
         response=InspectionOut, tag="maintenance")
@roles_required("lager")
def inspect(barcode: str):
    inspection = services.inspect_device(get_session(), current_user().id, barcode, **parse(shared(InspectIn)))
    return shared(InspectionOut).dump(inspection)
