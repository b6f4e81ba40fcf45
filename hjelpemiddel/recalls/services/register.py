"""Registering a recall: every affected unit found wherever it is in one statement; the few held for a
need or out with a citizen acted on one by one, through the services that already know how (the need
goes back to the queue; a visit is planned, urgent). Units free in the depot, which may be a tenth of
the depot, are kept from lending from the moment the notice is registered (``RECALL_HOLD``, lending's
hold) and quarantined a batch at a time, each batch's quarantines, events and states in a constant
number of statements: the first with the registration, the rest by ``apply_recall_quarantines`` from
the worker. Writing 100,000 units' quarantines takes longer than anyone should wait for the page."""
from __future__ import annotations

from datetime import date

from sqlalchemy import (BigInteger, Integer, and_, bindparam, case, cast, exists, func, insert, literal, select, text,
                        update)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ...catalog.models import Product
from ...citizens.models import Citizen
from ...core.db import utcnow
from ...core.errors import ValidationFailed
from ...lending import services as lending
from ...lending.holds import Hold
from ...lending.models import Loan, Need, Reservation
from ...logistics.models import Stop, StopItem
from ...logistics.services import open_visit
from ...maintenance.models import Quarantine
from ...maintenance.services import open_quarantine, open_repair, quarantine_device
from ...stock.lifecycle import DeviceState
from ...stock.models import Device, DeviceEvent, Location
from .board import get_recall
from ..models import ACTIONS, SELECTIONS, Recall, RecallUnit, recall_products

S = DeviceState
ACTION_LABELS = {"quarantine": "Sette i karantene", "inspect": "Kontrollere", "replace_part": "Bytte del",
                 "scrap": "Kassere"}
assert set(ACTION_LABELS) == set(ACTIONS)
MAX_SERIALS = 2000
MAX_PRODUCTS = 50
# A unit scrapped or given back to NAV is no longer ours to find.
GONE = (S.SCRAPPED.value, S.RETURNED_TO_NAV.value)
# Free in the depot: quarantined at once in bulk (no need or visit holds them).
FREE = (S.AVAILABLE.value, S.REGISTERED.value, S.CLEANING.value, S.INSPECTION.value, S.IN_REPAIR.value)
# Held for a need: one by one, so lending lets go of the need (few at any time).
HELD_FOR_NEED = (S.RESERVED.value, S.PICKED.value, S.OUT_FOR_DELIVERY.value)
AT_HOME = (S.ON_LOAN.value, S.AWAITING_PICKUP.value)
# Written with the registration: a recall of a usual size is quarantined before its page comes back;
# a larger one is kept from lending at once and quarantined by the worker, a batch per commit.
INLINE_QUARANTINES = 1000
QUARANTINE_BATCH = 5000
DIGITS_MAX = 18  # a serial of more digits does not fit a bigint


def _serial_key():
    # A NAV unit may carry only NAV's serial.
    return func.coalesce(Device.serial_number, Device.nav_serial)


def _as_number(session: Session, key):
    """The serial as a number where it is all digits, else NULL (never a cast error)."""
    if session.get_bind().dialect.name == "postgresql":
        digits = key.op("~", is_comparison=True)(f"^[0-9]{{1,{DIGITS_MAX}}}$")
        return case((digits, cast(key, BigInteger)), else_=None)
    digits = and_(key != "", key.op("NOT GLOB", is_comparison=True)("*[^0-9]*"), func.length(key) <= DIGITS_MAX)
    return case((digits, cast(key, Integer)), else_=None)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def selection_filter(session: Session, recall: Recall):
    key = _serial_key()
    if recall.selection == "range":
        return _as_number(session, key).between(recall.serial_from, recall.serial_to)
    if recall.selection == "list":
        return key.in_(recall.serials or [])
    return key.like(_escape_like(recall.lot) + "%", escape="\\")


def _check(session: Session, title: str, product_ids: list[int], selection: str | None, serial_from, serial_to,
           serials, lot, action: str) -> list[int]:
    if not title.strip():
        raise ValidationFailed.for_field("title", "Gi tilbakekallingen en tittel.")
    product_ids = sorted(set(product_ids or []))
    if not product_ids:
        raise ValidationFailed.for_field("product_ids", "Velg minst ett produkt.")
    if len(product_ids) > MAX_PRODUCTS:
        raise ValidationFailed.for_field("product_ids", f"Høyst {MAX_PRODUCTS} produkter.")
    known = set(session.scalars(select(Product.id).where(Product.id.in_(product_ids))))
    if known != set(product_ids):
        raise ValidationFailed.for_field("product_ids", "Fant ikke et av produktene.")
    if action not in ACTIONS:
        raise ValidationFailed.for_field("recall_action", "Velg karantene, kontroll, bytte av del eller kassering.")
    if selection not in SELECTIONS:
        raise ValidationFailed.for_field("selection", "Oppgi serienumre fra–til, en liste eller et lot.")
    if selection == "range":
        if serial_from is None or serial_to is None:
            raise ValidationFailed.for_field("serial_from" if serial_from is None else "serial_to",
                                             "Oppgi både første og siste serienummer.")
        if serial_from > serial_to:
            raise ValidationFailed.for_field("serial_to", "Siste serienummer kan ikke være lavere enn det første.")
    elif selection == "list" and not [s for s in serials or [] if s.strip()]:
        raise ValidationFailed.for_field("serials", "Oppgi minst ett serienummer.")
    elif selection == "lot" and not (lot or "").strip():
        raise ValidationFailed.for_field("lot", "Oppgi lotnummeret (begynnelsen av serienummeret).")
    return product_ids


def _found_where():
    return case(
        (Device.state.in_(AT_HOME), "home"),
        (Location.kind == "van", "van"),
        (Device.state.in_((S.OUT_FOR_DELIVERY.value, S.RETURNED.value)), "van"),
        (Device.state.in_((S.RESERVED.value, S.PICKED.value)), "reserved"),
        (Device.state.in_((S.CLEANING.value, S.INSPECTION.value)), "maintenance"),
        (Device.state == S.IN_REPAIR.value, "repair"),
        (Device.state == S.QUARANTINED.value, "quarantine"),
        else_="shelf")


def register_recall(session: Session, actor_id: int | None, title: str, product_ids: list[int],
                    selection: str | None, action: str, reference: str = "", serial_from: int | None = None,
                    serial_to: int | None = None, serials: list[str] | None = None, lot: str | None = None,
                    due_date: date | None = None, note: str = "") -> Recall:
    """Register the notice and act on every unit it covers, wherever it is now. Units free in the
    depot are kept from lending at once; their quarantine is written here for the first
    ``INLINE_QUARANTINES`` and by ``apply_recall_quarantines`` for the rest."""
    product_ids = _check(session, title, product_ids, selection, serial_from, serial_to, serials, lot, action)
    recall = Recall(title=title.strip(), reference=reference.strip(), selection=selection, action=action,
                    serial_from=serial_from if selection == "range" else None,
                    serial_to=serial_to if selection == "range" else None,
                    serials=sorted({s.strip() for s in serials or [] if s.strip()}) if selection == "list" else None,
                    lot=lot.strip() if selection == "lot" else None, due_date=due_date, note=note.strip(),
                    created_by_id=actor_id)
    session.add(recall)
    session.flush()
    session.execute(insert(recall_products), [{"recall_id": recall.id, "product_id": pid} for pid in product_ids])
    _find(session, recall, product_ids)
    # Read from the units (by state and product), not from the rows just written: few, and found fast.
    out = list(session.scalars(select(Device.id).where(_affected(session, recall, product_ids),
                                                       Device.state.in_((*HELD_FOR_NEED, *AT_HOME)))))
    ours = and_(RecallUnit.recall_id == recall.id, RecallUnit.device_id.in_(out))
    _quarantine_units_held_for_needs(session, actor_id, recall, _units(session, ours, HELD_FOR_NEED))
    _plan_home_visits(session, actor_id, recall, _units(session, ours, AT_HOME))
    if apply_recall_quarantines(session, recall.id, INLINE_QUARANTINES) == INLINE_QUARANTINES and \
            session.get_bind().dialect.name == "postgresql":
        # Units are held: until autovacuum comes, the planner would take these tables at their last
        # count (often none) and read every held row for each unit the choice of a free unit passes
        # over (54 s past 98,000 held units, instead of 0.1), and the foreign-key check of each row's
        # quarantine would read every quarantine (a plan made while the table was empty: 5 minutes
        # for the batches after). ANALYZE also makes the connection plan those checks again.
        session.execute(text("ANALYZE recall_units, quarantines"))
    return recall


def _affected(session: Session, recall: Recall, product_ids: list[int]):
    return and_(Device.product_id.in_(product_ids), Device.state.not_in(GONE), selection_filter(session, recall))


def _find(session: Session, recall: Recall, product_ids: list[int]) -> None:
    """Every affected unit's row in one statement: where it is, who holds it, the quarantine it is
    already in (an incident: its release is the recall's handling), and whether it is free in the
    depot, which keeps it from lending from now on (``RECALL_HOLD``) until its quarantine is written."""
    holder = (select(Loan.citizen_id).where(Loan.device_id == Device.id, Loan.status != "ended")
              .limit(1).scalar_subquery())
    found = (select(literal(recall.id), Device.id, Device.state, _found_where(), Device.location_id,
                    case((Device.state.in_(AT_HOME), holder), else_=None), Device.owner == "nav", Quarantine.id,
                    Device.state.in_(FREE), literal("open"), literal(""))
             .outerjoin(Location, Location.id == Device.location_id)
             .outerjoin(Quarantine, and_(Quarantine.device_id == Device.id, Quarantine.released_at.is_(None)))
             .where(_affected(session, recall, product_ids)))
    session.execute(insert(RecallUnit.__table__).from_select(
        ["recall_id", "device_id", "found_state", "found_where", "found_location_id", "holder_citizen_id",
         "nav_flag", "quarantine_id", "quarantine_pending", "status", "action_taken"], found))


def apply_recall_quarantines(session: Session, recall_id: int, limit: int = QUARANTINE_BATCH) -> int:
    """Write the quarantine of the next ``limit`` units the recall found free in the depot; how many
    were settled (fewer than ``limit``: none are left). Units still free get their quarantines, events
    and states in a constant number of statements; one booked ahead for a need, or reserved before the
    recall was seen, goes one by one (its need lets go of it); one at a home gets its visit; one
    already quarantined keeps that quarantine; one scrapped since needs nothing."""
    recall = get_recall(session, recall_id)
    rows = session.execute(select(RecallUnit.id, RecallUnit.device_id).where(
        RecallUnit.recall_id == recall_id, RecallUnit.quarantine_pending).order_by(RecallUnit.id).limit(limit)).all()
    if not rows:
        return 0
    # The batch's rows by the unique (recall, unit) index and the units by their ids, each row written once.
    device_ids = [device_id for _, device_id in rows]
    units = RecallUnit.__table__
    batch = and_(units.c.recall_id == recall_id, units.c.device_id.in_(device_ids), units.c.quarantine_pending)
    in_batch = Device.id.in_(device_ids)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(Device.id).where(in_batch).order_by(Device.id).with_for_update())
    booked = select(Reservation.id).where(Reservation.device_id == Device.id, Reservation.status == "active").exists()
    opened = _quarantine_in_bulk(session, recall, and_(in_batch, Device.state.in_(FREE), ~booked))
    if opened:
        session.execute(update(units).where(units.c.recall_id == recall_id, units.c.device_id == bindparam("unit"))
                        .values(quarantine_id=bindparam("quarantine"), quarantine_pending=False),
                        [{"unit": device_id, "quarantine": quarantine_id} for quarantine_id, device_id in opened])
    rest = _units(session, batch, (*HELD_FOR_NEED, *FREE, *AT_HOME))
    _quarantine_units_held_for_needs(session, recall.created_by_id, recall,
                                     [(unit, device) for unit, device in rest if device.state not in AT_HOME])
    _plan_home_visits(session, recall.created_by_id, recall,
                      [(unit, device) for unit, device in rest if device.state in AT_HOME])
    # Quarantined meanwhile some other way (an incident): that quarantine is the recall's too.
    for unit, device in _units(session, and_(batch, units.c.quarantine_id.is_(None)), (S.QUARANTINED.value,)):
        quarantine = open_quarantine(session, device.id)
        unit.quarantine_id = quarantine.id if quarantine is not None else None
    session.execute(update(units).where(batch).values(quarantine_pending=False))
    _expire(session, RecallUnit)
    return len(rows)


def _quarantine_in_bulk(session: Session, recall: Recall, free) -> list[tuple[int, int]]:
    """Quarantines, events and the state of the units ``free`` selects, each statement selecting them
    afresh, so all three agree; the units are locked by the caller. The quarantines opened, with their units."""
    now, note, actor_id = utcnow(), quarantine_text(recall), recall.created_by_id
    quarantines = Quarantine.__table__
    opened = session.execute(insert(quarantines).from_select(
        ["device_id", "reason", "note", "from_state", "from_location_id", "opened_by_id", "opened_at",
         "release_note"],
        select(Device.id, literal("recall"), literal(note), Device.state, Device.location_id,
               literal(actor_id, Integer), literal(now, Quarantine.opened_at.type), literal("")).where(free))
        .returning(quarantines.c.id, quarantines.c.device_id)).all()
    events = DeviceEvent.__table__
    session.execute(insert(events).from_select(
        ["device_id", "occurred_at", "actor_id", "kind", "from_state", "to_state", "from_location_id",
         "to_location_id", "note", "data"],
        select(Device.id, literal(now, events.c.occurred_at.type), literal(actor_id, Integer),
               literal("quarantined"), Device.state, literal(S.QUARANTINED.value), Device.location_id,
               Device.location_id, literal(f"Tilbakekalling: {note}"),
               literal({"reason": "recall", "recall_id": recall.id}, events.c.data.type)).where(free)))
    devices = Device.__table__
    session.execute(update(devices).where(free).values(state=S.QUARANTINED.value, updated_at=now))
    _expire(session, Device)
    return [tuple(row) for row in opened]


def _expire(session: Session, model: type) -> None:
    """Rows written by a bulk statement are read afresh by the ORM."""
    for instance in list(session.identity_map.values()):
        if isinstance(instance, model):
            session.expire(instance)


def quarantine_text(recall: Recall) -> str:
    """How the recall names itself in a unit's quarantine and history."""
    return recall.title + (f" ({recall.reference})" if recall.reference else "")


def _units(session: Session, criterion, states) -> list[tuple[RecallUnit, Device]]:
    """The recall rows ``criterion`` selects whose unit is now in one of ``states``."""
    return [(unit, device) for unit, device in session.execute(
        select(RecallUnit, Device).join(Device, Device.id == RecallUnit.device_id)
        .where(criterion, Device.state.in_(states)).order_by(RecallUnit.id))]


def _quarantine_units_held_for_needs(session: Session, actor_id: int | None, recall: Recall,
                                     units: list[tuple[RecallUnit, Device]]) -> None:
    for unit, device in units:
        reservation = lending.active_reservation(session, device.id)
        quarantine = quarantine_device(session, actor_id, device.barcode, "recall", quarantine_text(recall))
        unit.quarantine_id = quarantine.id
        if reservation is None:
            continue
        need = session.get(Need, reservation.need_id)
        session.refresh(need, ["status"])
        after = ("behovet står i køen igjen" if need.status == "approved"
                 else "en annen enhet er reservert i stedet")
        lending.record_need_event(session, need, "recalled", actor_id, device_id=device.id,
                                  note=f"Enheten {device.barcode} ble tilbakekalt ({quarantine_text(recall)}); {after}.",
                                  data={"recall_id": recall.id, "barcode": device.barcode})


def _active_item(session: Session, device_id: int) -> StopItem | None:
    return session.scalar(select(StopItem).where(StopItem.device_id == device_id, StopItem.active.is_(True)))


def _plan_home_visits(session: Session, actor_id: int | None, recall: Recall,
                      units: list[tuple[RecallUnit, Device]]) -> None:
    """Collect the unit (quarantine, scrap) or repair it where it stands (inspect, replace a part), on
    an urgent visit; a unit already on a visit makes that visit urgent."""
    text = f"Tilbakekalling: {quarantine_text(recall)} – {ACTION_LABELS[recall.action].lower()}"
    for unit, device in units:
        loan = lending.open_loan(session, device.id)
        if loan is None:
            continue
        item = _active_item(session, device.id)
        if item is None and recall.action in ("inspect", "replace_part") and device.state == S.ON_LOAN:
            repair = open_repair(session, actor_id, device.barcode, "home", text)
            item = _active_item(session, device.id) if repair.stop_id is None else None
            stop = session.get(Stop, repair.stop_id) if repair.stop_id else session.get(Stop, item.stop_id)
        elif item is None:
            if loan.status == "active":
                lending.request_return(session, actor_id, loan.id, "other", text)
            need = session.get(Need, loan.need_id) if loan.need_id else None
            citizen = session.get(Citizen, loan.citizen_id)
            address = need.delivery_address if need is not None else citizen.home_address
            stop = open_visit(session, citizen, address)
            session.add(StopItem(stop_id=stop.id, device_id=device.id, action="collect", loan_id=loan.id))
        else:
            stop = session.get(Stop, item.stop_id)
        stop.urgent = True
        if "Tilbakekalling" not in stop.note:
            stop.note = "; ".join(filter(None, [stop.note, text]))
        unit.stop_id = stop.id
        session.flush()


def _held_by_recall():
    return exists().where(RecallUnit.device_id == Device.id, RecallUnit.quarantine_pending)


def _recall_holding(db: Session | Connection, device_id: int) -> str | None:
    title = db.scalar(select(Recall.title).join(RecallUnit, RecallUnit.recall_id == Recall.id)
                      .where(RecallUnit.device_id == device_id, RecallUnit.quarantine_pending).limit(1))
    return None if title is None else f"er omfattet av tilbakekallingen «{title}» og settes i karantene"


# Lending's hold (wired in ``wiring.py``): a unit found free waits for its quarantine without being lent.
RECALL_HOLD = Hold(_held_by_recall, _recall_holding)


def recalls_waiting_for_quarantine(session: Session) -> list[int]:
    return list(session.scalars(select(RecallUnit.recall_id).where(RecallUnit.quarantine_pending).distinct()
                                .order_by(RecallUnit.recall_id)))
