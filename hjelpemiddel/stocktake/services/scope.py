"""A stocktake's scope: its root location and everything below it (vans excepted: they are counted
on the road, not on the shelf). ``Location.path`` holds each place's ancestor chain."""
from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from ...core.errors import Conflict, NotFound
from ...stock.models import Location
from ...stock.services import PATH_SEPARATOR
from ..models import Stocktake


def _prefix(root: Location) -> str:
    return f"{root.path}{PATH_SEPARATOR}{root.code}".lstrip(" /")


def in_scope_sql(root: Location):
    """The places of ``root``'s subtree, as a condition on ``Location``."""
    prefix = _prefix(root)
    return and_(or_(Location.id == root.id, Location.path == prefix,
                    Location.path.startswith(prefix + PATH_SEPARATOR, autoescape=True)), Location.kind != "van")


def scope_ids(root: Location):
    return select(Location.id).where(in_scope_sql(root))


def in_scope(root: Location, location: Location) -> bool:
    prefix = _prefix(root)
    return location.kind != "van" and (location.id == root.id or location.path == prefix
                                       or location.path.startswith(prefix + PATH_SEPARATOR))


def overlaps(one: Location, other: Location) -> bool:
    return in_scope(one, other) or in_scope(other, one)


def get_stocktake(session: Session, stocktake_id: int, lock: bool = False) -> Stocktake:
    stmt = select(Stocktake).where(Stocktake.id == stocktake_id)
    stocktake = session.scalar(stmt.with_for_update() if lock else stmt)
    if stocktake is None:
        raise NotFound(f"Fant ingen varetelling nr. {stocktake_id}.", {"stocktake_id": stocktake_id})
    return stocktake


def root_of(session: Session, stocktake: Stocktake) -> Location:
    return session.get(Location, stocktake.root_location_id)


def check_counting(stocktake: Stocktake) -> None:
    if stocktake.status != "counting":
        raise Conflict(f"Varetelling nr. {stocktake.id} er avsluttet; det kan ikke telles mer i den.",
                       {"stocktake_id": stocktake.id}, code="stocktake_closed")


def check_closed(stocktake: Stocktake) -> None:
    if stocktake.status != "closed":
        raise Conflict(f"Varetelling nr. {stocktake.id} pågår fortsatt; resultatet er klart når den er avsluttet.",
                       {"stocktake_id": stocktake.id}, code="stocktake_open")
