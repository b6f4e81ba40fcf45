"""What the logs may hold: a request id and the user id on every record, and never personal data.

Citizens' names, addresses, phone numbers, fødselsnummer and needs travel through SQL parameters,
result rows, database error texts (PostgreSQL's ``DETAIL: Key (x)=(value)`` and «Failing row
contains (…)») and query strings. So: the engine hides parameters (``core.db.make_engine``), SQL
echo never prints rows, database errors are described by their class, SQLSTATE and constraint name
only, and request lines lose their query string."""
from __future__ import annotations

import itertools
import logging
import os
import re
import traceback

from flask import Flask, g, has_request_context, request
from sqlalchemy.exc import DBAPIError, StatementError

REQUEST_ID_HEADER = "X-Request-Id"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s [request %(request_id)s user %(user_id)s] %(message)s"
# A request id a proxy in front already gave the request is kept, if it is a plain token.
_INCOMING_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
# A request id needs to be unique, not secret: a random prefix per process and a counter, so that a
# request costs no system call for it (os.urandom gives up the GIL, which busy worker threads feel).
_ID_PREFIX = os.urandom(8).hex()
_ID_COUNTER = itertools.count(1)


def _new_id_prefix() -> None:  # a forked worker must not repeat its parent's ids
    global _ID_PREFIX
    _ID_PREFIX = os.urandom(8).hex()


os.register_at_fork(after_in_child=_new_id_prefix)
_QUERY_STRING = re.compile(r'("[A-Z]+ [^ ?"]*)\?[^ "]*')


def request_id() -> str:
    return g.get("request_id", "-") if has_request_context() else "-"


def _install_record_factory() -> None:
    """Every record, from any logger, carries ``request_id`` and ``user_id`` (``-`` outside a request)."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "adds_request_context", False):
        return

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        record.request_id, record.user_id = "-", "-"
        if has_request_context():
            principal = g.get("principal")
            record.request_id = g.get("request_id", "-")
            record.user_id = principal.id if principal is not None else "-"
        return record

    factory.adds_request_context = True
    logging.setLogRecordFactory(factory)


class _HideRows(logging.Filter):
    """SQL echo at DEBUG prints every result row; rows hold personal data."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg == "Row %r":
            record.args = ("[row hidden]",)
        return True


class _DropQueryStrings(logging.Filter):
    """Request lines (``"GET /api/v1/citizens?q=… HTTP/1.1" 200``) without the query: searches carry names."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = _QUERY_STRING.sub(r"\1?…", message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


def _add_filter_once(logger_name: str, kind: type[logging.Filter]) -> None:
    logger = logging.getLogger(logger_name)
    if not any(isinstance(existing, kind) for existing in logger.filters):
        logger.addFilter(kind())


def describe_db_error(error: BaseException) -> str:
    """A database error in words that hold no values: its class, SQLSTATE, constraint and statement."""
    orig = getattr(error, "orig", None)
    parts = [type(error).__name__]
    if orig is not None:
        parts.append(type(orig).__name__)
        diag = getattr(orig, "diag", None)
        for label, value in (("sqlstate", getattr(orig, "sqlstate", None) or getattr(orig, "sqlite_errorname", None)),
                             ("constraint", getattr(diag, "constraint_name", None)),
                             ("table", getattr(diag, "table_name", None))):
            if value:
                parts.append(f"{label}={value}")
    statement = getattr(error, "statement", None)
    if statement:
        parts.append("statement=" + " ".join(statement.split())[:160])
    return " ".join(parts)


def _is_database_error(error: BaseException) -> bool:
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, (DBAPIError, StatementError)) or type(error).__module__.split(".")[0] in (
                "psycopg", "sqlite3"):
            return True
        error = error.__cause__ or error.__context__
    return False


def log_error(logger: logging.Logger, what: str, error: BaseException) -> None:
    """Log an error with its traceback. A database error's text may quote the values of the row
    (and so a citizen's data): it is logged by its description and the frames of its traceback only."""
    if not _is_database_error(error):
        logger.error("%s (request %s)", what, request_id(), exc_info=error)
        return
    frames = "".join(traceback.format_list(traceback.extract_tb(error.__traceback__)))
    logger.error("%s (request %s): %s\nTraceback (values left out):\n%s", what, request_id(),
                 describe_db_error(error), frames.rstrip())


def init_logging(app: Flask) -> None:
    _install_record_factory()
    _add_filter_once("sqlalchemy.engine.Engine", _HideRows)
    _add_filter_once("werkzeug", _DropQueryStrings)
    if not logging.getLogger().handlers:
        # No logging set up by the host (gunicorn sets up only its own loggers): the app's records
        # go to stderr with their request and user.
        logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)

    @app.before_request
    def _assign_request_id():
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = incoming if _INCOMING_ID.fullmatch(incoming) else f"{_ID_PREFIX}{next(_ID_COUNTER):016x}"

    @app.after_request
    def _echo_request_id(response):
        if "request_id" in g:
            response.headers[REQUEST_ID_HEADER] = g.request_id
        return response
