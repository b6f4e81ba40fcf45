"""Spare-part orders (delbestilling) for NAV devices on loan: checked against NAV's rules, sent once
through the outbox, followed until NAV has shipped, and matched to the shipment's order line."""
from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from integrations.nav.port import (MAX_PART_ORDERS_PER_24H, PART_ORDER_RATE_WINDOW, SIX_DIGITS, Del, Delbestilling,
                                   DelLinje, NavPort, NavRefused, PartOrderInvalid, check_order_rate,
                                   validate_part_order)

from ...catalog.models import Product
from ...core.db import utcnow
from ...core.errors import Conflict, InvalidState, NotFound, ValidationFailed
from ...core.text import local_today
from ...lending.models import Loan
from ...logistics import services as logistics
from ...maintenance.models import RepairOrder
from ...stock.models import Device
from ...stock.services import get_device, lock_device, record_event
from ..models import NavOrderLine, NavOutboxMessage, PartOrder
from .common import enqueue, nav_date, next_working_day


PART_ORDER_FINAL = frozenset({"SKIPNINGSBEKREFTET", "ANNULLERT"})
PART_STATUS_LABELS = {
    "queued": "Venter på å bli sendt (NAV svarer ikke)", "refused": "Avvist av NAV",
    "received": "Sendt fra NAV, forsendelsen er registrert",
    "INNSENDT": "Sendt til NAV", "REGISTRERT": "Registrert hos NAV", "KLARGJORT": "Klargjort for sending",
    "DELVIS_SKIPNINGSBEKREFTET": "Delvis sendt", "SKIPNINGSBEKREFTET": "Sendt fra NAV", "ANNULLERT": "Annullert",
}
LEVERING_LABELS = {"TIL_XK_LAGER": "Til kommunens lager", "TIL_SERVICE_OPPDRAG": "Til serviceoppdraget"}


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
    now = utcnow()
    try:
        check_order_rate(session.scalars(select(PartOrder.created_at).where(
            PartOrder.device_id == device.id, PartOrder.created_at > now - PART_ORDER_RATE_WINDOW,
            PartOrder.status != "refused")), now)
    except NavRefused as refused:
        raise Conflict(refused.message + ".", {"barcode": device.barcode, "limit": MAX_PART_ORDERS_PER_24H},
                       code=refused.feil_code) from None
    part_order = PartOrder(uuid=order_id, device_id=device.id, repair_id=repair_id, levering=levering,
                           battery_training=battery_training, created_by_id=actor_id,
                           lines=[{**line.del_.to_wire(), "antall": line.antall} for line in lines])
    session.add(part_order)
    session.flush()
    enqueue(session, "part_order", order.to_wire(), device.id, key=order_id, part_order_id=part_order.id)
    record_event(session, device, "part_ordered", actor_id,
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


def part_orders_stmt(session: Session, barcode: str | None = None, open_only: bool = False):
    """Part orders, the newest first: one unit's (an unknown barcode is refused, 404) and/or those NAV
    has not finished with."""
    stmt = select(PartOrder).order_by(PartOrder.id.desc())
    if barcode:
        stmt = stmt.where(PartOrder.device_id == get_device(session, barcode).id)
    if open_only:
        stmt = stmt.where(PartOrder.status != "refused",
                          (PartOrder.nav_status.is_(None)) | PartOrder.nav_status.not_in(PART_ORDER_FINAL))
    return stmt


def list_part_orders(session: Session, barcode: str | None = None, open_only: bool = False, limit: int = 200,
                     offset: int = 0) -> list[PartOrder]:
    return list(session.scalars(part_orders_stmt(session, barcode, open_only).limit(limit).offset(offset)))


def part_order_status_label(order: PartOrder) -> str:
    if order.status in ("queued", "refused", "received"):
        label = PART_STATUS_LABELS[order.status]
        return label + (f", ventet {order.expected_delivery:%d.%m.%Y}" if order.status == "received"
                        and order.expected_delivery else "")
    return PART_STATUS_LABELS.get(order.nav_status or "INNSENDT", order.nav_status or "")


def send_part_order(session: Session, port: NavPort, message: NavOutboxMessage, vault=None) -> None:
    """Outbox sender: NAV takes the order (the same key twice gives the same case)."""
    answer = port.submit_part_order(Delbestilling.from_wire(message.payload), message.idempotency_key)
    order = session.get(PartOrder, message.part_order_id)
    sak = answer.delbestilling_sak
    order.status, order.saksnummer, order.sent_at = "sent", answer.saksnummer, utcnow()
    _apply_sak(session, order, sak)
    device = session.get(Device, order.device_id)
    record_event(session, device, "part_order_sent", None,
                 note=f"Delbestilling mottatt av NAV, saksnummer {answer.saksnummer}",
                 data={"part_order_id": order.id, "saksnummer": answer.saksnummer})


def part_order_refused(session: Session, message: NavOutboxMessage, problem: Exception) -> None:
    if message.part_order_id is None:
        return
    order = session.get(PartOrder, message.part_order_id)
    order.status = "refused"
    order.refusal_code = getattr(problem, "feil_code", None) or getattr(problem, "field", None)
    order.refusal_message = getattr(problem, "message", None) or str(problem)
    device = session.get(Device, order.device_id)
    record_event(session, device, "part_order_refused", None,
                 note=f"NAV avviste delbestillingen: {order.refusal_message}",
                 data={"part_order_id": order.id, "feil": order.refusal_code})


def _apply_sak(session: Session, order: PartOrder, sak) -> None:
    order.nav_status = sak.status
    order.oebs_ordrenummer = order.oebs_ordrenummer or sak.oebs_ordrenummer
    order.status_checked_at = utcnow()
    if sak.status == "SKIPNINGSBEKREFTET" and order.expected_delivery is None:
        shipped = nav_date(sak.sist_oppdatert) or local_today()
        _expect_parts(session, order, next_working_day(shipped))


def _expect_parts(session: Session, order: PartOrder, on: date) -> None:
    """The parts are due ``on``: the repair they are for is visited that day, not before."""
    order.expected_delivery = on
    repair_id = order.repair_id or session.scalar(select(RepairOrder.id).where(
        RepairOrder.device_id == order.device_id, RepairOrder.place == "home", RepairOrder.status == "open")
        .order_by(RepairOrder.id.desc()).limit(1))
    if repair_id is not None:
        logistics.postpone_repair_visit(session, repair_id, on)


def match_part_shipments(session: Session, lines: list[NavOrderLine]) -> int:
    """NAV's order lines for shipped parts (type Del, reference ``hmdel_<saksnummer>``) find their part
    order: it is marked received, with the day the parts are due, and the repair visit waits for it."""
    by_case = {}
    for line in lines:
        reference = line.referanse_nummer or ""
        if line.item_type == "Del" and reference.startswith("hmdel_") and reference[6:].isdigit():
            by_case.setdefault(int(reference[6:]), line)
    if not by_case:
        return 0
    orders = session.scalars(select(PartOrder).where(PartOrder.saksnummer.in_(by_case),
                                                     PartOrder.order_line_id.is_(None)))
    matched = 0
    for order in orders:
        line = by_case[order.saksnummer]
        order.order_line_id, order.status = line.id, "received"
        _expect_parts(session, order, line.expected_on or order.expected_delivery or local_today())
        record_event(session, session.get(Device, order.device_id), "part_order_status", None,
                     note=f"Delbestilling {order.saksnummer}: delene er sendt fra NAV (ordre {line.ordre_number}), "
                          f"ventet {order.expected_delivery:%d.%m.%Y}",
                     data={"part_order_id": order.id, "order_line_id": line.id})
        matched += 1
    session.flush()
    return matched


def open_part_order_ids(session: Session, limit: int = 200) -> list[int]:
    return list(session.scalars(select(PartOrder.id).where(
        PartOrder.status.in_(("sent", "received")), PartOrder.saksnummer.is_not(None),
        PartOrder.nav_status.not_in(PART_ORDER_FINAL)).order_by(PartOrder.id).limit(limit)))


def refresh_part_order(session: Session, port: NavPort, part_order_id: int) -> PartOrder:
    """Follow a sent order at NAV until it has shipped (then it has an expected delivery date)."""
    order = session.get(PartOrder, part_order_id, with_for_update=True)
    if order is None or order.saksnummer is None:
        raise NotFound(f"Fant ingen sendt delbestilling {part_order_id}.", {"part_order_id": part_order_id})
    before = order.nav_status
    _apply_sak(session, order, port.order_status(order.saksnummer))
    if order.nav_status != before:
        device = session.get(Device, order.device_id)
        record_event(session, device, "part_order_status", None,
                 note=f"Delbestilling {order.saksnummer}: {PART_STATUS_LABELS.get(order.nav_status, order.nav_status)}"
                          + (f", ventet {order.expected_delivery:%d.%m.%Y}" if order.expected_delivery else ""),
                     data={"part_order_id": order.id, "status": order.nav_status})
    session.flush()
    return order
