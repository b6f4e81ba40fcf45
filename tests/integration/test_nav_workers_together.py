"""Two `hjelpemiddel nav worker` processes and two app servers pressing «send now», all at once on
one database: every outbox message reaches NAV exactly once and every order line is applied once
(no page fetched from the same cursor twice). Real processes, the fake NAV over HTTP."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from contextlib import ExitStack

import requests
import sqlalchemy as sa

from integrations.nav.fake_server import DEFAULT_TOKEN
from hjelpemiddel import create_app
from hjelpemiddel.catalog.services import create_product
from hjelpemiddel.cli import upgrade_database
from hjelpemiddel.core.auth import create_token, create_user
from hjelpemiddel.core.db import get_database, get_session, make_engine
from hjelpemiddel.nav.services.common import enqueue
from hjelpemiddel.stock.services import create_location, register_device

from ..conftest import TEST_FNR_KEYS
from ..support import fresh_database_url, serve_wsgi

LINES, PAGE, RETURNS = 600, 50, 24
NAV_FNR = "15034210044"


def nav_config(nav_base: str) -> dict:
    return {"NAV_BASE_URL": nav_base, "NAV_TOKEN": DEFAULT_TOKEN, "NAV_RETRIES": "0", "NAV_PAGE_SIZE": str(PAGE),
            **TEST_FNR_KEYS}


def worker(database_url: str, nav_base: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "nav-workers-test", **nav_config(nav_base)}
    return subprocess.Popen([sys.executable, "-m", "hjelpemiddel", "nav", "worker", "--once"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def seed(app, fake_nav) -> str:
    """NAV units on loan at NAV, each returned: one outbox message per unit waiting to be sent."""
    fake_nav.control("/loans", fnr=NAV_FNR, loans=[{"artikkelNr": "222333", "serieNr": f"W{n:03d}"}
                                                     for n in range(RETURNS)])
    with app.app_context():
        session = get_session()
        create_user(session, "utboks", "lager", "utboks-passord-123")
        create_location(session, "HL", "depot", "Lageret")
        product = create_product(session, hms_nr="222333", name="Seng fra NAV", iso_class="181210")
        for n in range(RETURNS):
            device = register_device(session, None, product.id, owner="nav", nav_hms_nr="222333",
                                     nav_serial=f"W{n:03d}", location_code="HL")
            enqueue(session, "return", {"hmsnr": "222333", "serienr": f"W{n:03d}", "merknad": "",
                                        "kept_for_reuse": False}, device.id)
        token = create_token(session, "utboks")
        session.commit()
    return token


def test_two_workers_and_two_app_servers_deliver_each_message_once_and_apply_each_page_once(fake_nav_server):
    fake_nav_server.control("/reset")
    fake_nav_server.control("/generate-order-lines", count=LINES)
    url = fresh_database_url("navworkers")
    apps = [create_app({"DATABASE_URL": url, "SECRET_KEY": "nav-workers", "TOKEN_CACHE_SECONDS": 0,
                        **nav_config(fake_nav_server.base)}) for _ in range(2)]
    upgrade_database(apps[0])
    token = seed(apps[0], fake_nav_server)
    fake_nav_server.control(slow_ms=15, reset_stats=True)  # NAV a little slow: the work overlaps
    engine = make_engine(url)
    try:
        with ExitStack() as stack:
            bases = [stack.enter_context(serve_wsgi(app, name=f"nav-app-{n}")) for n, app in enumerate(apps)]
            workers = [worker(url, fake_nav_server.base) for _ in range(2)]
            presses: list[requests.Response] = []

            def press(base: str) -> None:
                for _ in range(3):
                    presses.append(requests.post(f"{base}/api/v1/nav/outbox/deliver", timeout=120,
                                                 headers={"Authorization": f"Bearer {token}"}))

            pressers = [threading.Thread(target=press, args=(base,)) for base in bases]
            for thread in pressers:
                thread.start()
            results = [(process.wait(180), *process.communicate()) for process in workers]
            for thread in pressers:
                thread.join()
        for code, out, err in results:
            assert code == 0, err[-2000:]
        assert [answer.status_code for answer in presses] == [200] * 6, [a.text[:300] for a in presses]

        stats = fake_nav_server.stats()
        assert stats["by_endpoint"].get("POST /returns") == RETURNS, stats["by_endpoint"]
        assert stats["returns"] == RETURNS
        with engine.connect() as conn:
            outbox = conn.execute(sa.text("SELECT status, attempts, count(*) FROM nav_outbox GROUP BY status, attempts"))
            assert [tuple(row) for row in outbox] == [("sent", 1, RETURNS)]
            lines, revisions = conn.execute(sa.text("SELECT count(*), sum(revisions) FROM nav_order_lines")).one()
            received = conn.scalar(sa.text("SELECT lines_received FROM nav_sync_state"))
        assert lines == revisions == received == LINES
    finally:
        fake_nav_server.control(slow_ms=0)
        engine.dispose()
        for app in apps:
            get_database(app).engine.dispose()
