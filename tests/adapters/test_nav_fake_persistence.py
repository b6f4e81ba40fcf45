"""The fake NAV keeps its state in a JSON file across restarts (``--state-file``)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests

from integrations.nav.fake_data import FakeClock, WallClock
from integrations.nav.fake_nav import FakeNavState
from integrations.nav.fake_server import DEFAULT_TOKEN
from integrations.nav.fake_store import StateFileError
from integrations.nav.http_client import NavHttpClient
from integrations.nav.memory import InMemoryNav
from integrations.nav.port import Del, Delbestilling, DelLinje, Soknad, SoknadHjelpemiddel

from .support import free_port, some_fnr

REPO = Path(__file__).resolve().parents[2]


def part_order(loan: dict) -> Delbestilling:
    return Delbestilling(id=str(uuid.uuid4()), hmsnr=loan["artikkelNr"], serienr=loan["serieNr"], navn="Rullestol",
                         deler=(DelLinje(Del("150817", 'Dekk 24"', "Dekk"), 1),))


def bed_application(fnr: str) -> Soknad:
    return Soknad(id=str(uuid.uuid4()), fnr_bruker=fnr,
                  hjelpemidler=(SoknadHjelpemiddel("Seng Opus 90EW", hmsnr="291003"),))


def test_everything_nav_knows_survives_a_restart_through_the_file(tmp_path):
    path = tmp_path / "fake_nav.json"
    first = InMemoryNav(FakeNavState.open(FakeClock(), state_file=str(path)))
    assert path.exists()  # seeded and saved at once
    fnr, loans = next(iter(first.state.loans.items()))
    order = part_order(loans[0])
    sent = first.submit_part_order(order, "p-1")
    applied = first.submit_application(bed_application(some_fnr(31)), "s-1")
    first.report_return(loans[-1]["artikkelNr"], loans[-1]["serieNr"], "hentet", "r-1")
    first.approve(some_fnr(32), "177946", "Rollator Topro Olympos")
    first.generate_order_lines(40, seed=4)
    first.advance(minutes=3)  # the application is decided: its order line and loan exist
    lines = first.fetch_order_lines(None, 1000)

    again = InMemoryNav(FakeNavState.open(FakeClock(), state_file=str(path)))
    for kept in ("lines", "seq", "loans", "saker", "soknader", "returns", "idempotent", "next_order_number"):
        assert getattr(again.state, kept) == getattr(first.state, kept), kept
    assert again.clock() == first.clock()  # the clock's offset is kept
    assert again.fetch_order_lines(None, 1000) == lines
    assert again.submit_part_order(order, "p-1") == sent  # idempotency answers are kept
    assert again.submit_application(bed_application(some_fnr(33)), "s-2").saksnummer == applied.saksnummer + 1
    assert again.application_status(applied.saksnummer).status == "VEDTAKSRESULTAT_INNVILGET"
    cursor = lines.next_cursor
    again.approve(some_fnr(34), "236958", "Panthera U3 Light rullestol")
    [new] = again.fetch_order_lines(cursor, 10).lines  # sequence numbers go on after the saved ones
    assert new.ordered_item == "236958"
    assert again.returns() == first.returns() and len(again.returns()) == 1


def test_a_reset_is_saved_too_and_sequence_numbers_still_go_on(tmp_path):
    path = tmp_path / "nav.json"
    nav = InMemoryNav(FakeNavState.open(FakeClock(), state_file=str(path)))
    nav.generate_order_lines(30, seed=2)
    last = nav.state.seq
    nav.reset()
    reopened = FakeNavState.open(FakeClock(), state_file=str(path))
    assert len(reopened.lines) == 23 and min(r["_seq"] for r in reopened.lines.values()) > last


def test_a_fake_without_a_state_file_keeps_nothing(tmp_path):
    nav = InMemoryNav(FakeNavState.open(FakeClock(), seed_data=False))
    nav.approve(some_fnr(), "177946", "Rollator")
    assert nav.state.store is None and list(tmp_path.iterdir()) == []


def test_fifty_thousand_generated_lines_are_saved_once_and_reading_them_saves_nothing(tmp_path):
    state = FakeNavState.open(FakeClock(), seed_data=False, state_file=str(tmp_path / "nav.json"))
    saves = state.store.saves
    started = time.monotonic()
    state.generate_order_lines(50_000, seed=3)
    assert state.store.saves == saves + 1
    assert time.monotonic() - started < 30  # a guard against saving per line, not a benchmark
    page = state.order_lines_page(None, 1000)
    state.order_lines_page(page["nextCursor"], 1000)
    state.stats()
    assert state.store.saves == saves + 1
    assert [p.name for p in tmp_path.iterdir()] == ["nav.json"]  # no temporary file left behind


def test_a_broken_state_file_is_refused_with_a_message_not_overwritten(tmp_path):
    path = tmp_path / "nav.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(StateFileError, match="ikke gyldig JSON"):
        FakeNavState.open(FakeClock(), state_file=str(path))
    path.write_text(json.dumps({"format": "something-else"}), encoding="utf-8")
    with pytest.raises(StateFileError):
        FakeNavState.open(FakeClock(), state_file=str(path))
    assert json.loads(path.read_text()) == {"format": "something-else"}


def test_a_restarted_wall_clock_fake_keeps_its_sequence_above_the_saved_one(tmp_path):
    path = tmp_path / "nav.json"
    first = FakeNavState.open(WallClock(), seed_data=False, seq_start=5_000, state_file=str(path))
    first.generate_order_lines(10, seed=1)
    first.advance_clock(90)
    lower = FakeNavState.open(WallClock(), seed_data=False, seq_start=10, state_file=str(path))
    assert lower.seq == first.seq == 5_010
    assert abs((lower.clock() - first.clock()).total_seconds()) < 5  # offset of 90 minutes kept
    higher = FakeNavState.open(WallClock(), seed_data=False, seq_start=9_000, state_file=str(path))
    assert higher.seq == 9_000 and len(higher.lines) == 10


class FakeProcess:
    """``python -m integrations.nav.fake_server --state-file`` in a process of its own."""

    def __init__(self, state_file: Path, port: int):
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
        self.base = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "integrations.nav.fake_server", "--port", str(port), "--empty",
             "--state-file", str(state_file)],
            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while True:
            assert self.process.poll() is None, self.process.stderr.read().decode()
            try:
                requests.get(f"{self.base}/_control/stats", timeout=1).raise_for_status()
                return
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "the fake NAV did not start"
                time.sleep(0.05)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)
        self.process.stderr.close()


def test_a_real_fake_nav_process_restarted_on_its_state_file_loses_nothing(tmp_path):
    path = tmp_path / "instance" / "fake_nav.json"  # the folder is made when missing
    port = free_port()
    fnr = some_fnr(41)
    fake = FakeProcess(path, port)
    try:
        client = NavHttpClient(fake.base, DEFAULT_TOKEN, timeout=(1, 5), retries=0)
        requests.post(f"{fake.base}/_control", json={"decide_after_minutes": 0}, timeout=5)
        saksnummer = client.submit_application(bed_application(fnr), "k-1").saksnummer
        page = client.fetch_order_lines(None, 100)  # the application is decided at once: its line
        stats = requests.get(f"{fake.base}/_control/stats", timeout=5).json()
    finally:
        fake.stop()
    assert len(page.lines) == 1 and path.exists()

    fake = FakeProcess(path, port)
    try:
        client = NavHttpClient(fake.base, DEFAULT_TOKEN, timeout=(1, 5), retries=0)
        assert client.fetch_order_lines(page.next_cursor, 100).lines == []  # the cursor still means the same
        assert client.fetch_order_lines(None, 100).lines == page.lines
        assert [loan.serie_nr for loan in client.citizen_loans(fnr)] == [page.lines[0].serie_nummer_liste[0]]
        assert client.application_status(saksnummer).status == "VEDTAKSRESULTAT_INNVILGET"
        assert client.submit_application(bed_application(fnr), "k-2").saksnummer == saksnummer + 1
        restarted = requests.get(f"{fake.base}/_control/stats", timeout=5).json()
        assert (restarted["soknader"], restarted["order_lines"]) == (stats["soknader"] + 1, stats["order_lines"])
        assert restarted["last_sequence"] >= stats["last_sequence"]
    finally:
        fake.stop()
