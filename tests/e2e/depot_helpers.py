"""Helpers for the browser tests of returns, exchange visits and quarantine.

``Arranger`` makes lending situations straight through the services: citizens, approved needs with
their reserved unit, units on loan that the citizen asked the depot to collect, a run planned for the
driver. Everything is committed, so the live server reads it; each test makes its own products and
units so tests never share them. Below it, what a person does on a page (submit a form, read the
flash) and the check that a page speaks bokmål without internal names."""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from hjelpemiddel.catalog.models import Product
from hjelpemiddel.catalog.services import create_product
from hjelpemiddel.citizens.services import register_citizen
from hjelpemiddel.core.auth import User
from hjelpemiddel.core.db import get_session
from hjelpemiddel.core.fnr import make_fnr
from hjelpemiddel.lending import services as lending
from hjelpemiddel.logistics import services as logistics
from hjelpemiddel.logistics.models import DeliveryRun
from hjelpemiddel.stock import services as stock

VAN = "BIL2"
DESKTOP = {"viewport": {"width": 1366, "height": 768}}
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
# Where leftovers of other tests are planned before a test plans its own day (never a day a test uses).
SWEEP_DAY = date.today() + timedelta(days=40)

# Born 23.09.1941 (individual numbers 000–499: the 1900s); no other test uses this birth date.
_fnrs = (fnr for fnr in (make_fnr("230941", f"{n:03d}") for n in itertools.count(100)) if fnr)
_names = itertools.count(1)


@dataclass(frozen=True)
class Citizen:
    id: int
    name: str
    fnr: str
    address: str


class Arranger:
    """The depot's data, made through the services in one committed session per ``with`` block."""

    def __init__(self, live_server):
        self.live_server = live_server
        self.app = live_server.app

    def __enter__(self) -> "Arranger":
        self._context = self.app.app_context()
        self._context.push()
        self.session = get_session()
        users = self.live_server.seed.users
        self.ids = {role: self.session.scalar(select(User.id).where(User.username == users[role]))
                    for role in ("lager", "terapeut", "sjafor")}
        if VAN not in {van.code for van in stock.list_locations(self.session, kind="van")}:
            stock.create_location(self.session, VAN, "van", "Bil 2", parent_code="HL")
        return self

    def __exit__(self, kind, value, traceback) -> None:
        try:
            if kind is None:
                self.session.commit()
            else:
                self.session.rollback()
        finally:
            self._context.pop()

    def sweep_open_stops(self) -> None:
        """Plan every visit other tests left waiting onto a far-away day, so the day a test plans holds
        only its own citizens."""
        logistics.plan_runs(self.session, self.ids["lager"], SWEEP_DAY)

    def product(self, name: str, iso_class: str = "120606") -> int:
        """A product of the test's own (a unique name), so only the test's units can serve its needs."""
        unique = f"{name} {next(_names)}"
        return create_product(self.session, hms_nr=None, name=unique, iso_class=iso_class, supplier="E2E",
                              individually_tracked=True, inspection_interval_days=None).id

    def product_name(self, product_id: int) -> str:
        return self.session.get(Product, product_id).name

    def citizen(self, name: str, street: str, postcode: str = "6508") -> Citizen:
        fnr = next(_fnrs)
        citizen = register_citizen(self.session, self.app.extensions["fnr_vault"], self.ids["terapeut"], fnr, name,
                                   street, postcode, "1505", city="Kristiansund N", phone="71 55 12 34",
                                   contact_name="Sigrid (datter)", contact_phone="911 22 333")
        return Citizen(citizen.id, name, fnr, citizen.home_address)

    def unit(self, product_id: int, shelf: str = "A-01-2") -> str:
        return stock.register_device(self.session, self.ids["lager"], product_id, location_code=shelf).barcode

    def approved_need(self, citizen: Citizen, product_id: int, needed_by: date) -> int:
        """A short-term need the depot approves at once: the oldest free unit of the product is reserved."""
        need = lending.register_need(self.session, self.ids["terapeut"], "terapeut", citizen.id, needed_by, "normal",
                                     "short_term", product_id=product_id)
        lending.decide_need(self.session, self.ids["lager"], "lager", need.id, "approve")
        return need.id

    def reserved_unit(self, citizen: Citizen, product_id: int, needed_by: date, shelf: str = "A-01-2") -> str:
        barcode = self.unit(product_id, shelf)
        need_id = self.approved_need(citizen, product_id, needed_by)
        [unit] = lending.need_units(self.session, [need_id])[need_id]
        assert (unit.barcode, unit.state) == (barcode, "reserved")
        return barcode

    def unit_on_loan(self, citizen: Citizen, product_id: int, needed_by: date) -> str:
        """A unit lent over the counter earlier."""
        barcode = self.reserved_unit(citizen, product_id, needed_by)
        lending.hand_over(self.session, self.ids["lager"], barcode, received_by="selv")
        return barcode

    def unit_to_collect(self, citizen: Citizen, product_id: int, needed_by: date) -> str:
        """A unit lent over the counter earlier, that the citizen now asked the depot to collect."""
        barcode = self.unit_on_loan(citizen, product_id, needed_by)
        loan = lending.open_loan(self.session, stock.get_device(self.session, barcode).id)
        lending.request_return(self.session, self.ids["lager"], loan.id, "need_ended")
        return barcode

    def planned_run(self, run_date: date) -> int:
        """The day's waiting visits on one run for the e2e driver and the test's van."""
        [run] = logistics.plan_runs(self.session, self.ids["lager"], run_date,
                                    [{"driver": self.live_server.seed.users["sjafor"], "van": VAN}])
        return run.id


def run_on(live_server, run_date: date) -> int:
    with live_server.app.app_context():
        return get_session().scalar(select(DeliveryRun.id).where(DeliveryRun.run_date == run_date))


def run_stops(live_server, run_id: int) -> list[dict]:
    """The run's visits in order as the database has them now: what, who, which units, status, outcome."""
    with live_server.app.app_context():
        view = logistics.run_view(get_session(), run_id)
        return [dict(id=s.id, kind=s.kind_label, name=s.citizen.name, status=s.status, outcome=s.outcome_label,
                     items=sorted((i.action, i.barcode) for i in s.items))
                for s in view.stops]


# --- what a person does on a page ---------------------------------------------------------------

INTERNAL_WORDS = re.compile(r"\b(current_state|requested_state|allowed|available|reserved|picked|on_loan|"
                            r"awaiting_pickup|returned|cleaning|inspection|in_repair|quarantined|scrapped|"
                            r"out_for_delivery|sjafor|None)\b")


def submit(page, button) -> int:
    """Click a form's button (tap it on a phone); the status of the POST's answer, once the new page is in."""
    with page.expect_navigation(), page.expect_response(lambda r: r.request.method == "POST") as posted:
        button.tap() if page.viewport_size["width"] <= PHONE["viewport"]["width"] else button.click()
    return posted.value.status


def flash(page):
    """The page's message after an action (a success, or the alert of a refusal)."""
    return page.locator("main .flash").first


def assert_plain_bokmal(page) -> None:
    """No state, field or role by its internal name on the page."""
    text = page.locator("main").inner_text()
    found = INTERNAL_WORDS.search(text)
    assert not found, f"internal word {found[0]!r} on {page.url}"


def download(page, link_name: str) -> bytes:
    """A PDF behind one of the page's links, fetched with the page's own login."""
    href = page.get_by_role("link", name=link_name).first.get_attribute("href")
    answer = page.request.get(href)
    assert answer.ok and answer.headers["content-type"] == "application/pdf", (answer.status, answer.headers)
    return answer.body()


def pick_scan(page, barcode: str):
    """A keyboard-wedge scanner on the pick page: the characters, then Enter; the pick call's answer."""
    with page.expect_response(lambda r: r.url.endswith("/pick")) as answered:
        page.keyboard.type(barcode, delay=5)
        page.keyboard.press("Enter")
    return answered.value
