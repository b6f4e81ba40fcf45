"""The admin's pages for people: the user list (search, filter, pages), creating a user, and one
user's page (role, access, password, API tokens)."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for

from ..core.auth import ROLE_LABELS, ROLES
from ..core.db import get_session
from ..core.errors import AppError
from ..core.sorting import SORT_ARGS, sort_order
from ..core.http import export_format, export_response, current_user, form_data, parse, roles_required
from ..core.passwords import MIN_LENGTH, generate_password
from ..core.schemas import shared
from . import services
from .schemas import STATUSES, PasswordIn, RoleIn, TokenIn, UserIn, UserQuery

bp = Blueprint("accounts_web", __name__, template_folder="templates")

PAGE_SIZE = 50


def _users_page(error: AppError | None = None):
    session = get_session()
    if error is not None:
        session.rollback()
    try:
        # The search form sends every field; an empty one means no filter.
        query = parse(shared(UserQuery), {key: value for key, value in request.args.items()
                                          if value.strip() and key not in SORT_ARGS and key != "format"})
    except AppError:
        query = {"q": None, "role": None, "status": "aktive", "limit": PAGE_SIZE, "offset": 0}
    query["limit"] = min(query["limit"], PAGE_SIZE)
    order = sort_order(request.args, services.USER_SORTS, "brukernavn")
    users, total = services.list_users(session, q=query["q"], role=query["role"], active=STATUSES[query["status"]],
                                       limit=query["limit"], offset=query["offset"], sort=order)
    return render_template("accounts/users.html", users=users, total=total, query=query, page_size=query["limit"],
                           order=order,
                           error=error, form=request.form if error else {}, message=request.args.get("melding"),
                           ROLES=ROLES, ROLE_LABELS=ROLE_LABELS, min_length=MIN_LENGTH), error.status if error else 200


def _user_page(user_id: int, error: AppError | None = None, secret: dict | None = None):
    session = get_session()
    if error is not None:
        session.rollback()
    user = services.get_user(session, user_id)
    tokens = services.list_tokens(session, user_id=user.id, include_revoked=True)
    return render_template("accounts/user.html", user=user, tokens=tokens, error=error, secret=secret,
                           message=request.args.get("melding"), ROLES=ROLES, ROLE_LABELS=ROLE_LABELS,
                           min_length=MIN_LENGTH, is_me=user.id == current_user().id), error.status if error else 200


def _to_user(user_id: int, message: str):
    return redirect(url_for("accounts_web.user_page", user_id=user_id, melding=message))


@bp.get("/admin/brukere")
@roles_required()
def users_page():
    fmt = export_format()
    if fmt:
        query = parse(shared(UserQuery), {key: value for key, value in request.args.items()
                                          if value.strip() and key in ("q", "role", "status")})
        return export_response(fmt, "brukere", services.USER_HEADINGS,
                               services.user_export_rows(get_session(), query["q"], query["role"],
                                                         STATUSES[query["status"]],
                                                         sort_order(request.args, services.USER_SORTS, "brukernavn")))
    return _users_page()


@bp.post("/admin/brukere")
@roles_required()
def create_user():
    try:
        user = services.create_account(get_session(), **parse(shared(UserIn), form_data()))
    except AppError as err:
        return _users_page(err)
    return _to_user(user.id, f"Brukeren {user.username} er opprettet.")


@bp.get("/admin/brukere/<int:user_id>")
@roles_required()
def user_page(user_id: int):
    return _user_page(user_id)


@bp.post("/admin/brukere/<int:user_id>/rolle")
@roles_required()
def change_role(user_id: int):
    try:
        user = services.change_role(get_session(), user_id, **parse(shared(RoleIn), form_data()))
    except AppError as err:
        return _user_page(user_id, err)
    return _to_user(user_id, f"{user.username} har nå rollen {ROLE_LABELS[user.role].lower()} og må logge inn på nytt.")


@bp.post("/admin/brukere/<int:user_id>/deaktiver")
@roles_required()
def deactivate(user_id: int):
    try:
        user = services.deactivate_user(get_session(), user_id)
    except AppError as err:
        return _user_page(user_id, err)
    return _to_user(user_id, f"{user.username} er deaktivert: kan ikke logge inn, og API-tokenene virker ikke lenger.")


@bp.post("/admin/brukere/<int:user_id>/aktiver")
@roles_required()
def reactivate(user_id: int):
    user = services.reactivate_user(get_session(), user_id)
    return _to_user(user_id, f"{user.username} er aktiv igjen.")


@bp.post("/admin/brukere/<int:user_id>/passord")
@roles_required()
def reset_password(user_id: int):
    try:
        typed = parse(shared(PasswordIn), form_data())["password"]
        password = typed or generate_password()
        user = services.reset_password(get_session(), user_id, password)
    except AppError as err:
        return _user_page(user_id, err)
    if typed:
        return _to_user(user_id, f"Passordet til {user.username} er endret; alle innlogginger er avsluttet.")
    # Shown in this answer only, never in a link or a log.
    return _user_page(user_id, secret={"what": "Nytt passord", "value": password})


@bp.post("/admin/brukere/<int:user_id>/tokens")
@roles_required()
def create_token(user_id: int):
    session = get_session()
    try:
        user = services.get_user(session, user_id)
        token = services.create_token(session, user.username, **parse(shared(TokenIn), form_data()))
    except AppError as err:
        return _user_page(user_id, err)
    return _user_page(user_id, secret={"what": "Nytt API-token", "value": token})


@bp.post("/admin/brukere/<int:user_id>/tokens/<int:token_id>/tilbakekall")
@roles_required()
def revoke_token(user_id: int, token_id: int):
    try:
        services.revoke_token(get_session(), token_id, user_id=user_id)
    except AppError as err:
        return _user_page(user_id, err)
    return _to_user(user_id, "API-tokenet er tilbakekalt.")
