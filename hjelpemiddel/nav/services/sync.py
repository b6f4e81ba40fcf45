"""The order-line sync: NAV's upcoming deliveries to the municipality, fetched page by page from a
stored cursor, upserted by order + line + shipment, and tied to the citizens' long-term needs."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.orm import Session

from integrations.nav.port import NavPort, OrderLine

from ...catalog.models import Product
from ...citizens.models import Citizen
from ...citizens.services import masked_name
from ...core.crypto import FnrVault
from ...core.db import utcnow
from ...core.paging import PAGE_SIZE, Page, offset_page
from ...core.text import local_today
from ...lending import services as lending
from ...lending.fit import Candidate, fits
from ...lending.models import Need
from ..models import NavOrderLine, NavSyncState
from .common import expected_date
from .part_orders import match_part_shipments

SYNC_NAME = "order_lines"
LINE_STATE_LABELS = {"expected": "Ventet", "received": "Mottatt", "cancelled": "Kansellert"}


def _record_hash(line: OrderLine) -> str:
    return hashlib.md5(json.dumps(line.to_wire(), sort_keys=True, default=str).encode()).hexdigest()


def _fnr_hash(vault: FnrVault, account_number: str | None) -> str | None:
    if not account_number or len(account_number) != 11 or not account_number.isdigit():
        return None
    return vault.lookup_hash(account_number)


@dataclass
class ApplyResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    needs_matched: int = 0
    parts_matched: int = 0

    def add(self, other: "ApplyResult") -> None:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.needs_matched += other.needs_matched
        self.parts_matched += other.parts_matched

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
        result.needs_matched = match_needs(session, touched_citizens)
    part_references = {line.referanse_nummer for line, _, _ in changed if line.spare_part_saksnummer is not None}
    if part_references:
        result.parts_matched = match_part_shipments(session, list(session.scalars(select(NavOrderLine).where(
            NavOrderLine.item_type == "Del", NavOrderLine.referanse_nummer.in_(part_references)))))
    return result


def match_needs(session: Session, citizen_ids: set[int]) -> int:
    """Tie unmatched device lines to the citizens' long-term needs waiting on NAV, and tell the need
    that a delivery is expected."""
    # Needs first, and only those with units still to come: a citizen without one has no line to
    # tie, and loading their unmatched lines anyway would reread all of them on every sync page.
    needs = list(session.scalars(select(Need).where(
        Need.citizen_id.in_(citizen_ids), Need.application_type == "long_term",
        Need.status == "sent_to_nav").order_by(Need.urgency_rank, Need.needed_by, Need.id)))
    if not needs:
        return 0
    taken = dict(session.execute(select(NavOrderLine.need_id, func.count()).where(
        NavOrderLine.need_id.in_([need.id for need in needs])).group_by(NavOrderLine.need_id)).all())
    needs = [need for need in needs if taken.get(need.id, 0) < need.quantity]
    if not needs:
        return 0
    lines = list(session.scalars(select(NavOrderLine).where(
        NavOrderLine.citizen_id.in_({need.citizen_id for need in needs}), NavOrderLine.need_id.is_(None),
        NavOrderLine.item_type != "Del", NavOrderLine.state == "expected").order_by(NavOrderLine.id)))
    if not lines:
        return 0
    products = dict(session.execute(select(Product.hms_nr, Product.id)
                                    .where(Product.hms_nr.in_({line.hms_nr for line in lines}))).all())
    matched = 0
    for line in lines:
        unit = Candidate(products.get(line.hms_nr), line.category_num or "", "nav")
        for need in needs:
            if need.citizen_id != line.citizen_id or taken.get(need.id, 0) >= need.quantity:
                continue
            if fits(unit, need):
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


def upcoming_stmt(state: str | None, q: str | None = None):
    """Order lines of one state by expected date; ``q``: an HMS-nr or order number, or a piece of what is sent."""
    stmt = (select(NavOrderLine, Citizen.name).outerjoin(Citizen, Citizen.id == NavOrderLine.citizen_id)
            .order_by(NavOrderLine.expected_on, NavOrderLine.ordre_number, NavOrderLine.line_number))
    if q and q.strip():
        text = q.strip()
        stmt = stmt.where(or_(NavOrderLine.hms_nr == text, NavOrderLine.ordre_number == text,
                              func.lower(NavOrderLine.description).contains(text.lower(), autoescape=True)))
    return stmt.where(NavOrderLine.state == state) if state else stmt


def upcoming_deliveries(session: Session, state: str | None = "expected", limit: int = 200,
                        offset: int = 0, q: str | None = None) -> list[UpcomingDelivery]:
    """What NAV is sending: device lines first by expected date; names masked."""
    return [UpcomingDelivery(line, masked_name(name) if name else None, line.need_id)
            for line, name in session.execute(upcoming_stmt(state, q).limit(limit).offset(offset))]


def upcoming_page(session: Session, number: int = 1, size: int = PAGE_SIZE, state: str | None = "expected",
                  q: str | None = None) -> Page:
    page = offset_page(session, upcoming_stmt(state, q), number, size, scalars=False)
    page.items = [UpcomingDelivery(line, masked_name(name) if name else None, line.need_id) for line, name in page.items]
    return page


def expected_lines_for(session: Session, hms_nrs: list[str], per_hms: int = 20) -> dict[str, list[UpcomingDelivery]]:
    """Expected lines an unmatched arrival could be received against, by HMS-nr (one query for a page
    of arrivals; the first ``per_hms`` of each by expected date)."""
    found: dict[str, list[UpcomingDelivery]] = {hms: [] for hms in hms_nrs}
    if not hms_nrs:
        return found
    for line, name in session.execute(upcoming_stmt("expected").where(NavOrderLine.hms_nr.in_(set(hms_nrs)))
                                      .limit(per_hms * len(found))):
        if len(found[line.hms_nr]) < per_hms:
            found[line.hms_nr].append(UpcomingDelivery(line, masked_name(name) if name else None, line.need_id))
    return found


def count_order_lines(session: Session) -> dict[str, int]:
    return dict(session.execute(select(NavOrderLine.state, func.count()).group_by(NavOrderLine.state)).all())
