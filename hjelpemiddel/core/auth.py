"""Users, roles and API tokens. Plain services: no Flask here.

Roles: ``lager`` (warehouse staff), ``terapeut`` (occupational/physiotherapist), ``sjafor``
(driver / hjelpemiddeltekniker), ``admin``.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from .db import Base, utcnow
from .errors import Conflict, NotFound, ValidationFailed

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


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # Only a hash is stored: a database dump must not hand out working tokens.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]


@dataclass(frozen=True)
class Principal:
    """The authenticated caller, detached from any session."""

    id: int
    username: str
    role: str
    full_name: str

    def has_role(self, *roles: str) -> bool:
        return self.role == "admin" or self.role in roles


def _principal(user: User) -> Principal:
    return Principal(user.id, user.username, user.role, user.full_name or user.username)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(session: Session, username: str, role: str, password: str, full_name: str = "") -> User:
    username = username.strip()
    if not username or len(username) > 64:
        raise ValidationFailed.for_field("username", "Brukernavnet må ha 1–64 tegn.")
    if role not in ROLES:
        raise ValidationFailed.for_field("role", f"Ukjent rolle «{role}». Gyldige roller: {', '.join(ROLES)}.")
    if len(password) < 8:
        raise ValidationFailed.for_field("password", "Passordet må ha minst 8 tegn.")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"Brukernavnet «{username}» er allerede i bruk.", {"username": username})
    user = User(username=username, role=role, full_name=full_name, password_hash=generate_password_hash(password))
    session.add(user)
    session.flush()
    return user


def create_token(session: Session, username: str) -> str:
    """A new API token for the user; the plain token is returned once and never stored."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"Fant ingen bruker «{username}».")
    token = "hjm_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=hash_token(token)))
    session.flush()
    return token


def authenticate_password(session: Session, username: str, password: str) -> Principal | None:
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None or not user.active or not check_password_hash(user.password_hash, password):
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
