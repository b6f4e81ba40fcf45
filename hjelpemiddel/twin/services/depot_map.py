"""The map of the depot: places and how full they are (now, or for one zone at a past moment), the
vans and their runs, units outside the depot by postcode area, and where a product stands."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...catalog.models import Product
from ...citizens.models import Citizen
from ...core.errors import NotFound, ValidationFailed
from ...lending.models import Loan
from ...logistics.geo import POSTCODE_CENTRES
from ...logistics.models import DeliveryRun, Stop
from ...stock.lifecycle import DeviceState as S
from ...stock.models import Location
from ..models import NO_PLACE, PlaceCount
from .history import counts_at
from .places import Place, count_by_place, load_places, products_named, roll_up, subtree_ids


@dataclass(frozen=True)
class Van:
    code: str
    name: str
    units: int
    run_id: int | None
    run_status: str | None
    stops_done: int
    stops_total: int


@dataclass(frozen=True)
class Area:
    postcode: str
    units: int
    lat: float | None
    lon: float | None


@dataclass
class DepotMap:
    places: dict[int, Place]
    zone: Place | None
    at: datetime | None
    hits: list[Place]
    query: str | None
    vans: list[Van]
    areas: list[Area]
    at_nav: int

    @property
    def shown(self) -> list[Place]:
        """What the map draws: zones and stations, and the bins (or racks holding units directly)."""
        keep = (self.places.values() if self.zone is None else
                [self.places[i] for i in subtree_ids(self.places, self.zone.id)])
        return [p for p in keep if p.kind in ("zone", "bin", "rack", "shelf") and p.x is not None]

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        xs = [c for p in self.shown for c in (p.x - p.size[0] / 2, p.x + p.size[0] / 2)] or [0, 10]
        ys = [c for p in self.shown for c in (p.y - p.size[1] / 2, p.y + p.size[1] / 2)] or [0, 10]
        return min(xs) - 1, min(ys) - 1, max(xs) - min(xs) + 2, max(ys) - min(ys) + 2


def product_ids_matching(session: Session, query: str) -> list[int]:
    return list(session.scalars(select(Product.id).where(products_named(query)).limit(500)))


def _door(places: dict[int, Place]) -> tuple[float, float]:
    receiving = [p for p in places.values() if p.purpose == "receiving" and p.kind == "zone" and p.x is not None]
    return (receiving[0].x, receiving[0].y) if receiving else (0.0, 0.0)


def _vans(session: Session, places: dict[int, Place], today: date) -> list[Van]:
    vans = [p for p in places.values() if p.kind == "van"]
    runs = {run.van_location_id: run for run in session.scalars(
        select(DeliveryRun).where(DeliveryRun.run_date == today, DeliveryRun.van_location_id.is_not(None))
        .order_by(DeliveryRun.id))}
    progress = dict(((run_id, done), n) for run_id, done, n in session.execute(
        select(Stop.run_id, Stop.status != "open", func.count()).where(
            Stop.run_id.in_([r.id for r in runs.values()]), Stop.status != "dropped")
        .group_by(Stop.run_id, Stop.status != "open"))) if runs else {}
    out = []
    for van in sorted(vans, key=lambda v: v.code):
        run = runs.get(van.id)
        done = progress.get((run.id, True), 0) if run else 0
        total = done + (progress.get((run.id, False), 0) if run else 0)
        out.append(Van(van.code, van.name, van.units, run.id if run else None, run.status if run else None,
                       done, total))
    return out


def _areas(session: Session) -> tuple[list[Area], int]:
    at_homes = session.execute(select(Citizen.postcode, func.count()).join(Loan, Loan.citizen_id == Citizen.id)
                               .where(Loan.status != "ended").group_by(Citizen.postcode).order_by(Citizen.postcode))
    areas = [Area(code, n, *POSTCODE_CENTRES.get(code, (None, None))) for code, n in at_homes]
    at_nav = session.scalar(select(func.coalesce(func.sum(PlaceCount.units), 0)).where(
        PlaceCount.place_id == NO_PLACE, PlaceCount.state == S.RETURNED_TO_NAV))
    return areas, int(at_nav)


def depot_map(session: Session, today: date, query: str | None = None, zone_code: str | None = None,
              at: datetime | None = None) -> DepotMap:
    """The map now, or (``at``) one zone as the history says it stood then; ``query`` lights up the
    places holding available units of matching products, nearest the door first."""
    places = load_places(session)
    zone = None
    if zone_code:
        zone = next((p for p in places.values() if p.code == zone_code.strip().upper()), None)
        if zone is None:
            raise NotFound(f"Fant ikke sonen «{zone_code}».")
    if at is not None and zone is None:
        raise ValidationFailed.for_field("sone", "Velg en sone for å se lageret slik det var tidligere.")
    counts = (counts_at(session, subtree_ids(places, zone.id), at) if at is not None else count_by_place(session))
    for place_id, groups in counts.items():
        if place_id in places:
            places[place_id].counts = groups
    roll_up(places)
    hits: list[Place] = []
    if query and query.strip():
        ids = product_ids_matching(session, query)
        found = count_by_place(session, ids) if ids else {}
        door = _door(places)
        hits = sorted((places[i] for i, groups in found.items() if groups.get("available") and i in places),
                      key=lambda p: (math.dist(door, (p.x or 0, p.y or 0)), p.code))
        for place in hits:
            place.hit_units = found[place.id]["available"]
    areas, at_nav = _areas(session)
    return DepotMap(places, zone, at, hits, query, _vans(session, places, today), areas, at_nav)


def place_by_code(session: Session, code: str) -> Location:
    location = session.scalar(select(Location).where(Location.code == code.strip().upper()))
    if location is None:
        raise NotFound(f"Fant ikke plassen «{code}».")
    return location
