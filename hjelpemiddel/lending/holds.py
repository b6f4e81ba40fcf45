"""Holds: units a package above lending keeps from being lent before their state says so. A recall
keeps every unit it found free in the depot from the moment it is registered, while the units'
quarantine is written a batch at a time (``recalls.services.register``). Lending cannot import the
packages above it, so they hand it their hold here, once, from ``wiring.py``."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sqlalchemy import ColumnElement, false, not_, or_
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ..core.errors import Conflict
from ..stock.lifecycle import IN_DEPOT_STATES, DeviceState
from ..stock.models import Device

# Where a hold can be: a unit in the depot not yet quarantined. Only for these does a scan ask.
MAY_BE_HELD = frozenset(state.value for state in IN_DEPOT_STATES - {DeviceState.QUARANTINED})


@dataclass(frozen=True)
class Hold:
    # True for a ``Device`` row that is held (correlated to ``Device.id``): the choice of a free unit skips it.
    clause: Callable[[], ColumnElement[bool]]
    # Why the unit with this id is held, in bokmål after its barcode («er …»), or None: the refusal when
    # it is named, and the scan card's warning (read there on a plain connection).
    reason: Callable[[Session | Connection, int], str | None]


_holds: list[Hold] = []


def add_hold(hold: Hold) -> None:
    if hold not in _holds:
        _holds.append(hold)


def reset_holds() -> None:
    _holds.clear()


def active_holds() -> tuple[Hold, ...]:
    return tuple(_holds)


def held_clause(holds: tuple[Hold, ...] | None = None) -> ColumnElement[bool]:
    return or_(false(), *(hold.clause() for hold in (_holds if holds is None else holds)))


def not_held_clause() -> ColumnElement[bool]:
    return not_(held_clause())


def held_reason(db: Session | Connection, device_id: int) -> str | None:
    return next(filter(None, (hold.reason(db, device_id) for hold in _holds)), None)


def scan_hold(db: Session | Connection, device_id: int, state: str) -> str | None:
    """The warning a scan shows on a unit lending keeps back, though its state still says it is free."""
    reason = held_reason(db, device_id) if state in MAY_BE_HELD and _holds else None
    return None if reason is None else f"{reason[:1].upper()}{reason[1:]}. Kan ikke lånes ut."


def check_not_held(session: Session, device: Device) -> None:
    reason = held_reason(session, device.id)
    if reason is not None:
        raise Conflict(f"{device.barcode} {reason} og kan ikke lånes ut.", {"barcode": device.barcode}, code="held")
