"""Events stock publishes for the packages above it (handlers are wired in ``hjelpemiddel.wiring``)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DeviceBecameAvailable:
    """A unit is free on the shelf: lending holds it for a booked need or the head of the queue."""

    device_id: int
    actor_id: int | None


@dataclass(frozen=True)
class DeviceQuarantined:
    """A unit was taken out of use: lending lets go of any need it was held for."""

    device_id: int
    actor_id: int | None
    reason: str


@dataclass(frozen=True)
class DeviceRegistered:
    """A new unit: maintenance gives it its first periodic inspection date."""

    device_id: int
    actor_id: int | None


@dataclass(frozen=True)
class DeviceRetired:
    """A unit was scrapped or went back to NAV for good: maintenance drops its inspection due date."""

    device_id: int
