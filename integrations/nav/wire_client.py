"""NavPort over NAV's wire records, whatever carries them.

``NavWireClient`` does what every transport must do alike: refuse locally what NAV would refuse
(the rules in ``port``), turn the port's types into NAV's wire records, and read NAV's answers back
into the port's types. A subclass only moves wire records: ``NavHttpClient`` over HTTP,
``InMemoryNav`` straight into a fake NAV's state. Transport hooks raise the port's errors
(``NavRefused``, ``PartOrderInvalid``/``ApplicationInvalid``, ``NavRequestError``, ``NavUnavailable``).
"""
from __future__ import annotations

from typing import Any, Callable, TypeVar

from .port import (
    Delbestilling, DelbestillingSak, DelbestillingSvar, NavLoan, NavUnavailable, OrderLinePage,
    RecordInvalid, Soknad, SoknadSak, SoknadSvar, return_to_wire, validate_application,
    validate_part_order, validate_return,
)

T = TypeVar("T")


def _read(parse: Callable[[Any], T], body: Any, what: str) -> T:
    """NAV's answer read with ``parse``; an answer of the wrong shape means NAV is not itself."""
    try:
        return parse(body)
    except RecordInvalid as exc:
        raise NavUnavailable(f"Ugyldig svar fra NAV på {what}: {exc}") from exc
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise NavUnavailable(f"Uventet svar fra NAV på {what}: {exc!r}") from None


def _require_key(idempotency_key: str) -> None:
    if not idempotency_key:
        raise ValueError("idempotency_key mangler")


class NavWireClient:
    # ---------------------------------------------------------------- transport (subclasses)

    def _get_order_lines(self, cursor: str | None, limit: int) -> Any:
        raise NotImplementedError

    def _lookup_loans(self, fnr: str) -> Any:
        raise NotImplementedError

    def _post_part_order(self, body: dict, idempotency_key: str) -> Any:
        raise NotImplementedError

    def _get_part_order(self, saksnummer: int) -> Any:
        raise NotImplementedError

    def _post_return(self, body: dict, idempotency_key: str) -> None:
        raise NotImplementedError

    def _post_application(self, body: dict, idempotency_key: str) -> Any:
        raise NotImplementedError

    def _get_application(self, saksnummer: int) -> Any:
        raise NotImplementedError

    # ---------------------------------------------------------------- the port

    def fetch_order_lines(self, cursor: str | None, limit: int = 100) -> OrderLinePage:
        body = self._get_order_lines(cursor, limit)
        return _read(lambda b: OrderLinePage.from_wire(b, cursor), body, "/ordrelinjer")

    def citizen_loans(self, fnr: str) -> list[NavLoan]:
        body = self._lookup_loans(fnr)
        if not isinstance(body, list):
            raise NavUnavailable("Uventet svar fra NAV på utlånsoppslag")
        return [NavLoan.from_wire(record) for record in body]

    def submit_part_order(self, order: Delbestilling, idempotency_key: str) -> DelbestillingSvar:
        _require_key(idempotency_key)
        validate_part_order(order)
        body = self._post_part_order(order.to_wire(), idempotency_key)
        return _read(DelbestillingSvar.from_wire, body, "delbestilling")

    def order_status(self, saksnummer: int) -> DelbestillingSak:
        body = self._get_part_order(int(saksnummer))
        return _read(DelbestillingSak.from_wire, body, f"status for sak {saksnummer}")

    def report_return(self, hmsnr: str, serienr: str, note: str, idempotency_key: str,
                      kept_for_reuse: bool = False) -> None:
        """Tell NAV the device is back (ends the loan). Raises IngetUtlan if it is on no active loan."""
        _require_key(idempotency_key)
        record = return_to_wire(hmsnr, serienr, note, bool(kept_for_reuse))
        validate_return(record)
        self._post_return(record, idempotency_key)

    def submit_application(self, application: Soknad, idempotency_key: str) -> SoknadSvar:
        _require_key(idempotency_key)
        validate_application(application)
        body = self._post_application(application.to_wire(), idempotency_key)
        return _read(SoknadSvar.from_wire, body, "søknad")

    def application_status(self, saksnummer: int) -> SoknadSak:
        body = self._get_application(int(saksnummer))
        return _read(SoknadSak.from_wire, body, f"status for søknad {saksnummer}")
