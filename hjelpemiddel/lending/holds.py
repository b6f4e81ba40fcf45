"""Holds: units a package above lending keeps from being lent before their state says so. A recall
keeps every unit it found free in the depot from the moment it is registered, while the units'
quarantine is written a batch at a time (``recalls.services.register``). Lending cannot import the
packages above it, so they hand it their hold here, once, from ``wiring.py``."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sqlalchemy import ColumnElement, false, not_, or_
from sqlalchemy.orm import Session

from ..core.errors import Conflict
from ..stock.models import Device


@dataclass(frozen=True)
class Hold:
    # True for a ``Device`` row that is held (correlated to ``Device.id``): the choice of a free unit skips it.
    clause: Callable[[], ColumnElement[bool]]
    # Why this unit is held, in bokmål after its barcode («er …»), or None: the refusal when it is named.
    reason: Callable[[Session, Device], str | None]


_holds: list[Hold] = []


def add_hold(hold: Hold) -> None:
    if hold not in _holds:
        _holds.append(hold)


def reset_holds() -> None:
    _holds.clear()


def not_held_clause() -> ColumnElement[bool]:
    return not_(or_(false(), *(hold.clause() for hold in _holds)))


def held_reason(session: Session, device: Device) -> str | None:
    return next(filter(None, (hold.reason(session, device) for hold in _holds)), None)


def check_not_held(session: Session, device: Device) -> None:
    reason = held_reason(session, device)
    if reason is not None:
        raise Conflict(f"{device.barcode} {reason} og kan ikke lånes ut.", {"barcode": device.barcode}, code="held")
