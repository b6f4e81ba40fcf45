"""Registering a recall: every affected unit found wherever it is, in a constant number of statements
for the bulk (units free in the depot are quarantined by one UPDATE with their quarantines and events
written by INSERT … SELECT); the few held for a need or out with a citizen one by one, through the
services that already know how (the need goes back to the queue; a visit is planned, urgent)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Integer, and_, case, cast, func, insert, literal, select, update
from sqlalchemy.orm import Session

from ...catalog.models import Product
from ...citizens.models import Citizen
from ...core.db import utcnow
from ...core.errors import ValidationFailed
from ...lending import services as lending
from ...lending.models import Loan, Need
from ...logistics.models import Stop, StopItem
from ...logistics.services import open_visit
from ...maintenance.models import Quarantine
from ...maintenance.services import open_repair, quarantine_device
from ...stock.lifecycle import DeviceState
from ...stock.models import Device, DeviceEvent, Location
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
    """Register the notice and act on every unit it covers, wherever it is now."""
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
    _find_and_quarantine(session, actor_id, recall, product_ids)
    _quarantine_units_held_for_needs(session, actor_id, recall)
    _plan_home_visits(session, actor_id, recall)
    session.flush()
    return recall


def _affected(session: Session, recall: Recall, product_ids: list[int]):
    return and_(Device.product_id.in_(product_ids), Device.state.not_in(GONE), selection_filter(session, recall))


def _find_and_quarantine(session: Session, actor_id: int | None, recall: Recall, product_ids: list[int]) -> None:
    """The bulk, in a constant number of statements: the free units' quarantines and events, every
    affected unit's row (with the quarantine it is in), then the free units' state in one UPDATE.
    Each statement selects the units afresh by the notice (no list of ids travels), and the units
    are locked first, so all of them see the same states."""
    affected = _affected(session, recall, product_ids)
    free = and_(affected, Device.state.in_(FREE))
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.count()).select_from(select(Device.id).where(free).with_for_update().subquery()))
    now, note = utcnow(), _quarantine_text(recall)
    session.execute(insert(Quarantine.__table__).from_select(
        ["device_id", "reason", "note", "from_state", "from_location_id", "opened_by_id", "opened_at",
         "release_note"],
        select(Device.id, literal("recall"), literal(note), Device.state, Device.location_id,
               literal(actor_id, Integer), literal(now, Quarantine.opened_at.type), literal("")).where(free)))
    events = DeviceEvent.__table__
    session.execute(insert(events).from_select(
        ["device_id", "occurred_at", "actor_id", "kind", "from_state", "to_state", "from_location_id",
         "to_location_id", "note", "data"],
        select(Device.id, literal(now, events.c.occurred_at.type), literal(actor_id, Integer),
               literal("quarantined"), Device.state, literal(S.QUARANTINED.value), Device.location_id,
               Device.location_id, literal(f"Tilbakekalling: {note}"),
               literal({"reason": "recall", "recall_id": recall.id}, events.c.data.type)).where(free)))
    holder = (select(Loan.citizen_id).where(Loan.device_id == Device.id, Loan.status != "ended")
              .limit(1).scalar_subquery())
    # Units already in quarantine (an incident) are named with theirs: its release is the recall's handling.
    found = (select(literal(recall.id), Device.id, Device.state, _found_where(), Device.location_id,
                    case((Device.state.in_(AT_HOME), holder), else_=None), Device.owner == "nav", Quarantine.id,
                    literal("open"), literal(""))
             .outerjoin(Location, Location.id == Device.location_id)
             .outerjoin(Quarantine, and_(Quarantine.device_id == Device.id, Quarantine.released_at.is_(None)))
             .where(affected))
    session.execute(insert(RecallUnit.__table__).from_select(
        ["recall_id", "device_id", "found_state", "found_where", "found_location_id", "holder_citizen_id",
         "nav_flag", "quarantine_id", "status", "action_taken"], found))
    devices = Device.__table__
    session.execute(update(devices).where(free).values(state=S.QUARANTINED.value, updated_at=now))
    for instance in list(session.identity_map.values()):
        if isinstance(instance, Device):
            session.expire(instance)


def _quarantine_text(recall: Recall) -> str:
    return recall.title + (f" ({recall.reference})" if recall.reference else "")


def _units(session: Session, recall: Recall, states) -> list[tuple[RecallUnit, Device]]:
    return list(session.execute(select(RecallUnit, Device).join(Device, Device.id == RecallUnit.device_id)
                                .where(RecallUnit.recall_id == recall.id, RecallUnit.found_state.in_(states))
                                .order_by(RecallUnit.id)))


def _quarantine_units_held_for_needs(session: Session, actor_id: int | None, recall: Recall) -> None:
    for unit, device in _units(session, recall, HELD_FOR_NEED):
        reservation = lending.active_reservation(session, device.id)
        quarantine = quarantine_device(session, actor_id, device.barcode, "recall", _quarantine_text(recall))
        unit.quarantine_id = quarantine.id
        if reservation is None:
            continue
        need = session.get(Need, reservation.need_id)
        session.refresh(need, ["status"])
        after = ("behovet står i køen igjen" if need.status == "approved"
                 else "en annen enhet er reservert i stedet")
        lending.record_need_event(session, need, "recalled", actor_id, device_id=device.id,
                                  note=f"Enheten {device.barcode} ble tilbakekalt ({_quarantine_text(recall)}); {after}.",
                                  data={"recall_id": recall.id, "barcode": device.barcode})


def _active_item(session: Session, device_id: int) -> StopItem | None:
    return session.scalar(select(StopItem).where(StopItem.device_id == device_id, StopItem.active.is_(True)))


def _plan_home_visits(session: Session, actor_id: int | None, recall: Recall) -> None:
    """Collect the unit (quarantine, scrap) or repair it where it stands (inspect, replace a part), on
    an urgent visit; a unit already on a visit makes that visit urgent."""
    text = f"Tilbakekalling: {_quarantine_text(recall)} – {ACTION_LABELS[recall.action].lower()}"
    for unit, device in _units(session, recall, AT_HOME):
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
