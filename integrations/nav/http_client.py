"""NavPort over HTTP (requests) for a municipality API of NAV's shape (the port's methods and local
checks are ``NavWireClient``'s; this module is the transport).

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

from .port import ApplicationInvalid, NavRefused, NavRequestError, NavUnavailable, PartOrderInvalid, RecordInvalid
from .wire_client import NavWireClient

# Mistakes in how the request is built (our configuration or code), not NAV being unavailable:
# retrying cannot help, so they are raised as they are.
_NOT_RETRYABLE = (requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema,
                  requests.exceptions.InvalidURL, requests.exceptions.InvalidHeader,
                  requests.exceptions.InvalidJSONError, requests.exceptions.URLRequired)
# Errors while reading an answer's body that requests may let through unwrapped.
_BODY_ERRORS = (urllib3.exceptions.HTTPError, http.client.HTTPException)

_NO_BODY = object()


class NavHttpClient(NavWireClient):
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

    def _request(self, method: str, path: str, *, expect_json: bool = False,
                 invalid: type[RecordInvalid] = PartOrderInvalid, **kwargs: Any) -> Any:
        """Send with retries. Returns the parsed JSON body if ``expect_json``, else the response.

        Retried: timeouts, connection errors, answers cut off mid-body, 5xx, and (with
        ``expect_json``) a 2xx body that is not valid JSON. Never retried: 4xx (raised at once as
        NavRefused / ``invalid`` for NAV's valideringsfeil / NavRequestError). Gives up with
        NavUnavailable.
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
                    self._raise_client_error(response, invalid)
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
    def _raise_client_error(response: requests.Response, invalid: type[RecordInvalid]) -> None:
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            if isinstance(body.get("feil"), str):
                raise NavRefused.for_code(body["feil"], response.status_code)
            problems = body.get("valideringsfeil")
            if isinstance(problems, list) and problems and isinstance(problems[0], dict):
                raise invalid(str(problems[0].get("felt", "?")), str(problems[0].get("melding", "")))
            detail = str(body.get("error") or body.get("message") or "")
        else:
            detail = response.text[:200]
        raise NavRequestError(response.status_code, detail)

    # ---------------------------------------------------------------- transport for NavWireClient

    def _post(self, path: str, body: dict, idempotency_key: str, **kwargs: Any) -> Any:
        return self._request("POST", path, json=body, headers={"Idempotency-Key": idempotency_key}, **kwargs)

    def _get_order_lines(self, cursor: str | None, limit: int) -> Any:
        params: dict[str, Any] = {"limit": limit}
        if cursor is not None:
            params["cursor"] = cursor
        return self._request("GET", "/ordrelinjer", params=params, expect_json=True)

    def _lookup_loans(self, fnr: str) -> Any:
        return self._request("POST", "/loans/lookup", json={"fnr": fnr}, expect_json=True)

    def _post_part_order(self, body: dict, idempotency_key: str) -> Any:
        return self._post("/delbestilling", body, idempotency_key, expect_json=True)

    def _get_part_order(self, saksnummer: int) -> Any:
        return self._request("GET", f"/delbestilling/{saksnummer}", expect_json=True)

    def _post_return(self, body: dict, idempotency_key: str) -> None:
        self._post("/returns", body, idempotency_key).close()

    def _post_application(self, body: dict, idempotency_key: str) -> Any:
        return self._post("/soknad", body, idempotency_key, expect_json=True, invalid=ApplicationInvalid)

    def _get_application(self, saksnummer: int) -> Any:
        return self._request("GET", f"/soknad/{saksnummer}", expect_json=True)
