"""Key rotation: every fnr re-encrypted under the first of ``FNR_ENCRYPTION_KEYS`` and re-hashed
under the current ``FNR_HASH_KEY``. Each batch is idempotent (a row already under the current keys
is left alone), so a run that was stopped is simply run again."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ...core.crypto import FnrVault
from ..models import Citizen, FnrAccess


@dataclass
class RotationBatch:
    last_id: int | None  # None: nothing left after the given id
    seen: int = 0
    reencrypted: int = 0
    rehashed: int = 0
    misses_rehashed: int = 0
    unexpected_hashes: int = 0  # neither the old nor the current key's hash: counted, and corrected


def rotate_keys_batch(session: Session, vault: FnrVault, after_id: int = 0, batch_size: int = 500) -> RotationBatch:
    """Rotate the citizens with ids after ``after_id``, ``batch_size`` of them, in id order.

    Searches that missed (logged by hash, no citizen) follow the citizen whose old hash they carry;
    misses of numbers nobody is registered with cannot be re-hashed without the number and keep
    their old hash."""
    citizens = list(session.scalars(select(Citizen).where(Citizen.id > after_id, Citizen.anonymised_at.is_(None))
                                    .order_by(Citizen.id).limit(batch_size).with_for_update()))
    batch = RotationBatch(last_id=citizens[-1].id if citizens else None, seen=len(citizens))
    for citizen in citizens:
        if not vault.is_current(citizen.fnr_encrypted):
            citizen.fnr_encrypted = vault.reencrypt(citizen.fnr_encrypted)
            batch.reencrypted += 1
        fnr = vault.decrypt(citizen.fnr_encrypted)
        new_hash = vault.lookup_hash(fnr)
        if citizen.fnr_hash == new_hash:
            continue
        old_hash = vault.old_lookup_hash(fnr)
        if old_hash is not None and citizen.fnr_hash != old_hash:
            batch.unexpected_hashes += 1
        moved = session.execute(update(FnrAccess)
                                .where(FnrAccess.citizen_id.is_(None), FnrAccess.fnr_hash == citizen.fnr_hash)
                                .values(fnr_hash=new_hash))
        batch.misses_rehashed += moved.rowcount or 0
        citizen.fnr_hash = new_hash
        batch.rehashed += 1
    session.flush()
    return batch
