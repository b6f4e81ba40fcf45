from __future__ import annotations

import pytest

from integrations.nav.fake_data import FakeClock
from integrations.nav.fake_server import DEFAULT_TOKEN, create_fake_nav
from integrations.nav.http_client import NavHttpClient
from integrations.nav.memory import InMemoryNav

from .support import HttpControl, Nav, serving


@pytest.fixture(params=["http", "memory"])
def nav(request):
    """The seeded fake NAV behind the HTTP client (over loopback) or behind InMemoryNav."""
    if request.param == "memory":
        memory = InMemoryNav(seed_data=True)
        yield Nav("memory", memory, memory)
        return
    with serving(create_fake_nav(seed=1, clock=FakeClock())) as base:
        client = NavHttpClient(base, DEFAULT_TOKEN, sleep=lambda s: None, timeout=(1, 2))
        yield Nav("http", client, HttpControl(base))
