#!/usr/bin/env python
"""How long `hjelpemiddel serve` takes to answer: from the command to the first 200 of /login,
a fresh start each time (target < 2 s).

    python bench/startup.py --database-url sqlite:///bench/out/startup.sqlite3 --runs 5

The database is migrated first (outside the timing). gunicorn's workers build the app; the command
itself does not. Python's bytecode cache matters here: with PYTHONDONTWRITEBYTECODE set (as on this
machine) every start compiles the app's modules again, so the first run writes the cache and the
figure is the median of the runs after it.
"""
from __future__ import annotations

import argparse
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 2.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def first_answer(env: dict, timeout: float = 60) -> float:
    port = free_port()
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "hjelpemiddel", "serve", "--port", str(port), "--quiet"],
                               env=env, cwd=REPO_DIR, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.monotonic() - started < timeout:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/login")
                status = connection.getresponse().status
                connection.close()
                if status == 200:
                    return time.monotonic() - started
            except OSError:
                time.sleep(0.02)
            if process.poll() is not None:
                raise SystemExit(f"hjelpemiddel serve exited with {process.returncode}")
        raise SystemExit(f"no answer within {timeout} s")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=f"sqlite:///{REPO_DIR / 'bench' / 'out' / 'startup.sqlite3'}")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-targets", action="store_true", help="report only, exit 0 whatever the figures (CI)")
    args = parser.parse_args()
    (REPO_DIR / "bench" / "out").mkdir(exist_ok=True)
    env = dict(os.environ, DATABASE_URL=args.database_url, SECRET_KEY="bench-startup",
               PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_DIR), os.environ.get("PYTHONPATH")])))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # what an installed service has: its bytecode cached
    subprocess.run([sys.executable, "-m", "hjelpemiddel", "db", "upgrade"], env=env, cwd=REPO_DIR, check=True,
                   stdout=subprocess.DEVNULL)
    times = [first_answer(env) for _ in range(max(args.runs, 2))]
    median = statistics.median(times[1:])
    print("| metric | value | target | ok? |\n|---|---|---|---|")
    print(f"| `hjelpemiddel serve` to first answer (median of {len(times) - 1}; first run {times[0]:.2f} s) | "
          f"{median:.2f} s (best {min(times[1:]):.2f} s) | < {TARGET_SECONDS:g} s | "
          f"{'✅' if median < TARGET_SECONDS else '❌'} |")
    if median >= TARGET_SECONDS and not args.no_targets:
        sys.exit(1)


if __name__ == "__main__":
    main()
