"""NAV loans already at citizens' homes, and returns to NAV: a collected NAV device is sent back (or
kept for reuse where NAV agrees), and NAV is told through the outbox."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from integrations.nav.port import SIX_DIGITS, NavPort

from ...citizens.services import fnr_for_nav
from ...core.crypto import FnrVault
from ...core.db import utcnow
from ...core.errors import InvalidState, ValidationFailed
from ...core.paging import PAGE_SIZE, Page, offset_page
from ...lending.models import Loan
from ...maintenance.services import awaits_nav_decision
from ...stock.lifecycle import DeviceState, refusal
from ...stock.models import Device, DeviceEvent
from ...stock.services import change_state, lock_device, record_event, register_device
from .common import enqueue
from ..models import NavOutboxMessage
from .receiving import nav_product

S = DeviceState
# A NAV unit goes back to NAV from the depot: received, being readied, or on the shelf.
_SENDABLE = (S.CLEANING, S.INSPECTION, S.AVAILABLE, S.IN_REPAIR)

def import_citizen_nav_loans(session: Session, port: NavPort, vault: FnrVault, role: str, actor_id: int,
                             citizen_id: int) -> list[Device]:
    """Bring in the NAV devices a citizen already has: each gets a local barcode (printed for the
    technician to stick on at the next visit) and an open long-term loan, so its history starts."""
    fnr = fnr_for_nav(session, vault, role, actor_id, citizen_id, "Oppslag av hjelpemidler på utlån fra NAV")
    registered = []
    for nav_loan in port.citizen_loans(fnr):
        if not nav_loan.serie_nr or not SIX_DIGITS.match(nav_loan.artikkel_nr or ""):
            continue  # parts and consumables are not tracked unit by unit
        if session.scalar(select(Device.id).where(Device.nav_hms_nr == nav_loan.artikkel_nr,
                                                  Device.nav_serial == nav_loan.serie_nr)):
            continue
        product = nav_product(session, nav_loan.artikkel_nr, nav_loan.artikkel_beskrivelse, nav_loan.kategori_nummer)
        device = register_device(session, actor_id, product.id, owner="nav", nav_hms_nr=nav_loan.artikkel_nr,
                                 nav_serial=nav_loan.serie_nr,
                                 note=f"Registrert fra NAVs utlånsliste (ordre {nav_loan.ordrenummer or '–'})")
        change_state(session, device, S.ON_LOAN, actor_id, kind="nav_loan_imported",
                     note=f"Står hos innbyggeren siden {nav_loan.dato_utsendelse or 'ukjent dato'}",
                     data={"utlansType": nav_loan.utlans_type, "artikkelStatus": nav_loan.artikkel_status})
        started = None
        if nav_loan.dato_utsendelse:
            try:
                started = datetime.strptime(nav_loan.dato_utsendelse[:19], "%Y-%m-%d %H:%M:%S").astimezone()
            except ValueError:
                started = None
        session.add(Loan(device_id=device.id, citizen_id=citizen_id, loan_type="long_term",
                         started_at=started or utcnow(), received_by="(registrert fra NAV)"))
        registered.append(device)
    session.flush()
    return registered


def return_nav_device(session: Session, actor_id: int, barcode: str, disposition: str, note: str = "") -> Device:
    """A collected NAV device: sent back to NAV (final), or kept for reuse where NAV has agreed (it
    then goes through cleaning and inspection like any returned unit). NAV is told either way."""
    if disposition not in ("return_to_nav", "keep_for_reuse"):
        raise ValidationFailed.for_field("disposition", "Velg send tilbake til NAV eller behold for gjenbruk.")
    device = lock_device(session, barcode)
    if device.owner != "nav":
        raise InvalidState(f"{device.barcode} eies av kommunen og sendes ikke til NAV.",
                           {"current_state": device.state, "owner": device.owner, "allowed": []})
    if device.state not in _SENDABLE:
        raise refusal(device.barcode, device.state, _SENDABLE, "sendes til NAV nå",
                      "Ta imot returen på lageret først." if device.state == S.RETURNED else "")
    kept = disposition == "keep_for_reuse"
    if kept:
        if not awaits_nav_decision(session, device):
            raise InvalidState("Bare en nylig mottatt retur som venter på avgjørelse kan beholdes for gjenbruk.",
                               {"current_state": device.state, "allowed": [S.CLEANING.value]})
        record_event(session, device, "nav_kept_for_reuse", actor_id,
                     note=note or "Beholdes for gjenbruk etter avtale med NAV")
    else:
        change_state(session, device, S.RETURNED_TO_NAV, actor_id, kind="returned_to_nav",
                     note=note or "Sendt tilbake til NAV")
    enqueue(session, "return", {"hmsnr": device.nav_hms_nr, "serienr": device.nav_serial,
                                 "merknad": note, "kept_for_reuse": kept}, device.id)
    session.flush()
    return device


def nav_returns_stmt():
    """NAV units received back and not yet settled with NAV (in washing, their last word a return
    received, not «kept for reuse»), the longest waiting first."""
    last_kind = (select(DeviceEvent.kind).where(DeviceEvent.device_id == Device.id,
                                                DeviceEvent.kind.in_(("return_received", "nav_kept_for_reuse")))
                 .order_by(DeviceEvent.id.desc()).limit(1).scalar_subquery())
    return select(Device).where(Device.owner == "nav", Device.state == S.CLEANING,
                                last_kind == "return_received").order_by(Device.id)


def nav_returns_awaiting_decision(session: Session, number: int = 1, size: int = PAGE_SIZE) -> Page:
    """``nav_returns_stmt`` as a page and its capped count, two statements however many there are."""
    return offset_page(session, nav_returns_stmt(), number, size)


def send_return(session: Session, port: NavPort, message: NavOutboxMessage, vault=None) -> None:
    """Outbox sender: NAV is told the device came back (and whether it is kept for reuse)."""
    kept = bool(message.payload.get("kept_for_reuse"))
    port.report_return(message.payload["hmsnr"], message.payload["serienr"], message.payload.get("merknad", ""),
                       idempotency_key=message.idempotency_key, kept_for_reuse=kept)
    record_event(session, session.get(Device, message.device_id), "nav_return_reported", None,
                 note="Returen er meldt til NAV" + (" (beholdes for gjenbruk)" if kept else ""))
