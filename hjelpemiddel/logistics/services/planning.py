"""Planning a day: every open visit due that day, one per door, spread by postcode area over the
day's runs and ordered into routes from the depot (discharges first, time windows kept)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..geo import DEPOT_POSITION
from ..models import DeliveryRun, Stop, StopItem
from ..routing import RoutePoint, RouteSettings, group_by_area, order_route
from .runs import check_run_date, create_run, get_run, list_runs, renumber, run_stops, take_off_run
from .visits import collect_open_stops, door_key


def _route_points(stops: list[Stop]) -> list[RoutePoint]:
    def minutes(value):
        return value.hour * 60 + value.minute if value else None

    return [RoutePoint(s.id, s.latitude, s.longitude, s.postcode, s.urgent, minutes(s.window_start), minutes(s.window_end))
            for s in stops]


def _due(stop: Stop, run_date: date) -> bool:
    return stop.not_before is None or stop.not_before <= run_date


def merge_doors(session: Session, stops: list[Stop]) -> list[Stop]:
    """One door, one visit per run: visits to the same citizen at the same address become the first
    of them (the one already on a run, if any); the others are dropped, their units moved over.
    Returns the visits left."""
    keep: dict[tuple[int, str], Stop] = {}
    for stop in sorted(stops, key=lambda s: (s.run_id is None, s.id)):
        key = (stop.citizen_id, door_key(stop.address))
        first = keep.setdefault(key, stop)
        if first is stop:
            continue
        for item in session.scalars(select(StopItem).where(StopItem.stop_id == stop.id, StopItem.active.is_(True))):
            item.stop_id = first.id
        first.urgent = first.urgent or stop.urgent
        first.need_id = first.need_id or stop.need_id
        first.not_before = max(filter(None, [first.not_before, stop.not_before]), default=None)
        take_off_run(session, stop)
        stop.status, stop.outcome_note = "dropped", f"Slått sammen med stopp {first.id} (samme dør)"
    session.flush()
    return list(keep.values())


def plan_runs(session: Session, actor_id: int, run_date: date, runs: list[dict] | None = None) -> list[DeliveryRun]:
    """Propose the day's runs: every open visit due that day, grouped by area over the runs asked
    for (or the day's planned runs, or one new run), each ordered into a route from the depot.
    Staff adjust afterwards."""
    check_run_date(run_date, planning=True)
    waiting = [stop for stop in collect_open_stops(session) if _due(stop, run_date)]
    planned = [run for run in list_runs(session, run_date) if run.status == "planned"]
    for spec in runs or []:
        planned.append(create_run(session, actor_id, run_date, spec.get("driver"), spec.get("van")))
    if not planned:
        planned = [create_run(session, actor_id, run_date)]
    on_runs = [stop for run in planned for stop in run_stops(session, run.id) if stop.status == "open"]
    kept = {stop.id for stop in merge_doors(session, on_runs + waiting)}
    waiting = [stop for stop in waiting if stop.id in kept]
    settings = RouteSettings(depot=DEPOT_POSITION)
    existing = {run.id: _route_points([s for s in run_stops(session, run.id) if s.status == "open"]) for run in planned}
    # A stop in an area a run already serves joins that run, so re-planning never splits an area.
    run_of_area: dict[str, int] = {}
    for run in planned:
        for point in existing[run.id]:
            run_of_area.setdefault(point.postcode or "?", run.id)
    ungrouped = []
    for point in _route_points(waiting):
        if (point.postcode or "?") in run_of_area:
            existing[run_of_area[point.postcode or "?"]].append(point)
        else:
            ungrouped.append(point)
    for run, group in zip(planned, group_by_area(ungrouped, len(planned))):
        renumber(session, run.id, order_route(existing[run.id] + group, settings))
    session.flush()
    return [get_run(session, run.id) for run in planned]
