"""The route ordering the app used before issue 12 ("Speed"), kept here, and only here, so that
bench/planning.py and tests/unit/test_routing_search.py can compare the new planner's routes with it
on the same stops. Nearest neighbour, then 2-opt that recomputes the whole schedule for every
candidate reversal (skipped for more than 60 non-urgent stops). Do not use it in the app."""
from __future__ import annotations

import math

LATE_PENALTY = 10.0


def _km(a, b):
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(h)) * 1.3


def _position(point, settings):
    return (point.lat, point.lon) if point.lat is not None and point.lon is not None else settings.depot


def schedule_cost(route, settings):
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


def _nearest_neighbour(points, settings, start):
    known = [p for p in points if p.lat is not None and p.lon is not None]
    unknown = sorted((p for p in points if p.lat is None or p.lon is None), key=lambda p: (p.postcode, p.key))
    route, here = [], start
    while known:
        best = min(known, key=lambda p: (_km(here, _position(p, settings)), p.window_start or 0, p.key))
        known.remove(best)
        route.append(best)
        here = _position(best, settings)
    return route + unknown


def _two_opt(head, segment, settings):
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


def order_route(points, settings):
    """Keys in driving order: urgent stops first, then the rest."""
    urgent = _two_opt([], _nearest_neighbour([p for p in points if p.urgent], settings, settings.depot), settings)
    last = _position(urgent[-1], settings) if urgent else settings.depot
    rest = _nearest_neighbour([p for p in points if not p.urgent], settings, last)
    rest = _two_opt(urgent, rest, settings) if len(rest) <= 60 else rest
    return [p.key for p in urgent + rest]
