"""The digital twin at the service layer: the counts the triggers keep agree with the units after
every kind of write, the map colours and finds, the overview adds up, minimum stock, and time
travel answers from the history what stood where."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, literal_column, select, text

from hjelpemiddel.core.errors import NotFound, ValidationFailed
from hjelpemiddel.maintenance.services import quarantine_device
from hjelpemiddel.stock.models import Device, DeviceEvent
from hjelpemiddel.stock.services import move_device
from hjelpemiddel.twin import services as twin
from hjelpemiddel.twin.models import NO_PLACE, DeviceCount, PlaceCount, ProductCount

from .desk import TODAY


def counts_from_units(session):
    place = func.coalesce(Device.location_id, literal_column(str(NO_PLACE)))
    rows = session.execute(select(place, Device.product_id, Device.state, Device.owner, func.count())
                           .group_by(place, Device.product_id, Device.state, Device.owner))
    return {tuple(row[:4]): row[4] for row in rows}


def counts_kept(session):
    return {(r.place_id, r.product_id, r.state, r.owner): r.units
            for r in session.scalars(select(DeviceCount).where(DeviceCount.units > 0))}


def coarser(counts, *keep):
    """The counts summed to a coarser grain: ``keep`` the positions of the key kept."""
    out = {}
    for key, units in counts.items():
        out[tuple(key[i] for i in keep)] = out.get(tuple(key[i] for i in keep), 0) + units
    return out


def test_the_counts_kept_by_the_database_agree_with_the_units_after_registering_moving_lending_and_quarantine(
        session, actor, desk, shelves, rollator):
    units = desk.units(4)
    move_device(session, units[0].barcode, "B-01-1", actor.id)
    desk.loan(desk.citizen("Astrid Olsen"))
    quarantine_device(session, actor.id, units[1].barcode, reason="recall", note="Tilbakekalling")
    session.execute(text("UPDATE devices SET owner = owner"))  # a write that changes nothing counted
    a_bin, b_bin = (session.scalar(text(f"SELECT id FROM locations WHERE code = '{code}'")) for code in ("A-01-2", "B-01-1"))
    session.execute(text(f"UPDATE devices SET location_id = {b_bin} WHERE location_id = {a_bin}"))  # many at once
    session.flush()
    truth = counts_from_units(session)
    assert counts_kept(session) == truth
    assert {(r.place_id, r.state): r.units for r in session.scalars(select(PlaceCount).where(PlaceCount.units > 0))
            } == coarser(truth, 0, 2)
    assert {(r.product_id, r.state, r.owner): r.units for r in session.scalars(
        select(ProductCount).where(ProductCount.units > 0))} == coarser(truth, 1, 2, 3)


def test_the_map_colours_a_bin_by_what_its_units_do_and_rolls_it_up_to_the_zone(session, actor, desk, shelves):
    units = desk.units(2, where="A-01-1")
    desk.units(1, where="A-01-2")
    quarantine_device(session, actor.id, units[0].barcode, reason="damage", note="Knekt bremsehåndtak")
    the_map = twin.depot_map(session, TODAY)
    bin_ = next(p for p in the_map.places.values() if p.code == "A-01-1")
    # as many quarantined as available: the more pressing colours the bin
    assert bin_.counts == {"available": 1, "quarantined": 1} and bin_.fill == 1.0 and bin_.main_group == "quarantined"
    zone = next(p for p in the_map.places.values() if p.code == "A")
    assert zone.held == {"available": 2, "quarantined": 1} and zone.counts == {}


def test_searching_a_product_lights_the_bins_with_available_units_nearest_the_door_first(
        session, actor, desk, shelves, rollator):
    desk.units(1, where="B-01-1")
    desk.units(2, where="A-01-1")
    for query in ("Rollator", "olympos", "12 06 06", "123456"):
        hits = twin.depot_map(session, TODAY, query=query).hits
        assert [(p.code, p.hit_units) for p in hits] == [("A-01-1", 2), ("B-01-1", 1)], query
    assert twin.depot_map(session, TODAY, query="Seng").hits == []


def test_the_overview_counts_units_by_kind_of_place_owner_and_product(session, actor, desk, rollator):
    desk.units(3)
    desk.loan(desk.citizen("Astrid Olsen"))
    kinds = {row.key: (row.units, row.available) for row in twin.units_by_place_kind(session)}
    assert kinds == {"storage": (3, 3), "citizens": (1, 0)}
    assert [(r.label, r.units, r.available) for r in twin.units_by_owner(session)] == [("Kommunen", 4, 3)]
    rows, total = twin.units_by_product(session, "rollator", 10, 0)
    assert total == 1 and (rows[0].label, rows[0].units, rows[0].available) == (rollator.name, 4, 3)
    assert twin.units_by_product(session, "seng", 10, 0) == ([], 0)
    classes, _ = twin.units_by_product(session, None, 10, 0, by_class=True)
    assert [(r.key, r.units) for r in classes] == [("120606", 4)]


def test_minimum_stock_lists_the_shortfalls_first(session, actor, desk, rollator):
    desk.units(2)
    twin.set_minimum(session, 5, product_id=rollator.id)
    twin.set_minimum(session, 1, iso_class="1206")
    first, second = twin.list_minimums(session)
    assert (first.label, first.minimum, first.available, first.missing) == (rollator.name, 5, 2, 3)
    assert (second.label, second.missing) == ("ISO-klasse 1206", 0)
    twin.set_minimum(session, 2, product_id=rollator.id)
    assert [m.missing for m in twin.list_minimums(session)] == [0, 0]


@pytest.mark.parametrize("args, field", [({"product_id": None, "iso_class": None}, "product_id"),
                                         ({"product_id": 1, "iso_class": "1206"}, "product_id"),
                                         ({"iso_class": "9999"}, "iso_class")])
def test_a_minimum_needs_exactly_one_known_product_or_class(session, rollator, args, field):
    with pytest.raises(ValidationFailed) as refused:
        twin.set_minimum(session, 3, **args)
    assert field in refused.value.details


def test_an_unknown_zone_or_a_past_moment_without_a_zone_is_refused(session, depot):
    with pytest.raises(NotFound):
        twin.depot_map(session, TODAY, zone_code="Q")
    with pytest.raises(ValidationFailed):
        twin.depot_map(session, TODAY, at=datetime.now(timezone.utc))


def test_time_travel_shows_a_zone_and_a_unit_as_the_history_says_they_stood(session, actor, desk, shelves, rollator):
    [unit] = desk.units(1, where="A-01-1")
    before_move = datetime.now(timezone.utc)
    session.flush()
    move_device(session, unit.barcode, "B-01-1", actor.id)
    session.flush()
    zone_a = twin.depot_map(session, TODAY).places
    a_ids = twin.subtree_ids(zone_a, next(p.id for p in zone_a.values() if p.code == "A"))
    b_ids = twin.subtree_ids(zone_a, next(p.id for p in zone_a.values() if p.code == "B"))
    # The move's event is the latest; just before it, the unit stood in A-01-1.
    moved_at = session.scalar(select(func.max(DeviceEvent.occurred_at)).where(DeviceEvent.device_id == unit.id))
    just_before = moved_at - timedelta(microseconds=1)
    if just_before < before_move - timedelta(seconds=5):
        pytest.skip("clock")
    then = twin.counts_at(session, a_ids, just_before)
    assert sum(sum(g.values()) for g in then.values()) == 1
    assert twin.counts_at(session, a_ids, moved_at) == {}
    assert sum(sum(g.values()) for g in twin.counts_at(session, b_ids, moved_at).values()) == 1
    units, total = twin.units_at(session, a_ids, just_before, 10, 0)
    assert total == 1 and units[0].barcode == unit.barcode and units[0].place_code == "A-01-1"
    assert twin.device_at(session, unit.id, unit.barcode, just_before).place_code == "A-01-1"
    assert twin.device_at(session, unit.id, unit.barcode, moved_at).place_code == "B-01-1"
    earliest = session.scalar(select(func.min(DeviceEvent.occurred_at)).where(DeviceEvent.device_id == unit.id))
    assert twin.device_at(session, unit.id, unit.barcode, earliest - timedelta(seconds=1)).state is None
    assert twin.depot_map(session, TODAY, zone_code="A", at=just_before).places[
        next(p.id for p in zone_a.values() if p.code == "A-01-1")].counts == {"available": 1}


def test_monthly_checkpoints_give_the_same_past_as_the_history_and_a_late_event_drops_those_after_it(
        session, actor, desk, shelves, rollator):
    from hjelpemiddel.core.db import utcnow
    from hjelpemiddel.twin.models import PlaceCheckpoint

    units = desk.units(2, where="A-01-1") + desk.units(1, where="A-01-2")
    session.flush()
    registered = utcnow()
    move_device(session, units[0].barcode, "B-01-1", actor.id)
    quarantine_device(session, actor.id, units[1].barcode, reason="damage", note="Sprekk i rammen")
    session.flush()
    moved = utcnow()
    places = twin.load_places(session)
    everywhere = set(places)
    exact = {when: twin.counts_at(session, everywhere, when) for when in (registered, moved)}

    later = moved + timedelta(days=70)  # checkpoints for this month and the next two
    assert twin.units_by_place_kind(session, moved) is None  # no checkpoint yet: the page says so
    assert twin.build_checkpoints(session, later) == 3
    assert twin.units_by_place_kind(session, later) == twin.units_by_place_kind(session)
    assert twin.build_checkpoints(session, later) == 0  # nothing left to make
    for when, counts in exact.items():
        assert twin.counts_at(session, everywhere, when) == counts
    assert twin.counts_at(session, everywhere, later) == exact[moved]  # past the last checkpoint, no event since

    move_device(session, units[0].barcode, "A-01-2", actor.id)  # written now: the future checkpoints are stale
    session.flush()
    assert session.scalar(select(func.max(PlaceCheckpoint.starts_at))) <= utcnow()
    b_bin = next(p.id for p in places.values() if p.code == "B-01-1")
    assert twin.counts_at(session, {b_bin}, later) == {}
