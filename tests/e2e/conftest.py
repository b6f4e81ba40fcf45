"""Browser tests: a live server on loopback with a seeded depot, driven by Debian's Chromium.

The server runs the real app (own database, ``serving("browser")``) in a daemon thread; each test
gets a fresh browser context, so cookies never leak between tests. Tests that change data make
their own devices with ``make_device`` so they do not depend on order.
"""
from __future__ import annotations

import itertools
import os
from dataclasses import dataclass, field

import pytest

from hjelpemiddel.catalog.services import create_product
from hjelpemiddel.core.auth import create_user
from hjelpemiddel.core.db import get_session
from hjelpemiddel.stock import services as stock

from ..support import serving

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PASSWORD = "e2e-passord-123"
ROLES = ("lager", "sjafor", "terapeut", "admin")
DEFAULT_TIMEOUT_MS = 5_000


@dataclass
class Seed:
    """What the live database holds at the start: usernames by role, product ids and codes."""

    users: dict[str, str] = field(default_factory=dict)
    products: dict[str, int] = field(default_factory=dict)
    location_barcodes: dict[str, str] = field(default_factory=dict)
    devices: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DeviceNow:
    barcode: str
    state: str
    owner: str
    serial_number: str | None
    product_id: int
    location_code: str | None
    history: list  # of stock.HistoryEntry, oldest first


@dataclass
class LiveServer:
    url: str
    app: object
    seed: Seed
    _serials: itertools.count = field(default_factory=lambda: itertools.count(1))

    def make_device(self, product: str = "seng", location_code: str | None = None, **values) -> str:
        """Register a new device straight through the service; returns its barcode."""
        values.setdefault("serial_number", f"E2E-{next(self._serials):05d}")
        with self.app.app_context():
            session = get_session()
            device = stock.register_device(session, None, self.seed.products[product],
                                           location_code=location_code, **values)
            session.commit()
            return device.barcode

    def device(self, barcode: str) -> DeviceNow:
        """The device as the database has it now (read in its own session, after the browser's requests)."""
        with self.app.app_context():
            session = get_session()
            device = stock.get_device(session, barcode)
            return DeviceNow(barcode=device.barcode, state=device.state, owner=device.owner,
                             serial_number=device.serial_number, product_id=device.product_id,
                             location_code=device.location.code if device.location else None,
                             history=stock.device_history(session, device.id))

    def count_devices(self) -> int:
        with self.app.app_context():
            return len(stock.list_devices(get_session(), limit=10_000))


def _seed(app) -> Seed:
    seed = Seed()
    with app.app_context():
        session = get_session()
        for role in ROLES:
            create_user(session, f"e2e-{role}", role, PASSWORD, f"E2E {role.capitalize()}")
            seed.users[role] = f"e2e-{role}"
        stock.create_location(session, "HL", "depot", "Hjelpemiddellageret", x=0, y=0)
        stock.create_location(session, "A", "zone", "Sone A", parent_code="HL", x=0, y=0)
        stock.create_location(session, "A-01", "rack", "Reol A-01", parent_code="A", x=1, y=0)
        stock.create_location(session, "A-01-1", "bin", "Hylle 1", parent_code="A-01", x=1, y=0.5)
        stock.create_location(session, "A-01-2", "bin", "Hylle 2", parent_code="A-01", x=1, y=1)
        stock.create_location(session, "A-01-F", "bin", "Hylle full", parent_code="A-01", capacity=1, x=1, y=1.5)
        for location in stock.list_locations(session):
            seed.location_barcodes[location.code] = location.barcode
        rollator = create_product(session, hms_nr="123456", name="Rollator Topro Olympos M", iso_class="120606",
                                  supplier="Topro", individually_tracked=True, inspection_interval_days=None)
        seng = create_product(session, hms_nr=None, name="Sykeseng Opus 4", iso_class="181210",
                              supplier="Handicare", individually_tracked=True, inspection_interval_days=365)
        seed.products = {"rollator": rollator.id, "seng": seng.id}
        nav = stock.register_device(session, None, rollator.id, owner="nav", nav_hms_nr="123456",
                                    nav_serial="654321", location_code="A-01-1")
        filler = stock.register_device(session, None, seng.id, serial_number="FULL-1", location_code="A-01-F")
        seed.devices = {"nav_rollator": nav.barcode, "full_bin_filler": filler.barcode}
        _seed_discharge_kit(session, seed)
        session.commit()
    return seed


# Friday discharge (scenario 1): what the municipal stock lends short-term. The Jazz rollator has
# no seeded units: a test that lends one makes its own, so it knows which unit gets reserved.
_DISCHARGE_PRODUCTS = {
    "rollator_jazz": dict(name="Rollator Dolomite Jazz 510", iso_class="120606", supplier="Invacare"),
    "dusjstol": dict(name="Dusjstol Etac Swift", iso_class="093303", supplier="Etac"),
    "toalettforhoyer": dict(name="Toalettforhøyer Etac Hi-Loo", iso_class="091212", supplier="Etac"),
    "elseng": dict(name="Elektrisk seng Invacare Medley Ergo", iso_class="181210", supplier="Invacare"),
}
_DISCHARGE_UNITS = {"rollator": 2, "dusjstol": 2, "toalettforhoyer": 2, "elseng": 1}


def _seed_discharge_kit(session, seed: Seed) -> None:
    for key, values in _DISCHARGE_PRODUCTS.items():
        seed.products[key] = create_product(session, hms_nr=None, individually_tracked=True,
                                            inspection_interval_days=365 if key == "elseng" else None, **values).id
    for key, count in _DISCHARGE_UNITS.items():
        for number in range(1, count + 1):
            device = stock.register_device(session, None, seed.products[key], serial_number=f"KIT-{key}-{number}",
                                           location_code="A-01-2")
            seed.devices[f"{key}_{number}"] = device.barcode


@pytest.fixture(scope="session")
def live_server():
    with serving("browser", SECRET_KEY="e2e-secret-key") as (app, url):
        yield LiveServer(url=url, app=app, seed=_seed(app))


@pytest.fixture(scope="session")
def browser():
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        message = f"{CHROMIUM} is missing: install Debian's chromium package to run the browser tests"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI is set, so browser tests must run)", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


# A camera that films a file: Chromium plays the .y4m in a loop as the only video input, and grants
# the camera without asking.
CAMERA_ARGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


@pytest.fixture
def camera_page(browser, live_server):
    """``camera_page(video, **context_options)``: a page in a Chromium of its own whose camera shows
    ``video`` (a .y4m file); the shared browser's flags stay as they are. Closed after the test."""
    launched = []

    def make(video, **context_options):
        camera_browser = browser.browser_type.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS + CAMERA_ARGS + [f"--use-file-for-fake-video-capture={video}"])
        launched.append(camera_browser)
        context = camera_browser.new_context(base_url=live_server.url, locale="nb-NO", permissions=["camera"],
                                             **context_options)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        return context.new_page()

    yield make
    for camera_browser in launched:
        camera_browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """``new_page(viewport=...)``: a page in a fresh context (own cookies) on the live server."""
    contexts = []

    def make(**context_options):
        context = browser.new_context(base_url=live_server.url, **{"locale": "nb-NO", **context_options})
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def login(page, username: str, password: str = PASSWORD, next_path: str | None = None) -> None:
    """Log in through the real form at /login; waits until the app has redirected away from it."""
    page.goto("/login" + (f"?next={next_path}" if next_path else ""))
    form = page.locator("main form")  # not the topbar's «Logg ut» form when already logged in
    form.get_by_label("Brukernavn").fill(username)
    form.get_by_label("Passord").fill(password)
    with page.expect_navigation():
        form.get_by_role("button", name="Logg inn").click()
    assert "/login" not in page.url, f"login as {username} failed: still on {page.url}"


def login_as(page, live_server: LiveServer, role: str, next_path: str | None = None) -> None:
    login(page, live_server.seed.users[role], next_path=next_path)
