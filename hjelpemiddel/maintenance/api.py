from __future__ import annotations

from flask import Blueprint

from ..core.db import get_session
from ..core.http import export_format, export_response, current_user, parse, parse_args, roles_required
from ..core.openapi import api_doc
from ..core.schemas import shared
from ..stock.schemas import DeviceOut
from ..stock.services import get_device, get_device_by_id
from . import services
from .schemas import (ChecklistOut, CleanIn, CompleteRepairIn, CountPartIn, FailureFigureOut, FailureQuery, InspectIn,
                      InspectionOut, MovementPageOut, MovementQuery, QuarantineIn, QuarantineOut, QuarantinePageOut,
                      QuarantineQuery, ReceivePartIn, ReleaseIn, RepairIn, RepairOut, ScrapIn, SparePartIn,
                      SparePartOut, SparePartPatch, SparePartQuery, WarrantyOut)

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
@api_doc("Kontroll mot sjekklisten: godkjent → ledig, ellers reparasjon eller kassering; hvert punkt med avvik "
         "trenger en grunn i reasons", body=InspectIn,
         response=InspectionOut, tag="maintenance")
@roles_required("lager")
def inspect(barcode: str):
    inspection = services.inspect_device(get_session(), current_user().id, barcode, **parse(shared(InspectIn)))
    return shared(InspectionOut).dump(inspection)


@bp.post("/repairs")
@api_doc("Opprett en reparasjon, hos bruker (planlegger besøk) eller på lageret", body=RepairIn, response=RepairOut,
         status=201, tag="maintenance")
@roles_required("lager", "sjafor")
def open_repair():
    return _repair_out(services.open_repair(get_session(), current_user().id, **parse(shared(RepairIn)))), 201


@bp.post("/repairs/<int:repair_id>/complete")
@api_doc("Avslutt en reparasjon: hva ble gjort, deler og tidsbruk", body=CompleteRepairIn, response=RepairOut,
         tag="maintenance")
@roles_required("lager", "sjafor")
def complete_repair(repair_id: int):
    repair = services.complete_repair(get_session(), current_user().id, repair_id, **parse(shared(CompleteRepairIn)))
    return _repair_out(repair)


def _repair_out(repair):
    session = get_session()
    repair.warranty = services.device_warranty(session, get_device_by_id(session, repair.device_id))
    return shared(RepairOut).dump(repair)


@bp.get("/devices/<barcode>/repairs")
@api_doc("Reparasjoner av et hjelpemiddel", response=RepairOut, many=True, tag="maintenance")
@roles_required("lager", "sjafor")
def device_repairs(barcode: str):
    session = get_session()
    return shared(RepairOut, many=True).dump(services.list_repairs(session, get_device(session, barcode).id))


# --- quarantine -----------------------------------------------------------------------------

@bp.post("/devices/<barcode>/quarantine")
@api_doc("Sett et hjelpemiddel i karantene (uhell, tilbakekalling, skade); det tas ut av bruk med en gang",
         body=QuarantineIn, response=QuarantineOut, status=201, tag="maintenance")
@roles_required("lager")
def quarantine(barcode: str):
    entry = services.quarantine_device(get_session(), current_user().id, barcode, **parse(shared(QuarantineIn)))
    return _quarantine_out(entry), 201


@bp.post("/devices/<barcode>/quarantine/release")
@api_doc("Slipp fra karantene: tilbake dit den var, til reparasjon eller kassering", body=ReleaseIn,
         response=QuarantineOut, tag="maintenance")
@roles_required("lager")
def release(barcode: str):
    entry = services.release_device(get_session(), current_user().id, barcode, **parse(shared(ReleaseIn)))
    return _quarantine_out(entry)


@bp.get("/quarantine")
@api_doc("Hjelpemidler i karantene nå; format=csv|xlsx gir alle som passer som fil", query=QuarantineQuery,
         response=QuarantinePageOut, tag="maintenance", exports=True)
@roles_required("lager")
def quarantined():
    fmt = export_format()
    if fmt:
        query = parse_args(shared(QuarantineQuery))
        return export_response(fmt, "karantene", services.QUARANTINE_HEADINGS,
                               services.quarantine_export_rows(get_session(), query["reason"], query["q"]))
    units, total = services.list_quarantined(get_session(), **parse_args(shared(QuarantineQuery)))
    return shared(QuarantinePageOut).dump({"total": total, "items": units})


def _quarantine_out(entry):
    device = get_device_by_id(get_session(), entry.device_id)
    unit = services.QuarantinedUnit(entry, device.barcode, device.product.name,
                                    device.location.code if device.location else None,
                                    services.release_options(entry) if entry.released_at is None else [])
    return shared(QuarantineOut).dump(unit)


@bp.post("/devices/<barcode>/scrap")
@api_doc("Kasser et hjelpemiddel på lageret eller til reparasjon (med begrunnelse)", body=ScrapIn, response=DeviceOut,
         tag="maintenance")
@roles_required("lager")
def scrap(barcode: str):
    return shared(DeviceOut).dump(services.scrap_device(get_session(), current_user().id, barcode, **parse(shared(ScrapIn))))


# --- warranty, spare parts and failure figures -------------------------------------------------

@bp.get("/devices/<barcode>/warranty")
@api_doc("Garanti for et hjelpemiddel: om den gjelder, til hvilken dato og hvem krav rettes til", response=WarrantyOut,
         tag="maintenance")
@roles_required("lager", "sjafor")
def warranty(barcode: str):
    session = get_session()
    return shared(WarrantyOut).dump(services.device_warranty(session, get_device(session, barcode)))


@bp.get("/spare-parts")
@api_doc("Reservedeler på kommunens lager (søk på delenummer og navn, bare de under minimum)", query=SparePartQuery,
         response=SparePartOut, many=True, tag="maintenance", exports=True)
@roles_required("lager", "sjafor")
def spare_parts():
    fmt = export_format()
    query = parse_args(shared(SparePartQuery))
    if fmt:
        return export_response(fmt, "reservedeler", services.SPARE_PART_HEADINGS,
                               services.spare_part_export_rows(get_session(), query["q"], query["below_minimum"]))
    page = services.list_spare_parts(get_session(), query["q"], query["below_minimum"],
                                     query["offset"] // query["limit"] + 1, query["limit"])
    return shared(SparePartOut, many=True).dump(page.items)


@bp.post("/spare-parts")
@api_doc("Ny reservedel (delenummeret må være unikt)", body=SparePartIn, response=SparePartOut, status=201,
         tag="maintenance")
@roles_required("lager")
def create_spare_part():
    part = services.create_spare_part(get_session(), current_user().id, **parse(shared(SparePartIn)))
    return shared(SparePartOut).dump(part), 201


@bp.get("/spare-parts/<int:part_id>")
@api_doc("Én reservedel", response=SparePartOut, tag="maintenance")
@roles_required("lager", "sjafor")
def spare_part(part_id: int):
    session = get_session()
    return shared(SparePartOut).dump(services.spare_part_view(session, services.get_spare_part(session, part_id)))


@bp.patch("/spare-parts/<int:part_id>")
@api_doc("Endre navn, minimum, hylle, produkter eller merknad (antallet endres ved mottak, telling og bruk)",
         body=SparePartPatch, response=SparePartOut, tag="maintenance")
@roles_required("lager")
def update_spare_part(part_id: int):
    return shared(SparePartOut).dump(services.update_spare_part(get_session(), part_id, **parse(shared(SparePartPatch))))


@bp.post("/spare-parts/<int:part_id>/receive")
@api_doc("Mottak av reservedeler: antallet øker", body=ReceivePartIn, response=SparePartOut, tag="maintenance")
@roles_required("lager")
def receive_spare_part(part_id: int):
    part = services.receive_spare_part(get_session(), current_user().id, part_id, **parse(shared(ReceivePartIn)))
    return shared(SparePartOut).dump(part)


@bp.post("/spare-parts/<int:part_id>/count")
@api_doc("Opptelling: antallet settes til det som ble funnet", body=CountPartIn, response=SparePartOut,
         tag="maintenance")
@roles_required("lager")
def count_spare_part(part_id: int):
    part = services.count_spare_part(get_session(), current_user().id, part_id, **parse(shared(CountPartIn)))
    return shared(SparePartOut).dump(part)


@bp.get("/spare-parts/<int:part_id>/movements")
@api_doc("Historikken til en reservedel: mottak, bruk og tellinger, nyeste først; format=csv|xlsx gir hele "
         "historikken som fil", query=MovementQuery, response=MovementPageOut, tag="maintenance", exports=True)
@roles_required("lager")
def spare_part_movements(part_id: int):
    fmt = export_format()
    query = parse_args(shared(MovementQuery))
    if fmt:
        return export_response(fmt, "reservedel-historikk", services.MOVEMENT_HEADINGS,
                               services.movement_export_rows(get_session(), part_id))
    return shared(MovementPageOut).dump(services.list_part_movements(get_session(), part_id, query["page"],
                                                                     query["size"]))


@bp.get("/failure-figures")
@api_doc("Feilstatistikk per produkt: reparasjoner per 100 utlånsmåneder i perioden, verst først", query=FailureQuery,
         response=FailureFigureOut, many=True, tag="maintenance", exports=True)
@roles_required("lager")
def failure_figures():
    fmt = export_format()
    if fmt:
        figures = services.failure_figures(get_session(), **parse_args(shared(FailureQuery)))
        return export_response(fmt, "feilstatistikk", services.FAILURE_HEADINGS, services.failure_export_rows(figures))
    return shared(FailureFigureOut, many=True).dump(services.failure_figures(get_session(),
                                                                             **parse_args(shared(FailureQuery))))
