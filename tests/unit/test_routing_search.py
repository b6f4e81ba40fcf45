"""The planner's local search at scale, pure: never worse than the planner it replaced (kept in
bench/old_routing.py), the same route for the same stops, and bounded work however many stops."""
import importlib.util
import random
from pathlib import Path

import pytest

from hjelpemiddel.logistics.routing import RoutePoint, RouteSettings, order_route, schedule_cost

DEPOT = (63.1115, 7.7480)
SETTINGS = RouteSettings(depot=DEPOT)
_spec = importlib.util.spec_from_file_location("old_routing", Path(__file__).parents[2] / "bench" / "old_routing.py")
old_routing = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(old_routing)


def day(seed: int, stops: int, urgent_share: float, window_share: float) -> list[RoutePoint]:
    rng = random.Random(seed)
    points = []
    for key in range(1, stops + 1):
        opens = closes = None
        if rng.random() < window_share:
            if rng.random() < 0.5:
                closes = rng.choice((600, 660))
            else:
                opens = 720
        points.append(RoutePoint(key, DEPOT[0] + rng.uniform(-0.05, 0.05), DEPOT[1] + rng.uniform(-0.1, 0.1), "6509",
                                 rng.random() < urgent_share, opens, closes))
    return points


def cost_of(points, order):
    by_key = {point.key: point for point in points}
    return schedule_cost([by_key[key] for key in order], SETTINGS)


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("urgent_share, window_share", [(0.0, 0.0), (0.2, 0.2), (1.0, 0.3)])
def test_the_planner_s_route_is_never_worse_than_the_old_planner_s_on_the_same_stops(seed, urgent_share, window_share):
    points = day(seed, 25, urgent_share, window_share)
    assert cost_of(points, order_route(points, SETTINGS)) <= cost_of(points, old_routing.order_route(points,
                                                                                                      SETTINGS)) + 1e-6


@pytest.mark.parametrize("urgent_share, window_share", [(0.1, 0.15), (1.0, 1.0)])
def test_three_hundred_stops_give_the_same_route_every_time_with_urgent_stops_first(urgent_share, window_share):
    points = day(1505, 300, urgent_share, window_share)
    first = order_route(points, SETTINGS)
    assert order_route(list(reversed(points)), SETTINGS) == first
    urgent = {point.key for point in points if point.urgent}
    assert set(first[:len(urgent)]) == urgent and sorted(first) == sorted(point.key for point in points)


def test_a_spent_budget_still_gives_every_stop_once_and_no_worse_than_nearest_neighbour():
    points = day(7, 120, 0.2, 0.2)
    starved, full = order_route(points, SETTINGS, budget=0), order_route(points, SETTINGS)
    assert sorted(starved) == sorted(full) == sorted(point.key for point in points)
    assert cost_of(points, full) <= cost_of(points, starved)


def full_cost(search, order):
    """The schedule run from the depot, as the search's shortcuts must agree with."""
    clock, cost, here = float(search.start), 0.0, 0
    for node in order[1:-1]:
        clock += search.minutes[here][node]
        cost += search.minutes[here][node]
        opens, closes = search.windows[node]
        clock = max(clock, opens) if opens is not None else clock
        cost += max(0.0, clock - closes) * search.late_penalty if closes is not None else 0.0
        clock += search.service
        here = node
    return cost + search.minutes[here][0]


@pytest.mark.parametrize("seed", range(6))
def test_a_move_judged_from_where_it_changes_the_route_costs_what_the_whole_schedule_says(seed):
    from hjelpemiddel.logistics.route_search import Search

    rng = random.Random(seed)
    nodes = 14
    spots = [(rng.uniform(0, 30), rng.uniform(0, 30)) for _ in range(nodes)]
    minutes = [[abs(a[0] - b[0]) + abs(a[1] - b[1]) for b in spots] for a in spots]
    windows = [(None, None)] + [(rng.choice((None, 540, 600)), rng.choice((None, 560, 620)))
                                if rng.random() < 0.4 else (None, None) for _ in range(nodes - 1)]
    order = [0, *rng.sample(range(1, nodes), nodes - 1), 0]
    search = Search(minutes, windows, [(1, nodes - 1)], order, 480, 20, 10.0, 10**9)
    exact = full_cost(search, order)
    assert search.cost == pytest.approx(exact)
    for lo in range(1, nodes - 1):
        for hi in range(lo + 1, nodes):
            reversed_ = order[:lo] + order[lo:hi + 1][::-1] + order[hi + 1:]
            judged = search.schedule(reversed_, lo, hi)
            assert judged is None and full_cost(search, reversed_) >= exact - 1e-6 or \
                judged == pytest.approx(full_cost(search, reversed_))
            if hi > search.last_timed:
                assert search.reversal_cost(lo, hi) == pytest.approx(full_cost(search, reversed_))
