"""One runner at a time for a batch job, across processes (workers, app servers pressing «sync now»)."""
from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Engine


def _key(name: str) -> int:
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


@contextmanager
def exclusive_job(bind: Engine | Connection, name: str) -> Iterator[bool]:
    """Yields True to the one caller that may run the job ``name`` now, False to any other.

    PostgreSQL: a session-level advisory lock held on a connection of its own for the whole job,
    which commits in many transactions; it goes with the connection if the process dies. SQLite:
    always True, since each of the job's transactions takes the one write lock anyway."""
    engine = bind.engine
    if engine.dialect.name != "postgresql":
        yield True
        return
    key = _key(name)
    with engine.connect() as conn:
        acquired = bool(conn.scalar(select(func.pg_try_advisory_lock(key))))
        conn.commit()  # the lock outlives the transaction; nothing stays open while the job runs
        try:
            yield acquired
        finally:
            if acquired:
                conn.scalar(select(func.pg_advisory_unlock(key)))
                conn.commit()
