"""The port itself: everything the application needs from NAV, as one protocol."""
from __future__ import annotations

from typing import Protocol, runtime_checkable

from .applications import Soknad, SoknadSak, SoknadSvar
from .loans import NavLoan
from .order_lines import OrderLinePage
from .part_orders import Delbestilling, DelbestillingSak, DelbestillingSvar


@runtime_checkable
class NavPort(Protocol):
    """Everything the application needs from NAV. Implementations: NavHttpClient (HTTP) and
    InMemoryNav (the fake NAV in this process, for tests)."""

    def fetch_order_lines(self, cursor: str | None, limit: int) -> OrderLinePage: ...

    def citizen_loans(self, fnr: str) -> list[NavLoan]: ...

    def submit_part_order(self, order: Delbestilling, idempotency_key: str) -> DelbestillingSvar: ...

    def order_status(self, saksnummer: int) -> DelbestillingSak: ...

    def report_return(self, hmsnr: str, serienr: str, note: str, idempotency_key: str,
                      kept_for_reuse: bool = False) -> None:
        """Tell NAV a device has come back; ends the loan. ``kept_for_reuse``: the municipality keeps
        it for reuse (where NAV agrees) instead of sending it back. Retrying with the same
        ``idempotency_key`` is safe. Raises IngetUtlan if the device is on no active loan."""
        ...

    def submit_application(self, application: Soknad, idempotency_key: str) -> SoknadSvar:
        """Apply to NAV for long-term loan. Retrying with the same ``idempotency_key`` is safe (the
        same answer); raises ApplicationInvalid for a breach of NAV's rules."""
        ...

    def application_status(self, saksnummer: int) -> SoknadSak: ...
