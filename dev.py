#!/usr/bin/env python3
"""The two commands of README.md, with nothing but Python 3.11 installed:

    python3 dev.py up      install, migrate, load the demo depot (first time) and start the service
    python3 dev.py test    install, run the whole suite on SQLite, then again on PostgreSQL if reachable

Extra arguments after `test` go to pytest (e.g. `python3 dev.py test -k scan`).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
DEFAULT_TEST_PG = "postgresql://postgres@127.0.0.1:5432/test"
PYTEST_NO_TESTS = 5
# The accessibility checker the browser tests load into each page (from the npm registry).
AXE_CORE = "axe-core@4.14.1"
NODE_DIR = VENV / "node"


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def run(*args, env=None) -> int:
    return subprocess.call([str(a) for a in args], cwd=ROOT, env=env)


def ensure_axe_core() -> None:
    """axe-core for the accessibility tests, beside the virtualenv; without npm the tests say so."""
    stamp = NODE_DIR / ".installed"
    if stamp.exists() and stamp.read_text() == AXE_CORE:
        return
    npm = shutil.which("npm")
    if npm is None:
        say("npm finnes ikke: tilgjengelighetstestene (axe-core) hoppes over (feiler i CI).")
        return
    say(f"Installerer {AXE_CORE} for tilgjengelighetstestene")
    NODE_DIR.mkdir(parents=True, exist_ok=True)
    if run(npm, "install", "--no-save", "--no-audit", "--no-fund", "--silent", "--prefix", NODE_DIR, AXE_CORE):
        sys.exit("Installasjonen av axe-core feilet.")
    stamp.write_text(AXE_CORE)


def ensure_installed() -> None:
    """A virtualenv with the project and its test tools; reinstalled only when pyproject changes."""
    if sys.version_info < (3, 11):
        sys.exit("Hjelpemiddel trenger Python 3.11 eller nyere.")
    if not PYTHON.exists():
        say(f"Lager virtualenv i {VENV}")
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / ".installed"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    say("Installerer avhengigheter")
    quiet = ["-q", "--disable-pip-version-check"]
    if run(PYTHON, "-m", "pip", "install", *quiet, "--upgrade", "pip") or \
            run(PYTHON, "-m", "pip", "install", *quiet, "-e", ".[test]"):
        sys.exit("Installasjonen feilet.")
    stamp.write_text(digest)


def hjelpemiddel(*args, env=None) -> int:
    return run(PYTHON, "-m", "hjelpemiddel", *args, env=env)


def _wait_for_port(port: int, seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def up() -> int:
    ensure_installed()
    # `kill` stops it like Ctrl+C does: through the finally below, which stops the children too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    env = os.environ.copy()
    env["HJELPEMIDDEL_DEV_UP"] = "1"  # the demo leaves the login hint to the last line here
    children: list[subprocess.Popen] = []
    fake_nav = not env.get("NAV_BASE_URL")
    if fake_nav:
        # No NAV configured: run the fake NAV server beside the service, as the demo's NAV.
        nav_port = env.get("NAV_FAKE_PORT", "8099")
        env.update(NAV_BASE_URL=f"http://127.0.0.1:{nav_port}", NAV_TOKEN="fake-nav-token")
        # The demo's NAV decides within a minute; look for what it sends every other minute.
        env.setdefault("NAV_SYNC_INTERVAL_MINUTES", "2")
        say(f"Starter falsk NAV-server på {env['NAV_BASE_URL']}")
        # Its state lives beside the database, so a second `up` finds NAV as the first left it.
        state_file = ROOT / "instance" / "fake_nav.json"
        children.append(subprocess.Popen([str(PYTHON), "-m", "hjelpemiddel", "nav", "fake-server", "--port", nav_port,
                                          "--state-file", str(state_file)],
                                         cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        if not _wait_for_port(int(nav_port)):
            say("Den falske NAV-serveren startet ikke; fortsetter uten NAV.")
    try:
        if hjelpemiddel("db", "upgrade", env=env) or hjelpemiddel("demo", env=env):
            return 1
        if fake_nav:
            hjelpemiddel("nav", "seed-fake", env=env)
        hjelpemiddel("nav", "sync", env=env)
        children.append(subprocess.Popen([str(PYTHON), "-m", "hjelpemiddel", "nav", "worker"], cwd=ROOT, env=env,
                                         stdout=subprocess.DEVNULL))
        port = env.get("PORT", "5000")
        server = subprocess.Popen([str(PYTHON), "-m", "hjelpemiddel", "serve", "--quiet", "--port", port], cwd=ROOT, env=env)
        children.append(server)
        if not _wait_for_port(int(port), seconds=60):
            say(f"Tjenesten svarte ikke på port {port}.")
            return server.wait() or 1
        say(f"Klar: http://127.0.0.1:{port}/ – logg inn som lager, terapeut, sjafor eller admin med passordet "
            "«demo-passord». Stopp med Ctrl+C.")
        try:
            return server.wait()
        except KeyboardInterrupt:
            say("Stopper.")
            return 0
    finally:
        for child in children:
            child.terminate()


def postgres_reachable(url: str) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=2):
            pass
    except OSError:
        return False
    check = "import sqlalchemy as sa, sys; sa.create_engine(sys.argv[1].replace('postgresql://', 'postgresql+psycopg://', 1)).connect().close()"
    return subprocess.call([str(PYTHON), "-c", check, url], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) == 0


def pytest(label: str, extra: list[str], database_url: str | None) -> int:
    env = os.environ.copy()
    env.pop("TEST_DATABASE_URL", None)
    if database_url:
        env["TEST_DATABASE_URL"] = database_url
    say(f"Testsuite på {label}")
    code = run(PYTHON, "-m", "pytest", *extra, env=env)
    if code == PYTEST_NO_TESTS:
        say(f"Ingen tester valgt på {label} (pytest exit 5) – regnes ikke som feil.")
        return 0
    return code


def test(extra: list[str]) -> int:
    ensure_installed()
    ensure_axe_core()
    failures = []
    if pytest("SQLite", extra, None):
        failures.append("SQLite")
    pg_url = os.environ.get("TEST_POSTGRES_URL", DEFAULT_TEST_PG)
    if postgres_reachable(pg_url):
        if pytest(f"PostgreSQL ({pg_url})", extra, pg_url):
            failures.append("PostgreSQL")
    else:
        say(f"PostgreSQL på {pg_url} svarer ikke; hopper over den andre kjøringen.")
    if failures:
        say("FEILET: " + ", ".join(failures))
        return 1
    say("Alle testkjøringer besto.")
    return 0


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in ("up", "test"):
        print(__doc__)
        return 2
    return up() if sys.argv[1] == "up" else test(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
