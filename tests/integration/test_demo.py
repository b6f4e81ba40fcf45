"""The demo depot: the same for the same seed, believable, and made of the rows the services write.

The demo is loaded once for the module (and once more, rolled back at once, as the reference it must
equal); both loads live in transactions that are rolled back like the ``session`` fixture's. Tests
here take ``db``, not ``session``: a second connection would wait on the demo's open transaction.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased, sessionmaker

from hjelpemiddel.catalog.iso import ISO_TITLES
from hjelpemiddel.catalog.models import Product
from hjelpemiddel.core.auth import User, authenticate_password
from hjelpemiddel.core.db import get_database
from hjelpemiddel.core.ids import DEVICE_PREFIX, LOCATION_PREFIX, make_code, parse_code
from hjelpemiddel.demo import BUILDING_SIZE, DEPOT_CODE, database_is_empty, load_demo
from hjelpemiddel.maintenance.models import RepairOrder
from hjelpemiddel.stock.lifecycle import check_transition
from hjelpemiddel.stock.models import Device, DeviceEvent, DeviceLabel, Location
from hjelpemiddel.stock.services import find_by_scan, move_device, register_device

SEED = 2026
USERS = (("demo-lager", "lager", "Lise Lager"), ("demo-terapeut", "terapeut", "Tone Terapeut"))
PASSWORD = "demo-passord"


@dataclass(frozen=True)
class Load:
    summary: dict[str, int]
    digest: str
    empty_before: bool
    empty_after: bool


@dataclass(frozen=True)
class LoadedDemo:
    session: Session
    load: Load


@contextmanager
def rolled_back_session(app) -> Iterator[Session]:
    """The ``session`` fixture's recipe, usable for a whole module."""
    connection = get_database(app).engine.connect()
    transaction = connection.begin()
    session = sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)()
    try:
        yield session
    finally:
        session.close()
        transaction.rollback()
        connection.close()


def _barcode_offsets(session: Session) -> dict[str, int]:
    # PostgreSQL sequences survive a rollback, so a second load starts at higher ids: compare
    # barcodes by their place in the load, which SQLite (ids reused) and a fresh database agree on.
    numbers = {code: parse_code(code)[1] for code in session.scalars(select(Device.barcode))}
    first = min(numbers.values())
    return {code: number - first for code, number in numbers.items()}


def _digest(session: Session) -> str:
    offsets = _barcode_offsets(session)
    from_loc, to_loc = aliased(Location), aliased(Location)
    parts = [
        session.execute(select(Product.name, Product.hms_nr, Product.supplier, Product.iso_class,
                               Product.individually_tracked, Product.inspection_interval_days)
                        .order_by(Product.id)).all(),
        session.execute(select(Location.code, Location.name, Location.kind, Location.path, Location.capacity,
                               Location.x, Location.y).order_by(Location.id)).all(),
        [(offsets[barcode], *rest) for barcode, *rest in session.execute(
            select(Device.barcode, Product.hms_nr, Product.name, Device.serial_number, Device.owner, Device.nav_hms_nr,
                   Device.nav_serial, Device.condition, Device.state, Location.code)
            .join(Product, Product.id == Device.product_id).outerjoin(Location, Location.id == Device.location_id)
            .order_by(Device.id))],
        [(offsets[barcode], *rest) for barcode, *rest in session.execute(
            select(Device.barcode, DeviceEvent.kind, DeviceEvent.from_state, DeviceEvent.to_state, from_loc.code,
                   to_loc.code, DeviceEvent.note, User.username)
            .join(Device, Device.id == DeviceEvent.device_id)
            .outerjoin(from_loc, from_loc.id == DeviceEvent.from_location_id)
            .outerjoin(to_loc, to_loc.id == DeviceEvent.to_location_id)
            .outerjoin(User, User.id == DeviceEvent.actor_id)
            .order_by(DeviceEvent.id))],
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _load(session: Session) -> Load:
    empty_before = database_is_empty(session)
    summary = load_demo(session, seed=SEED, users=USERS, password=PASSWORD)
    return Load(summary, _digest(session), empty_before, database_is_empty(session))


@pytest.fixture(scope="module")
def rehearsal(app) -> Load:
    """A first load, rolled back at once: the reference the kept load must equal."""
    with rolled_back_session(app) as session:
        return _load(session)


@pytest.fixture(scope="module")
def demo(app, rehearsal) -> Iterator[LoadedDemo]:
    # Loaded after the rehearsal is gone: two open loads would wait on each other's unique codes.
    with rolled_back_session(app) as session:
        yield LoadedDemo(session, _load(session))


@pytest.fixture
def db(demo) -> Iterator[Session]:
    """The demo's session; whatever a test writes goes back to a savepoint afterwards."""
    savepoint = demo.session.begin_nested()
    yield demo.session
    savepoint.rollback()


def _devices(db: Session) -> list[tuple[Device, Product]]:
    return db.execute(select(Device, Product).join(Product, Product.id == Device.product_id).order_by(Device.id)).all()


# --- determinism and size -------------------------------------------------------------------

def test_the_same_seed_gives_the_same_depot_in_two_separate_loads(rehearsal, demo):
    assert demo.load.summary == rehearsal.summary
    assert demo.load.digest == rehearsal.digest


def test_the_database_is_empty_before_the_demo_and_not_after(rehearsal, demo):
    assert (rehearsal.empty_before, rehearsal.empty_after) == (True, False)
    assert not database_is_empty(demo.session)


def test_the_demo_is_the_size_of_a_depot_for_a_town_of_25000(demo, db):
    summary = demo.load.summary
    assert 350 <= summary["produkter"] <= 450
    assert 300 <= summary["lokasjoner"] <= 370
    assert 2700 <= summary["hjelpemidler"] <= 3300
    assert summary["brukere"] == len(USERS)
    assert summary["produkter"] == db.scalar(select(func.count()).select_from(Product))
    assert summary["lokasjoner"] == db.scalar(select(func.count()).select_from(Location))
    assert summary["hjelpemidler"] == db.scalar(select(func.count()).select_from(Device))
    assert 270 <= db.scalar(select(func.count()).select_from(Location).where(Location.kind == "bin")) <= 330


def test_the_demo_users_can_log_in_with_the_given_password(db):
    for username, role, full_name in USERS:
        principal = authenticate_password(db, username, PASSWORD)
        assert (principal.role, principal.full_name) == (role, full_name)


# --- the catalogue --------------------------------------------------------------------------

def test_products_span_real_iso_classes_with_unique_six_digit_hms_numbers(db):
    products = db.scalars(select(Product)).all()
    assert {p.iso_class for p in products} <= set(ISO_TITLES)
    assert len({p.iso_class for p in products}) >= 20
    hms = [p.hms_nr for p in products if p.hms_nr is not None]
    assert len(hms) == len(set(hms)) and all(len(n) == 6 and n.isdigit() for n in hms)
    assert 0.85 * len(products) <= len(hms) < len(products), "most have an HMS-nr, some are municipal-only"
    assert {"Topro", "Invacare", "Etac", "Handicare", "Permobil", "Sunrise Medical", "Arjo", "Guldmann",
            "Molift"} <= {p.supplier for p in products}
    assert len({p.name for p in products}) == len(products)


def test_a_few_consumable_like_products_are_not_tracked_unit_by_unit_and_have_no_units(db):
    untracked = db.scalars(select(Product.id).where(Product.individually_tracked.is_(False))).all()
    assert 0 < len(untracked) <= 0.1 * db.scalar(select(func.count()).select_from(Product))
    assert db.scalar(select(func.count()).select_from(Device).where(Device.product_id.in_(untracked))) == 0


def test_lifts_are_inspected_yearly_slings_half_yearly_some_beds_yearly_and_the_rest_never(db):
    intervals = {(iso, days) for iso, days in db.execute(select(Product.iso_class, Product.inspection_interval_days))}
    by_class: dict[str, set] = {}
    for iso, days in intervals:
        by_class.setdefault(iso, set()).add(days)
    assert by_class["123603"] == {365} and by_class["123612"] == {365}
    assert by_class["123621"] == {182}
    assert by_class["181210"] == {365, None}
    assert all(days == {None} for iso, days in by_class.items() if iso not in {"123603", "123612", "123621", "181210"})


# --- the devices ----------------------------------------------------------------------------

def test_every_device_has_its_own_claimed_label_whose_code_is_its_barcode(db):
    rows = db.execute(select(Device, DeviceLabel).join(DeviceLabel, DeviceLabel.device_id == Device.id)).all()
    assert len(rows) == db.scalar(select(func.count()).select_from(Device))
    for device, label in rows:
        assert device.barcode == label.code == make_code(DEVICE_PREFIX, label.id)
        assert label.claimed_at == label.issued_at == device.registered_at and label.retired_at is None


def test_every_history_starts_with_registered_and_follows_the_life_cycle_in_time_order(db):
    histories: dict[int, list[DeviceEvent]] = {}
    for event in db.scalars(select(DeviceEvent).order_by(DeviceEvent.id)):
        histories.setdefault(event.device_id, []).append(event)
    devices = {d.id: d for d in db.scalars(select(Device))}
    assert histories.keys() == devices.keys()
    for device_id, events in histories.items():
        first, last = events[0], events[-1]
        assert (first.kind, first.from_state, first.to_state) == ("registered", None, "registered")
        assert first.to_location_id is None
        for before, after in zip(events, events[1:]):
            assert after.from_state == before.to_state and after.occurred_at >= before.occurred_at
            check_transition(before.to_state, after.to_state)
        device = devices[device_id]
        assert (last.to_state, last.to_location_id) == (device.state, device.location_id)
        assert last.occurred_at == device.updated_at
        assert first.occurred_at == device.registered_at


def test_most_devices_are_on_the_shelf_and_a_few_wait_for_putaway_or_repair(db):
    states = Counter(db.scalars(select(Device.state)))
    total = sum(states.values())
    assert set(states) == {"available", "registered", "in_repair"}
    assert states["available"] >= 0.9 * total
    assert 0 < states["registered"] <= 0.03 * total and 0 < states["in_repair"] <= 0.05 * total


def test_every_demo_unit_in_repair_has_an_open_repair_order_that_its_history_names(db):
    in_repair = set(db.scalars(select(Device.id).where(Device.state == "in_repair")))
    orders = {order.device_id: order for order in db.scalars(select(RepairOrder).where(RepairOrder.status == "open"))}
    assert set(orders) == in_repair
    for device_id in list(in_repair)[:20]:
        last = db.scalars(select(DeviceEvent).where(DeviceEvent.device_id == device_id)
                          .order_by(DeviceEvent.id.desc()).limit(1)).one()
        assert (last.kind, last.data) == ("repair_opened", {"repair_id": orders[device_id].id})


def count_devices_by_location(session) -> dict[int, int]:
    """How many units stand in each location: the whole depot at once, as only a check of the demo needs."""
    rows = session.execute(select(Device.location_id, func.count()).group_by(Device.location_id))
    return {location_id: count for location_id, count in rows if location_id is not None}


def test_a_demo_device_is_written_exactly_as_registering_and_putting_away_writes_it(db):
    demo_device, product = next((d, p) for d, p in _devices(db) if d.state == "available" and d.serial_number)
    counts = count_devices_by_location(db)
    # A bin with room in the zone the demo put this product in, as a person putting it away would choose.
    zone_path = db.get(Location, demo_device.location_id).path
    bin_ = next(b for b in db.scalars(select(Location).where(Location.kind == "bin", Location.path == zone_path)
                                      .order_by(Location.id))
                if counts.get(b.id, 0) < b.capacity)
    actor = db.scalar(select(User).where(User.username == USERS[0][0]))
    fresh = register_device(db, actor.id, product.id, serial_number="DEMO-SAMMENLIGNING")
    move_device(db, fresh.barcode, bin_.code, actor.id)

    def shape(device: Device) -> tuple:
        label = db.scalar(select(DeviceLabel).where(DeviceLabel.device_id == device.id))
        events = db.execute(select(DeviceEvent.kind, DeviceEvent.from_state, DeviceEvent.to_state,
                                   DeviceEvent.from_location_id.is_(None), DeviceEvent.to_location_id.is_(None),
                                   DeviceEvent.actor_id, DeviceEvent.note, DeviceEvent.data.is_(None))
                            .where(DeviceEvent.device_id == device.id).order_by(DeviceEvent.id)).all()
        return ((device.owner, device.state, device.location_id is None, device.barcode == label.code),
                (label.claimed_at is None, label.retired_at is None), events)

    assert shape(demo_device) == shape(fresh)


def test_nav_owned_devices_carry_nav_ids_and_municipal_devices_none(db):
    rows = _devices(db)
    nav = [(d, p) for d, p in rows if d.owner == "nav"]
    assert 0.05 * len(rows) <= len(nav) <= 0.15 * len(rows)
    for device, product in nav:
        assert device.nav_hms_nr == product.hms_nr is not None
        assert len(device.nav_serial) == 6 and device.nav_serial.isdigit()
    assert len({(d.nav_hms_nr, d.nav_serial) for d, _ in nav}) == len(nav)
    assert all(d.nav_hms_nr is None and d.nav_serial is None for d, _ in rows if d.owner == "kommune")


def test_most_devices_have_serial_numbers_unique_per_product(db):
    rows = _devices(db)
    serials = [(d.product_id, d.serial_number) for d, _ in rows if d.serial_number]
    assert len(serials) >= 0.7 * len(rows)
    assert len(set(serials)) == len(serials)


# --- the depot ------------------------------------------------------------------------------

def test_every_placed_device_is_in_a_real_bin_within_its_capacity(db):
    locations = {loc.id: loc for loc in db.scalars(select(Location))}
    for location_id, count in count_devices_by_location(db).items():
        location = locations[location_id]
        assert location.kind == "bin" and count <= location.capacity, location.code
    unplaced = db.scalars(select(Device.state).where(Device.location_id.is_(None))).all()
    assert set(unplaced) == {"registered"}


def test_beds_and_lifts_stand_in_the_floor_zones_whose_spots_hold_more(db):
    rows = db.execute(select(Product.iso_class, Location.path)
                      .join(Device, Device.product_id == Product.id).join(Location, Location.id == Device.location_id))
    for iso, path in rows:
        if iso == "181210":
            assert path == f"{DEPOT_CODE} / E"
        if iso in {"123603", "123612"}:
            assert path == f"{DEPOT_CODE} / F"
    floor = {f"{DEPOT_CODE} / E", f"{DEPOT_CODE} / F"}
    bins = db.execute(select(Location.path, Location.capacity).where(Location.kind == "bin")).all()
    racked = [capacity for path, capacity in bins if path.startswith(tuple(f"{DEPOT_CODE} / {z} /" for z in "ABCD"))]
    assert min(capacity for path, capacity in bins if path in floor) > max(racked)


def test_the_depot_tree_has_zones_racks_shelves_and_bins_laid_out_inside_the_building(db):
    locations = db.scalars(select(Location)).all()
    kinds = Counter(loc.kind for loc in locations)
    assert kinds["depot"] == 1 and kinds["rack"] > 0 and kinds["shelf"] > 0
    zones = {loc.code for loc in locations if loc.kind == "zone"}
    assert zones == {"A", "B", "C", "D", "E", "F", "MOTTAK", "VASK", "KONTROLL", "KARANTENE", "VERKSTED"}
    purposes = {loc.code: loc.purpose for loc in locations if loc.kind == "zone"}
    assert (purposes["MOTTAK"], purposes["VASK"], purposes["KONTROLL"], purposes["KARANTENE"], purposes["VERKSTED"],
            purposes["A"]) == ("receiving", "cleaning", "inspection", "quarantine", "repair", "storage")
    width, height = BUILDING_SIZE
    for loc in locations:
        assert 0 <= loc.x <= width and 0 <= loc.y <= height, loc.code
        if loc.kind in ("zone", "bin"):  # drawn inside the building, with a size
            assert loc.width and loc.depth and 0 <= loc.x - loc.width / 2 and loc.x + loc.width / 2 <= width, loc.code
            assert 0 <= loc.y - loc.depth / 2 and loc.y + loc.depth / 2 <= height, loc.code
        assert loc.barcode == make_code(LOCATION_PREFIX, loc.id)
        assert (loc.capacity or 0) > 0 if loc.kind == "bin" else loc.capacity is None
    shelving = f"{DEPOT_CODE} / A / "
    spots = Counter((loc.x, loc.y) for loc in locations if loc.kind == "bin" and not loc.path.startswith(shelving))
    assert max(spots.values()) <= 2, "only the two levels of one bay share a spot"


# --- scanning -------------------------------------------------------------------------------

def test_a_scanned_demo_barcode_finds_its_device(db):
    device = db.scalar(select(Device).where(Device.owner == "nav").order_by(Device.id).limit(1))
    result = find_by_scan(db, device.barcode.lower() + " ")
    assert (result.kind, result.device.id) == ("device", device.id)
    assert [entry.kind for entry in result.history][0] == "registered"
    assert find_by_scan(db, f"{device.nav_hms_nr} {device.nav_serial}").device.id == device.id


def test_a_scanned_demo_location_barcode_finds_its_bin(db):
    bin_ = db.scalar(select(Location).where(Location.kind == "bin").order_by(Location.id.desc()).limit(1))
    result = find_by_scan(db, bin_.barcode)
    assert (result.kind, result.location.code) == ("location", bin_.code)
