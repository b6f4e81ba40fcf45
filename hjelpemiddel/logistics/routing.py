"""Route planning, pure: group stops by area, then order each run from the depot.

Urgent discharges go first; within that rule the order is nearest-neighbour on coordinates where
known (postcode order where not), improved with 2-opt and Or-opt moves (route_search.py), on a cost that is driving time plus a heavy
penalty for arriving after a stop's time window closes (arriving before it opens means waiting,
which pushes every later stop on).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .route_search import Search

LATE_PENALTY = 10.0  # one minute late costs as much as ten minutes of driving
# Evaluations the search may spend: about a third of a second for 300 stops, all with time windows.
SEARCH_BUDGET = 200_000


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


def _nearest_neighbour(points: list[RoutePoint], minutes: list[list[float]], node_of: dict[int, int],
                       start: int) -> list[RoutePoint]:
    known = [p for p in points if p.lat is not None and p.lon is not None]
    unknown = sorted((p for p in points if p.lat is None or p.lon is None), key=lambda p: (p.postcode, p.key))
    route, here = [], start
    while known:
        # Ties broken by window start, then key, so the same input always gives the same route.
        row = minutes[here]
        best = min(known, key=lambda p: (row[node_of[p.key]], p.window_start or 0, p.key))
        known.remove(best)
        route.append(best)
        here = node_of[best.key]
    return route + unknown


def _deadlines_first(points: list[RoutePoint], minutes: list[list[float]], node_of: dict[int, int],
                     start: int) -> list[RoutePoint]:
    """Stops that must be reached by a time in the order of their deadlines (the nearest first among
    equal ones), then the rest by nearest neighbour: the start for a day too full to be on time."""
    due = [p for p in points if p.window_end is not None and p.lat is not None and p.lon is not None]
    route, here = [], start
    while due:
        row, soonest = minutes[here], min(p.window_end for p in due)
        best = min((p for p in due if p.window_end == soonest), key=lambda p: (row[node_of[p.key]], p.key))
        due.remove(best)
        route.append(best)
        here = node_of[best.key]
    chosen = {p.key for p in route}
    return route + _nearest_neighbour([p for p in points if p.key not in chosen], minutes, node_of, here)


def _driving_minutes(points: list[RoutePoint], settings: RouteSettings) -> tuple[list[list[float]], dict[int, int]]:
    """Minutes between every two places (node 0 the depot; stops at one place share a node)."""
    places, node_of = [settings.depot], {}
    index = {settings.depot: 0}
    for point in points:
        place = _position(point, settings)
        if place not in index:
            index[place] = len(places)
            places.append(place)
        node_of[point.key] = index[place]
    factor = 60 / settings.speed_kmh
    minutes = [[0.0] * len(places) for _ in places]
    for a in range(len(places)):
        for b in range(a + 1, len(places)):
            minutes[a][b] = minutes[b][a] = _km(places[a], places[b]) * factor
    return minutes, node_of


def order_route(points: list[RoutePoint], settings: RouteSettings, budget: int = SEARCH_BUDGET) -> list[int]:
    """Keys in driving order: urgent stops first, then the rest; stops without coordinates last in
    each part, by postcode. Nearest neighbour, then 2-opt and Or-opt (route_search) within each part."""
    points = sorted(points, key=lambda p: p.key)
    if not points:
        return []
    minutes, place_of = _driving_minutes(points, settings)
    # The search sees one node per stop (stops at one place are distinct stops with their own windows).
    node_of = {point.key: node for node, point in enumerate(points, start=1)}
    places = [0, *(place_of[point.key] for point in points)]
    node_minutes = [[minutes[a][b] for b in places] for a in places]
    windows = [(None, None)] + [(p.window_start, p.window_end) for p in points]
    starts = []
    for construct in (_nearest_neighbour, _deadlines_first):
        urgent = construct([p for p in points if p.urgent], minutes, place_of, 0)
        last = place_of[urgent[-1].key] if urgent else 0
        start = urgent + construct([p for p in points if not p.urgent], minutes, place_of, last)
        starts.append((schedule_cost(start, settings), len(starts), start))
    starts.sort()
    route = starts[0][2]
    # Urgent stops stay before the rest; stops without coordinates stay at the end of their part.
    located = [p.lat is not None and p.lon is not None for p in route]
    blocks, first = [], 1
    for position in range(1, len(route) + 1):
        end_of_part = position == len(route) or route[position].urgent != route[position - 1].urgent
        if end_of_part:
            last_located = max((q for q in range(first, position + 1) if located[q - 1]), default=first - 1)
            if last_located > first:
                blocks.append((first, last_located))
            first = position + 1
    # The cheaper start is searched first; what its search leaves of the budget goes to the other.
    best = None
    for _cost, _n, start in starts:
        order = [0, *(node_of[p.key] for p in start), 0]
        search = Search(node_minutes, windows, blocks, order, settings.start_minutes, settings.service_minutes,
                        LATE_PENALTY, budget)
        search.run()
        if best is None or search.cost < best.cost - 1e-9:
            best = search
        budget = search.budget
        if budget <= 0:
            break
    return [points[node - 1].key for node in best.order[1:-1]]


def group_by_area(points: list[RoutePoint], runs: int) -> list[list[RoutePoint]]:
    """Whole postcode areas to runs, largest first to the emptiest run; urgent stops spread first."""
    groups: list[list[RoutePoint]] = [[] for _ in range(max(runs, 1))]
    areas: dict[str, list[RoutePoint]] = {}
    for point in points:
        areas.setdefault(point.postcode or "?", []).append(point)
    for _area, members in sorted(areas.items(), key=lambda item: (-sum(p.urgent for p in item[1]), -len(item[1]), item[0])):
        min(groups, key=len).extend(members)
    return groups
