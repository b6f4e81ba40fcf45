"""Helpers for the adapter tests: serving a WSGI app on loopback, and the fake NAV's controls over
HTTP shaped like ``InMemoryNav``'s, so one test can drive either port."""
from __future__ import annotations

import random
import socket
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import requests
from werkzeug.serving import make_server

from integrations.nav.fake_data import TIME_FORMAT, make_fnr
from integrations.nav.memory import InMemoryNav
from integrations.nav.port import NavPort


@contextmanager
def serving(app):
    """Serve a WSGI app on a free loopback port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def some_fnr(seed: int = 7) -> str:
    return make_fnr(random.Random(seed))


class HttpControl:
    """The fake NAV server's control endpoints, with InMemoryNav's method names."""

    def __init__(self, base: str):
        self.base = base

    def _post(self, path: str, body: Any) -> Any:
        response = requests.post(f"{self.base}/_control{path}", json=body, timeout=30)
        assert response.status_code < 300, response.text
        return response.json()

    def configure(self, **settings: Any) -> dict:
        return self._post("", settings)

    def advance(self, minutes: float = 0, hours: float = 0) -> datetime:
        return datetime.strptime(self._post("/clock", {"advance_minutes": minutes + hours * 60})["now"], TIME_FORMAT)

    def approve(self, fnr: str, hmsnr: str, description: str, **more: Any) -> dict:
        return self._post("/approve", {"fnr": fnr, "hmsnr": hmsnr, "description": description, **more})

    def add_loans(self, fnr: str, loans: list[dict]) -> list[dict]:
        return self._post("/loans", {"fnr": fnr, "loans": loans})["loans"]

    def stats(self) -> dict:
        return requests.get(f"{self.base}/_control/stats", timeout=5).json()


@dataclass
class Nav:
    """One way to NAV under test: ``port`` (what the app calls) and ``control`` (what the test tells NAV)."""

    kind: str
    port: NavPort
    control: HttpControl | InMemoryNav
