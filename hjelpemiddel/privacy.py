"""Retention across packages, above them all like ``queries.py``: which citizens have had nothing
open for ``CITIZEN_RETENTION_MONTHS`` (needs and loans in lending, visits in logistics, deliveries
expected from NAV), anonymising them together with the copies of their address elsewhere, and
deleting the fnr access log after ``ACCESS_LOG_RETENTION_MONTHS``.

Like ``nav/jobs.py`` this owns its transactions: one commit per batch, so a stopped run loses
nothing and the next run goes on where it stopped."""
from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.orm import Session

from .citizens import services as citizens
from .citizens.models import Citizen
from .core.db import utcnow
from .lending.models import Loan, Need
from .logistics.models import Stop
from .nav.models import NavOrderLine

log = logging.getLogger(__name__)

# A need in these statuses is finished; any other is open (waiting, reserved, lent, being returned).
FINISHED_NEED_STATUSES = ("closed", "cancelled", "rejected")
ANONYMISED_ADDRESS = "Anonymisert"


@dataclass
class RetentionSummary:
    citizen_cutoff: datetime
    log_cutoff: datetime
    citizens: int = 0
    log_entries: int = 0
    dry_run: bool = False

    def __str__(self) -> str:
        verb = "ville blitt" if self.dry_run else "ble"
        return (f"Sletting: {self.citizens} innbyggere {verb} anonymisert (ingen aktivitet siden "
                f"{self.citizen_cutoff:%d.%m.%Y}); {self.log_entries} oppføringer i tilgangsloggen for "
                f"fødselsnummer {verb} slettet (eldre enn {self.log_cutoff:%d.%m.%Y}).")


def months_before(moment: datetime, months: int) -> datetime:
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def _inactive_since(cutoff: datetime):
    """Citizens with nothing open and nothing that happened on or after ``cutoff``: the latest of
    their registration, a need's last change or closing, a loan's start or end, a visit, a NAV line."""
    busy_need = exists().where(Need.citizen_id == Citizen.id, or_(
        Need.status.not_in(FINISHED_NEED_STATUSES), Need.status_changed_at >= cutoff, Need.closed_at >= cutoff,
        Need.registered_at >= cutoff))
    busy_loan = exists().where(Loan.citizen_id == Citizen.id, or_(
        Loan.status != "ended", Loan.started_at >= cutoff, Loan.ended_at >= cutoff))
    busy_visit = exists().where(Stop.citizen_id == Citizen.id, or_(
        Stop.status == "open", Stop.created_at >= cutoff, Stop.completed_at >= cutoff))
    busy_nav = exists().where(NavOrderLine.citizen_id == Citizen.id, or_(
        NavOrderLine.state == "expected", NavOrderLine.updated_at >= cutoff))
    return (Citizen.anonymised_at.is_(None), Citizen.created_at < cutoff,
            ~busy_need, ~busy_loan, ~busy_visit, ~busy_nav)


def inactive_citizens(session: Session, cutoff: datetime, after_id: int = 0, limit: int = 200) -> list[Citizen]:
    return list(session.scalars(select(Citizen).where(Citizen.id > after_id, *_inactive_since(cutoff))
                                .order_by(Citizen.id).limit(limit)))


def count_inactive_citizens(session: Session, cutoff: datetime) -> int:
    return session.scalar(select(func.count(Citizen.id)).where(*_inactive_since(cutoff))) or 0


def anonymise(session: Session, citizen_ids: list[int], at: datetime) -> None:
    """The citizens and the copies of their address and door in needs, loans, visits and NAV lines.
    What happened (needs, loans, the devices' history, the need timelines) stays."""
    for citizen in session.scalars(select(Citizen).where(Citizen.id.in_(citizen_ids))):
        citizens.anonymise_citizen(session, citizen, at)
    session.execute(update(Need).where(Need.citizen_id.in_(citizen_ids)).values(delivery_address=ANONYMISED_ADDRESS))
    session.execute(update(Loan).where(Loan.citizen_id.in_(citizen_ids)).values(received_by=""))
    session.execute(update(Stop).where(Stop.citizen_id.in_(citizen_ids))
                    .values(address=ANONYMISED_ADDRESS, postcode="", latitude=None, longitude=None, received_by=""))
    session.execute(update(NavOrderLine).where(NavOrderLine.citizen_id.in_(citizen_ids))
                    .values(fnr_hash=None, send_to_address=""))
    session.flush()


def run_retention(session_factory, citizen_months: int, log_months: int, dry_run: bool = False,
                  batch_size: int = 200, now: datetime | None = None) -> RetentionSummary:
    now = now or utcnow()
    summary = RetentionSummary(months_before(now, citizen_months), months_before(now, log_months), dry_run=dry_run)
    with session_factory() as session:
        if dry_run:
            summary.citizens = count_inactive_citizens(session, summary.citizen_cutoff)
            summary.log_entries = citizens.count_access_log_older_than(session, summary.log_cutoff)
            return summary
        after_id = 0
        while batch := inactive_citizens(session, summary.citizen_cutoff, after_id, batch_size):
            anonymise(session, [citizen.id for citizen in batch], now)
            session.commit()
            summary.citizens += len(batch)
            after_id = batch[-1].id
        citizens.record_access_log_purge(session, summary.log_cutoff)
        session.commit()
        while deleted := citizens.purge_access_log_batch(session, summary.log_cutoff, batch_size * 5):
            session.commit()
            summary.log_entries += deleted
    return summary


def run_retention_for(session_factory, config: dict) -> str:
    """The worker's daily run: a failure is logged and tried again the next day, never stops the worker."""
    try:
        return str(run_retention(session_factory, config["CITIZEN_RETENTION_MONTHS"],
                                 config["ACCESS_LOG_RETENTION_MONTHS"]))
    except Exception:  # noqa: BLE001 (the worker's other jobs go on)
        log.exception("retention run failed")
        return "Sletting feilet; se loggen. Den prøves igjen i morgen."
