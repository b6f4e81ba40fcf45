"""The outbox: what the depot tells NAV (part orders, returns, applications) is stored in the
request's transaction and delivered afterwards, one message per transaction, retried with back-off
while NAV is down, never twice (each message has its idempotency key)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from integrations.nav.port import NavError, NavPort, NavUnavailable, RecordInvalid

from ...core.crypto import FnrVault
from ...core.db import utcnow
from ..models import NavOutboxMessage
from .applications import application_refused, send_application
from .loans import send_return
from .part_orders import part_order_refused, send_part_order

# How each kind of message reaches NAV, and what a refusal means for what it was about.
_SENDERS = {"part_order": send_part_order, "return": send_return, "application": send_application}
_REFUSED = {"part_order": part_order_refused, "application": application_refused}

OUTBOX_RETRY_CAP = timedelta(minutes=30)


def due_outbox_ids(session: Session, limit: int = 50, force: bool = False) -> list[int]:
    stmt = select(NavOutboxMessage.id).where(NavOutboxMessage.status == "pending")
    if not force:
        stmt = stmt.where(NavOutboxMessage.next_attempt_at <= utcnow())
    return list(session.scalars(stmt.order_by(NavOutboxMessage.id).limit(limit)))


def deliver_outbox_message(session: Session, port: NavPort, message_id: int, vault: FnrVault | None = None) -> str:
    """Send one pending message. NAV down: it stays pending with a later next attempt. NAV refused:
    recorded with NAV's reason in Norwegian. Returns the message's new status."""
    message = session.scalar(select(NavOutboxMessage).where(NavOutboxMessage.id == message_id,
                                                            NavOutboxMessage.status == "pending")
                             .with_for_update(skip_locked=True))
    if message is None:
        return "skipped"
    message.attempts += 1
    try:
        _SENDERS[message.kind](session, port, message, vault)
        message.status, message.sent_at, message.last_error = "sent", utcnow(), ""
    except NavUnavailable as problem:
        delay = min(OUTBOX_RETRY_CAP, timedelta(seconds=30 * 2 ** min(message.attempts - 1, 8)))
        message.next_attempt_at, message.last_error = utcnow() + delay, str(problem)[:2000]
    except (NavError, RecordInvalid) as problem:  # refused (feil code, 4xx, NAV's own validation): never retried
        message.status, message.last_error = "refused", (getattr(problem, "message", None) or str(problem))[:2000]
        if message.kind in _REFUSED:
            _REFUSED[message.kind](session, message, problem)
    session.flush()
    return message.status


def outbox_summary(session: Session) -> dict[str, int]:
    return dict(session.execute(select(NavOutboxMessage.status, func.count()).group_by(NavOutboxMessage.status)).all())
