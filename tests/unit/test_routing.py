"""Route planning (kjørerunde), pure: which stop first, and how the day's stops split over runs."""
import itertools
import math
import random

import pytest

from hjelpemiddel.logistics.routing import (LATE_PENALTY, RoutePoint, RouteSettings, group_by_area, order_route,
                                            schedule_cost)

DEPOT = (63.1115, 7.7480)
SETTINGS = RouteSettings(depot=DEPOT)
KM_PER_HUNDREDTH_LAT = 1.11 * 1.3  # roads wind: the planner adds 30 % to the straight line


def at(key, north=0.0, east=0.0, postcode="6509", **kwargs) -> RoutePoint:
    """A stop ``north``/``east`` hundredths of a degree from the depot."""
    return RoutePoint(key, DEPOT[0] + north / 100, DEPOT[1] + east / 100, postcode, **kwargs)


def nowhere(key, postcode, **kwargs) -> RoutePoint:
    return RoutePoint(key, None, None, postcode, **kwargs)


def route_of(points, order):
    by_key = {point.key: point for point in points}
    return [by_key[key] for key in order]


def minutes(clock: str) -> int:
    hours, mins = clock.split(":")
    return int(hours) * 60 + int(mins)


# --- order_route ----------------------------------------------------------------------------

def test_an_empty_day_is_an_empty_route():
    assert order_route([], SETTINGS) == []


@pytest.mark.parametrize("urgent_keys", [{3}, {1, 3}, {2, 3}])
def test_urgent_stops_come_first_however_far_away_they_are(urgent_keys):
    points = [at(1, north=1, urgent=1 in urgent_keys), at(2, north=2, urgent=2 in urgent_keys),
              at(3, north=-30, urgent=3 in urgent_keys), at(4, east=1)]
    order = order_route(points, SETTINGS)
    assert set(order[:len(urgent_keys)]) == urgent_keys
    assert sorted(order) == [1, 2, 3, 4]


def test_the_rest_of_the_route_starts_near_the_last_urgent_stop():
    points = [at(1, north=1), at(2, north=-20), at(3, north=-21, urgent=True)]
    assert order_route(points, SETTINGS) == [3, 2, 1]


def test_nearest_neighbour_and_two_opt_beat_the_input_order_and_find_the_best_route_on_a_small_layout():
    ring = [at(k + 1, north=-2 + 2 * math.sin(math.radians(a)), east=5 + 4 * math.cos(math.radians(a)))
            for k, a in enumerate(range(0, 360, 52))]
    zigzag = [ring[i] for i in (0, 3, 6, 2, 5, 1, 4)]
    planned = route_of(ring, order_route(zigzag, SETTINGS))
    best = min(schedule_cost(list(order), SETTINGS) for order in itertools.permutations(ring))
    assert schedule_cost(planned, SETTINGS) < schedule_cost(zigzag, SETTINGS) * 0.6
    assert schedule_cost(planned, SETTINGS) == pytest.approx(best)


def test_a_stop_whose_window_closes_early_is_visited_before_a_nearer_one_when_that_avoids_lateness():
    near = at(1, north=-1)
    far_by_eight_twenty = at(2, north=5, window_end=minutes("08:20"))
    order = order_route([near, far_by_eight_twenty], SETTINGS)
    assert order == [2, 1]
    assert schedule_cost(route_of([near, far_by_eight_twenty], order), SETTINGS) < schedule_cost(
        [near, far_by_eight_twenty], SETTINGS)


def test_without_the_window_the_nearer_stop_is_visited_first():
    assert order_route([at(1, north=-1), at(2, north=5)], SETTINGS) == [1, 2]


def test_stops_without_coordinates_fall_back_to_postcode_order():
    points = [nowhere(1, "6520"), nowhere(2, "6503"), nowhere(3, "6511"), nowhere(4, "6503")]
    assert order_route(points, SETTINGS) == [2, 4, 3, 1]


def test_stops_without_coordinates_come_after_the_located_ones():
    points = [nowhere(1, "6520"), at(2, north=3), nowhere(3, "6503"), at(4, north=1)]
    assert order_route(points, SETTINGS) == [4, 2, 3, 1]


def test_the_same_stops_in_any_input_order_give_the_same_route():
    rng = random.Random(1505)
    points = [at(k, north=rng.uniform(-5, 5), east=rng.uniform(-5, 5), postcode=f"65{k % 4:02d}",
                 urgent=k % 5 == 0, window_end=minutes("10:00") if k % 3 == 0 else None) for k in range(1, 13)]
    points += [nowhere(20, "6514"), nowhere(21, "6501")]
    first = order_route(points, SETTINGS)
    for _ in range(5):
        shuffled = points[:]
        rng.shuffle(shuffled)
        assert order_route(shuffled, SETTINGS) == first
    assert sorted(first) == sorted(p.key for p in points)


def test_two_stops_at_the_same_place_are_ordered_by_key():
    assert order_route([at(7, north=1), at(3, north=1)], SETTINGS) == [3, 7]


# --- schedule_cost --------------------------------------------------------------------------

def test_the_cost_of_a_route_is_the_driving_time_there_and_back():
    one_hundredth_north = at(1, north=1)
    drive = KM_PER_HUNDREDTH_LAT / SETTINGS.speed_kmh * 60
    assert schedule_cost([one_hundredth_north], SETTINGS) == pytest.approx(2 * drive, rel=0.01)
    assert schedule_cost([], SETTINGS) == 0


@pytest.mark.parametrize("window_end, late_minutes", [
    (None, 0),
    ("09:00", 0),
    ("08:10", 0),          # arrives at 08:02, in time
    ("08:00", 2.17),       # arrives about 08:02
])
def test_schedule_cost_penalises_each_late_minute(window_end, late_minutes):
    on_time = schedule_cost([at(1, north=1)], SETTINGS)
    cost = schedule_cost([at(1, north=1, window_end=minutes(window_end) if window_end else None)], SETTINGS)
    assert cost - on_time == pytest.approx(late_minutes * LATE_PENALTY, abs=0.5)


def test_lateness_is_counted_after_service_time_at_earlier_stops():
    first, second = at(1, north=1), at(2, north=1, window_end=minutes("08:10"))
    # Service at the first stop takes 20 minutes, so the second (same address) is reached about 08:22.
    late = schedule_cost([first, second], SETTINGS) - schedule_cost([first, at(2, north=1)], SETTINGS)
    assert late == pytest.approx((2.17 + SETTINGS.service_minutes - 10) * LATE_PENALTY, abs=0.5)


def test_waiting_for_a_window_to_open_can_make_the_next_stop_late():
    opens_at_ten = at(1, north=1, window_start=minutes("10:00"))
    closes_at_nine = at(2, north=1, window_end=minutes("09:00"))
    assert schedule_cost([opens_at_ten, closes_at_nine], SETTINGS) > schedule_cost([closes_at_nine, opens_at_ten],
                                                                                   SETTINGS) + 60 * LATE_PENALTY
    assert order_route([opens_at_ten, closes_at_nine], SETTINGS) == [2, 1]


# --- group_by_area --------------------------------------------------------------------------

def stops_in(*areas: tuple[str, int], urgent_in: tuple[str, ...] = ()) -> list[RoutePoint]:
    keys = itertools.count(1)
    return [nowhere(next(keys), postcode, urgent=postcode in urgent_in and i == 0)
            for postcode, count in areas for i in range(count)]


def areas_of(group: list[RoutePoint]) -> set[str]:
    return {point.postcode for point in group}


@pytest.mark.parametrize("runs", [1, 2, 3])
def test_grouping_keeps_every_postcode_area_on_one_run_and_loses_no_stop(runs):
    points = stops_in(("6501", 3), ("6503", 2), ("6504", 2), ("6506", 1), ("6511", 4))
    groups = group_by_area(points, runs)
    assert len(groups) == runs
    assert sorted(p.key for g in groups for p in g) == sorted(p.key for p in points)
    for area in ("6501", "6503", "6504", "6506", "6511"):
        assert sum(area in areas_of(group) for group in groups) == 1


@pytest.mark.parametrize("areas, runs, sizes", [
    ((("6501", 3), ("6503", 2), ("6504", 2), ("6506", 1)), 2, [4, 4]),
    ((("6501", 4), ("6503", 4), ("6504", 2), ("6506", 2)), 2, [6, 6]),
    ((("6501", 2), ("6503", 2), ("6504", 2)), 3, [2, 2, 2]),
    ((("6501", 5),), 2, [5, 0]),
])
def test_grouping_balances_the_runs(areas, runs, sizes):
    assert sorted((len(g) for g in group_by_area(stops_in(*areas), runs)), reverse=True) == sizes


def test_areas_with_urgent_stops_are_spread_over_the_runs_first():
    points = stops_in(("6501", 1), ("6503", 1), ("6511", 5), urgent_in=("6501", "6503"))
    groups = group_by_area(points, 2)
    assert [any(p.urgent for p in group) for group in groups] == [True, True]


def test_stops_without_a_postcode_are_kept_together():
    points = [RoutePoint(10, None, None, ""), *stops_in(("6501", 2)), RoutePoint(11, None, None, "")]
    assert sorted(sorted(p.key for p in g) for g in group_by_area(points, 2)) == [[1, 2], [10, 11]]


def test_asking_for_no_runs_still_gives_one_group():
    assert [len(g) for g in group_by_area(stops_in(("6501", 2)), 0)] == [2]


def test_grouping_is_deterministic_whatever_the_input_order():
    points = stops_in(("6501", 3), ("6503", 3), ("6504", 2), ("6506", 2))
    first = [sorted(p.key for p in g) for g in group_by_area(points, 2)]
    assert [sorted(p.key for p in g) for g in group_by_area(list(reversed(points)), 2)] == first
    assert [sorted(p.key for p in g) for g in group_by_area(points, 2)] == first
