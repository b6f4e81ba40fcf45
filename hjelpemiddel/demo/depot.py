"""The demo depot's floor plan: zones of racks, shelves and floor spots, each a location with its point.

Metres from the building's north-west corner, x eastwards, y southwards; a location's point is its
centre (the shelves of a rack and the levels of a bay share their point).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from ..stock.services import create_location

DEPOT_CODE = "HML"
BUILDING_SIZE = (60.0, 36.0)


@dataclass(frozen=True)
class ZoneSpec:
    """One zone of the floor plan: a grid of ``rows`` × ``cols`` spots, ``dx`` × ``dy`` metres each,
    from (x0, y0). ``shelving`` is rack › shelf › bin, ``racks`` is rack › bin per bay and level,
    ``floor`` is bins (floor spots called ``spot_name``) straight under the zone."""

    code: str
    name: str
    layout: str
    x0: float
    y0: float
    rows: int
    cols: int
    levels: int
    dx: float
    dy: float
    capacity: int
    spot_name: str = ""
    purpose: str = "storage"


ZONES = (  # code, name, layout, x0, y0, rows, cols, levels, dx, dy, capacity, spot name
    ZoneSpec("A", "Sone A – småhjelpemidler", "shelving", 2, 2, 4, 6, 3, 2.0, 2.6, 10),
    ZoneSpec("B", "Sone B – gåhjelpemidler", "racks", 21, 2, 4, 8, 2, 2.2, 2.6, 14),
    ZoneSpec("C", "Sone C – bad og toalett", "racks", 2, 14, 4, 8, 2, 2.2, 2.6, 14),
    ZoneSpec("D", "Sone D – rullestoler og ramper", "racks", 21, 14, 4, 6, 2, 2.6, 2.6, 14),
    ZoneSpec("E", "Sone E – senger og madrasser", "floor", 40, 2, 6, 4, 1, 4.5, 3.5, 20, "Gulvfelt"),
    ZoneSpec("F", "Sone F – løftere og elektriske rullestoler", "floor", 40, 26, 2, 5, 1, 3.5, 3.5, 16, "Gulvfelt"),
    ZoneSpec("MOTTAK", "Mottak", "floor", 2, 28, 2, 3, 1, 3.5, 3.0, 20, "Mottaksplass", "receiving"),
    ZoneSpec("VASK", "Vask og klargjøring", "floor", 16, 28, 2, 3, 1, 3.0, 3.0, 6, "Vaskeplass", "cleaning"),
    ZoneSpec("KONTROLL", "Kontroll", "floor", 26, 28, 2, 2, 1, 2.8, 3.0, 6, "Kontrollplass", "inspection"),
    ZoneSpec("KARANTENE", "Karantene", "floor", 32.5, 28, 2, 2, 1, 3.0, 3.0, 10, "Karanteneplass", "quarantine"),
    ZoneSpec("VERKSTED", "Verksted", "floor", 15, 2, 3, 2, 1, 2.8, 3.0, 4, "Verkstedplass", "repair"),
)


@dataclass(frozen=True)
class Bin:
    id: int
    zone: str
    capacity: int


def _spot(zone: ZoneSpec, row: float, col: float) -> tuple[float, float]:
    """Centre of a grid spot; fractional row/col give centres of groups of spots."""
    return round(zone.x0 + (col + 0.5) * zone.dx, 2), round(zone.y0 + (row + 0.5) * zone.dy, 2)


def _build_zone(session: Session, zone: ZoneSpec) -> list[Bin]:
    x, y = _spot(zone, (zone.rows - 1) / 2, (zone.cols - 1) / 2)
    create_location(session, zone.code, "zone", zone.name, parent_code=DEPOT_CODE, x=x, y=y,
                    width=zone.cols * zone.dx, depth=zone.rows * zone.dy, purpose=zone.purpose)
    if zone.layout == "floor":
        return [_build_bin(session, zone, f"{zone.code}-{n + 1:02d}", f"{zone.spot_name} {n + 1}", zone.code,
                           *divmod(n, zone.cols)) for n in range(zone.rows * zone.cols)]
    return [bin_ for row in range(zone.rows) for bin_ in _build_rack(session, zone, row)]


def _build_rack(session: Session, zone: ZoneSpec, row: int) -> list[Bin]:
    """A rack along one row: shelves (hyller) holding bins, or bins straight per bay (fag) and level."""
    rack = f"{zone.code}-{row + 1:02d}"
    x, y = _spot(zone, row, (zone.cols - 1) / 2)
    create_location(session, rack, "rack", f"Reol {rack}", parent_code=zone.code, x=x, y=y,
                    width=zone.cols * zone.dx, depth=zone.dy * 0.85)
    bins = []
    for level in range(1, zone.levels + 1):
        if zone.layout == "shelving":
            shelf = f"{rack}-{level}"
            create_location(session, shelf, "shelf", f"Reol {rack}, hylle {level}", parent_code=rack, x=x, y=y,
                            width=zone.cols * zone.dx, depth=zone.dy * 0.85)
            bins += [_build_bin(session, zone, f"{shelf}-{col + 1:02d}", f"Hylle {level}, plass {col + 1}", shelf,
                                row, col) for col in range(zone.cols)]
        else:
            bins += [_build_bin(session, zone, f"{rack}-{col + 1:02d}-{level}",
                                f"Reol {rack}, fag {col + 1}, nivå {level}", rack, row, col)
                     for col in range(zone.cols)]
    return bins


def _build_bin(session: Session, zone: ZoneSpec, code: str, name: str, parent: str, row: int, col: int) -> Bin:
    x, y = _spot(zone, row, col)
    location = create_location(session, code, "bin", name, parent_code=parent, capacity=zone.capacity, x=x, y=y,
                               width=zone.dx * 0.85, depth=zone.dy * 0.85)
    return Bin(location.id, zone.code, zone.capacity)


def build_depot(session: Session) -> list[Bin]:
    width, height = BUILDING_SIZE
    create_location(session, DEPOT_CODE, "depot", "Hjelpemiddellageret", x=width / 2, y=height / 2)
    return [bin_ for zone in ZONES for bin_ in _build_zone(session, zone)]
