"""The recalls list, a recall's progress board (per unit: where it was found, what was planned, who
handled it when), marking a unit handled, closing the notice, and the rows of the manufacturer's CSV."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, aliased

from ...catalog.models import Product
from ...citizens.models import Citizen
from ...citizens.services import masked_name
from ...core.auth import User
from ...core.db import utcnow
from ...core.errors import Conflict, InvalidState, NotFound, ValidationFailed
from ...core.paging import PAGE_SIZE, Page, in_batches, offset_page, streamed
from ...stock.lifecycle import STATE_LABELS
from ...stock.models import Device, Location
from ..models import FOUND_WHERE, Recall, RecallUnit, recall_products

FOUND_LABELS = {"shelf": "På lager", "reserved": "Reservert for et behov", "van": "I bil",
                "home": "Hjemme hos bruker", "maintenance": "Vask eller kontroll", "repair": "Til reparasjon",
                "quarantine": "Allerede i karantene"}
assert set(FOUND_LABELS) == set(FOUND_WHERE)
STATUS_LABELS = {"open": "Åpen", "handled": "Behandlet"}
RECALL_STATUS_LABELS = {"open": "Åpen", "closed": "Lukket"}
SELECTION_LABELS = {"range": "Serienumre fra–til", "list": "Liste over serienumre", "lot": "Lot"}


def get_recall(session: Session, recall_id: int, for_update: bool = False) -> Recall:
    stmt = select(Recall).where(Recall.id == recall_id)
    recall = session.scalar(stmt.with_for_update() if for_update else stmt)
    if recall is None:
        raise NotFound("Fant ikke tilbakekallingen.", {"recall_id": recall_id})
    return recall


@dataclass(frozen=True)
class RecallSummary:
    recall: Recall
    product_names: list[str]
    units: int
    handled: int

    @property
    def open_units(self) -> int:
        return self.units - self.handled

    def __getattr__(self, name):
        return getattr(self.recall, name)


def _counts(session: Session, recall_ids: list[int]) -> dict[int, tuple[int, int]]:
    rows = session.execute(select(RecallUnit.recall_id, func.count(),
                                  func.count().filter(RecallUnit.status == "handled"))
                           .where(RecallUnit.recall_id.in_(recall_ids)).group_by(RecallUnit.recall_id))
    return {recall_id: (units, handled) for recall_id, units, handled in rows}


def _product_names(session: Session, recall_ids: list[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = {}
    for recall_id, name in session.execute(select(recall_products.c.recall_id, Product.name)
                                           .join(Product, Product.id == recall_products.c.product_id)
                                           .where(recall_products.c.recall_id.in_(recall_ids))
                                           .order_by(Product.name)):
        names.setdefault(recall_id, []).append(name)
    return names


def _summaries(session: Session, recalls: list[Recall]) -> list[RecallSummary]:
    ids = [recall.id for recall in recalls]
    counts, names = _counts(session, ids), _product_names(session, ids)
    return [RecallSummary(recall, names.get(recall.id, []), *counts.get(recall.id, (0, 0))) for recall in recalls]


def describe_recall(session: Session, recall_id: int) -> RecallSummary:
    return _summaries(session, [get_recall(session, recall_id)])[0]


def _recalls(status: str | None, q: str | None):
    stmt = select(Recall)
    if status:
        stmt = stmt.where(Recall.status == status)
    if q and q.strip():
        pattern = f"%{q.strip().lower()}%"
        by_product = (select(recall_products.c.recall_id).join(Product, Product.id == recall_products.c.product_id)
                      .where(func.lower(Product.name).like(pattern) | (Product.hms_nr == q.strip())))
        stmt = stmt.where(or_(func.lower(Recall.title).like(pattern), func.lower(Recall.reference).like(pattern),
                              Recall.id.in_(by_product)))
    return stmt.order_by(Recall.status.desc(), Recall.id.desc())


def list_recalls(session: Session, status: str | None = None, q: str | None = None, number: int = 1,
                 size: int = PAGE_SIZE) -> Page:
    """Notices, open first and newest first; by title, reference or product name."""
    page = offset_page(session, _recalls(status, q), number, size)
    page.items = _summaries(session, list(page.items))
    return page


RECALL_HEADINGS = ("Tittel", "Referanse", "Produkter", "Tiltak", "Frist", "Enheter", "Behandlet", "Status",
                   "Registrert", "Lukket")


def recall_export_rows(session: Session, status: str | None = None, q: str | None = None):
    """Every notice the list's filters match as rows for a download (``core.exports``)."""
    from .register import ACTION_LABELS

    for batch in in_batches(streamed(session, _recalls(status, q), scalars=True), 200):
        for r in _summaries(session, batch):
            yield (r.title, r.reference, ", ".join(r.product_names), ACTION_LABELS.get(r.action, r.action), r.due_date,
                   r.units, r.handled, RECALL_STATUS_LABELS.get(r.status, r.status), r.created_at, r.closed_at)


@dataclass(frozen=True)
class BoardRow:
    id: int
    barcode: str
    product_name: str
    hms_nr: str | None
    serial: str | None
    nav_flag: bool
    found_where: str
    found_state: str
    found_place: str | None
    state_now: str
    place_now: str | None
    holder: str | None
    planned: str
    status: str
    action_taken: str
    handled_by: str | None
    handled_at: datetime | None

    @property
    def found_label(self) -> str:
        return FOUND_LABELS[self.found_where]

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state_now]

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def _planned(unit: RecallUnit) -> str:
    parts = []
    if unit.quarantine_pending:
        parts.append("Settes i karantene")
    if unit.quarantine_id is not None:
        parts.append("Satt i karantene")
    if unit.stop_id is not None:
        parts.append("Besøk planlagt (haster)")
    if unit.nav_flag:
        parts.append("Meldes til NAV")
    return ", ".join(parts) or "Følges opp manuelt"


def _board_stmt(recall_id: int, status: str | None, found: str | None):
    found_at, now_at = aliased(Location), aliased(Location)
    stmt = (select(RecallUnit, Device.barcode, Device.serial_number, Device.nav_serial, Device.state, Product.name,
                   Product.hms_nr, found_at.code, now_at.code, Citizen.name, User.full_name, User.username)
            .join(Device, Device.id == RecallUnit.device_id).join(Product, Product.id == Device.product_id)
            .outerjoin(found_at, found_at.id == RecallUnit.found_location_id)
            .outerjoin(now_at, now_at.id == Device.location_id)
            .outerjoin(Citizen, Citizen.id == RecallUnit.holder_citizen_id)
            .outerjoin(User, User.id == RecallUnit.handled_by_id)
            .where(RecallUnit.recall_id == recall_id))
    if status:
        stmt = stmt.where(RecallUnit.status == status)
    if found:
        stmt = stmt.where(RecallUnit.found_where == found)
    return stmt


def _row(row, show_holder: bool) -> BoardRow:
    unit, barcode, serial, nav_serial, state, product, hms_nr, found_code, now_code, holder, full_name, username = row
    return BoardRow(unit.id, barcode, product, hms_nr, serial or nav_serial, unit.nav_flag, unit.found_where,
                    unit.found_state, found_code, state, now_code,
                    masked_name(holder) if holder and show_holder else None, _planned(unit), unit.status,
                    unit.action_taken, full_name or username, unit.handled_at)


def recall_board(session: Session, recall_id: int, status: str | None = None, found: str | None = None,
                 number: int = 1, size: int = PAGE_SIZE, show_holder: bool = True) -> Page:
    """A page of the recall's units, open first, newest first; the holder's name masked, and left out where the
    caller may not see it."""
    get_recall(session, recall_id)
    stmt = _board_stmt(recall_id, status, found).order_by(RecallUnit.status.desc(), RecallUnit.id.desc())
    page = offset_page(session, stmt, number, size, scalars=False)
    page.items = [_row(row, show_holder) for row in page.items]
    return page


BOARD_HEADINGS = ("Strekkode", "Produkt", "HMS-nr", "Serienummer", "Funnet", "Status da", "Sted da", "Status nå",
                  "Sted nå", "Bruker", "Planlagt", "Meldes til NAV", "Behandlet", "Tiltak", "Utført av", "Tidspunkt")


def board_export_rows(session: Session, recall_id: int, status: str | None = None, found: str | None = None):
    """The board's units the filters match as rows for a download (``core.exports``), the holder masked
    as on the board; an unknown recall is refused before the download starts."""
    get_recall(session, recall_id)
    stmt = _board_stmt(recall_id, status, found).order_by(RecallUnit.status.desc(), RecallUnit.id.desc())
    return ((r.barcode, r.product_name, r.hms_nr, r.serial, r.found_label, STATE_LABELS.get(r.found_state, r.found_state),
             r.found_place, r.state_label, r.place_now, r.holder, r.planned, r.nav_flag, r.status_label,
             r.action_taken, r.handled_by, r.handled_at)
            for r in (_row(row, show_holder=True) for row in streamed(session, stmt)))


def board_counts(session: Session, recall_id: int) -> dict[str, int]:
    """Units per status and per place found, for the board's filters."""
    counts = {"open": 0, "handled": 0, **{key: 0 for key in FOUND_WHERE}, "nav": 0, "pending": 0}
    for status, found, nav, pending, number in session.execute(
            select(RecallUnit.status, RecallUnit.found_where, RecallUnit.nav_flag, RecallUnit.quarantine_pending,
                   func.count())
            .where(RecallUnit.recall_id == recall_id)
            .group_by(RecallUnit.status, RecallUnit.found_where, RecallUnit.nav_flag, RecallUnit.quarantine_pending)):
        counts[status] += number
        counts[found] += number
        counts["nav"] += number if nav else 0
        counts["pending"] += number if pending else 0
    counts["total"] = counts["open"] + counts["handled"]
    return counts


def mark_recall_unit_handled(session: Session, actor_id: int | None, recall_id: int, unit_id: int,
                             what_was_done: str) -> RecallUnit:
    """«Behandlet»: what was done with the unit, by whom and when."""
    recall = get_recall(session, recall_id)
    unit = session.scalar(select(RecallUnit).where(RecallUnit.id == unit_id, RecallUnit.recall_id == recall_id)
                          .with_for_update())
    if unit is None:
        raise NotFound("Fant ikke enheten i denne tilbakekallingen.", {"recall_id": recall_id, "unit_id": unit_id})
    if recall.status != "open":
        raise InvalidState("Tilbakekallingen er lukket.", {"current_state": recall.status, "allowed": ["open"]})
    if unit.status == "handled":
        raise Conflict("Enheten er allerede behandlet.", {"unit_id": unit_id}, code="already_handled")
    if not what_was_done.strip():
        raise ValidationFailed.for_field("what_was_done", "Skriv hva som ble gjort.")
    unit.status, unit.handled_by_id, unit.handled_at = "handled", actor_id, utcnow()
    unit.action_taken = what_was_done.strip()
    unit.quarantine_pending = False  # handled before its quarantine came: nothing more keeps it from lending
    session.flush()
    return unit


def close_recall(session: Session, actor_id: int | None, recall_id: int, force: bool = False,
                 note: str = "") -> Recall:
    """Closed when every unit is handled; with units open only if forced, with a note saying why."""
    recall = get_recall(session, recall_id, for_update=True)
    if recall.status != "open":
        raise InvalidState("Tilbakekallingen er allerede lukket.", {"current_state": recall.status, "allowed": ["open"]})
    still_open = session.scalar(select(func.count()).select_from(RecallUnit).where(
        RecallUnit.recall_id == recall_id, RecallUnit.status == "open"))
    if still_open and not force:
        raise Conflict(f"{still_open} enheter er ikke behandlet ennå. Lukk likevel med en merknad om hvorfor.",
                       {"open_units": still_open}, code="units_open")
    if still_open and not note.strip():
        raise ValidationFailed.for_field("note", "Skriv hvorfor tilbakekallingen lukkes med åpne enheter.")
    recall.status, recall.closed_by_id, recall.closed_at = "closed", actor_id, utcnow()
    recall.close_note = note.strip()
    # Closed with units still waiting for their quarantine: the recall no longer keeps them from lending.
    session.execute(update(RecallUnit).where(RecallUnit.recall_id == recall_id, RecallUnit.quarantine_pending)
                    .values(quarantine_pending=False))
    session.flush()
    return recall


@dataclass(frozen=True)
class CsvRow:
    serial: str
    hms_nr: str
    found: str
    action: str
    by: str
    when: datetime | None


def recall_export(session: Session, recall_id: int) -> tuple[Recall, list[CsvRow]]:
    """Every unit for the manufacturer: serial, HMS-nr, where found, what was done, by whom, when.
    No citizen's name."""
    recall = get_recall(session, recall_id)
    rows = []
    for row in session.execute(_board_stmt(recall_id, None, None).order_by(RecallUnit.id)):
        board = _row(row, show_holder=False)
        action = board.action_taken or ("Ikke behandlet: " + board.planned.lower())
        rows.append(CsvRow(board.serial or "", board.hms_nr or "", board.found_label, action,
                           board.handled_by or "", board.handled_at))
    return recall, rows


