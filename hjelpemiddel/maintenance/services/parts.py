"""The municipality's spare-part stock (reservedeler): parts with a quantity that never goes below
zero, received, counted and used on repairs, every change kept as a movement. NAV's units get their
parts from NAV (``nav.services.order_parts``), never from this stock."""
from __future__ import annotations

from dataclasses import dataclass

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ...catalog.models import Product
from ...core.auth import User
from ...core.errors import Conflict, NotFound, ValidationFailed
from ...core.paging import PAGE_SIZE, Page, offset_page
from ...stock.models import Device, Location
from ...stock.services import get_location
from ..models import RepairOrder, SparePart, SparePartMovement

MOVEMENT_REASON_LABELS = {"received": "Mottak", "used": "Brukt på reparasjon", "counted": "Telling"}


@dataclass
class SparePartView:
    """A part as lists and answers show it: with its bin's code and whether it is below its minimum."""

    id: int
    part_number: str
    name: str
    quantity: int
    minimum_quantity: int
    location_code: str | None
    product_ids: list
    note: str

    @property
    def below_minimum(self) -> bool:
        return self.quantity < self.minimum_quantity

    @property
    def code(self) -> str:  # what the type-ahead shows before the name
        return self.part_number


def _view(part: SparePart, location_code: str | None) -> SparePartView:
    return SparePartView(part.id, part.part_number, part.name, part.quantity, part.minimum_quantity, location_code,
                         list(part.product_ids or []), part.note)


def spare_part_view(session: Session, part: SparePart) -> SparePartView:
    code = session.scalar(select(Location.code).where(Location.id == part.location_id)) if part.location_id else None
    return _view(part, code)


def get_spare_part(session: Session, part_id: int, for_update: bool = False) -> SparePart:
    # A locked read refreshes what the session may hold, so the quantity is the one the lock guards.
    part = session.get(SparePart, part_id, with_for_update=for_update, populate_existing=for_update)
    if part is None:
        raise NotFound(f"Fant ikke reservedel {part_id}.", {"spare_part_id": part_id})
    return part


def find_spare_part(session: Session, text: str, field: str = "spare_part") -> SparePart:
    """A part typed by its part number (or its exact name), for forms used without the type-ahead."""
    wanted = (text or "").strip()
    part = session.scalar(select(SparePart).where(SparePart.part_number == wanted)) or session.scalar(
        select(SparePart).where(SparePart.name == wanted).order_by(SparePart.id).limit(1))
    if part is None:
        raise ValidationFailed.for_field(field, f"Fant ingen reservedel med delenummer «{wanted[:40]}».")
    return part


def _check_products(session: Session, product_ids: list[int] | None) -> list[int]:
    ids = sorted(set(product_ids or []))
    if ids:
        known = set(session.scalars(select(Product.id).where(Product.id.in_(ids))))
        if missing := [i for i in ids if i not in known]:
            raise ValidationFailed.for_field("product_ids", f"Ukjent produkt: {missing[0]}.")
    return ids


def _location_id(session: Session, location_code: str | None) -> int | None:
    return get_location(session, location_code, field="location_code").id if location_code else None


def _move(session: Session, part: SparePart, delta: int, reason: str, actor_id: int | None,
          repair_order_id: int | None = None, note: str = "") -> SparePartMovement:
    movement = SparePartMovement(spare_part_id=part.id, delta=delta, quantity_after=part.quantity, reason=reason,
                                 repair_order_id=repair_order_id, note=note, created_by_id=actor_id)
    session.add(movement)
    return movement


def create_spare_part(session: Session, actor_id: int | None, part_number: str, name: str, quantity: int = 0,
                      minimum_quantity: int = 0, location_code: str | None = None,
                      product_ids: list[int] | None = None, note: str = "") -> SparePartView:
    part_number, name = part_number.strip(), name.strip()
    if not part_number:
        raise ValidationFailed.for_field("part_number", "Skriv delenummeret.")
    if not name:
        raise ValidationFailed.for_field("name", "Skriv navnet på delen.")
    if quantity < 0 or minimum_quantity < 0:
        raise ValidationFailed.for_field("quantity" if quantity < 0 else "minimum_quantity", "Kan ikke være negativ.")
    if session.scalar(select(SparePart.id).where(SparePart.part_number == part_number)):
        raise Conflict(f"Delenummer {part_number} finnes allerede.", {"part_number": part_number},
                       code="duplicate_part_number")
    part = SparePart(part_number=part_number, name=name, quantity=quantity, minimum_quantity=minimum_quantity,
                     location_id=_location_id(session, location_code),
                     product_ids=_check_products(session, product_ids), note=note.strip())
    session.add(part)
    session.flush()
    if quantity:
        _move(session, part, quantity, "received", actor_id, note="Første beholdning")
    session.flush()
    return spare_part_view(session, part)


_UNSET = object()


def update_spare_part(session: Session, part_id: int, name: str | None = None, minimum_quantity: int | None = None,
                      location_code=_UNSET, product_ids: list[int] | None = None,
                      note: str | None = None) -> SparePartView:
    """Name, minimum, bin, products and note; the quantity changes only by receiving, counting or use."""
    part = get_spare_part(session, part_id, for_update=True)
    if name is not None:
        if not name.strip():
            raise ValidationFailed.for_field("name", "Skriv navnet på delen.")
        part.name = name.strip()
    if minimum_quantity is not None:
        if minimum_quantity < 0:
            raise ValidationFailed.for_field("minimum_quantity", "Kan ikke være negativ.")
        part.minimum_quantity = minimum_quantity
    if location_code is not _UNSET:
        part.location_id = _location_id(session, location_code)
    if product_ids is not None:
        part.product_ids = _check_products(session, product_ids)
    if note is not None:
        part.note = note.strip()
    session.flush()
    return spare_part_view(session, part)


def receive_spare_part(session: Session, actor_id: int | None, part_id: int, quantity: int,
                       note: str = "") -> SparePartView:
    if quantity < 1:
        raise ValidationFailed.for_field("quantity", "Antall mottatt må være minst 1.")
    part = get_spare_part(session, part_id, for_update=True)
    part.quantity += quantity
    _move(session, part, quantity, "received", actor_id, note=note.strip())
    session.flush()
    return spare_part_view(session, part)


def count_spare_part(session: Session, actor_id: int | None, part_id: int, counted: int,
                     note: str = "") -> SparePartView:
    """The shelf was counted: the quantity becomes what was found; the movement keeps the difference."""
    if counted < 0:
        raise ValidationFailed.for_field("counted", "Opptalt antall kan ikke være negativt.")
    part = get_spare_part(session, part_id, for_update=True)
    delta, part.quantity = counted - part.quantity, counted
    _move(session, part, delta, "counted", actor_id, note=note.strip())
    session.flush()
    return spare_part_view(session, part)


def use_spare_parts(session: Session, actor_id: int | None, repair_order_id: int,
                    wanted: list[dict]) -> list[dict]:
    """Take parts out of stock for a repair, all or none: every part is locked (in id order, so two
    repairs never wait on each other crosswise) and checked before any is taken. Not enough of one →
    409 naming it and what is left. Answers the lines for the repair's ``parts_used``."""
    needed: dict[int, int] = {}
    for index, line in enumerate(wanted):
        part_id, quantity = line.get("spare_part_id"), line.get("quantity", 1)
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise ValidationFailed.for_field(f"stock_parts[{index}].quantity", "Antall må være minst 1.")
        if isinstance(part_id, bool) or not isinstance(part_id, int):
            raise ValidationFailed.for_field(f"stock_parts[{index}].spare_part_id", "Velg en reservedel.")
        needed[part_id] = needed.get(part_id, 0) + quantity
    if not needed:
        return []
    parts = {part.id: part for part in session.scalars(
        select(SparePart).where(SparePart.id.in_(needed)).order_by(SparePart.id).with_for_update()
        .execution_options(populate_existing=True))}
    for index, line in enumerate(wanted):
        if line["spare_part_id"] not in parts:
            raise ValidationFailed.for_field(f"stock_parts[{index}].spare_part_id",
                                             f"Fant ikke reservedel {line['spare_part_id']}.")
    for part_id, quantity in needed.items():
        part = parts[part_id]
        if part.quantity < quantity:
            raise Conflict(f"Ikke nok {part.name} ({part.part_number}) på lager: {part.quantity} igjen, "
                           f"{quantity} trengs.",
                           {"spare_part_id": part.id, "part_number": part.part_number, "available": part.quantity,
                            "wanted": quantity}, code="not_enough_in_stock")
    used = []
    for part_id, quantity in needed.items():
        part = parts[part_id]
        part.quantity -= quantity
        _move(session, part, -quantity, "used", actor_id, repair_order_id=repair_order_id)
        used.append({"hmsnr": None, "navn": part.name, "antall": quantity, "delenummer": part.part_number,
                     "spare_part_id": part.id})
    session.flush()
    return used


SPARE_PART_ORDER = (SparePart.name, SparePart.id)


def list_spare_parts(session: Session, q: str | None = None, below_minimum: bool = False, page: int = 1,
                     size: int = PAGE_SIZE) -> Page[SparePartView]:
    found = offset_page(session, spare_parts_stmt(q, below_minimum), page, size, scalars=False)
    found.items = [_view(part, code) for part, code in found.items]
    return found


def spare_parts_stmt(q: str | None = None, below_minimum: bool = False):
    stmt = (select(SparePart, Location.code).outerjoin(Location, Location.id == SparePart.location_id)
            .order_by(*SPARE_PART_ORDER))
    if q and q.strip():
        pattern = f"%{q.strip().lower()}%"
        stmt = stmt.where(or_(SparePart.part_number.ilike(pattern), SparePart.name.ilike(pattern)))
    if below_minimum:
        stmt = stmt.where(SparePart.quantity < SparePart.minimum_quantity)
    return stmt


def list_part_movements(session: Session, part_id: int, page: int = 1, size: int = PAGE_SIZE) -> Page:
    get_spare_part(session, part_id)
    return offset_page(session, part_movements_stmt(part_id), page, size)


def part_movements_stmt(part_id: int):
    """A part's movements, newest first: the list and its download."""
    return (select(SparePartMovement).where(SparePartMovement.spare_part_id == part_id)
            .order_by(SparePartMovement.id.desc()))


@dataclass
class MovementLine:
    """A movement as the part's page and its download show it: the repaired unit by barcode, who by name."""

    moved_at: datetime
    reason: str
    delta: int
    quantity_after: int
    repaired_barcode: str | None
    actor: str | None
    note: str

    @property
    def reason_label(self) -> str:
        return MOVEMENT_REASON_LABELS.get(self.reason, self.reason)


def movement_lines_stmt(part_id: int, reason: str | None = None):
    """The rows of ``MovementLine``, newest first, of one kind if ``reason``: the page and its download."""
    stmt = (select(SparePartMovement.created_at, SparePartMovement.reason, SparePartMovement.delta,
                   SparePartMovement.quantity_after, Device.barcode,
                   func.coalesce(func.nullif(User.full_name, ""), User.username), SparePartMovement.note)
            .outerjoin(RepairOrder, RepairOrder.id == SparePartMovement.repair_order_id)
            .outerjoin(Device, Device.id == RepairOrder.device_id)
            .outerjoin(User, User.id == SparePartMovement.created_by_id)
            .where(SparePartMovement.spare_part_id == part_id).order_by(SparePartMovement.id.desc()))
    return stmt.where(SparePartMovement.reason == reason) if reason else stmt


def list_movement_lines(session: Session, part_id: int, reason: str | None = None, page: int = 1,
                        size: int = PAGE_SIZE) -> Page[MovementLine]:
    get_spare_part(session, part_id)
    found = offset_page(session, movement_lines_stmt(part_id, reason), page, size, scalars=False)
    found.items = [MovementLine(*row) for row in found.items]
    return found
