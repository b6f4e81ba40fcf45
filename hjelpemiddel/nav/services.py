"""The municipality's side of NAV: upcoming deliveries, receiving NAV devices, NAV loans already at
citizens' homes, returns to NAV and spare-part orders (delbestilling).

Everything here talks to NAV through ``integrations.nav.port`` only; the port is passed in.
Services flush and never commit. Calls that tell NAV something go through the outbox
(``NavOutboxMessage``), delivered after commit by ``jobs.deliver_outbox``.
"""
from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from integrations.nav.port import (
    SIX_DIGITS, Del, Delbestilling, DelLinje, NavError, NavPort, NavRefused, NavUnavailable, OrderLine, PartOrderInvalid,
    validate_part_order,
)

from ..catalog.models import Product
from ..citizens.models import Citizen
from ..citizens.services import fnr_for_nav
from ..core.crypto import FnrVault
from ..core.db import utcnow
from ..core.errors import Conflict, InvalidState, NotFound, ValidationFailed
from ..core.text import local_today
from ..lending import services as lending
from ..lending.models import Loan, Need
from ..stock.lifecycle import STATE_LABELS
from ..maintenance.services import awaits_nav_decision
from ..stock.models import Device
from ..stock.services import append_event, get_device, lock_device, register_device, transition_device
from .models import NavArrival, NavOrderLine, NavOutboxMessage, NavSyncState, PartOrder

SYNC_NAME = "order_lines"
SHIPPED_STATUSES = frozenset({"SHIPPED", "DELIVERED", "CLOSED"})
# NAV promises delivery within three weeks of approval when the item is in stock.
NAV_LATEST_DAYS = 21
MAX_PART_ORDERS_PER_24H = 5
PART_ORDER_FINAL = frozenset({"SKIPNINGSBEKREFTET", "ANNULLERT"})
PART_STATUS_LABELS = {
    "queued": "Venter på å bli sendt (NAV svarer ikke)", "refused": "Avvist av NAV",
    "INNSENDT": "Sendt til NAV", "REGISTRERT": "Registrert hos NAV", "KLARGJORT": "Klargjort for sending",
    "DELVIS_SKIPNINGSBEKREFTET": "Delvis sendt", "SKIPNINGSBEKREFTET": "Sendt fra NAV", "ANNULLERT": "Annullert",
}
LEVERING_LABELS = {"TIL_XK_LAGER": "Til kommunens lager", "TIL_SERVICE_OPPDRAG": "Til serviceoppdraget"}
LINE_STATE_LABELS = {"expected": "Ventet", "received": "Mottatt", "cancelled": "Kansellert"}


# --- helpers --------------------------------------------------------------------------------

def next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _nav_date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return datetime.strptime(text[:10], "%Y-%m-%d").date()
    except ValueError:
        return None


def expected_date(status: str | None, last_update_date: str | None, today: date) -> date:
    """Shipped lines arrive the next working day; others at the latest NAV's three weeks out."""
    base = _nav_date(last_update_date) or today
    if (status or "").upper() in SHIPPED_STATUSES:
        return next_working_day(base)
    return base + timedelta(days=NAV_LATEST_DAYS)


def _record_hash(line: OrderLine) -> str:
    return hashlib.md5(json.dumps(line.to_wire(), sort_keys=True, default=str).encode()).hexdigest()


def _fnr_hash(vault: FnrVault, account_number: str | None) -> str | None:
    if not account_number or len(account_number) != 11 or not account_number.isdigit():
        return None
    return vault.lookup_hash(account_number)


# --- sync: order lines → upcoming deliveries ------------------------------------------------

@dataclass
class ApplyResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    needs_matched: int = 0

    def add(self, other: "ApplyResult") -> None:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.needs_matched += other.needs_matched

    @property
    def received(self) -> int:
        return self.new + self.updated + self.unchanged


def apply_order_lines(session: Session, vault: FnrVault, lines: list[OrderLine], today: date | None = None) -> ApplyResult:
    """Upsert a batch of order lines keyed by order + line + shipment: new lines are inserted, changed
    ones updated, unchanged ones skipped. A handful of statements per batch, whatever its size."""
    today = today or local_today()
    latest: dict[tuple[str, int, str], OrderLine] = {}
    for line in lines:
        latest[line.key] = line  # the last version in the batch wins
    result = ApplyResult()
    if not latest:
        return result
    existing = {}
    for row in session.execute(
            select(NavOrderLine.id, NavOrderLine.ordre_number, NavOrderLine.line_number, NavOrderLine.shipment_key,
                   NavOrderLine.record_hash, NavOrderLine.revisions)
            .where(NavOrderLine.ordre_number.in_({key[0] for key in latest}))):
        existing[(row.ordre_number, row.line_number, row.shipment_key)] = row
    changed: list[tuple[OrderLine, str, object]] = []
    for key, line in latest.items():
        digest = _record_hash(line)
        row = existing.get(key)
        if row is not None and row.record_hash == digest:
            result.unchanged += 1
        else:
            changed.append((line, digest, row))
    if not changed:
        return result
    hashes = {line.account_number: _fnr_hash(vault, line.account_number) for line, _, _ in changed}
    citizens = dict(session.execute(select(Citizen.fnr_hash, Citizen.id)
                                    .where(Citizen.fnr_hash.in_({h for h in hashes.values() if h}))).all())
    now = utcnow()
    inserts, updates = [], []
    expected: dict[tuple[str | None, str | None], date] = {}  # few distinct (status, date) pairs per batch
    for line, digest, row in changed:
        fnr_hash = hashes[line.account_number]
        expected_key = (line.status, line.last_update_date)
        if expected_key not in expected:
            expected[expected_key] = expected_date(line.status, line.last_update_date, today)
        values = dict(
            hms_nr=line.ordered_item[:20], description=(line.description or "")[:300], category_num=(line.category_num or "")[:8] or None,
            category_description=(line.category_description or "")[:200], item_type=line.user_item_type,
            quantity=float(line.quantity), uom=line.shipping_quantity_uom or "",
            shipping_instructions=line.shipping_instructions or "", fnr_hash=fnr_hash,
            citizen_id=citizens.get(fnr_hash), send_to_address=(line.send_til_addresse1 or "")[:300],
            serials=list(line.serie_nummer_liste), incident_nummer=line.incident_nummer,
            referanse_nummer=line.referanse_nummer, nav_status=line.status, last_update_date=line.last_update_date,
            expected_on=expected[expected_key], record_hash=digest, updated_at=now,
        )
        if row is None:
            inserts.append(dict(values, ordre_number=line.ordre_number, line_number=line.line_number,
                                shipment_key=line.shipment_number or "", first_seen_at=now, revisions=1,
                                state="expected", received_quantity=0))
            result.new += 1
        else:
            updates.append(dict(values, id=row.id, revisions=row.revisions + 1))
            result.updated += 1
    if inserts:
        # render_nulls: a None (no citizen, no category) is sent as NULL instead of leaving the column
        # out, so every row has the same columns and the batch goes to the driver as one executemany;
        # otherwise the ORM splits it wherever the None-ness changes (every known citizen's line).
        # None columns here have no defaults, so NULL is what leaving them out would store.
        session.execute(insert(NavOrderLine).execution_options(render_nulls=True), inserts)
    if updates:
        session.execute(update(NavOrderLine), updates)
    touched_citizens = {citizens[h] for h in hashes.values() if h in citizens}
    if touched_citizens:
        result.needs_matched = _match_needs(session, touched_citizens)
    return result


def _need_fits_line(need: Need, product: Product | None, line: NavOrderLine) -> bool:
    if product is not None and product.hms_nr:
        return product.hms_nr == line.hms_nr
    category = line.category_num or ""
    iso_class = need.iso_class or (product.iso_class if product is not None else "")
    return bool(iso_class) and category.startswith(iso_class[:6])


def _match_needs(session: Session, citizen_ids: set[int]) -> int:
    """Tie unmatched device lines to the citizens' long-term needs waiting on NAV, and tell the need
    that a delivery is expected."""
    # Needs first, and only those with units still to come: a citizen without one has no line to
    # tie, and loading their unmatched lines anyway would reread all of them on every sync page.
    needs = session.execute(select(Need, Product).outerjoin(Product, Product.id == Need.product_id).where(
        Need.citizen_id.in_(citizen_ids), Need.application_type == "long_term",
        Need.status == "sent_to_nav").order_by(Need.urgency_rank, Need.needed_by, Need.id)).all()
    if not needs:
        return 0
    taken = dict(session.execute(select(NavOrderLine.need_id, func.count()).where(
        NavOrderLine.need_id.in_([need.id for need, _ in needs])).group_by(NavOrderLine.need_id)).all())
    needs = [(need, product) for need, product in needs if taken.get(need.id, 0) < need.quantity]
    if not needs:
        return 0
    lines = list(session.scalars(select(NavOrderLine).where(
        NavOrderLine.citizen_id.in_({need.citizen_id for need, _ in needs}), NavOrderLine.need_id.is_(None),
        NavOrderLine.item_type != "Del", NavOrderLine.state == "expected").order_by(NavOrderLine.id)))
    if not lines:
        return 0
    matched = 0
    for line in lines:
        for need, product in needs:
            if need.citizen_id != line.citizen_id or taken.get(need.id, 0) >= need.quantity:
                continue
            if _need_fits_line(need, product, line):
                line.need_id = need.id
                taken[need.id] = taken.get(need.id, 0) + 1
                lending.set_nav_status(session, None, need.id, "delivery_expected",
                                       note=f"NAV-ordre {line.ordre_number} linje {line.line_number}: "
                                            f"{line.description}, ventet {line.expected_on:%d.%m.%Y}")
                matched += 1
                break
    session.flush()
    return matched


def get_sync_state(session: Session, for_update: bool = False) -> NavSyncState:
    stmt = select(NavSyncState).where(NavSyncState.name == SYNC_NAME)
    if for_update:
        stmt = stmt.with_for_update()
    state = session.scalar(stmt)
    if state is None:
        state = NavSyncState(name=SYNC_NAME, cursor=None)
        session.add(state)
        session.flush()
    return state


@dataclass
class PageResult:
    applied: ApplyResult
    has_more: bool
    cursor: str | None
    remaining: int | None = None


def sync_order_lines_page(session: Session, port: NavPort, vault: FnrVault, limit: int = 500,
                          today: date | None = None) -> PageResult:
    """One page of the sync: read the cursor (locked, so two syncs take turns), fetch the lines
    changed since it, apply them and move the cursor, all in the caller's transaction."""
    state = get_sync_state(session, for_update=True)
    page = port.fetch_order_lines(state.cursor, limit)
    applied = apply_order_lines(session, vault, page.lines, today)
    state.cursor = page.next_cursor
    state.lines_received += applied.received
    state.pages += 1
    state.last_error = ""
    if not page.has_more:
        state.finished_at = utcnow()
    session.flush()
    return PageResult(applied, page.has_more, state.cursor, page.remaining)


def reset_sync_cursor(session: Session) -> NavSyncState:
    """Fetch everything again from the start (idempotent: unchanged lines are skipped)."""
    state = get_sync_state(session, for_update=True)
    state.cursor, state.started_at, state.finished_at = None, utcnow(), None
    session.flush()
    return state


def record_sync_failure(session: Session, message: str) -> None:
    state = get_sync_state(session, for_update=True)
    state.last_error = message[:2000]
    session.flush()


@dataclass(frozen=True)
class UpcomingDelivery:
    line: NavOrderLine
    citizen_name: str | None
    need_id: int | None

    def __getattr__(self, name):
        return getattr(self.line, name)


def upcoming_deliveries(session: Session, state: str | None = "expected", limit: int = 200,
                        offset: int = 0) -> list[UpcomingDelivery]:
    """What NAV is sending: device lines first by expected date; names masked."""
    stmt = (select(NavOrderLine, Citizen.name).outerjoin(Citizen, Citizen.id == NavOrderLine.citizen_id)
            .order_by(NavOrderLine.expected_on, NavOrderLine.ordre_number, NavOrderLine.line_number)
            .limit(limit).offset(offset))
    if state:
        stmt = stmt.where(NavOrderLine.state == state)
    return [UpcomingDelivery(line, lending.masked_name(name) if name else None, line.need_id)
            for line, name in session.execute(stmt)]


def count_order_lines(session: Session) -> dict[str, int]:
    return dict(session.execute(select(NavOrderLine.state, func.count()).group_by(NavOrderLine.state)).all())


# --- receiving NAV devices at the depot -----------------------------------------------------

@dataclass
class Received:
    device: Device | None
    order_line: NavOrderLine | None
    need: Need | None
    arrival: NavArrival | None
    messages: list[str] = field(default_factory=list)

    @property
    def matched(self) -> bool:
        return self.device is not None


def _find_expected_line(session: Session, hms_nr: str, serial: str) -> NavOrderLine | None:
    candidates = list(session.scalars(
        select(NavOrderLine).where(NavOrderLine.hms_nr == hms_nr, NavOrderLine.state == "expected",
                                   NavOrderLine.item_type != "Del")
        .order_by(NavOrderLine.expected_on, NavOrderLine.id).with_for_update()))
    for line in candidates:
        if serial in (line.serials or []):
            return line
    # Lines without serial numbers accept any unit of their article, oldest expected first.
    return next((line for line in candidates if not line.serials), None)


def _nav_product(session: Session, hms_nr: str, name: str | None, category_num: str | None,
                 individually_tracked: bool = True) -> Product:
    """The catalogue's product for a NAV article, added from NAV's own description when missing."""
    product = session.scalar(select(Product).where(Product.hms_nr == hms_nr))
    if product is not None:
        return product
    if not SIX_DIGITS.match(hms_nr):
        raise ValidationFailed.for_field("hms_nr", f"NAV-artikkel {hms_nr} har ikke et gyldig HMS-nr.")
    product = Product(hms_nr=hms_nr, name=name or f"NAV-artikkel {hms_nr}", iso_class=(category_num or "000000")[:8],
                      supplier="NAV", individually_tracked=individually_tracked)
    session.add(product)
    session.flush()
    return product


def _need_for_line(session: Session, actor_id: int, line: NavOrderLine, product: Product) -> Need | None:
    if line.need_id is None and line.citizen_id is not None:
        _match_needs(session, {line.citizen_id})
    if line.need_id is not None:
        return lending.get_need(session, line.need_id, for_update=True)
    if line.citizen_id is None:
        return None
    # NAV approved something no therapist registered here: open the long-term need for it, so the
    # unit still reaches the citizen on a run.
    citizen = session.get(Citizen, line.citizen_id)
    need = Need(citizen_id=citizen.id, product_id=product.id, quantity=1, needed_by=local_today(), urgency="normal",
                urgency_rank=2, delivery_address=lending.home_address(citizen),
                notes=f"Opprettet ved mottak av NAV-ordre {line.ordre_number}", requested_by="NAV",
                application_type="long_term", status="sent_to_nav", nav_status="delivery_expected",
                registered_by_id=actor_id)
    session.add(need)
    session.flush()
    line.need_id = need.id
    lending.record_need_event(session, need, "registered", actor_id, note=need.notes)
    return need


def receive_nav_device(session: Session, actor_id: int, hms_nr: str, serial: str, location_code: str,
                       note: str = "") -> Received:
    """A NAV device arrives at the receiving point: match it to the expected order line, register
    it as NAV-owned with a local barcode, and hold it for the citizen's need. No match: it is kept
    on the list of arrivals to resolve by hand."""
    hms_nr, serial = (hms_nr or "").strip(), (serial or "").strip()
    if not SIX_DIGITS.match(hms_nr):
        raise ValidationFailed.for_field("hms_nr", "HMS-nr må være nøyaktig 6 siffer.")
    if not serial:
        raise ValidationFailed.for_field("serial", "Skriv eller skann serienummeret.")
    known = session.scalar(select(Device.barcode).where(Device.nav_hms_nr == hms_nr, Device.nav_serial == serial))
    if known:
        raise Conflict(f"NAV-hjelpemiddel {hms_nr} / {serial} er allerede registrert som {known}.",
                       {"hms_nr": hms_nr, "serial": serial, "barcode": known}, code="duplicate_device")
    line = _find_expected_line(session, hms_nr, serial)
    if line is None:
        arrival = NavArrival(hms_nr=hms_nr, serial=serial, note=note, received_by_id=actor_id)
        session.add(arrival)
        session.flush()
        return Received(None, None, None, arrival,
                        ["Fant ingen ventet ordrelinje fra NAV; hjelpemiddelet er lagt på listen over umatchede mottak."])
    return _receive_against_line(session, actor_id, line, hms_nr, serial, location_code, note)


def _receive_against_line(session: Session, actor_id: int, line: NavOrderLine, hms_nr: str, serial: str,
                          location_code: str, note: str) -> Received:
    product = _nav_product(session, line.hms_nr, line.description, line.category_num,
                           individually_tracked=line.item_type == "Individstyrt hjelpemiddel")
    device = register_device(session, actor_id, product.id, owner="nav", nav_hms_nr=hms_nr, nav_serial=serial,
                             location_code=location_code,
                             note=note or f"Mottatt fra NAV, ordre {line.ordre_number} linje {line.line_number}")
    line.received_quantity += 1
    if line.received_quantity >= line.quantity:
        line.state = "received"
    messages = []
    need = _need_for_line(session, actor_id, line, product)
    if need is None:
        messages.append("Ordrelinjen gjelder en innbygger som ikke er registrert her; registrer innbyggeren og "
                        "knytt hjelpemiddelet til behovet.")
    else:
        need.nav_status = "received"
        lending.record_need_event(session, need, "nav_received", actor_id, device_id=device.id,
                                  note=f"{product.name} mottatt fra NAV ({hms_nr} / {serial})")
        try:
            lending.claim_device_for_need(session, device, need, actor_id, note="mottatt fra NAV")
        except (Conflict, InvalidState) as problem:
            messages.append(f"Ikke reservert for behovet: {problem.message}")
    session.flush()
    return Received(device, line, need, None, messages)


def list_arrivals(session: Session, status: str | None = "open") -> list[NavArrival]:
    stmt = select(NavArrival).order_by(NavArrival.received_at.desc(), NavArrival.id.desc())
    if status:
        stmt = stmt.where(NavArrival.status == status)
    return list(session.scalars(stmt))


def resolve_arrival(session: Session, actor_id: int, arrival_id: int, resolution: str,
                    order_line_id: int | None = None, location_code: str | None = None) -> NavArrival:
    """Settle an unmatched arrival: receive it against a named order line, or close it with a note
    (sent back to NAV, belongs to another municipality ...)."""
    arrival = session.scalar(select(NavArrival).where(NavArrival.id == arrival_id).with_for_update())
    if arrival is None:
        raise NotFound(f"Fant ikke mottak {arrival_id}.", {"arrival_id": arrival_id})
    if arrival.status != "open":
        raise InvalidState("Mottaket er allerede avklart.", {"current_state": arrival.status, "allowed": ["open"]})
    if not resolution.strip():
        raise ValidationFailed.for_field("resolution", "Skriv hva som ble gjort med hjelpemiddelet.")
    if order_line_id is not None:
        line = session.get(NavOrderLine, order_line_id, with_for_update=True)
        if line is None:
            raise ValidationFailed.for_field("order_line_id", f"Fant ikke ordrelinje {order_line_id}.")
        if line.state != "expected" or line.hms_nr != arrival.hms_nr:
            raise ValidationFailed.for_field("order_line_id", "Ordrelinjen venter ikke på dette HMS-nummeret.")
        if not location_code:
            raise ValidationFailed.for_field("location_code", "Velg hvor hjelpemiddelet står.")
        received = _receive_against_line(session, actor_id, line, arrival.hms_nr, arrival.serial, location_code,
                                         f"Avklart mottak: {resolution}")
        arrival.order_line_id, arrival.device_id = line.id, received.device.id
    arrival.status, arrival.resolution, arrival.resolved_by_id, arrival.resolved_at = "resolved", resolution, actor_id, utcnow()
    session.flush()
    return arrival


# --- NAV loans already at citizens' homes ---------------------------------------------------

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
        product = _nav_product(session, nav_loan.artikkel_nr, nav_loan.artikkel_beskrivelse, nav_loan.kategori_nummer)
        device = register_device(session, actor_id, product.id, owner="nav", nav_hms_nr=nav_loan.artikkel_nr,
                                 nav_serial=nav_loan.serie_nr,
                                 note=f"Registrert fra NAVs utlånsliste (ordre {nav_loan.ordrenummer or '–'})")
        transition_device(session, device, "on_loan", actor_id, kind="nav_loan_imported",
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


# --- returns to NAV -------------------------------------------------------------------------

def _enqueue(session: Session, kind: str, payload: dict, device_id: int | None, key: str | None = None,
             part_order_id: int | None = None) -> NavOutboxMessage:
    message = NavOutboxMessage(kind=kind, idempotency_key=key or str(uuid.uuid4()), payload=payload,
                               device_id=device_id, part_order_id=part_order_id)
    session.add(message)
    session.flush()
    return message


def return_nav_device(session: Session, actor_id: int, barcode: str, disposition: str, note: str = "") -> Device:
    """A collected NAV device: sent back to NAV (final), or kept for reuse where NAV has agreed (it
    then goes through cleaning and inspection like any returned unit). NAV is told either way."""
    if disposition not in ("return_to_nav", "keep_for_reuse"):
        raise ValidationFailed.for_field("disposition", "Må være return_to_nav eller keep_for_reuse.")
    device = lock_device(session, barcode)
    if device.owner != "nav":
        raise InvalidState(f"{device.barcode} eies av kommunen og sendes ikke til NAV.",
                           {"current_state": device.state, "owner": device.owner, "allowed": []})
    if device.state not in ("returned", "cleaning", "inspection", "available", "in_repair"):
        raise InvalidState(f"{device.barcode} er «{STATE_LABELS[device.state]}»; ta imot returen før den sendes til NAV.",
                           {"current_state": device.state, "allowed": ["returned", "inspection", "available", "in_repair"]})
    kept = disposition == "keep_for_reuse"
    if kept:
        if device.state != "returned":
            raise InvalidState("Bare en nylig mottatt retur kan beholdes for gjenbruk.",
                               {"current_state": device.state, "allowed": ["returned"]})
        append_event(session, device, "nav_kept_for_reuse", actor_id, from_state=device.state, to_state=device.state,
                     note=note or "Beholdes for gjenbruk etter avtale med NAV")
    else:
        transition_device(session, device, "returned_to_nav", actor_id, kind="returned_to_nav",
                          note=note or "Sendt tilbake til NAV")
        device.location_id = None
    _enqueue(session, "return", {"hmsnr": device.nav_hms_nr, "serienr": device.nav_serial,
                                 "merknad": note, "kept_for_reuse": kept}, device.id)
    session.flush()
    return device


def nav_returns_awaiting_decision(session: Session) -> list[Device]:
    devices = session.scalars(select(Device).where(Device.owner == "nav", Device.state == "returned"))
    return [device for device in devices if awaits_nav_decision(session, device)]


# --- spare-part orders (delbestilling) ------------------------------------------------------

def _active_nav_loan(session: Session, device: Device) -> Loan | None:
    return session.scalar(select(Loan).where(Loan.device_id == device.id, Loan.status != "ended"))


def order_parts(session: Session, actor_id: int, barcode: str, parts: list[dict], levering: str,
                battery_training: bool | None = None, repair_id: int | None = None) -> PartOrder:
    """Order spare parts from NAV for a NAV device on loan. NAV's rules are checked here first; the
    order then waits in the outbox until NAV takes it, once."""
    device = lock_device(session, barcode)
    if device.owner != "nav":
        raise InvalidState(f"{device.barcode} eies av kommunen; deler bestilles fra NAV bare til NAVs hjelpemidler.",
                           {"current_state": device.state, "owner": device.owner, "allowed": []})
    if _active_nav_loan(session, device) is None:
        raise InvalidState(f"{device.barcode} står ikke på et aktivt utlån; NAV tar bare imot delbestillinger til "
                           "hjelpemidler på utlån.", {"current_state": device.state, "allowed": ["on_loan"]})
    if not SIX_DIGITS.match(device.nav_serial or ""):
        raise ValidationFailed.for_field("serienr", f"NAV krever 6-sifret serienummer; {device.nav_serial!r} kan ikke brukes.")
    order_id = str(uuid.uuid4())
    product = session.get(Product, device.product_id)
    lines = []
    for part in parts or []:
        lines.append(DelLinje(Del(hmsnr=str(part.get("hmsnr", "")), navn=str(part.get("navn", "")),
                                  kategori=str(part.get("kategori", "")), lev_art_nr=part.get("lev_art_nr"),
                                  maks_antall=part.get("maks_antall")), part.get("antall")))
    order = Delbestilling(id=order_id, hmsnr=device.nav_hms_nr, serienr=device.nav_serial, navn=product.name,
                          deler=tuple(lines), levering=levering, har_opplaering_pa_batteri=battery_training)
    try:
        validate_part_order(order)
    except PartOrderInvalid as problem:
        raise ValidationFailed.for_field(_part_field(problem.field), problem.message) from None
    since = utcnow() - timedelta(hours=24)
    recent = session.scalar(select(func.count()).select_from(PartOrder).where(
        PartOrder.device_id == device.id, PartOrder.created_at >= since, PartOrder.status != "refused"))
    if recent >= MAX_PART_ORDERS_PER_24H:
        raise Conflict(NavRefused.for_code("FOR_MANGE_BESTILLINGER_SISTE_24_TIMER", 403).message + ".",
                       {"barcode": device.barcode, "limit": MAX_PART_ORDERS_PER_24H},
                       code="FOR_MANGE_BESTILLINGER_SISTE_24_TIMER")
    part_order = PartOrder(uuid=order_id, device_id=device.id, repair_id=repair_id, levering=levering,
                           battery_training=battery_training, created_by_id=actor_id,
                           lines=[{**line.del_.to_wire(), "antall": line.antall} for line in lines])
    session.add(part_order)
    session.flush()
    _enqueue(session, "part_order", order.to_wire(), device.id, key=order_id, part_order_id=part_order.id)
    append_event(session, device, "part_ordered", actor_id, from_state=device.state, to_state=device.state,
                 note=", ".join(f"{line.antall} × {line.del_.navn}" for line in lines),
                 data={"part_order_id": part_order.id, "levering": levering})
    session.flush()
    return part_order


def _part_field(nav_field: str) -> str:
    return {"harOpplæringPåBatteri": "battery_training", "hmsnr": "hms_nr", "serienr": "serienr"}.get(
        nav_field, nav_field.replace("deler", "parts").replace(".del.", "."))


def get_part_order(session: Session, part_order_id: int) -> PartOrder:
    order = session.get(PartOrder, part_order_id)
    if order is None:
        raise NotFound(f"Fant ikke delbestilling {part_order_id}.", {"part_order_id": part_order_id})
    return order


def list_part_orders(session: Session, barcode: str | None = None, open_only: bool = False) -> list[PartOrder]:
    stmt = select(PartOrder).order_by(PartOrder.id.desc()).limit(200)
    if barcode:
        stmt = stmt.where(PartOrder.device_id == get_device(session, barcode).id)
    if open_only:
        stmt = stmt.where(PartOrder.status != "refused",
                          (PartOrder.nav_status.is_(None)) | PartOrder.nav_status.not_in(PART_ORDER_FINAL))
    return list(session.scalars(stmt))


def part_order_status_label(order: PartOrder) -> str:
    if order.status in ("queued", "refused"):
        return PART_STATUS_LABELS[order.status]
    return PART_STATUS_LABELS.get(order.nav_status or "INNSENDT", order.nav_status or "")


# --- outbox delivery: one message at a time, in the job's transaction ------------------------

OUTBOX_RETRY_CAP = timedelta(minutes=30)


def due_outbox_ids(session: Session, limit: int = 50, force: bool = False) -> list[int]:
    stmt = select(NavOutboxMessage.id).where(NavOutboxMessage.status == "pending")
    if not force:
        stmt = stmt.where(NavOutboxMessage.next_attempt_at <= utcnow())
    return list(session.scalars(stmt.order_by(NavOutboxMessage.id).limit(limit)))


def deliver_outbox_message(session: Session, port: NavPort, message_id: int) -> str:
    """Send one pending message. NAV down: it stays pending with a later next attempt. NAV refused:
    recorded with NAV's reason in Norwegian. Returns the message's new status."""
    message = session.scalar(select(NavOutboxMessage).where(NavOutboxMessage.id == message_id,
                                                            NavOutboxMessage.status == "pending")
                             .with_for_update(skip_locked=True))
    if message is None:
        return "skipped"
    message.attempts += 1
    try:
        if message.kind == "part_order":
            answer = port.submit_part_order(Delbestilling.from_wire(message.payload), message.idempotency_key)
            _part_order_accepted(session, message, answer)
        else:
            port.report_return(message.payload["hmsnr"], message.payload["serienr"], message.payload.get("merknad", ""),
                               idempotency_key=message.idempotency_key,
                               kept_for_reuse=bool(message.payload.get("kept_for_reuse")))
            device = session.get(Device, message.device_id)
            append_event(session, device, "nav_return_reported", None, from_state=device.state, to_state=device.state,
                         note="Returen er meldt til NAV" + (" (beholdes for gjenbruk)" if message.payload.get("kept_for_reuse") else ""))
        message.status, message.sent_at, message.last_error = "sent", utcnow(), ""
    except NavUnavailable as problem:
        delay = min(OUTBOX_RETRY_CAP, timedelta(seconds=30 * 2 ** min(message.attempts - 1, 8)))
        message.next_attempt_at, message.last_error = utcnow() + delay, str(problem)[:2000]
    except (NavError, PartOrderInvalid) as problem:  # refused (feil code, 4xx, NAV's own validation): never retried
        message.status, message.last_error = "refused", (getattr(problem, "message", None) or str(problem))[:2000]
        _part_order_refused(session, message, problem)
    session.flush()
    return message.status


def _part_order_accepted(session: Session, message: NavOutboxMessage, answer) -> None:
    order = session.get(PartOrder, message.part_order_id)
    sak = answer.delbestilling_sak
    order.status, order.saksnummer, order.sent_at = "sent", answer.saksnummer, utcnow()
    _apply_sak(order, sak)
    device = session.get(Device, order.device_id)
    append_event(session, device, "part_order_sent", None, from_state=device.state, to_state=device.state,
                 note=f"Delbestilling mottatt av NAV, saksnummer {answer.saksnummer}",
                 data={"part_order_id": order.id, "saksnummer": answer.saksnummer})


def _part_order_refused(session: Session, message: NavOutboxMessage, problem: Exception) -> None:
    if message.part_order_id is None:
        return
    order = session.get(PartOrder, message.part_order_id)
    order.status = "refused"
    order.refusal_code = getattr(problem, "feil_code", None) or getattr(problem, "field", None)
    order.refusal_message = getattr(problem, "message", None) or str(problem)
    device = session.get(Device, order.device_id)
    append_event(session, device, "part_order_refused", None, from_state=device.state, to_state=device.state,
                 note=f"NAV avviste delbestillingen: {order.refusal_message}",
                 data={"part_order_id": order.id, "feil": order.refusal_code})


def _apply_sak(order: PartOrder, sak) -> None:
    order.nav_status = sak.status
    order.oebs_ordrenummer = order.oebs_ordrenummer or sak.oebs_ordrenummer
    order.status_checked_at = utcnow()
    if sak.status == "SKIPNINGSBEKREFTET" and order.expected_delivery is None:
        shipped = _nav_date(sak.sist_oppdatert) or local_today()
        order.expected_delivery = next_working_day(shipped)


def open_part_order_ids(session: Session, limit: int = 200) -> list[int]:
    return list(session.scalars(select(PartOrder.id).where(
        PartOrder.status == "sent", PartOrder.saksnummer.is_not(None),
        PartOrder.nav_status.not_in(PART_ORDER_FINAL)).order_by(PartOrder.id).limit(limit)))


def refresh_part_order(session: Session, port: NavPort, part_order_id: int) -> PartOrder:
    """Follow a sent order at NAV until it has shipped (then it has an expected delivery date)."""
    order = session.get(PartOrder, part_order_id, with_for_update=True)
    if order is None or order.saksnummer is None:
        raise NotFound(f"Fant ingen sendt delbestilling {part_order_id}.", {"part_order_id": part_order_id})
    before = order.nav_status
    _apply_sak(order, port.order_status(order.saksnummer))
    if order.nav_status != before:
        device = session.get(Device, order.device_id)
        append_event(session, device, "part_order_status", None, from_state=device.state, to_state=device.state,
                     note=f"Delbestilling {order.saksnummer}: {PART_STATUS_LABELS.get(order.nav_status, order.nav_status)}"
                          + (f", ventet {order.expected_delivery:%d.%m.%Y}" if order.expected_delivery else ""),
                     data={"part_order_id": order.id, "status": order.nav_status})
    session.flush()
    return order


def outbox_summary(session: Session) -> dict[str, int]:
    return dict(session.execute(select(NavOutboxMessage.status, func.count()).group_by(NavOutboxMessage.status)).all())
