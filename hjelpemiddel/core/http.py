"""Flask glue shared by every feature: who is calling, role checks, the single commit point,
error answers, and parsing/dumping with marshmallow schemas."""
from __future__ import annotations

import functools
import logging
import secrets
import time
from urllib.parse import urlencode
from typing import Any, Callable

from flask import Flask, Response, current_app, g, redirect, render_template, request, session, url_for
from marshmallow import Schema
from marshmallow import ValidationError as SchemaValidationError
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from . import db_errors
from .sorting import SORT_ARGS
from .auth import ROLE_LABELS, Principal, find_principal_by_id, find_principal_by_token
from .db import declare_write_intent, get_session, reset_write_intent
from .errors import AppError, BadRequest, Conflict, Forbidden, Unauthorized, ValidationFailed
from .exports import FORMATS, export_chunks, file_name
from .inputs import check_request_text, init_inputs, load_json_body
from .logs import describe_db_error, init_logging, log_error, request_id
from .text import field_label, field_problems, local_time, local_today

log = logging.getLogger(__name__)

_UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
_RETRIES_AFTER_COLLISION = 1
_HTTP_MESSAGES = {
    400: ("bad_request", "Forespørselen kunne ikke leses."),
    401: ("unauthorized", "Du må logge inn."),
    403: ("forbidden", "Du har ikke tilgang til dette."),
    404: ("not_found", "Siden eller ressursen finnes ikke."),
    405: ("method_not_allowed", "Metoden er ikke tillatt her."),
    413: ("payload_too_large", "Forespørselen er for stor."),
    415: ("unsupported_media_type", "Innholdstypen støttes ikke."),
}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


# --- who is calling -------------------------------------------------------------------------

class _PrincipalCache:
    """Token lookups cached briefly per process, so a burst of scans costs its own queries only."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[float, Principal | None]] = {}

    def get(self, key: str, ttl: float, load: Callable[[], Principal | None]) -> Principal | None:
        now = time.monotonic()
        hit = self._entries.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        principal = load()
        if ttl > 0:
            if len(self._entries) > 10_000:
                self._entries.clear()
            self._entries[key] = (now + ttl, principal)
        return principal

    def clear(self) -> None:
        self._entries.clear()


def current_user() -> Principal | None:
    return g.get("principal")


def start_user_session(principal: Principal) -> None:
    """The cookie names the user and the user's session epoch: raising the epoch ends the session."""
    session.clear()
    session["user_id"] = principal.id
    session["epoch"] = principal.session_epoch
    session.permanent = True


def _load_principal() -> None:
    ttl = current_app.config["TOKEN_CACHE_SECONDS"]
    cache: _PrincipalCache = current_app.extensions["hjelpemiddel_principals"]
    header = request.headers.get("Authorization", "")
    g.principal = None
    g.via_token = False
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("Ugyldig Authorization-header: bruk «Bearer <token>».")
        token = token.strip()
        principal = cache.get("t:" + token, ttl, lambda: find_principal_by_token(get_session(), token))
        if principal is None:
            raise Unauthorized("Ukjent eller tilbakekalt API-token.")
        g.principal, g.via_token = principal, True
        return
    user_id = session.get("user_id")
    if user_id is not None:
        # Read every time, never cached: a logout, a new password, a new role or deactivation in any
        # worker raises the epoch and must end this cookie (or a stolen copy of it) at once. One
        # primary-key read per request; tokens, which scanners send in bursts, are the cached ones.
        principal = find_principal_by_id(get_session(), user_id)
        if principal is None or principal.session_epoch != session.get("epoch"):
            session.clear()
            principal = None
        g.principal = principal


def _check_csrf() -> None:
    # Bearer-token clients cannot be driven by another site; cookie sessions can. The login form
    # is the one form an anonymous caller sends: its token lives in the cookie set before login.
    if request.method not in _UNSAFE_METHODS or g.via_token:
        return
    if g.principal is None and request.endpoint != "web.login":
        return
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token")
    expected = session.get("csrf_token", "")
    if not sent or not expected or not secrets.compare_digest(sent.encode(), str(expected).encode()):
        raise Forbidden("Skjemaet er utløpt eller mangler sikkerhetsnøkkel. Last siden på nytt og prøv igjen.",
                        code="csrf_failed")


def url_with(**changes) -> str:
    """This page's address with some query arguments changed (None drops one): sorting and
    paging links keep the filters a person set."""
    args = request.args.to_dict(flat=False)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = [value]
    return request.path + ("?" + urlencode(args, doseq=True) if args else "")


def export_url(fmt: str, **changes) -> str:
    """This page as a file (``url_with``): its filters and sorting kept, its page numbers dropped, since a
    download holds every matching row."""
    paging = {key: None for key in request.args if key.startswith("side") or key in ("after", "before", "offset",
                                                                                       "melding")}
    return url_with(**paging, **changes, format=fmt)


def csrf_token() -> str:
    if "csrf_token" not in session:
        session["csrf_token"] = secrets.token_urlsafe(24)
    return session["csrf_token"]


def roles_required(*roles: str):
    """Every route declares who may call it; ``admin`` may call everything."""

    def decorator(view):
        view.required_roles = roles

        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            principal = current_user()
            if principal is None:
                if wants_json():
                    raise Unauthorized("Du må logge inn eller sende et API-token.")
                return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
            if not principal.has_role(*roles):
                needed = " eller ".join(ROLE_LABELS[role].lower() for role in roles) or "administrator"
                raise Forbidden(
                    f"Du er logget inn som {ROLE_LABELS[principal.role].lower()}; dette krever {needed}.",
                    {"role": principal.role, "required": list(roles)},
                )
            return view(*args, **kwargs)

        return wrapped

    return decorator


# --- one commit per request -----------------------------------------------------------------

def after_commit(task: Callable[[], Any]) -> None:
    """Run ``task`` once the request has committed (e.g. deliver what it put in an outbox). A
    failing task is logged, never turned into an error: what it does must be safe to retry."""
    g.setdefault("after_commit", []).append(task)


def _commit_on_success(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        for attempt in range(1 + _RETRIES_AFTER_COLLISION):
            try:
                response = current_app.make_response(view(*args, **kwargs))
                if response.status_code < 400 and "db_session" in g:
                    g.db_session.commit()
                break
            except DBAPIError as error:
                # A deadlock or serialization failure (in the view or at the commit) rolled the whole
                # transaction back: nothing of it stands, so the whole view may run once more.
                if attempt == _RETRIES_AFTER_COLLISION or "db_session" not in g or not db_errors.is_retryable(error):
                    raise
                log.warning("database collision, running the request once more: %s", describe_db_error(error))
                g.db_session.rollback()
                g.pop("after_commit", None)
        for task in g.pop("after_commit", []):
            try:
                task()
            except Exception as error:  # noqa: BLE001 (the request already succeeded)
                log_error(log, "after-commit task failed; it will be retried by the schedule", error)
        return response

    return wrapped


def install_commit_point(app: Flask) -> None:
    for endpoint, view in list(app.view_functions.items()):
        if endpoint != "static":
            app.view_functions[endpoint] = _commit_on_success(view)


# --- parsing and dumping --------------------------------------------------------------------

def parse(schema: Schema, data: Any = None) -> Any:
    """Load request data with a schema; bad fields become one 422 naming each field."""
    if data is None:
        data = load_json_body()
    try:
        return schema.load(data)
    except SchemaValidationError as err:
        messages = err.messages if isinstance(err.messages, dict) else {"_schema": err.messages}
        names = ", ".join(field_label(str(name)) for name in sorted(map(str, messages)))
        raise ValidationFailed(f"Sjekk feltene: {names}.", messages) from None


def parse_args(schema: Schema) -> Any:
    # A page's sorting is read on its own (``core.sorting.sort_order``), never refused as unknown.
    # ``format`` belongs to the lists that download (``export_format`` read it); elsewhere it is unknown.
    skipped = (*SORT_ARGS, "format") if g.get("exports_format_read") else SORT_ARGS
    return parse(schema, {key: value for key, value in request.args.to_dict().items() if key not in skipped})


# --- lists as files -------------------------------------------------------------------------

def export_format() -> str | None:
    """The file a list was asked for (``format=csv|xlsx``, pages and API alike), None for the list itself."""
    g.exports_format_read = True
    value = request.args.get("format")
    if value is None:
        return None
    if value not in FORMATS:
        raise BadRequest("Format: velg csv eller xlsx.", {"format": ["Velg csv eller xlsx."]})
    return value


def export_list(*names: str) -> str:
    """Which of a page's lists is downloaded (``liste``; the first without one). Another name is refused
    naming the field, rather than answered with a list that was not asked for."""
    value = request.args.get("liste") or names[0]
    if value not in names:
        raise BadRequest(f"Liste: velg {', '.join(names[:-1])} eller {names[-1]}.",
                         {"liste": [f"Velg {', '.join(names[:-1])} eller {names[-1]}."]})
    return value


def export_response(fmt: str, name: str, headings, rows) -> Response:
    """A list as a file to download, written while it is sent (``core.exports``). ``rows`` has checked
    its filters and access already and reads nothing until the first chunk is asked for: by then the
    commit point has ended the request's transaction, so the rows are read in a transaction of their
    own (by ``yield_per`` or in batches) on the request's session, closed again when the server closes
    the response. No request context is kept for the stream (``stream_with_context`` would enter it at
    once and leave it wherever an unread response is dropped), so ``rows`` needs none."""
    response = Response(export_chunks(fmt, headings, rows, name), content_type=FORMATS[fmt],
                        headers={"Content-Disposition": f'attachment; filename="{file_name(name, local_today(), fmt)}"'})
    session = g.get("db_session")
    if session is not None:
        response.call_on_close(session.close)
    return response


# --- error answers --------------------------------------------------------------------------

def _answer(error: AppError):
    headers = {"Retry-After": str(error.retry_after)} if error.retry_after else {}
    if wants_json():
        return error.to_dict(), error.status, headers
    return render_template("error.html", error=error), error.status, headers


def translate_errors(app: Flask, exception_type: type[Exception], translate: Callable[[Exception], AppError]) -> None:
    """Answer an outside system's exception (e.g. NAV's) in the one error shape, as an AppError."""
    app.register_error_handler(exception_type, lambda error: _answer(translate(error)))


def init_http(app: Flask) -> None:
    init_logging(app)  # first, so every later hook and error already has its request id
    app.extensions["hjelpemiddel_principals"] = _PrincipalCache()
    init_inputs(app)

    @app.before_request
    def _authenticate():
        if request.endpoint == "static":
            return
        check_request_text()
        if request.method in _UNSAFE_METHODS:
            g.write_intent = declare_write_intent()
        _load_principal()
        _check_csrf()

    @app.teardown_request
    def _forget_write_intent(exc):
        token = g.pop("write_intent", None)
        if token is not None:
            reset_write_intent(token)

    @app.context_processor
    def _template_globals():
        return {"current_user": current_user(), "csrf_token": csrf_token}

    # Globals, so imported macros (_sort.html, _export.html) see them.
    app.add_template_global(url_with, "url_with")
    app.add_template_global(export_url, "export_url")
    app.add_template_filter(field_label, "field_label")
    app.add_template_filter(field_problems, "field_problems")
    app.add_template_filter(lambda value, fmt="%d.%m.%Y %H:%M": local_time(value).strftime(fmt), "local")
    app.add_template_filter(lambda day: day.strftime("%d.%m.%Y") if day else "", "day")

    @app.errorhandler(AppError)
    def _app_error(error: AppError):
        return _answer(error)

    @app.errorhandler(IntegrityError)
    def _integrity_error(error: IntegrityError):
        # Services check uniqueness first; this catches the race where two requests passed the check.
        # The error's own text quotes the row's values: only its constraint and SQLSTATE are logged.
        log.info("integrity error answered as 409: %s", describe_db_error(error))
        return _answer(Conflict("Endringen kolliderte med en annen endring. Prøv igjen.", code="conflict"))

    def _database_failure(error: Exception):
        answer = db_errors.as_app_error(error)
        if answer is None:
            return _unexpected(error)
        log.warning("answered %s: %s", answer.status, describe_db_error(error))
        return _answer(answer)

    app.register_error_handler(DBAPIError, _database_failure)
    app.register_error_handler(PoolTimeout, _database_failure)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        code, message = _HTTP_MESSAGES.get(error.code or 500, ("http_error", error.description or ""))
        wrapped = AppError(message, code=code)
        wrapped.status = error.code or 500
        body, status, headers = _answer(wrapped)
        if error.code == 405 and getattr(error, "valid_methods", None):
            headers["Allow"] = ", ".join(error.valid_methods)
        return body, status, headers

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        log_error(log, "unhandled error", error)
        wrapped = AppError("Noe gikk galt hos oss. Feilen er logget; prøv igjen.", {"request_id": request_id()},
                           code="internal_error")
        wrapped.status = 500
        return _answer(wrapped)


def form_data() -> dict:
    """Submitted form fields with blanks left out, so schema defaults apply as in the API."""
    return {key: value.strip() for key, value in request.form.items() if key != "csrf_token" and value.strip() != ""}
