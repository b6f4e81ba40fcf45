"""Failed logins, counted per username and per client address in the database (so every worker
process sees the same count), and the temporary lock they lead to. Plain services: no Flask here."""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Index, String, delete, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from .db import Base, utcnow

log = logging.getLogger(__name__)


class LoginAttempt(Base):
    """A failed login. Rows older than the window are deleted as new failures come in."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_username_at", "username", "attempted_at"),
                      Index("ix_login_attempts_address_at", "address", "attempted_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    # None once the user has logged in: the failures stop counting against the username but
    # still count against the address they came from.
    username: Mapped[str | None] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(45))
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)


@dataclass(frozen=True)
class LoginLimits:
    per_username: int = 10
    # Higher than per username: a whole office may reach us through one address.
    per_address: int = 30
    window: timedelta = timedelta(minutes=15)


def _key(username: str) -> str:
    # What the login form sent, trimmed to the column: a key to count by, never looked up as a user.
    return username.strip().replace("\x00", "")[:64]


def _lifted_at(session: Session, column, value: str, limit: int, since: datetime) -> datetime | None:
    """When the lock on ``value`` lifts, or None if fewer than ``limit`` failures are in the window."""
    recent = session.scalars(select(LoginAttempt.attempted_at).where(column == value, LoginAttempt.attempted_at > since)
                             .order_by(LoginAttempt.attempted_at.desc()).limit(limit)).all()
    # The lock lifts when the limit-th newest failure leaves the window.
    return recent[-1] if len(recent) >= limit else None


def login_locked_seconds(session: Session, username: str, address: str, limits: LoginLimits,
                         now: datetime | None = None) -> int:
    """Seconds until this username and address may try again; 0 when they may now."""
    now = now or utcnow()
    since = now - limits.window
    waits = [moment + limits.window - now for moment in (
        _lifted_at(session, LoginAttempt.username, _key(username), limits.per_username, since),
        _lifted_at(session, LoginAttempt.address, address[:45], limits.per_address, since)) if moment is not None]
    return max((math.ceil(wait.total_seconds()) for wait in waits), default=0)


def record_failed_login(session: Session, username: str, address: str, limits: LoginLimits,
                        now: datetime | None = None) -> None:
    now = now or utcnow()
    session.execute(delete(LoginAttempt).where(LoginAttempt.attempted_at <= now - limits.window))
    session.add(LoginAttempt(username=_key(username), address=address[:45], attempted_at=now))
    session.flush()
    # The username only: no password, no address (the address is personal data; the table has it
    # for the window's length).
    log.warning("failed login for username %r", _key(username))


def forget_failed_logins(session: Session, username: str) -> None:
    """A successful login: the username starts afresh; the address keeps its count."""
    session.execute(update(LoginAttempt).where(LoginAttempt.username == _key(username)).values(username=None))
