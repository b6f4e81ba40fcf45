"""`hjelpemiddel nav sync` as a real process: killed midway, a second run completes it."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import sqlalchemy as sa

from integrations.nav.fake_server import DEFAULT_TOKEN
from hjelpemiddel.core.db import make_engine

from ..conftest import TEST_FNR_KEYS
from ..support import fresh_database_url

LINES, PAGE = 2000, 100


def sync_process(database_url: str, nav_base: str, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "nav-sync-test", "NAV_BASE_URL": nav_base,
           "NAV_TOKEN": DEFAULT_TOKEN, "NAV_RETRIES": "2", **TEST_FNR_KEYS}
    return subprocess.Popen([sys.executable, "-m", "hjelpemiddel", "nav", "sync", "--page-size", str(PAGE), *extra],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def facts(engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        lines = conn.scalar(sa.text("SELECT count(*) FROM nav_order_lines"))
        keys = conn.scalar(sa.text("SELECT count(*) FROM (SELECT DISTINCT ordre_number, line_number, shipment_key "
                                   "FROM nav_order_lines) AS k"))
        pages = conn.scalar(sa.text("SELECT coalesce(max(pages), 0) FROM nav_sync_state"))
    return lines, keys, pages


def test_a_sync_killed_midway_loses_nothing_and_a_second_run_completes_it_without_doubles(fake_nav_server):
    fake_nav_server.control("/reset")
    fake_nav_server.control("/generate-order-lines", count=LINES)
    url = fresh_database_url("navkill")
    migrate = subprocess.run([sys.executable, "-m", "hjelpemiddel", "db", "upgrade"], capture_output=True, text=True,
                             env={**os.environ, "DATABASE_URL": url, "SECRET_KEY": "x"}, timeout=120)
    assert migrate.returncode == 0, migrate.stderr
    engine = make_engine(url)
    try:
        fake_nav_server.control(slow_ms=60)
        first = sync_process(url, fake_nav_server.base, "--quiet")
        deadline = time.monotonic() + 60
        while facts(engine)[2] < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        lines, keys, pages = facts(engine)
        assert 0 < lines < LINES, "the first run should have been cut off midway"
        assert lines == keys == pages * PAGE  # whole pages only: each committed with its cursor

        fake_nav_server.control(slow_ms=0)
        second = sync_process(url, fake_nav_server.base)
        out, err = second.communicate(timeout=120)
        assert second.returncode == 0, err
        assert f"{LINES - lines} nye" in out and "ordrelinjer" in err  # the progress line went to stderr
        assert facts(engine)[:2] == (LINES, LINES)
    finally:
        fake_nav_server.control(slow_ms=0)
        engine.dispose()
