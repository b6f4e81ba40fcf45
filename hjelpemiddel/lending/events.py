"""Events lending publishes for the packages above it (handlers are wired in ``hjelpemiddel.wiring``)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReservationEnded:
    """A unit is no longer held for a need (cancelled, quarantined, handed over at the counter):
    logistics takes it off any visit that has not left the depot."""

    reservation_id: int
    device_id: int
    reason: str


@dataclass(frozen=True)
class ReservationReplaced:
    """Another unit now serves the need (a swap at the shelf or by the depot): logistics puts the new
    unit on the visit in the old one's place."""

    old_reservation_id: int
    new_reservation_id: int
    old_device_id: int
    new_device_id: int
    actor_id: int | None


@dataclass(frozen=True)
class LoanEndedAtDepot:
    """A unit was handed in over the counter: logistics takes it off any visit that was to collect
    or repair it at the citizen's door."""

    loan_id: int
    device_id: int
    reason: str


@dataclass(frozen=True)
class NeedSentToNav:
    """A therapist sent a long-term application: the NAV integration submits it to NAV."""

    need_id: int
    actor_id: int | None


@dataclass(frozen=True)
class NeedDelivered:
    """A unit was delivered for a need (at the door or the counter): the reports note the need's
    waiting time once its last unit has come."""

    need_id: int
