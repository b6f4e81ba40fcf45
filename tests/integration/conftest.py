"""Fixtures shared by the integration tests: the command line, and the depot's runs and visits
(logistics, visits and receiving tests)."""
import pytest

from hjelpemiddel.catalog.services import create_product
from hjelpemiddel.cli import cli
from hjelpemiddel.lending import services as lending
from hjelpemiddel.logistics import services as logistics
from hjelpemiddel.stock import services as stock
from hjelpemiddel.stock.services import create_location

from .desk import TOMORROW, Desk, plan, stops_of


@pytest.fixture
def hjelpemiddel(app, session, monkeypatch):
    """``hjelpemiddel("users", "create", …)``: the command as ``python -m hjelpemiddel`` would run it,
    minus the process; its commit only releases the test's savepoint. ``input=`` answers prompts."""
    monkeypatch.delenv("FLASK_RUN_FROM_CLI", raising=False)  # FlaskGroup sets it; undone after the test
    runner = app.test_cli_runner()

    def run(*args: str, input: str | None = None):
        return runner.invoke(cli, list(args), input=input)

    return run


@pytest.fixture
def cached_principals(app, monkeypatch):
    """The principal cache on for 60 s, as a worker in production has it, and emptied afterwards
    (user ids come again after each test's rollback)."""
    monkeypatch.setitem(app.config, "TOKEN_CACHE_SECONDS", 60)
    cache = app.extensions["hjelpemiddel_principals"]
    cache.clear()
    yield cache
    cache.clear()


@pytest.fixture
def van(session, depot):
    return create_location(session, "BIL1", "van", "Bil 1", parent_code="HL")


@pytest.fixture
def shelves(session, depot):
    """Besides the depot fixture's A-01 (x=1): rack A-02 further along zone A, and zone B with B-01."""
    create_location(session, "A-02", "rack", "Reol A-02", parent_code="A", x=4, y=0)
    create_location(session, "A-02-1", "bin", "Hylle 1", parent_code="A-02", x=4, y=0.5)
    create_location(session, "B", "zone", "Sone B", parent_code="HL", x=10, y=0)
    create_location(session, "B-01", "rack", "Reol B-01", parent_code="B", x=11, y=0)
    create_location(session, "B-01-1", "bin", "Hylle 1", parent_code="B-01", x=11, y=0.5)
    return ["A-01-1", "A-01-2", "A-02-1", "B-01-1"]


@pytest.fixture
def driver(make_user):
    return make_user("sjafor")


@pytest.fixture
def desk(session, actor, therapist, make_citizen, rollator, depot):
    return Desk(session, actor, therapist, make_citizen, rollator)


@pytest.fixture
def chair(session):
    return create_product(session, hms_nr=None, name="Dusjkrakk", iso_class="093303")


@pytest.fixture
def one_delivery(session, actor, desk, van, driver):
    """Astrid needs a rollator tomorrow; one is reserved and planned on Bil 1's run for the driver, and
    a second, free one stands on the same shelf."""
    desk.units(2)
    need = desk.need(desk.citizen("Astrid Olsen"))
    made = logistics.create_run(session, actor.id, TOMORROW, driver=driver.username, van="BIL1")
    [run] = plan(session, actor)
    assert run.id == made.id
    [stop] = stops_of(session, run)
    return run, stop, need, desk.reserved(need)[0]


@pytest.fixture
def units(session, actor, desk, one_delivery, depot):
    """A unit of each kind a scanner meets, by what it is (the loans first: they take free units)."""
    run, _stop, _need, reserved = one_delivery
    logistics.pick_device(session, actor.id, run.id, reserved)  # now in the van, on the run
    loan = desk.loan(desk.citizen("Kari Nordmann"))
    returning = desk.loan(desk.citizen("Ola Hansen"))
    lending.request_return(session, actor.id, returning.id, "need_ended")
    on_shelf = stock.register_device(session, actor.id, desk.product.id, location_code="A-01-1",
                                     serial_number="S-1", note="ny")
    stock.move_device(session, on_shelf.barcode, "A-01-2", actor.id, note="flyttet")
    nav_unit = stock.register_device(session, actor.id, desk.product.id, owner="nav", nav_hms_nr="123456",
                                     nav_serial="NAV-9")
    session.flush()
    return {"in the van on a run": reserved, "on a shelf after a move": on_shelf.barcode,
            "NAV's, with no place": nav_unit.barcode, "on loan": loan.device.barcode,
            "to be fetched": returning.device.barcode}


@pytest.fixture
def sling(session):
    """The sling model of scenario 5's recall."""
    return create_product(session, hms_nr="123621", name="Løftesele Molift RgoSling Comfort", iso_class="123621",
                          supplier="Molift", individually_tracked=True, inspection_interval_days=182)
