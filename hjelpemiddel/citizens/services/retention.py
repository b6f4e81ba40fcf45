"""What retention does to a citizen and to the fnr access log. Which citizens are inactive is read
across lending (``hjelpemiddel.privacy``), above this package."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from ...core.db import utcnow
from ..models import AccessLogPurge, Citizen, FnrAccess

ANONYMISED_NAME = "Anonymisert"


def anonymised_hash(citizen_id: int) -> str:
    """What stands in the unique hash column once the fnr is gone: no hash of anything."""
    return f"anonymised:{citizen_id}"


def anonymise_citizen(session: Session, citizen: Citizen, at: datetime | None = None) -> None:
    """Remove who the citizen is; their id stays, so needs, loans and the devices' history keep
    their shape. Misses searched under their hash keep pointing at them, without the hash."""
    if citizen.anonymised_at is not None:
        return
    old_hash, placeholder = citizen.fnr_hash, anonymised_hash(citizen.id)
    session.execute(update(FnrAccess).where(FnrAccess.citizen_id.is_(None), FnrAccess.fnr_hash == old_hash)
                    .values(fnr_hash=placeholder))
    citizen.fnr_encrypted = ""
    citizen.fnr_hash = placeholder
    citizen.fnr_masked = ""
    citizen.name = ANONYMISED_NAME
    citizen.address = ""
    citizen.postcode = "0000"
    citizen.city = ""
    citizen.phone = ""
    citizen.access_notes = ""
    citizen.contact_name = ""
    citizen.contact_phone = ""
    citizen.anonymised_at = at or utcnow()


def count_access_log_older_than(session: Session, cutoff: datetime) -> int:
    return session.scalar(select(func.count(FnrAccess.id)).where(FnrAccess.accessed_at < cutoff)) or 0


def record_access_log_purge(session: Session, cutoff: datetime) -> None:
    """The cutoff the database checks every delete from the log against; written before deleting."""
    latest = session.scalar(select(func.max(AccessLogPurge.cutoff)))
    if latest is None or latest < cutoff:
        session.add(AccessLogPurge(cutoff=cutoff))
        session.flush()


def purge_access_log_batch(session: Session, cutoff: datetime, batch_size: int) -> int:
    """Delete up to ``batch_size`` of the oldest entries before ``cutoff``; how many went."""
    ids = list(session.scalars(select(FnrAccess.id).where(FnrAccess.accessed_at < cutoff)
                               .order_by(FnrAccess.id).limit(batch_size)))
    if ids:
        session.execute(delete(FnrAccess).where(FnrAccess.id.in_(ids)))
    return len(ids)
