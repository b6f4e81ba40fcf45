"""Route planning, pure: group stops by area, then order each run from the depot.

Urgent discharges go first; within that rule the order is nearest-neighbour on coordinates where
known (postcode order where not), improved with 2-opt, on a cost that is driving time plus a heavy
penalty for arriving after a stop's time window closes (arriving before it opens means waiting,
which pushes every later stop on).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

LATE_PENALTY = 10.0  # one minute late costs as much as ten minutes of driving


@dataclass(frozen=True)
class RoutePoint:
    key: int
    lat: float | None
    lon: float | None
    postcode: str
    urgent: bool = False
    window_start: int | None = None  # minutes after midnight
    window_end: int | None = None


@dataclass(frozen=True)
class RouteSettings:
    depot: tuple[float, float]
    start_minutes: int = 8 * 60
    service_minutes: int = 20
    speed_kmh: float = 40.0


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(h)) * 1.3  # roads wind: 30 % over the straight line


def _position(point: RoutePoint, settings: RouteSettings) -> tuple[float, float]:
    return (point.lat, point.lon) if point.lat is not None and point.lon is not None else settings.depot


def schedule_cost(route: list[RoutePoint], settings: RouteSettings) -> float:
    """Driving minutes plus penalties for lateness, from the depot and back."""
    clock, cost, here = float(settings.start_minutes), 0.0, settings.depot
    for point in route:
        there = _position(point, settings)
        drive = _km(here, there) / settings.speed_kmh * 60
        clock += drive
        cost += drive
        if point.window_start is not None and clock < point.window_start:
            clock = float(point.window_start)
        if point.window_end is not None and clock > point.window_end:
            cost += (clock - point.window_end) * LATE_PENALTY
        clock += settings.service_minutes
        here = there
    return cost + _km(here, settings.depot) / settings.speed_kmh * 60


def _nearest_neighbour(points: list[RoutePoint], settings: RouteSettings, start: tuple[float, float]) -> list[RoutePoint]:
    known = [p for p in points if p.lat is not None and p.lon is not None]
    unknown = sorted((p for p in points if p.lat is None or p.lon is None), key=lambda p: (p.postcode, p.key))
    route, here = [], start
    while known:
        # Ties broken by window start, then key, so the same input always gives the same route.
        best = min(known, key=lambda p: (_km(here, _position(p, settings)), p.window_start or 0, p.key))
        known.remove(best)
        route.append(best)
        here = _position(best, settings)
    return route + unknown


def _two_opt(head: list[RoutePoint], segment: list[RoutePoint], settings: RouteSettings) -> list[RoutePoint]:
    best = segment[:]
    best_cost = schedule_cost(head + best, settings)
    improved = True
    while improved:
        improved = False
        for i in range(len(best) - 1):
            for j in range(i + 1, len(best)):
                candidate = best[:i] + best[i:j + 1][::-1] + best[j + 1:]
                cost = schedule_cost(head + candidate, settings)
                if cost < best_cost - 1e-9:
                    best, best_cost, improved = candidate, cost, True
    return best


def order_route(points: list[RoutePoint], settings: RouteSettings) -> list[int]:
    """Keys in driving order: urgent stops first, then the rest."""
    urgent = _two_opt([], _nearest_neighbour([p for p in points if p.urgent], settings, settings.depot), settings)
    last = _position(urgent[-1], settings) if urgent else settings.depot
    rest = _nearest_neighbour([p for p in points if not p.urgent], settings, last)
    rest = _two_opt(urgent, rest, settings) if len(rest) <= 60 else rest
    return [p.key for p in urgent + rest]


def group_by_area(points: list[RoutePoint], runs: int) -> list[list[RoutePoint]]:
    """Whole postcode areas to runs, largest first to the emptiest run; urgent stops spread first."""
    groups: list[list[RoutePoint]] = [[] for _ in range(max(runs, 1))]
    areas: dict[str, list[RoutePoint]] = {}
    for point in points:
        areas.setdefault(point.postcode or "?", []).append(point)
    for _area, members in sorted(areas.items(), key=lambda item: (-sum(p.urgent for p in item[1]), -len(item[1]), item[0])):
        min(groups, key=len).extend(members)
    return groups
