"""A fake NAV over HTTP for development and tests: NAV's endpoints in front of ``FakeNavState``.

Each route parses the request, calls one method of the state (``fake_nav``, where NAV's rules and
the case timelines live) and answers; the port's errors become NAV's wire errors (``{"feil": CODE}``,
``{"valideringsfeil": [{"felt", "melding"}]}``, ``{"error": ...}``). This module adds only what
HTTP can do wrong: on demand it is slow, fails with 500s, drops connections or cuts answers off
half-way. Run on its own::

    python -m integrations.nav.fake_server --port 8099 [--token fake-nav-token] [--seed 1] [--empty]
                                           [--state-file instance/fake_nav.json]

With ``--state-file`` the state is loaded from that JSON file at start (when it exists) and saved
to it after every change, so a restart loses nothing (see ``fake_store``).

NAV's endpoints (``Authorization: Bearer <token>``; POSTs need an ``Idempotency-Key``; a replay
gets the same answer, the same key with another body 422):

- ``GET /ordrelinjer?cursor=&limit=`` -> ``{"ordrelinjer", "nextCursor", "hasMore", "remaining"}``
- ``POST /loans/lookup`` ``{"fnr"}`` -> the citizen's active loans
- ``POST /delbestilling`` ``{"delbestilling": {...}}`` -> 201 ``{"id", "saksnummer", "delbestillingSak"}``;
  ``GET /delbestilling/<saksnummer>`` -> the case (status moving with the clock)
- ``POST /returns`` ``{"hmsnr", "serienr", "merknad", "beholdesForGjenbruk"}`` -> 202
- ``POST /soknad`` ``{"soknad": {...}}`` -> 201 ``{"id", "saksnummer", "status", "opprettet"}``;
  ``GET /soknad/<saksnummer>`` -> ``{"saksnummer", "status", "opprettet", "sistOppdatert",
  "vedtaksdato", "ordrenummer", "begrunnelse"}`` (decided, then shipped, with the clock)

Control endpoints (no auth, JSON), for tests and demos:

- ``POST /_control`` ``{"fail_every", "slow_ms", "drop_every", "truncate_every", "duplicate_lines",
  "refuse": {"<hmsnr>-<serienr>": FEIL}, "decide_after_minutes", "ship_after_minutes",
  "refuse_applications": [fnr], "reset_stats"}`` -> the config
- ``POST /_control/reset`` -> back to the initial (seeded) state; sequence numbers keep increasing
- ``POST /_control/loans`` ``{"fnr", "loans": [NAV loan records]}`` -> adds active loans
- ``POST /_control/approve`` ``{"fnr", "hmsnr", "description", "category_num"?, "category_description"?,
  "serienr"?, "ordre_number"?, "status"?}`` -> 201 ``{"ordrelinje", "loan"}``
- ``POST /_control/order-lines`` ``[records]`` or ``{"ordrelinjer": [...]}`` -> upserts (new sequence each)
- ``POST /_control/generate-order-lines`` ``{"count", "fnrs"?, "seed"?}`` -> ``{"count", "last_sequence"}``
- ``POST /_control/clock`` ``{"advance_minutes"}``; ``GET /_control/stats``; ``GET /_control/returns``
"""
from __future__ import annotations

import argparse
import socket
import sys
import time
from datetime import datetime
from typing import Any, Callable, Iterator

from flask import Flask, Response, jsonify, request
from werkzeug.serving import run_simple

from .fake_data import FakeClock, WallClock
from .fake_nav import FakeNavState
from .fake_store import StateFileError
from .port import NavRefused, NavRequestError, RecordInvalid

DEFAULT_TOKEN = "fake-nav-token"
APPROVE_OPTIONS = ("category_num", "category_description", "serienr", "ordre_number", "status")


def _drop_connection(sock: Any) -> None:
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _truncated(response: Response, sock: Any) -> Response:
    """The same response, cut off: full headers (with the full Content-Length), about half the
    body, then the connection is closed -- what a client sees when a connection drops mid-page."""
    data = response.get_data()
    half = data[: len(data) // 2]

    def body() -> Iterator[bytes]:
        yield half
        _drop_connection(sock)

    cut = Response(body(), status=response.status_code, headers=list(response.headers.items()))
    cut.headers["Content-Length"] = str(len(data))
    return cut


def _json_object(message: str = "forventet et JSON-objekt") -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise NavRequestError(400, message)
    return body


def create_fake_nav(seed: int = 1, clock: Callable[[], datetime] | None = None, token: str = DEFAULT_TOKEN,
                    seq_start: int = 0, seed_data: bool = True, state_file: str | None = None) -> Flask:
    """A fake NAV app. Order-line sequence numbers (the cursors) start after ``seq_start``;
    ``seed_data=False`` starts with no order lines and no loans; ``state_file`` keeps the state
    across restarts. The state is ``app.extensions["fake_nav"]``."""
    app = Flask(__name__)
    state = FakeNavState.open(clock or FakeClock(), seed=seed, seed_data=seed_data, seq_start=seq_start,
                              state_file=state_file)
    app.extensions["fake_nav"] = state

    @app.errorhandler(NavRefused)
    def refused(exc: NavRefused):
        return jsonify({"feil": exc.feil_code}), exc.http_status

    @app.errorhandler(RecordInvalid)
    def invalid(exc: RecordInvalid):
        return jsonify({"valideringsfeil": [{"felt": exc.field, "melding": exc.message}]}), 400

    @app.errorhandler(NavRequestError)
    def rejected(exc: NavRequestError):
        return jsonify({"error": exc.detail}), exc.http_status

    @app.before_request
    def faults_and_auth():
        if request.path.startswith("/_control"):
            return None
        n = state.count_request(f"{request.method} {request.url_rule.rule if request.url_rule else request.path}")
        cfg = state.config
        if cfg["slow_ms"]:
            time.sleep(cfg["slow_ms"] / 1000)
        if cfg["fail_every"] and n % cfg["fail_every"] == 0:
            return jsonify({"error": "intern feil (simulert)"}), 500
        if cfg["drop_every"] and n % cfg["drop_every"] == 0:
            _drop_connection(request.environ.get("werkzeug.socket"))
            return jsonify({"error": "forbindelsen ble brutt (simulert)"}), 500
        if request.headers.get("Authorization") != f"Bearer {token}":
            return jsonify({"error": "unauthorized"}), 401
        return None

    @app.after_request
    def truncate_fault(response: Response) -> Response:
        every = state.config["truncate_every"]
        if not every or request.path.startswith("/_control") or not response.is_json:
            return response
        if state.count_json_response() % every:
            return response
        return _truncated(response, request.environ.get("werkzeug.socket"))

    # ---------------------------------------------------------------- NAV endpoints

    def idempotency_key() -> str | None:
        return request.headers.get("Idempotency-Key")

    @app.get("/ordrelinjer")
    def order_lines():
        return jsonify(state.order_lines_page(request.args.get("cursor"), request.args.get("limit")))

    @app.post("/loans/lookup")
    def loans_lookup():
        body = request.get_json(silent=True)
        return jsonify(state.citizen_loans(body.get("fnr") if isinstance(body, dict) else None))

    @app.post("/delbestilling")
    def delbestilling():
        return jsonify(state.submit_part_order(request.get_json(silent=True), idempotency_key())), 201

    @app.get("/delbestilling/<int:saksnummer>")
    def delbestilling_status(saksnummer: int):
        return jsonify(state.part_order_status(saksnummer))

    @app.post("/returns")
    def returns():
        return jsonify(state.report_return(request.get_json(silent=True), idempotency_key())), 202

    @app.post("/soknad")
    def soknad():
        return jsonify(state.submit_application(request.get_json(silent=True), idempotency_key())), 201

    @app.get("/soknad/<int:saksnummer>")
    def soknad_status(saksnummer: int):
        return jsonify(state.application_status(saksnummer))

    # ---------------------------------------------------------------- control API (tests, demos)

    @app.post("/_control")
    def control():
        return jsonify(state.configure(request.get_json(silent=True) or {}))

    @app.post("/_control/reset")
    def control_reset():
        return jsonify(state.reset())

    @app.get("/_control/stats")
    def control_stats():
        return jsonify(state.stats())

    @app.get("/_control/returns")
    def control_returns():
        return jsonify(state.returns_received())

    @app.post("/_control/order-lines")
    def control_order_lines():
        body = request.get_json(silent=True)
        return jsonify(state.upsert_order_lines(body.get("ordrelinjer", []) if isinstance(body, dict) else body or []))

    @app.post("/_control/generate-order-lines")
    def control_generate_order_lines():
        body = request.get_json(silent=True) or {}
        if not isinstance(body, dict):
            raise NavRequestError(400, "forventet et JSON-objekt")
        return jsonify(state.generate_order_lines(body.get("count"), body.get("fnrs"), body.get("seed")))

    @app.post("/_control/loans")
    def control_loans():
        body = _json_object('forventet {"fnr": ..., "loans": [...]}')
        return jsonify(state.add_loans(body.get("fnr"), body.get("loans"))), 201

    @app.post("/_control/approve")
    def control_approve():
        body = _json_object()
        options = {name: body[name] for name in APPROVE_OPTIONS if name in body}
        return jsonify(state.approve(body.get("fnr"), body.get("hmsnr"), body.get("description"), **options)), 201

    @app.post("/_control/clock")
    def control_clock():
        body = request.get_json(silent=True)
        return jsonify(state.advance_clock(body.get("advance_minutes", 0) if isinstance(body, dict) else 0))

    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Fake NAV server for development and tests")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--empty", action="store_true", help="start with no order lines and no loans")
    parser.add_argument("--state-file", default=None,
                        help="JSON file keeping the state across restarts (loaded if it exists, saved after every change)")
    args = parser.parse_args(argv)
    # Sequence numbers start at the current time in ms, so a restarted fake keeps a stored cursor moving
    # forward (with a state file: at the larger of that and the saved sequence).
    try:
        app = create_fake_nav(seed=args.seed, clock=WallClock(datetime.now().replace(microsecond=0)),
                              token=args.token, seq_start=int(time.time() * 1000), seed_data=not args.empty,
                              state_file=args.state_file)
    except StateFileError as exc:
        sys.exit(f"Falsk NAV: {exc}")
    # werkzeug directly: Flask's app.run() refuses to start inside the `hjelpemiddel` (flask) CLI.
    run_simple(args.host, args.port, app, threaded=True)


if __name__ == "__main__":
    main()
