"""The benchmarks run at a small scale on every suite run, on the suite's kind of database, so a
schema change that breaks the data generator or a benchmark fails here, not at the next
measurement. Their figures are printed, not asserted: targets are for the full-scale runs."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from ..support import fresh_database_url

pytestmark = pytest.mark.bench

ROOT = Path(__file__).resolve().parents[2]
DEVICES = 20_000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bench(script: str, *args: str, timeout: int = 300) -> str:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    done = subprocess.run([sys.executable, str(ROOT / "bench" / script), *args], cwd=ROOT, env=env, timeout=timeout,
                          capture_output=True, text=True)
    assert done.returncode == 0, f"{script} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def small_depot() -> str:
    """A generated depot of 20,000 units in a database of the suite's kind."""
    url = fresh_database_url("bench")
    bench("generate.py", "--database-url", url, "--devices", str(DEVICES), "--events-per-device", "3", "--force")
    return url


def test_the_scan_label_and_document_benchmarks_run_on_a_generated_depot(small_depot, tmp_path):
    out = bench("run.py", "--database-url", small_depot, "--rounds", "1", "--seconds", "1", "--warmup", "1",
                "--barcodes", "300", "--label-repeats", "1", "--port-real", str(free_port()),
                "--port-bare", str(free_port()), "--output", str(tmp_path / "run.md"))
    assert "scan throughput real/bare" in out and "labels, PDF" in out


def test_the_list_pages_benchmark_runs_on_a_generated_depot(small_depot):
    out = bench("pages.py", "--database-url", small_depot, "--runs", "1", "--no-targets")
    assert "/hjelpemidler (first page)" in out


def test_the_nav_sync_benchmark_runs():
    kind = "postgresql" if fresh_database_url("navbench").startswith("postgresql") else "sqlite"
    args = ["--lines", "1500", "--fnrs", "200", "--citizens", "20", "--needs", "10", "--databases", kind]
    if kind == "postgresql":
        args += ["--postgresql-url", fresh_database_url("navbench"), "--force"]
    assert "first sync" in bench("nav_sync.py", *args)


def test_the_startup_benchmark_runs():
    url = fresh_database_url("startup")
    assert "hjelpemiddel serve" in bench("startup.py", "--database-url", url, "--runs", "2", "--no-targets")


def test_the_planning_benchmark_runs():
    url = fresh_database_url("planbench")
    args = ["--small"] + (["--database-url", url, "--force"] if url.startswith("postgresql") else [])
    assert "SQL statements" in bench("planning.py", *args)


def test_the_twin_benchmark_runs_on_a_generated_depot(small_depot):
    assert "time travel" in bench("twin.py", "--database-url", small_depot, "--runs", "1", "--no-targets")


def test_the_inspections_benchmark_runs_on_a_generated_depot(small_depot):
    out = bench("inspections.py", "--database-url", small_depot, "--runs", "1", "--no-targets")
    assert "due list of a month" in out and "change a plan" in out


def test_the_stocktake_benchmark_runs_on_a_generated_depot(small_depot):
    out = bench("stocktake.py", "--database-url", small_depot, "--units", "500", "--locations", "500", "--no-target")
    assert "approve all (500 approved, 0 left)" in out


def test_the_forecast_benchmark_runs_on_a_generated_depot(small_depot):
    out = bench("forecast.py", "--database-url", small_depot, "--runs", "1", "--no-targets")
    assert "all products, 30 days" in out and "backtest" in out


def test_the_recall_benchmark_runs_on_a_generated_depot(small_depot):
    out = bench("recalls.py", "--database-url", small_depot, "--no-target")
    assert "register: find" in out and "the worker:" in out


def test_the_exports_benchmark_runs_on_a_generated_depot(small_depot):
    out = bench("exports.py", "--database-url", small_depot)
    assert "csv" in out and "xlsx" in out and "peak RSS" in out


def test_the_full_export_benchmark_runs_on_a_generated_depot(small_depot):
    out = bench("export.py", "--database-url", small_depot, "--no-targets")
    assert "| rows/s |" in out and "peak RSS" in out


def test_the_reports_benchmark_runs_on_a_generated_depot_last_since_it_adds_the_lending_history(small_depot):
    out = bench("reports.py", "--database-url", small_depot, "--prepare", "--runs", "1", "--no-targets")
    assert "every area of 2022" in out and "ventetid: every figure and chart of 2022" in out
