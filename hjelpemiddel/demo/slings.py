"""Scenario 5's slings: one sling model with municipal units whose serials are plain numbers, some in
the range a manufacturer's notice will name (210000–210450: 3 on the shelves, 11 on loan at demo
citizens' homes) and some outside it. Made through the stock and lending services."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..catalog.models import Product
from ..citizens.models import Citizen
from ..core.errors import Conflict
from ..core.text import local_today
from ..lending import services as lending
from ..stock.models import Device, Location
from ..stock.services import register_device

SLING_CLASS = "123621"
ON_SHELF = ("210003", "210118", "210342")
AT_HOME = ("210021", "210056", "210077", "210104", "210150", "210199", "210233", "210260", "210301", "210377",
           "210420")
OUTSIDE = ("209950", "210451", "210600", "211000")


def _sling(session: Session) -> int | None:
    return session.scalar(select(Product.id).where(Product.iso_class == SLING_CLASS,
                                                   Product.individually_tracked.is_(True)).order_by(Product.id).limit(1))


def _bins(session: Session, product_id: int) -> list[str]:
    """Bins already holding the model first (the place fits it), then the rest."""
    holding = select(Device.location_id).where(Device.product_id == product_id)
    rows = session.execute(select(Location.code, Location.id.in_(holding)).where(Location.kind == "bin")
                           .order_by(Location.id.in_(holding).desc(), Location.id))
    return [code for code, _ in rows]


def _register(session: Session, actor_id: int, product_id: int, serial: str, bins: list[str]):
    for code in bins:
        try:
            return register_device(session, actor_id, product_id, serial_number=serial, location_code=code)
        except Conflict:  # the bin is full: the next one
            continue
    return register_device(session, actor_id, product_id, serial_number=serial)


def load_demo_slings(session: Session, therapist_id: int, lager_id: int) -> dict[str, int]:
    product_id = _sling(session)
    if product_id is None:
        return {}
    bins = _bins(session, product_id)
    citizens = list(session.scalars(select(Citizen.id).order_by(Citizen.id).limit(len(AT_HOME))))
    for serial, citizen_id in zip(AT_HOME, citizens):
        unit = _register(session, lager_id, product_id, serial, bins)
        need = lending.register_need(session, therapist_id, "terapeut", citizen_id, local_today() + timedelta(days=3),
                                     "normal", "short_term", product_id=product_id, requested_by="Hjemmetjenesten")
        lending.decide_need(session, lager_id, "lager", need.id, "approve")
        # The need took the first free sling; it is this one the scenario lends.
        [held] = [u for u in lending.need_units(session, [need.id])[need.id] if u.reservation_id is not None]
        if held.barcode != unit.barcode:
            lending.change_reservation(session, lager_id, held.reservation_id, unit.barcode)
        lending.hand_over(session, lager_id, unit.barcode, received_by="Bruker")
    for serial in ON_SHELF + OUTSIDE:
        _register(session, lager_id, product_id, serial, bins)
    return {"seler": session.scalar(select(func.count()).select_from(Device).where(Device.product_id == product_id))}
