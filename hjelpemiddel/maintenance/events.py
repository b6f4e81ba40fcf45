"""Events maintenance publishes for the packages above it (handlers are wired in ``hjelpemiddel.wiring``)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RepairVisitNeeded:
    """A unit on loan is to be repaired at the citizen's home: logistics plans the visit and notes
    it on the repair order."""

    repair_id: int
    device_id: int
    actor_id: int | None
    note: str
