"""Batch work against NAV that owns its transactions (the CLI, the schedule and the staff button call
these). One commit per page of order lines and per outbox message: an interruption loses at most
the unit in hand, and that unit is redone idempotently on the next run."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from integrations.nav.port import NavError, NavPort

from ..core.crypto import FnrVault
from ..core.db import declare_write_intent, reset_write_intent
from ..core.db_errors import is_retryable
from ..core.locks import exclusive_job
from . import services
from .services import ApplyResult, PageResult


@dataclass
class SyncSummary:
    applied: ApplyResult = field(default_factory=ApplyResult)
    pages: int = 0
    error: str = ""
    outbox: dict[str, int] = field(default_factory=dict)
    part_orders_checked: int = 0
    applications_checked: int = 0
    skipped: bool = False  # another process was running the sync

    @property
    def ok(self) -> bool:
        return not self.error


def _unit_of_work(session_factory: sessionmaker, work: Callable[[Session], object]):
    """``work`` in a transaction of its own; a deadlock or serialization failure runs it once more
    (what it sends NAV carries an idempotency key or is a read)."""
    for attempt in (1, 2):
        token = declare_write_intent()
        session = session_factory()
        try:
            result = work(session)
            session.commit()
            return result
        except DBAPIError as error:
            session.rollback()
            if attempt == 2 or not is_retryable(error):
                raise
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
            reset_write_intent(token)


def _bind(session_factory: sessionmaker):
    return session_factory.kw["bind"]


def run_sync(session_factory: sessionmaker, port: NavPort, vault: FnrVault, page_size: int = 500,
             from_start: bool = False, progress: Callable[[SyncSummary, PageResult], None] | None = None,
             max_pages: int | None = None) -> SyncSummary:
    """Fetch order lines since the stored cursor until NAV has no more, committing page by page.
    One process syncs at a time; another that comes along meanwhile skips it (``skipped``)."""
    with exclusive_job(_bind(session_factory), "nav:order_lines") as ours:
        if not ours:
            return SyncSummary(skipped=True)
        return _sync_pages(session_factory, port, vault, page_size, from_start, progress, max_pages)


def _sync_pages(session_factory, port, vault, page_size, from_start, progress, max_pages) -> SyncSummary:
    summary = SyncSummary()
    if from_start:
        _unit_of_work(session_factory, services.reset_sync_cursor)
    while max_pages is None or summary.pages < max_pages:
        try:
            page = _unit_of_work(session_factory,
                                 lambda session: services.sync_order_lines_page(session, port, vault, page_size))
        except NavError as problem:
            summary.error = str(problem)
            _unit_of_work(session_factory, lambda session: services.record_sync_failure(session, summary.error))
            break
        summary.applied.add(page.applied)
        summary.pages += 1
        if progress:
            progress(summary, page)
        if not page.has_more:
            break
    return summary


def deliver_outbox(session_factory: sessionmaker, port: NavPort, vault: FnrVault | None = None, limit: int = 50,
                   force: bool = False) -> dict[str, int]:
    """Send what is due in the outbox, one message per transaction; ``force`` (a person pressing
    «send now») also sends what is waiting out its back-off. Applications need the vault (the
    citizen's fnr goes to NAV)."""
    ids = _unit_of_work(session_factory, lambda session: services.due_outbox_ids(session, limit=limit, force=force))
    counts: dict[str, int] = {}
    for message_id in ids:
        status = _unit_of_work(session_factory,
                               lambda session: services.deliver_outbox_message(session, port, message_id, vault))
        counts[status] = counts.get(status, 0) + 1
    return counts


def _follow(session_factory: sessionmaker, port: NavPort, open_ids, refresh) -> int:
    with exclusive_job(_bind(session_factory), f"nav:{refresh.__name__}") as ours:
        return _follow_cases(session_factory, port, open_ids, refresh) if ours else 0


def _follow_cases(session_factory: sessionmaker, port: NavPort, open_ids, refresh) -> int:
    checked = 0
    for case_id in _unit_of_work(session_factory, open_ids):
        try:
            _unit_of_work(session_factory, lambda session: refresh(session, port, case_id))
        except NavError:
            break  # NAV is down; the next run asks again
        checked += 1
    return checked


def refresh_part_orders(session_factory: sessionmaker, port: NavPort) -> int:
    return _follow(session_factory, port, services.open_part_order_ids, services.refresh_part_order)


def refresh_applications(session_factory: sessionmaker, port: NavPort) -> int:
    return _follow(session_factory, port, services.open_application_ids, services.refresh_application)


def run_all(session_factory: sessionmaker, port: NavPort, vault: FnrVault, page_size: int = 500,
            progress: Callable[[SyncSummary, PageResult], None] | None = None, from_start: bool = False,
            force_outbox: bool = False) -> SyncSummary:
    """What the schedule and the staff button do: deliver the outbox, follow applications, sync order
    lines, follow part orders. Each step runs even if NAV failed an earlier one."""
    outbox = deliver_outbox(session_factory, port, vault, force=force_outbox)
    applications = refresh_applications(session_factory, port)
    summary = run_sync(session_factory, port, vault, page_size, from_start=from_start, progress=progress)
    summary.outbox, summary.applications_checked = outbox, applications
    summary.part_orders_checked = refresh_part_orders(session_factory, port)
    return summary
