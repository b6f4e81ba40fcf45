"""NavPort over HTTP (requests) for a municipality API of NAV's shape.

Every call has a (connect, read) timeout. 5xx answers, timeouts, connection errors, responses cut
off mid-body and 2xx bodies that are not valid JSON are retried with exponential backoff and full
jitter; 4xx never is. ``{"feil": CODE}`` answers become ``NavRefused`` subclasses. POSTs carry an
``Idempotency-Key`` so that retrying them is safe.
"""
from __future__ import annotations

import http.client
import random
import time
from typing import Any, Callable

import requests
import urllib3

from .port import (
    Delbestilling, DelbestillingSak, DelbestillingSvar, NavLoan, NavRefused, NavRequestError,
    NavUnavailable, OrderLine, OrderLinePage, PartOrderInvalid, RecordInvalid, validate_part_order,
)

# Mistakes in how the request is built (our configuration or code), not NAV being unavailable:
# retrying cannot help, so they are raised as they are.
_NOT_RETRYABLE = (requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema,
                  requests.exceptions.InvalidURL, requests.exceptions.InvalidHeader,
                  requests.exceptions.InvalidJSONError, requests.exceptions.URLRequired)
# Errors while reading an answer's body that requests may let through unwrapped.
_BODY_ERRORS = (urllib3.exceptions.HTTPError, http.client.HTTPException)

_NO_BODY = object()


class NavHttpClient:
    def __init__(self, base_url: str, token: str, timeout: tuple[float, float] | float = (3.05, 10),
                 retries: int = 4, backoff: float = 0.2, max_backoff: float = 10.0,
                 sleep: Callable[[float], None] = time.sleep, rng: Callable[[], float] = random.random,
                 session: requests.Session | None = None):
        if not base_url:
            raise ValueError("NAV base URL mangler")
        if not token:
            raise ValueError("NAV token mangler")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self._sleep = sleep
        self._rng = rng
        self.session = session or requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {token}", "Accept": "application/json"})

    @classmethod
    def from_config(cls, config: dict, **kwargs: Any) -> "NavHttpClient":
        return cls(config["NAV_BASE_URL"], config["NAV_TOKEN"], **kwargs)

    def close(self) -> None:
        self.session.close()

    # ---------------------------------------------------------------- transport

    def _delay(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(cap, backoff * 2**attempt))."""
        return self._rng() * min(self.max_backoff, self.backoff * (2 ** attempt))

    def _request(self, method: str, path: str, *, expect_json: bool = False, **kwargs: Any) -> Any:
        """Send with retries. Returns the parsed JSON body if ``expect_json``, else the response.

        Retried: timeouts, connection errors, answers cut off mid-body, 5xx, and (with
        ``expect_json``) a 2xx body that is not valid JSON. Never retried: 4xx (raised at once as
        NavRefused / PartOrderInvalid / NavRequestError). Gives up with NavUnavailable.
        """
        url = f"{self.base_url}{path}"
        last: str = ""
        for attempt in range(self.retries + 1):
            if attempt:
                self._sleep(self._delay(attempt - 1))
            try:
                response = self.session.request(method, url, timeout=self.timeout, **kwargs)
                if response.status_code >= 500:
                    last = f"HTTP {response.status_code}"
                    response.close()
                    continue
                if response.status_code >= 400:
                    self._raise_client_error(response)
                if not expect_json:
                    return response
                body = self._parse_json(response)
                if body is _NO_BODY:
                    last = f"ugyldig JSON i svaret (HTTP {response.status_code})"
                    continue
                return body
            except requests.Timeout as exc:
                last = f"tidsavbrudd: {exc}"
            except requests.ConnectionError as exc:
                last = f"tilkoblingsfeil: {exc}"
            except _NOT_RETRYABLE:
                raise
            except requests.RequestException as exc:  # ChunkedEncodingError, ContentDecodingError, ...
                last = f"avbrutt svar: {exc}"
            except _BODY_ERRORS as exc:
                last = f"avbrutt svar: {exc!r}"
        raise NavUnavailable(f"NAV svarer ikke etter {self.retries + 1} forsøk ({method} {path}): {last}")

    @staticmethod
    def _parse_json(response: requests.Response) -> Any:
        try:
            return response.json()
        except ValueError:  # includes requests' JSONDecodeError and bad encodings
            return _NO_BODY

    @staticmethod
    def _raise_client_error(response: requests.Response) -> None:
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            if isinstance(body.get("feil"), str):
                raise NavRefused.for_code(body["feil"], response.status_code)
            problems = body.get("valideringsfeil")
            if isinstance(problems, list) and problems and isinstance(problems[0], dict):
                raise PartOrderInvalid(str(problems[0].get("felt", "?")), str(problems[0].get("melding", "")))
            detail = str(body.get("error") or body.get("message") or "")
        else:
            detail = response.text[:200]
        raise NavRequestError(response.status_code, detail)

    # ---------------------------------------------------------------- the port

    def fetch_order_lines(self, cursor: str | None, limit: int = 100) -> OrderLinePage:
        params: dict[str, Any] = {"limit": limit}
        if cursor is not None:
            params["cursor"] = cursor
        body = self._request("GET", "/ordrelinjer", params=params, expect_json=True)
        try:
            records = body["ordrelinjer"]
            lines = [OrderLine.from_wire(r) for r in records]
        except (KeyError, TypeError) as exc:
            raise NavUnavailable(f"Uventet svar fra NAV på /ordrelinjer: {exc!r}") from None
        except RecordInvalid as exc:
            raise NavUnavailable(f"Ugyldig ordrelinje fra NAV: {exc}") from exc
        # The same line may come more than once in a page; keep its last (newest) version.
        deduped: dict[tuple[str, int, str], OrderLine] = {}
        for line in lines:
            deduped.pop(line.key, None)
            deduped[line.key] = line
        next_cursor = body.get("nextCursor")
        return OrderLinePage(lines=list(deduped.values()),
                             next_cursor=str(next_cursor) if next_cursor is not None else cursor,
                             has_more=bool(body.get("hasMore")),
                             remaining=body["remaining"] if isinstance(body.get("remaining"), int) else None)

    def citizen_loans(self, fnr: str) -> list[NavLoan]:
        body = self._request("POST", "/loans/lookup", json={"fnr": fnr}, expect_json=True)
        if not isinstance(body, list):
            raise NavUnavailable("Uventet svar fra NAV på utlånsoppslag")
        return [NavLoan.from_wire(r) for r in body]

    def submit_part_order(self, order: Delbestilling, idempotency_key: str) -> DelbestillingSvar:
        if not idempotency_key:
            raise ValueError("idempotency_key mangler")
        validate_part_order(order)
        body = self._request("POST", "/delbestilling", json=order.to_wire(),
                             headers={"Idempotency-Key": idempotency_key}, expect_json=True)
        try:
            return DelbestillingSvar.from_wire(body)
        except (KeyError, TypeError, ValueError) as exc:
            raise NavUnavailable(f"Uventet svar fra NAV på delbestilling: {exc!r}") from None

    def order_status(self, saksnummer: int) -> DelbestillingSak:
        body = self._request("GET", f"/delbestilling/{int(saksnummer)}", expect_json=True)
        try:
            return DelbestillingSak.from_wire(body)
        except (KeyError, TypeError, ValueError) as exc:
            raise NavUnavailable(f"Uventet svar fra NAV på status for sak {saksnummer}: {exc!r}") from None

    def report_return(self, hmsnr: str, serienr: str, note: str, idempotency_key: str,
                      kept_for_reuse: bool = False) -> None:
        """Tell NAV the device is back (ends the loan). Raises IngetUtlan if it is on no active loan."""
        if not idempotency_key:
            raise ValueError("idempotency_key mangler")
        for name, value in (("hmsnr", hmsnr), ("serienr", serienr)):
            if not isinstance(value, str) or not value.strip():
                raise RecordInvalid(name, "mangler")
        self._request("POST", "/returns",
                      json={"hmsnr": hmsnr, "serienr": serienr, "merknad": note,
                            "beholdesForGjenbruk": bool(kept_for_reuse)},
                      headers={"Idempotency-Key": idempotency_key}).close()
