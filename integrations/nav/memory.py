"""``InMemoryNav``: the NAV port for service tests, with the fake NAV in the same process.

It is ``NavWireClient`` (the same local checks and answer parsing as the HTTP client) moving NAV's
wire records straight into a ``FakeNavState`` (the same rules, cases and clock as the fake server)
instead of over HTTP, so for the same calls it gives the same answers and raises the same errors.
Records cross as JSON would carry them (copied), so nothing is shared by reference. NAV being down
is ``nav.down = True`` (every call raises NavUnavailable, as the HTTP client does once its retries
are spent). The control side (approve, add_loans, order lines, clock, refusals) is here as methods.

    nav = InMemoryNav()                      # empty; InMemoryNav(seed_data=True) for NAV's seeded citizens
    nav.approve(fnr, "291003", "Seng Opus 90EW")
    services.something(session, nav, ...)    # wherever the app takes a NavPort
    nav.advance(minutes=5)
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Callable

from .fake_data import FakeClock
from .fake_nav import FakeNavState
from .port import NavLoan, NavUnavailable
from .wire_client import NavWireClient


def _as_json(value: Any) -> Any:
    return json.loads(json.dumps(value))


class InMemoryNav(NavWireClient):
    def __init__(self, state: FakeNavState | None = None, *, clock: Callable[[], datetime] | None = None,
                 seed: int = 1, seed_data: bool = False):
        self.state = state or FakeNavState.open(clock or FakeClock(), seed=seed, seed_data=seed_data)
        self.down = False

    def _call(self, method: Callable[..., Any], *args: Any) -> Any:
        if self.down:
            raise NavUnavailable("NAV svarer ikke (InMemoryNav.down)")
        return _as_json(method(*(_as_json(arg) for arg in args)))

    # ---------------------------------------------------------------- transport for NavWireClient

    def _get_order_lines(self, cursor: str | None, limit: int) -> Any:
        return self._call(self.state.order_lines_page, cursor, limit)

    def _lookup_loans(self, fnr: str) -> Any:
        return self._call(self.state.citizen_loans, fnr)

    def _post_part_order(self, body: dict, idempotency_key: str) -> Any:
        return self._call(self.state.submit_part_order, body, idempotency_key)

    def _get_part_order(self, saksnummer: int) -> Any:
        return self._call(self.state.part_order_status, saksnummer)

    def _post_return(self, body: dict, idempotency_key: str) -> None:
        self._call(self.state.report_return, body, idempotency_key)

    def _post_application(self, body: dict, idempotency_key: str) -> Any:
        return self._call(self.state.submit_application, body, idempotency_key)

    def _get_application(self, saksnummer: int) -> Any:
        return self._call(self.state.application_status, saksnummer)

    # ---------------------------------------------------------------- control (what NAV knows, how it behaves)

    @property
    def clock(self) -> Callable[[], datetime]:
        return self.state.clock

    def advance(self, **delta: float) -> datetime:
        """Move NAV's clock on (``minutes=``, ``hours=``, ``days=``); cases move with it."""
        minutes = delta.pop("minutes", 0) + delta.pop("hours", 0) * 60 + delta.pop("days", 0) * 1440
        if delta:
            raise TypeError(f"ukjente enheter: {sorted(delta)}")
        self.state.advance_clock(minutes)
        return self.state.clock()

    def approve(self, fnr: str, hmsnr: str, description: str, **more: Any) -> dict:
        """NAV approves a long-term loan of one device (see ``FakeNavState.approve``): ``{"ordrelinje", "loan"}``."""
        return _as_json(self.state.approve(fnr, hmsnr, description, **more))

    def add_loans(self, fnr: str, loans: list[dict | NavLoan]) -> list[dict]:
        """Devices the citizen already has on loan from NAV (records or NavLoan); the loans added."""
        records = [loan.to_wire() if isinstance(loan, NavLoan) else loan for loan in loans]
        return _as_json(self.state.add_loans(fnr, _as_json(records)))["loans"]

    def upsert_order_lines(self, records: list[dict]) -> list[int]:
        return self.state.upsert_order_lines(_as_json(records))["sequences"]

    def generate_order_lines(self, count: int, fnrs: list[str] | None = None, seed: int | None = None) -> int:
        """``count`` synthetic order lines; the last sequence number."""
        return self.state.generate_order_lines(count, fnrs, seed)["last_sequence"]

    def configure(self, **settings: Any) -> dict:
        """As ``POST /_control``: ``refuse``, ``decide_after_minutes``, ``ship_after_minutes``,
        ``refuse_applications``, ``duplicate_lines`` (the HTTP faults do nothing here)."""
        return self.state.configure(_as_json(settings))

    def refuse_part_orders(self, hmsnr: str, serienr: str, feil: str) -> None:
        """NAV answers ``{"feil": feil}`` to part orders for this device."""
        self.configure(refuse={**self.state.config["refuse"], f"{hmsnr}-{serienr}": feil})

    def refuse_applications(self, *fnrs: str) -> None:
        """NAV refuses (``VEDTAKSRESULTAT_AVSLÅTT``) the applications it decides for these citizens."""
        self.configure(refuse_applications=[*self.state.config["refuse_applications"], *fnrs])

    def returns(self) -> list[dict]:
        """Returns NAV has been told of (with the citizen's fnr)."""
        return self.state.returns_received()

    def stats(self) -> dict:
        return self.state.stats()

    def reset(self) -> dict:
        return self.state.reset()
