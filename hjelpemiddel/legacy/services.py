"""Import the old system's rows through the services that own them. The dry run is the same code path
inside a savepoint that is rolled back, so its report is exactly what the real run does."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from marshmallow import ValidationError as SchemaValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..catalog.models import Product
from ..catalog.schemas import ProductIn
from ..citizens.models import Citizen
from ..citizens.services.access import _log, register_citizen
from ..core.db import LOCAL_ZONE
from ..core.errors import AppError
from ..core.fnr import fnr_problem, normalize_fnr
from ..core.ids import looks_like_code
from ..core.schemas import parse_norwegian_date
from ..core.text import local_today
from ..lending.services import decide_need, hand_over, open_loan, register_need
from ..stock.models import Device, DeviceEvent, Location
from ..stock.services.devices import register_device
from ..stock.services.locations import create_location, normalize_location_code
from .reading import COLUMNS, KINDS, Table

OUTCOME_LABELS = {"create": "opprettes", "update": "oppdateres", "unchanged": "uendret", "refused": "avvist"}
_IMPORTED_NOTE = "Importert fra gammelt system, strekkode "
_LEGACY_ROLE = "admin"


class Refused(Exception):
    def __init__(self, column: str, text: str):
        super().__init__(f"{COLUMNS[column][0] if column in COLUMNS else column}: {text}")


@dataclass
class RowOutcome:
    source: str
    line: int
    kind: str
    outcome: str
    key: str
    message: str = ""


def _product(session: Session, values: dict) -> Product:
    hms, name = values.get("hms_nr", ""), values.get("product", "") or values.get("name", "")
    if hms:
        product = session.scalar(select(Product).where(Product.hms_nr == hms))
        if product is None:
            raise Refused("product", f"ukjent: HMS-nr {hms}")
        return product
    product = session.scalars(select(Product).where(Product.name == name)).first() if name else None
    if product is None:
        raise Refused("product", f"ukjent: «{name}»" if name else "mangler HMS-nr eller produktnavn")
    return product


def _import_product(session, vault, actor_id, values) -> tuple[str, str, str]:
    data = {k: values.get(k, "") for k in ("hms_nr", "name", "iso_class", "supplier")}
    data["hms_nr"] = data["hms_nr"] or None
    try:
        clean = ProductIn().load(data, partial=("individually_tracked", "inspection_interval_days"))
    except SchemaValidationError as err:
        field, messages = next(iter(err.messages.items()))
        column = {"name": "name", "hms_nr": "hms_nr", "iso_class": "iso_class", "supplier": "supplier"}.get(field, field)
        raise Refused(column, " ".join(messages if isinstance(messages, list) else [str(messages)])) from None
    existing = (session.scalar(select(Product).where(Product.hms_nr == clean["hms_nr"])) if clean.get("hms_nr")
                else session.scalars(select(Product).where(Product.name == clean["name"])).first())
    key = clean.get("hms_nr") or clean["name"]
    if existing is None:
        session.add(Product(**clean))
        session.flush()
        return "create", key, ""
    changed = [k for k, v in clean.items() if getattr(existing, k) != v]
    for k in changed:
        setattr(existing, k, clean[k])
    return ("update", key, "Endret: " + ", ".join(changed)) if changed else ("unchanged", key, "")


def _import_location(session, vault, actor_id, values) -> tuple[str, str, str]:
    code = normalize_location_code(values["code"])
    existing = session.scalar(select(Location).where(Location.code == code))
    if existing is not None:
        if values.get("name") and existing.name != values["name"]:
            existing.name = values["name"]
            return "update", code, "Endret: navn"
        return "unchanged", code, ""
    create_location(session, code, values["kind"].lower(), values.get("name", ""), values.get("parent") or None)
    return "create", code, ""


def _device_by_old_barcode(session: Session, old: str) -> Device | None:
    if looks_like_code(old.upper()):
        return session.scalar(select(Device).where(Device.barcode == old.upper()))
    device_id = session.scalar(select(DeviceEvent.device_id).where(DeviceEvent.kind == "registered",
                                                                   DeviceEvent.note == _IMPORTED_NOTE + old))
    return session.get(Device, device_id) if device_id else None


def _find_device(session: Session, values: dict) -> tuple[Device | None, Product | None]:
    old, serial = values.get("barcode", ""), values.get("serial", "")
    if old and (device := _device_by_old_barcode(session, old)) is not None:
        return device, session.get(Product, device.product_id)
    if not (values.get("hms_nr") or values.get("product")):
        return None, None
    product = _product(session, values)
    if serial:
        device = session.scalar(select(Device).where(Device.product_id == product.id, Device.serial_number == serial))
        return device, product
    return None, product


def _import_device(session, vault, actor_id, values) -> tuple[str, str, str]:
    old, serial = values.get("barcode", ""), values.get("serial", "")
    if not old and not serial:
        raise Refused("serial", "en enhet trenger serienummer eller strekkode")
    device, product = _find_device(session, values)
    if device is not None:
        return "unchanged", device.barcode, ""
    if product is None:
        raise Refused("product", "mangler HMS-nr eller produktnavn")
    if serial and session.scalar(select(Device.id).where(Device.serial_number == serial)) is not None:
        raise Refused("serial", "finnes allerede på en annen enhet")
    place = values.get("place") or None
    if place and session.scalar(select(Location.id).where(Location.code == normalize_location_code(place))) is None:
        raise Refused("place", f"ukjent lokasjon «{place}»")
    device = register_device(session, actor_id, product.id, serial_number=serial or None,
                             location_code=normalize_location_code(place) if place else None,
                             note=_IMPORTED_NOTE + old if old else "Importert fra gammelt system")
    return "create", device.barcode, f"Gammel strekkode {old} → ny {device.barcode}" if old else ""


def _import_citizen_loan(session, vault, actor_id, values) -> tuple[str, str, str]:
    problem = fnr_problem(values["fnr"])
    if problem:
        raise Refused("fnr", "feil kontrollsiffer" if "Kontrollsifrene" in problem else problem.rstrip("."))
    fnr = normalize_fnr(values["fnr"])
    citizen = session.scalar(select(Citizen).where(Citizen.fnr_hash.in_(vault.lookup_hashes(fnr))))
    outcome, notes = "unchanged", []
    if citizen is None:
        citizen = register_citizen(session, vault, actor_id, fnr, values["name"], values.get("address", ""),
                                   values.get("postcode", ""), values.get("kommunenummer", ""),
                                   city=values.get("city", ""), phone=values.get("phone", ""))
        outcome = "create"
    else:
        _log(session, actor_id, citizen.id, "lookup", "Import fra gammelt system", "legacy_import")
        for column in ("name", "address", "postcode", "city", "kommunenummer", "phone"):
            if values.get(column) and getattr(citizen, column) != values[column]:
                setattr(citizen, column, values[column])
                outcome = "update"
    if values.get("barcode") or values.get("serial"):
        device, _product_ = _find_device(session, values)
        if device is None:
            raise Refused("serial" if values.get("serial") else "barcode", "fant ingen slik enhet")
        loan = open_loan(session, device.id)
        if loan is not None and loan.citizen_id != citizen.id:
            raise Refused("barcode", f"enheten {device.barcode} er utlånt til en annen innbygger")
        if loan is None:
            if device.owner == "nav":
                raise Refused("barcode", f"enheten {device.barcode} eies av NAV; slike utlån importeres ikke ennå")
            if device.location_id is None:
                raise Refused("place", f"enheten {device.barcode} må ha en plass på lageret før utlånet importeres")
            started = _loan_start(values.get("loan_start"))
            need = register_need(session, actor_id, _LEGACY_ROLE, citizen.id, local_today(), "normal", "short_term",
                                 product_id=device.product_id, notes="Importert fra gammelt system")
            if started is not None:  # the loan as old as the old system says, and the need no younger
                need.registered_at = need.status_changed_at = started
            decide_need(session, actor_id, _LEGACY_ROLE, need.id, "approve")
            hand_over(session, actor_id, device.barcode, need_id=need.id, received_by="Import", at=started)
            notes.append(f"Utlån av {device.barcode}")
            outcome = "create" if outcome == "create" else "update"
    return outcome, citizen.fnr_masked, "; ".join(notes)


def _loan_start(text: str | None) -> datetime | None:
    """«Utlånt fra» as dd.mm.åååå or åååå-mm-dd, noon in Oslo; not after today."""
    if not text:
        return None
    day = parse_norwegian_date(text)
    if day is None:
        try:
            day = date.fromisoformat(text.strip()[:10])
        except ValueError:
            raise Refused("loan_start", "skriv datoen som dd.mm.åååå") from None
    if not date(2000, 1, 1) <= day <= local_today():
        raise Refused("loan_start", "datoen må være mellom 01.01.2000 og i dag")
    return datetime.combine(day, time(12), LOCAL_ZONE)


_IMPORTERS = {"products": _import_product, "locations": _import_location, "devices": _import_device,
              "citizens_loans": _import_citizen_loan}


def import_tables(session: Session, vault, actor_id: int, tables: list[Table], dry_run: bool = False,
                  progress=None) -> list[RowOutcome]:
    """Import in dependency order; each row in its own savepoint so a refused row leaves no trace and the
    others go on. ``progress(n)`` is called after each row. The caller commits (or not, on a dry run)."""
    outcomes: list[RowOutcome] = []
    outer = session.begin_nested() if dry_run else None
    for table in sorted(tables, key=lambda t: KINDS.index(t.kind)):
        seen: dict[str, int] = {}
        for line, values in table.rows:
            outcomes.append(_one_row(session, vault, actor_id, table, line, values, seen))
            if progress:
                progress(1)
    if outer is not None:
        outer.rollback()
    return outcomes


def _one_row(session, vault, actor_id, table, line, values, seen) -> RowOutcome:
    serial = values.get("serial", "") if table.kind == "devices" else ""
    if serial and serial in seen:
        return RowOutcome(table.source, line, table.kind, "refused", serial,
                          f"Serienummer finnes allerede på en annen enhet i filen (linje {seen[serial]})")
    if serial:
        seen[serial] = line
    savepoint = session.begin_nested()
    try:
        outcome, key, message = _IMPORTERS[table.kind](session, vault, actor_id, values)
        session.flush()
        savepoint.commit()
    except Refused as refused:
        savepoint.rollback()
        return RowOutcome(table.source, line, table.kind, "refused", "", str(refused))
    except AppError as error:
        savepoint.rollback()
        return RowOutcome(table.source, line, table.kind, "refused", "", _reason(error))
    return RowOutcome(table.source, line, table.kind, outcome, key, message)


def _reason(error: AppError) -> str:
    """The service's message, led by the file's column when the service named a field of its own."""
    field = next(iter(error.details), "") if isinstance(error.details, dict) else ""
    if not field or getattr(error, "summarised", False) or field not in _FIELD_COLUMNS:
        return error.message
    return f"{_FIELD_COLUMNS[field]}: {error.message}"


_FIELD_COLUMNS = {"code": "Kode", "kind": "Type", "parent_code": "Overordnet", "location_code": "Plass",
                  "serial_number": "Serienummer", "barcode": "Strekkode", "fnr": "Fødselsnummer",
                  "product_id": "Produkt"}
