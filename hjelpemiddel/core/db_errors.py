"""Which database failures are worth another try, and which mean the database is not there.

A deadlock or serialization failure (PostgreSQL) or a busy database (SQLite) says nothing about the
request: run it once more from the start, and if it collides again answer 409. A lost or refused
connection says the database is away: answer 503 with ``Retry-After`` and let the pool reconnect by
itself (``pool_pre_ping``). Anything else is a fault of ours and stays a 500."""
from __future__ import annotations

from sqlalchemy.exc import DBAPIError, InterfaceError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from .errors import AppError, Conflict, Unavailable

# Transaction rollback: serialization_failure, deadlock_detected.
_RETRY_SQLSTATES = {"40001", "40P01"}
# Connection exceptions, operator intervention (admin/crash shutdown, cannot connect now, database
# dropped), insufficient resources (too many connections, disk full), and a database that is gone.
_AWAY_SQLSTATE_CLASSES = ("08", "53", "57P")
_AWAY_SQLSTATES = {"3D000"}
# SQLite: a transaction that read an older snapshot cannot write (BUSY_SNAPSHOT, at once) is worth
# another try; a write lock not had within the busy timeout (BUSY) means the database is swamped.
_SQLITE_BUSY_SNAPSHOT = 517
_SQLITE_LOCKED, _SQLITE_BUSY, _SQLITE_CANTOPEN, _SQLITE_IOERR, _SQLITE_FULL = 6, 5, 14, 10, 13

RETRY_AFTER_SECONDS = 5


def _sqlite_code(orig) -> int | None:
    """The extended result code (the primary one is its low byte)."""
    code = getattr(orig, "sqlite_errorcode", None)
    return code if isinstance(code, int) else None


def is_retryable(error: BaseException) -> bool:
    """A collision with another transaction: the same request may well pass a moment later."""
    if not isinstance(error, DBAPIError) or error.connection_invalidated:
        return False
    orig = error.orig
    code = _sqlite_code(orig)
    if code is not None:
        return code == _SQLITE_BUSY_SNAPSHOT or code & 0xFF == _SQLITE_LOCKED
    return getattr(orig, "sqlstate", None) in _RETRY_SQLSTATES


def is_unavailable(error: BaseException) -> bool:
    """The database cannot be reached (down, restarting, connection cut, pool exhausted)."""
    if isinstance(error, PoolTimeout):
        return True
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated or isinstance(error, InterfaceError):
        return True
    orig = error.orig
    code = _sqlite_code(orig)
    if code is not None:
        return code != _SQLITE_BUSY_SNAPSHOT and code & 0xFF in (_SQLITE_BUSY, _SQLITE_CANTOPEN, _SQLITE_IOERR,
                                                                    _SQLITE_FULL)
    if type(orig).__module__.split(".")[0] != "psycopg":
        return False
    sqlstate = getattr(orig, "sqlstate", None)
    # psycopg raises a failed connection attempt or a connection lost on the client side without
    # a SQLSTATE; every error the server sends has one.
    return (sqlstate is None and type(orig).__name__ == "OperationalError") or sqlstate in _AWAY_SQLSTATES or (
        sqlstate is not None and sqlstate.startswith(_AWAY_SQLSTATE_CLASSES))


def as_app_error(error: BaseException) -> AppError | None:
    """The answer for a database failure that is not our fault, or None for one that is."""
    if is_unavailable(error):
        return Unavailable("Tjenesten er midlertidig utilgjengelig – prøv igjen om litt.",
                           {"retry_after_seconds": RETRY_AFTER_SECONDS}, code="database_unavailable",
                           retry_after=RETRY_AFTER_SECONDS)
    if is_retryable(error):
        return Conflict("Noen andre endret det samme i samme øyeblikk. Prøv igjen.", code="concurrent_change")
    return None
