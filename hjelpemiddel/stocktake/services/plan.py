"""The cycle-count plan: each zone is counted as often as the most demanding class of what it holds
asks. A: lifts (ISO 12 36), beds (18 12) and powered wheelchairs (12 23), monthly; B: manual
wheelchairs (12 22), walking aids (12 06), pressure-relief cushions and mattresses (04 33),
transfer aids (12 31) and seating (12 27), quarterly; C: everything else, yearly. A zone is counted
by a closed stocktake of the zone or of a place it lies in."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, literal_column, select
from sqlalchemy.orm import Session

from ...catalog.models import Product
from ...core.text import local_time
from ...stock.models import Device, Location
from ...stock.services import PATH_SEPARATOR, zone_of
from ..models import Stocktake

CLASS_PREFIXES = {"A": ("1236", "1812", "1223"), "B": ("1222", "1206", "0433", "1231", "1227")}
INTERVAL_DAYS = {"A": 30, "B": 91, "C": 365}
CLASS_TEXT = {
    "A": "A – hver måned: personløftere (ISO 12 36), senger (18 12) og elektriske rullestoler (12 23)",
    "B": "B – hvert kvartal: manuelle rullestoler (12 22), gåhjelpemidler og rullatorer (12 06), "
         "trykksårforebygging (04 33), forflytning (12 31) og sittestøtter (12 27)",
    "C": "C – hvert år: alt annet (toalett og dusj, ramper, mindre hjelpemidler)",
}
_RANK = "ABC"


def abc_class(iso_class: str | None) -> str:
    digits = (iso_class or "").replace(" ", "")
    for klass, prefixes in CLASS_PREFIXES.items():
        if digits.startswith(prefixes):
            return klass
    return "C"


@dataclass(frozen=True)
class PlanRow:
    code: str
    name: str
    abc: str
    units: int
    last_counted: datetime | None
    last_part_counted: datetime | None  # a rack, shelf or bin of the zone counted by itself
    due: date
    due_this_week: bool


def cycle_plan(session: Session, today: date) -> tuple[list[PlanRow], date]:
    """Every zone with its class, units, last count and due day; and the last day of this week.
    One grouped read of the units by place and class: the plan costs one pass over the depot."""
    zones = list(session.scalars(select(Location).where(Location.kind == "zone").order_by(Location.code).limit(500)))
    by_zone: dict[str, dict[str, int]] = {zone.code: {} for zone in zones}
    # Literal positions: PostgreSQL matches the grouped expression to the selected one only if they are
    # the same text, and two bound parameters are not.
    group = func.substr(Product.iso_class, literal_column("1"), literal_column("4"))
    rows = session.execute(
        select(Location.path, Location.code, group, func.count())
        .select_from(Device).join(Location, Location.id == Device.location_id)
        .join(Product, Product.id == Device.product_id)
        .group_by(Location.path, Location.code, group))
    for path, code, prefix, count in rows:
        counts = by_zone.get(zone_of(path, code))
        if counts is not None:
            klass = abc_class(prefix)
            counts[klass] = counts.get(klass, 0) + count
    counts = session.execute(select(Location.code, Location.path, func.max(Stocktake.closed_at))
                             .join(Location, Location.id == Stocktake.root_location_id)
                             .where(Stocktake.closed_at.is_not(None)).group_by(Location.code, Location.path)).all()
    last = {code: closed for code, _path, closed in counts}
    parts: dict[str, datetime] = {}
    for code, path, closed in counts:
        zone_code = zone_of(path, code)
        if zone_code != code and (zone_code not in parts or closed > parts[zone_code]):
            parts[zone_code] = closed
    week_end = today + timedelta(days=6 - today.weekday())
    plan = []
    for zone in zones:
        held = by_zone[zone.code]
        klass = min(held, key=_RANK.index) if held else "C"
        chain = [step for step in (zone.path or "").split(PATH_SEPARATOR) if step] + [zone.code]
        counted = max((last[code] for code in chain if last.get(code)), default=None)
        due = local_time(counted).date() + timedelta(days=INTERVAL_DAYS[klass]) if counted else today
        plan.append(PlanRow(zone.code, zone.name, klass, sum(held.values()), counted, parts.get(zone.code), due,
                            due <= week_end))
    plan.sort(key=lambda row: (row.due, _RANK.index(row.abc), row.code))
    return plan, week_end
