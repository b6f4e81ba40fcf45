"""Users, roles and API tokens. Plain services: no Flask here.

Roles: ``lager`` (warehouse staff), ``terapeut`` (occupational/physiotherapist), ``sjafor``
(driver / hjelpemiddeltekniker), ``admin``.
"""
from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from .db import Base, utcnow
from .errors import Conflict, NotFound, ValidationFailed
from .passwords import check_password

ROLES = ("lager", "terapeut", "sjafor", "admin")
ROLE_LABELS = {"lager": "Lager", "terapeut": "Terapeut", "sjafor": "Sjåfør/tekniker", "admin": "Administrator"}


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Stored in each login's session cookie; raising it ends every session of the user at once.
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # Only a hash is stored: a database dump must not hand out working tokens.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]


@dataclass(frozen=True)
class Principal:
    """The authenticated caller, detached from any session."""

    id: int
    username: str
    role: str
    full_name: str
    session_epoch: int = 0

    def has_role(self, *roles: str) -> bool:
        return self.role == "admin" or self.role in roles


def _principal(user: User) -> Principal:
    return Principal(user.id, user.username, user.role, user.full_name or user.username, user.session_epoch)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(session: Session, username: str, role: str, password: str, full_name: str = "") -> User:
    username = username.strip()
    if not username or len(username) > 64 or not username.isprintable():
        raise ValidationFailed.for_field("username", "Brukernavnet må ha 1–64 tegn, uten kontrolltegn.")
    if role not in ROLES:
        raise ValidationFailed.for_field("role", f"Ukjent rolle «{role}». Gyldige roller: {', '.join(ROLES)}.")
    check_password(password, username)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"Brukernavnet «{username}» er allerede i bruk.", {"username": username})
    user = User(username=username, role=role, full_name=full_name, password_hash=generate_password_hash(password))
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, user: User, password: str) -> None:
    """A new password ends every session the user has."""
    check_password(password, user.username)
    user.password_hash = generate_password_hash(password)
    end_sessions(session, user)


def end_sessions(session: Session, user: User) -> None:
    user.session_epoch = (user.session_epoch or 0) + 1
    session.flush()


def create_token(session: Session, username: str, label: str = "") -> str:
    """A new API token for the user; the plain token is returned once and never stored."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"Fant ingen bruker «{username}».")
    if len(label) > 100:
        raise ValidationFailed.for_field("label", "Beskrivelsen kan ha høyst 100 tegn.")
    token = "hjm_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=hash_token(token), label=label.strip()))
    session.flush()
    return token


@functools.cache
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_urlsafe(16))


def authenticate_password(session: Session, username: str, password: str) -> Principal | None:
    username = username.strip()
    # A username no user can have is not looked up (a NUL byte is refused by PostgreSQL).
    user = (session.scalar(select(User).where(User.username == username))
            if 0 < len(username) <= 64 and username.isprintable() else None)
    # Unknown, inactive and known users cost the same hash check, so the time taken does not tell
    # which usernames exist.
    matches = check_password_hash(user.password_hash if user is not None else _dummy_hash(), password)
    if user is None or not user.active or not matches:
        return None
    return _principal(user)


def find_principal_by_token(session: Session, token: str) -> Principal | None:
    user = session.scalar(
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None), User.active.is_(True))
    )
    return _principal(user) if user else None


def find_principal_by_id(session: Session, user_id: int) -> Principal | None:
    user = session.get(User, user_id)
    return _principal(user) if user is not None and user.active else None
