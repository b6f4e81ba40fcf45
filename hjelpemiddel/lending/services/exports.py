"""Needs, the queue and loans as rows for a download (``core.exports``): every row the list's filters
match, with names as the list shows them to the caller and never a fødselsnummer."""
from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ...core.paging import streamed
from ...stock.models import Device
from ..models import Loan, Need
from .loans import LOAN_STATUS_LABELS, RETURN_REASON_LABELS, check_loan_scope
from .needs import NAV_STATUS_LABELS, NEED_STATUS_LABELS
from .overview import ReadyUnit, _needs, ready_for_hand_over_stmt
from .reservations import QUEUE_ORDER

URGENCY_LABELS = {"discharge": "Utskrivning fra sykehus", "urgent": "Haster", "normal": "Normal"}
APPLICATION_LABELS = {"short_term": "Korttidslån (kommunen)", "long_term": "Langtidslån (NAV)"}
NEED_HEADINGS = ("Innbygger", "Hjelpemiddel", "Antall", "Trengs innen", "Hast", "Utlånstype", "Status", "NAV-status",
                 "Registrert")
READY_HEADINGS = ("Strekkode", "Produkt", "Hent fra", "Innbygger", "Trengs innen", "Hast")
LOAN_HEADINGS = ("Strekkode", "Hjelpemiddel", "HMS-nr", "Innbygger", "Utlånstype", "Status", "Utlånt",
                 "Forventet slutt", "Retur bestilt", "Returgrunn", "Avsluttet")


def _need_row(need: Need) -> tuple:
    what = need.product.name if need.product else f"ISO {need.iso_class}"
    return (need.citizen.name, what, need.quantity, need.needed_by, URGENCY_LABELS.get(need.urgency, need.urgency),
            APPLICATION_LABELS.get(need.application_type, need.application_type),
            NEED_STATUS_LABELS.get(need.status, need.status), NAV_STATUS_LABELS.get(need.nav_status or "", ""),
            need.registered_at)


def need_export_rows(session: Session, role: str, user_id: int, status: str | None = None,
                     citizen_id: int | None = None) -> Iterator[tuple]:
    """The needs the caller may see (a therapist: their citizens'), the most urgent first."""
    return (_need_row(need) for need in streamed(session, _needs(role, user_id, status, citizen_id), scalars=True))


def queue_export_rows(session: Session) -> Iterator[tuple]:
    """Approved needs with no unit yet, in the queue's order."""
    stmt = (select(Need).options(joinedload(Need.citizen), joinedload(Need.product))
            .where(Need.status == "approved").order_by(*QUEUE_ORDER))
    return (_need_row(need) for need in streamed(session, stmt, scalars=True))


def undecided_export_rows(session: Session) -> Iterator[tuple]:
    """Short-term needs waiting for the depot's decision, the most urgent first."""
    stmt = (select(Need).options(joinedload(Need.citizen), joinedload(Need.product))
            .where(Need.status == "registered", Need.application_type == "short_term")
            .order_by(Need.urgency_rank, Need.needed_by, Need.id))
    return (_need_row(need) for need in streamed(session, stmt, scalars=True))


def ready_export_rows(session: Session, q: str | None = None) -> Iterator[tuple]:
    """Reserved units still on the shelf, the most urgent need first, as the depot page lists them."""
    return ((unit.barcode, unit.product_name, unit.location_code, unit.citizen_name, unit.needed_by,
             URGENCY_LABELS.get(unit.urgency, unit.urgency))
            for unit in (ReadyUnit(*row) for row in streamed(session, ready_for_hand_over_stmt(q))))


def loan_export_rows(session: Session, role: str, user_id: int, citizen_id: int | None = None,
                     status: str | None = None) -> Iterator[tuple]:
    """Loans, newest first (awaiting return: the oldest request first, as the depot fetches them);
    a therapist's only for one of their citizens, refused before the download starts."""
    check_loan_scope(session, role, user_id, citizen_id)
    stmt = select(Loan).options(joinedload(Loan.device).joinedload(Device.product), joinedload(Loan.citizen))
    if citizen_id is not None:
        stmt = stmt.where(Loan.citizen_id == citizen_id)
    if status:
        stmt = stmt.where(Loan.status == status)
    order = (Loan.return_requested_at, Loan.id) if status == "return_requested" else (Loan.id.desc(),)
    return ((loan.device.barcode, loan.device.product.name, loan.device.product.hms_nr, loan.citizen.name,
             APPLICATION_LABELS.get(loan.loan_type, loan.loan_type), LOAN_STATUS_LABELS.get(loan.status, loan.status),
             loan.started_at, loan.expected_end, loan.return_requested_at,
             RETURN_REASON_LABELS.get(loan.return_reason or "", ""), loan.ended_at)
            for loan in streamed(session, stmt.order_by(*order), scalars=True))
