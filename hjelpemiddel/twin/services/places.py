"""The depot's places as the twin draws them: every location with its size, turn and purpose (its
own or its zone's), and how full each is, by what its units are doing."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ...catalog.models import Product
from ...stock.lifecycle import DeviceState as S
from ...stock.models import PURPOSE_LABELS, Location
from ..models import NO_PLACE, DeviceCount, PlaceCount

# What a unit is doing, as the map colours it; every state of a unit in the depot has one group.
GROUPS = {
    S.AVAILABLE: "available", S.REGISTERED: "registered", S.RESERVED: "reserved", S.PICKED: "reserved",
    S.OUT_FOR_DELIVERY: "reserved", S.RETURNED: "waiting", S.CLEANING: "waiting", S.INSPECTION: "waiting",
    S.IN_REPAIR: "in_repair", S.QUARANTINED: "quarantined",
}
GROUP_LABELS = {
    "available": "Ledig", "reserved": "Reservert eller plukket", "waiting": "Venter på vask eller kontroll",
    "in_repair": "Til reparasjon", "quarantined": "I karantene", "registered": "Registrert, ikke satt på plass",
}
_DEFAULT_SIZE = {"bin": (1.8, 1.2), "shelf": (1.8, 1.2), "rack": (6.0, 1.2), "zone": (10.0, 8.0), "van": (2.2, 5.0)}


@dataclass
class Place:
    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None
    path: str
    x: float | None
    y: float | None
    width: float | None
    depth: float | None
    rotation: float
    capacity: int | None
    purpose: str = "storage"
    counts: dict[str, int] = field(default_factory=dict)  # units standing here
    held: dict[str, int] = field(default_factory=dict)  # here and in every place inside it
    hit_units: int = 0  # available units of a searched product

    @property
    def units(self) -> int:
        return sum(self.counts.values())

    @property
    def held_units(self) -> int:
        return sum(self.held.values())

    @property
    def fill(self) -> float | None:
        return self.units / self.capacity if self.capacity else None

    @property
    def size(self) -> tuple[float, float]:
        default = _DEFAULT_SIZE.get(self.kind, (1.5, 1.5))
        return self.width or default[0], self.depth or default[1]

    @property
    def main_group(self) -> str | None:
        """The group most of its units are in (ties: the more pressing: quarantine, repair, waiting …)."""
        order = ["quarantined", "in_repair", "waiting", "reserved", "registered", "available"]
        return max(self.counts, key=lambda group: (self.counts[group], -order.index(group)), default=None)

    @property
    def purpose_label(self) -> str:
        return PURPOSE_LABELS.get(self.purpose, "Lager")


def products_named(text: str):
    """What «a product, HMS-nr or ISO class» typed into the twin's searches means, as a condition on
    products: digits (spaces and dots ignored) are an ISO class prefix or an HMS-nr, else part of a name."""
    text = text.strip()
    digits = "".join(ch for ch in text if ch.isdigit())
    if digits and len(digits) == len(text.replace(" ", "").replace(".", "")):
        return or_(Product.iso_class.startswith(digits), Product.hms_nr == digits)
    return Product.name.ilike(f"%{text}%")


def load_places(session: Session) -> dict[int, Place]:
    """Every location, each with its purpose settled (its own, else the nearest ancestor's, else storage)."""
    rows = session.execute(select(Location.id, Location.code, Location.name, Location.kind, Location.parent_id,
                                  Location.path, Location.x, Location.y, Location.width, Location.depth,
                                  Location.rotation, Location.capacity, Location.purpose)).all()
    own = {row.id: row.purpose for row in rows}
    parents = {row.id: row.parent_id for row in rows}
    places = {}
    for row in rows:
        purpose, at = own[row.id], row.parent_id
        while purpose is None and at is not None:
            purpose, at = own.get(at), parents.get(at)
        places[row.id] = Place(*row[:12], purpose=purpose or ("van_bay" if row.kind == "van" else "storage"))
    return places


def count_by_place(session: Session, product_ids=None) -> dict[int, dict[str, int]]:
    """Units now at each place by group, from the summary the triggers keep (never the units themselves)."""
    if product_ids is None:
        stmt = select(PlaceCount.place_id, PlaceCount.state, PlaceCount.units).where(
            PlaceCount.place_id != NO_PLACE, PlaceCount.units > 0)
    else:
        stmt = (select(DeviceCount.place_id, DeviceCount.state, func.sum(DeviceCount.units))
                .where(DeviceCount.place_id != NO_PLACE, DeviceCount.units > 0, DeviceCount.product_id.in_(product_ids))
                .group_by(DeviceCount.place_id, DeviceCount.state))
    counts: dict[int, dict[str, int]] = {}
    for place_id, state, units in session.execute(stmt):
        group = GROUPS.get(state)
        if group:
            into = counts.setdefault(place_id, {})
            into[group] = into.get(group, 0) + int(units)
    return counts


def subtree_ids(places: dict[int, Place], root_id: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for place in places.values():
        if place.parent_id is not None:
            children.setdefault(place.parent_id, []).append(place.id)
    found, todo = set(), [root_id]
    while todo:
        at = todo.pop()
        found.add(at)
        todo.extend(children.get(at, []))
    return found


def roll_up(places: dict[int, Place]) -> None:
    """What each place holds with everything inside it (a zone's total in the table)."""
    for place in places.values():
        place.held = dict(place.counts)
    for place in sorted(places.values(), key=lambda p: -(p.path.count("/") + bool(p.path))):  # deepest first
        if place.parent_id in places:
            into = places[place.parent_id].held
            for group, units in place.held.items():
                into[group] = into.get(group, 0) + units
