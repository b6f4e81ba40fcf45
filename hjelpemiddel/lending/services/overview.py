"""What therapists and the depot see of needs: units held or lent per need, timelines, lists."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, joinedload

from ...catalog.models import Product
from ...citizens.models import Caseworker, Citizen
from ...core.ids import looks_like_code, normalize_scan
from ...core.paging import PAGE_SIZE, Page, offset_page
from ...stock.models import Device, Location
from ..models import Loan, Need, NeedEvent, Reservation
from .needs import check_need_access
from .reservations import queue_position


@dataclass(frozen=True)
class Unit:
    barcode: str
    product_name: str
    state: str
    reservation_id: int | None
    loan_id: int | None
    loan_status: str | None
    expected_end: date | None
    since: datetime


def need_units(session: Session, need_ids: list[int]) -> dict[int, list[Unit]]:
    """The units held for or lent to each need, newest first (two queries for any number of needs)."""
    units: dict[int, list[Unit]] = {need_id: [] for need_id in need_ids}
    if not need_ids:
        return units
    for reservation, device, product in session.execute(
            select(Reservation, Device, Product).join(Device, Device.id == Reservation.device_id)
            .join(Product, Product.id == Device.product_id)
            .where(Reservation.need_id.in_(need_ids), Reservation.status == "active")):
        units[reservation.need_id].append(Unit(device.barcode, product.name, device.state, reservation.id, None, None,
                                               None, reservation.created_at))
    for loan, device, product in session.execute(
            select(Loan, Device, Product).join(Device, Device.id == Loan.device_id)
            .join(Product, Product.id == Device.product_id).where(Loan.need_id.in_(need_ids))):
        state = device.state if loan.status != "ended" else "returned"
        units[loan.need_id].append(Unit(device.barcode, product.name, state, None, loan.id, loan.status,
                                        loan.expected_end, loan.ended_at or loan.return_requested_at or loan.started_at))
    for listed in units.values():
        listed.sort(key=lambda unit: unit.since, reverse=True)
    return units


def need_timeline(session: Session, need_id: int) -> list[NeedEvent]:
    return list(session.scalars(select(NeedEvent).where(NeedEvent.need_id == need_id).order_by(NeedEvent.id)))


@dataclass
class NeedDetail:
    """A need with its units, timeline and place in the queue; reads through to the need."""

    need: Need
    units: list[Unit]
    timeline: list[NeedEvent]
    queue_position: int | None

    def __getattr__(self, name):
        return getattr(self.need, name)


def need_detail(session: Session, role: str, user_id: int, need_id: int) -> NeedDetail:
    need = check_need_access(session, role, user_id, need_id)
    return NeedDetail(need, need_units(session, [need.id])[need.id], need_timeline(session, need.id),
                      queue_position(session, need) if need.status == "approved" else None)


@dataclass(frozen=True)
class CitizenEvent:
    occurred_at: datetime
    kind: str
    need_id: int
    what: str  # the product's name, or the ISO class when the need named none
    barcode: str | None
    note: str


def citizen_timeline(session: Session, citizen_id: int, limit: int = 30) -> list[CitizenEvent]:
    """The latest steps of all a citizen's needs, newest first, in one query."""
    rows = session.execute(
        select(NeedEvent.occurred_at, NeedEvent.kind, Need.id, Product.name, Need.iso_class, Device.barcode,
               NeedEvent.note)
        .join(Need, Need.id == NeedEvent.need_id).outerjoin(Product, Product.id == Need.product_id)
        .outerjoin(Device, Device.id == NeedEvent.device_id).where(Need.citizen_id == citizen_id)
        .order_by(NeedEvent.id.desc()).limit(limit))
    return [CitizenEvent(at, kind, need_id, name or f"ISO {iso}", barcode, note)
            for at, kind, need_id, name, iso, barcode, note in rows]


def _needs(role: str, user_id: int, status: str | None, citizen_id: int | None):
    stmt = (select(Need).options(joinedload(Need.citizen), joinedload(Need.product))
            .order_by(Need.urgency_rank, Need.needed_by, Need.id))
    if role == "terapeut":
        stmt = stmt.join(Caseworker, and_(Caseworker.citizen_id == Need.citizen_id, Caseworker.user_id == user_id))
    if status:
        stmt = stmt.where(Need.status == status)
    if citizen_id is not None:
        stmt = stmt.where(Need.citizen_id == citizen_id)
    return stmt


def list_needs(session: Session, role: str, user_id: int, status: str | None = None, citizen_id: int | None = None,
               limit: int = 50, offset: int = 0) -> list[Need]:
    return list(session.scalars(_needs(role, user_id, status, citizen_id).limit(limit).offset(offset)))


def needs_page(session: Session, role: str, user_id: int, status: str | None = None, citizen_id: int | None = None,
               number: int = 1, size: int = PAGE_SIZE) -> Page:
    """A page of the needs the caller may see, the most urgent first, with how many there are in all
    (capped), so a page says when it shows only part of them. ``need_units`` gives a page's units."""
    return offset_page(session, _needs(role, user_id, status, citizen_id), number, size)


def undecided_needs(session: Session, number: int = 1, size: int = PAGE_SIZE) -> Page:
    """Short-term needs waiting for the depot's decision, the most urgent first."""
    return offset_page(session, select(Need).options(joinedload(Need.citizen), joinedload(Need.product))
                       .where(Need.status == "registered", Need.application_type == "short_term")
                       .order_by(Need.urgency_rank, Need.needed_by, Need.id), number, size)


@dataclass(frozen=True)
class ReadyUnit:
    reservation_id: int
    barcode: str
    product_name: str
    location_code: str | None
    citizen_name: str
    needed_by: date
    urgency: str


def units_ready_for_hand_over(session: Session, number: int = 1, size: int = PAGE_SIZE, q: str | None = None) -> Page:
    """Reserved units still on the shelf, the most urgent need first: what to fetch next."""
    page = offset_page(session, ready_for_hand_over_stmt(q), number, size, scalars=False)
    page.items = [ReadyUnit(*row) for row in page.items]
    return page


def ready_for_hand_over_stmt(q: str | None = None):
    """The rows of ``ReadyUnit``, in the order the depot fetches them: the list and its download.
    ``q``: a unit's barcode, or a piece of the product's or the citizen's name."""
    stmt = (select(Reservation.id, Device.barcode, Product.name, Location.code, Citizen.name, Need.needed_by,
                   Need.urgency)
            .join(Device, Device.id == Reservation.device_id).join(Product, Product.id == Device.product_id)
            .outerjoin(Location, Location.id == Device.location_id).join(Need, Need.id == Reservation.need_id)
            .join(Citizen, Citizen.id == Need.citizen_id)
            .where(Reservation.status == "active", Device.state == "reserved")
            .order_by(Need.urgency_rank, Need.needed_by, Reservation.id))
    if q and q.strip():
        key, text = normalize_scan(q), q.strip().lower()
        stmt = stmt.where(Device.barcode == key if looks_like_code(key) else
                          or_(func.lower(Product.name).contains(text, autoescape=True),
                              func.lower(Citizen.name).contains(text, autoescape=True)))
    return stmt
