"""Key rotation as a job that owns its transactions: one commit per batch of citizens, so a run
that was stopped (or failed) is run again and goes on; rows already rotated are left alone."""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Callable

from ..core.crypto import FnrVault
from .services import RotationBatch, rotate_keys_batch


@dataclass
class RotationSummary:
    batches: int = 0
    seen: int = 0
    reencrypted: int = 0
    rehashed: int = 0
    misses_rehashed: int = 0
    unexpected_hashes: int = 0
    finished: bool = False

    def add(self, batch: RotationBatch) -> None:
        self.batches += 1
        for field in fields(RotationBatch):
            if field.name != "last_id":
                setattr(self, field.name, getattr(self, field.name) + getattr(batch, field.name))


def rotate_keys(session_factory, vault: FnrVault, batch_size: int = 500, max_batches: int | None = None,
                progress: Callable[[RotationSummary], None] | None = None) -> RotationSummary:
    summary, after_id = RotationSummary(), 0
    with session_factory() as session:
        while max_batches is None or summary.batches < max_batches:
            batch = rotate_keys_batch(session, vault, after_id, batch_size)
            session.commit()
            if batch.last_id is None:
                summary.finished = True
                break
            summary.add(batch)
            after_id = batch.last_id
            if progress:
                progress(summary)
    return summary
