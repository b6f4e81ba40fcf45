"""Managing users and their API tokens. Every change that should lock a person out (new role, new
password, deactivation) ends their sessions at once; tokens follow within TOKEN_CACHE_SECONDS."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..core.auth import ROLE_LABELS, ROLES, ApiToken, User, create_token, create_user, end_sessions, set_password
from ..core.db import utcnow
from ..core.errors import Conflict, NotFound, ValidationFailed
from ..core.paging import streamed
from ..core.sorting import SortOrder, order_by_columns

__all__ = ["TokenRow", "change_role", "create_account", "create_token", "deactivate_user", "get_user",
           "list_tokens", "list_users", "reactivate_user", "reset_password", "revoke_token", "user_by_username"]


@dataclass(frozen=True)
class TokenRow:
    id: int
    username: str
    label: str
    created_at: datetime
    revoked_at: datetime | None


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("Fant ikke brukeren.")
    return user


def user_by_username(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        raise NotFound(f"Fant ingen bruker «{username}».")
    return user


USER_SORTS = {"brukernavn": (User.username,), "navn": (User.full_name,), "rolle": (User.role, User.username),
              "status": (User.active, User.username), "opprettet": (User.created_at,)}


def list_users(session: Session, q: str | None = None, role: str | None = None, active: bool | None = None,
               limit: int = 50, offset: int = 0, sort: SortOrder = SortOrder("brukernavn")) -> tuple[list[User], int]:
    """Users, by username unless ``sort`` says otherwise; ``q`` searches username and name."""
    query = _users(q, role, active)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    ordered = query.order_by(*order_by_columns(USER_SORTS, sort, User.id))
    users = session.scalars(ordered.limit(limit).offset(offset)).all()
    return list(users), total


USER_HEADINGS = ("Brukernavn", "Navn", "Rolle", "Status", "Opprettet")


def user_export_rows(session: Session, q: str | None = None, role: str | None = None, active: bool | None = None,
                     sort: SortOrder = SortOrder("brukernavn")):
    """Every user the list's filters match as rows for a download (``core.exports``); never a secret."""
    stmt = _users(q, role, active).order_by(*order_by_columns(USER_SORTS, sort, User.id))
    return ((user.username, user.full_name, ROLE_LABELS.get(user.role, user.role),
             "Aktiv" if user.active else "Deaktivert", user.created_at)
            for user in streamed(session, stmt, scalars=True))


def _users(q: str | None, role: str | None, active: bool | None):
    query = select(User)
    if q:
        text = q.strip().lower()
        query = query.where(or_(func.lower(User.username).contains(text, autoescape=True),
                                func.lower(User.full_name).contains(text, autoescape=True)))
    if role is not None:
        query = query.where(User.role == role)
    if active is not None:
        query = query.where(User.active.is_(active))
    return query


def create_account(session: Session, username: str, role: str, password: str, full_name: str = "") -> User:
    return create_user(session, username, role, password, full_name.strip())


def _keep_an_admin(session: Session, user: User) -> None:
    """Someone must be able to manage users: the last active admin keeps the role and the access."""
    if user.role != "admin" or not user.active:
        return
    others = session.scalar(select(func.count()).select_from(User)
                            .where(User.role == "admin", User.active.is_(True), User.id != user.id))
    if not others:
        raise Conflict("Dette er den siste aktive administratoren. Gi en annen bruker administratorrollen først.",
                       code="last_admin")


def change_role(session: Session, user_id: int, role: str) -> User:
    user = get_user(session, user_id)
    if role not in ROLES:
        raise ValidationFailed.for_field("role", f"Ukjent rolle «{role}». Gyldige roller: {', '.join(ROLES)}.")
    if role == user.role:
        return user
    if role != "admin":
        _keep_an_admin(session, user)
    user.role = role
    end_sessions(session, user)
    return user


def deactivate_user(session: Session, user_id: int) -> User:
    """The user can no longer log in, their sessions end now, and their tokens stop working."""
    user = get_user(session, user_id)
    if not user.active:
        return user
    _keep_an_admin(session, user)
    user.active = False
    end_sessions(session, user)
    return user


def reactivate_user(session: Session, user_id: int) -> User:
    user = get_user(session, user_id)
    user.active = True
    session.flush()
    return user


def reset_password(session: Session, user_id: int, password: str) -> User:
    user = get_user(session, user_id)
    set_password(session, user, password)
    return user


def list_tokens(session: Session, user_id: int | None = None, include_revoked: bool = False) -> list[TokenRow]:
    query = select(ApiToken, User.username).join(User, User.id == ApiToken.user_id)
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    if not include_revoked:
        query = query.where(ApiToken.revoked_at.is_(None))
    return [TokenRow(token.id, username, token.label, token.created_at, token.revoked_at)
            for token, username in session.execute(query.order_by(ApiToken.created_at.desc(), ApiToken.id.desc()))]


def revoke_token(session: Session, token_id: int, user_id: int | None = None) -> TokenRow:
    """Revoked at once in the database; a worker that checked the token shortly before keeps
    trusting it for at most TOKEN_CACHE_SECONDS. ``user_id`` keeps a page's form to its own user."""
    token = session.get(ApiToken, token_id)
    if token is None or (user_id is not None and token.user_id != user_id):
        raise NotFound(f"Fant ikke API-token {token_id}.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.flush()
    username = session.scalar(select(User.username).where(User.id == token.user_id))
    return TokenRow(token.id, username, token.label, token.created_at, token.revoked_at)
