"""A fake NAV for development and tests: NAV's endpoints over seeded in-memory data.

It enforces NAV's spare-part rules with NAV's error codes, moves case statuses forward as its clock
advances, and can be told (``POST /_control``) to be slow, fail with 500s, drop connections, cut
responses off half-way, or return duplicate order lines. Run on its own::

    python -m integrations.nav.fake_server --port 8099 [--token fake-nav-token] [--seed 1] [--empty]

Control endpoints (no auth, JSON), for tests and demos:

- ``POST /_control`` ``{"fail_every", "slow_ms", "drop_every", "truncate_every", "duplicate_lines",
  "refuse": {"<hmsnr>-<serienr>": FEIL}, "reset_stats"}`` -> the config
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
import random
import re
import socket
import threading
import time
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable, Iterator

from flask import Flask, Response, jsonify, request
from werkzeug.serving import run_simple

SIX = re.compile(r"^\d{6}$")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
DEFAULT_TOKEN = "fake-nav-token"
STATUS_ORDER = ["INNSENDT", "REGISTRERT", "KLARGJORT", "DELVIS_SKIPNINGSBEKREFTET", "SKIPNINGSBEKREFTET"]
# Age of a case at which it reaches each status.
STATUS_AFTER = [(timedelta(hours=24), "SKIPNINGSBEKREFTET"), (timedelta(hours=2), "KLARGJORT"),
                (timedelta(minutes=5), "REGISTRERT")]
FEIL_STATUS = {"INGET_UTLÅN": 404, "KAN_IKKE_BESTILLE": 404, "BRUKER_IKKE_FUNNET": 404,
               "LAGERENHET_IKKE_FUNNET": 404, "BESTILLE_TIL_SEG_SELV": 403,
               "ULIK_GEOGRAFISK_TILKNYTNING": 403, "ULIK_ADRESSE_PDL_OEBS": 403,
               "FOR_MANGE_BESTILLINGER_SISTE_24_TIMER": 403}
MAX_ORDERS_PER_24H = 5
MAX_PAGE_LIMIT = 1000
MAX_GENERATED_LINES = 500_000
MUNICIPAL_ADDRESS = "0301 Hjelpemiddellageret, Ulvenveien 1"
LINE_STATUSES = ("AWAITING_SHIPPING", "SHIPPED", "BOOKED")

PRODUCTS = [  # hmsnr, description, ISO category, category text, item type
    ("236958", "Panthera U3 Light rullestol", "12220301", "Manuelle rullestoler", "Individstyrt hjelpemiddel"),
    ("177946", "Rollator Topro Olympos", "12060601", "Rollatorer", "Individstyrt hjelpemiddel"),
    ("291003", "Seng Opus 90EW", "18121501", "Senger", "Individstyrt hjelpemiddel"),
    ("104237", "Dusjkrakk Etac Swift", "09330301", "Dusjstoler", "Hjelpemiddel"),
    ("150817", "Dekk 24\"", "12240901", "Dekk", "Del"),
    ("167002", "Batteri 12V 50Ah", "12240601", "Batteri", "Del"),
]
SERIALISED = [p for p in PRODUCTS if p[4] == "Individstyrt hjelpemiddel"]


class FakeClock:
    """A clock that only moves when told to (tests), starting at ``start``."""

    def __init__(self, start: datetime | None = None):
        self._start = start or datetime(2024, 3, 4, 8, 0, 0)
        self._now = self._start
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, **delta: float) -> datetime:
        with self._lock:
            self._now += timedelta(**delta)
            return self._now

    def reset(self) -> datetime:
        """Back to the start time (used by ``POST /_control/reset``)."""
        with self._lock:
            self._now = self._start
            return self._now


class WallClock(FakeClock):
    """Real time plus whatever it has been told to skip ahead: a standalone fake moves its cases
    forward on its own, and a demo can still jump a day with ``POST /_control/clock``."""

    def __call__(self) -> datetime:
        with self._lock:
            return datetime.now().replace(microsecond=0) + (self._now - self._start)


def make_fnr(rng: random.Random) -> str:
    """A syntactically valid (mod-11) synthetic fnr; day+40 marks it as a test number (syntetisk)."""
    while True:
        day, month, year = rng.randint(1, 28) + 40, rng.randint(1, 12), rng.randint(30, 99)
        base = [int(c) for c in f"{day:02d}{month:02d}{year:02d}{rng.randint(0, 499):03d}"]
        k1 = 11 - sum(w * d for w, d in zip([3, 7, 6, 1, 8, 9, 4, 5, 2], base)) % 11
        k1 = 0 if k1 == 11 else k1
        if k1 == 10:
            continue
        k2 = 11 - sum(w * d for w, d in zip([5, 4, 3, 2, 7, 6, 5, 4, 3, 2], base + [k1])) % 11
        k2 = 0 if k2 == 11 else k2
        if k2 == 10:
            continue
        return "".join(map(str, base + [k1, k2]))


def valid_fnr(fnr: Any) -> bool:
    if not isinstance(fnr, str) or not re.fullmatch(r"\d{11}", fnr):
        return False
    d = [int(c) for c in fnr]
    k1 = 11 - sum(w * x for w, x in zip([3, 7, 6, 1, 8, 9, 4, 5, 2], d)) % 11
    k2 = 11 - sum(w * x for w, x in zip([5, 4, 3, 2, 7, 6, 5, 4, 3, 2], d)) % 11
    return (k1 % 11) == d[9] and (k2 % 11) == d[10]


def line_key(record: dict) -> tuple[str, int, str]:
    """NAV's identity of an order line: order number + line + shipment (``""`` when none yet)."""
    shipment = record.get("ShipmentNumber")
    shipment = "" if shipment is None else str(shipment).strip()
    return (str(record["OrdreNumber"]).strip(), int(record["LineNumber"]), shipment)


def _default_config() -> dict:
    return {"fail_every": 0, "slow_ms": 0, "drop_every": 0, "truncate_every": 0,
            "duplicate_lines": False, "refuse": {}}


@dataclass
class FakeNavState:
    clock: Callable[[], datetime]
    seed: int = 1
    seed_data: bool = True
    seq_start: int = 0
    lines: dict[tuple[str, int, str], dict] = field(default_factory=dict)  # key -> record incl. "_seq"
    seq: int = 0
    # Paging index: every sequence number ever handed out, in order (append-only, so sorted), and the
    # key of each sequence that is still a line's current version. A sequence missing from
    # ``seq_keys`` is stale (its line was upserted again later) and is skipped.
    seqs: list[int] = field(default_factory=list)
    seq_keys: dict[int, tuple[str, int, str]] = field(default_factory=dict)
    loans: dict[str, list[dict]] = field(default_factory=dict)  # fnr -> loans
    saker: dict[int, dict] = field(default_factory=dict)
    next_saksnummer: int = 1000
    next_oebs: int = 7_100_000
    next_order_number: int = 5_000_000  # approved / generated orders
    next_shipment: int = 1_000_000
    next_reference: int = 20_000
    # (endpoint, Idempotency-Key) -> (body, status, answer)
    idempotent: dict[tuple[str, str], tuple[Any, int, Any]] = field(default_factory=dict)
    returns: list[dict] = field(default_factory=list)
    config: dict = field(default_factory=_default_config)
    requests_seen: int = 0
    json_responses: int = 0  # counts answers for ``truncate_every``
    stats: Counter = field(default_factory=Counter)
    successes: Counter = field(default_factory=Counter)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def __post_init__(self) -> None:
        self.seq = max(self.seq, self.seq_start)

    def now_text(self) -> str:
        return self.clock().strftime(TIME_FORMAT)

    def upsert_line(self, record: dict, now_text: str | None = None) -> int:
        key = line_key(record)
        current = self.lines.get(key)
        self.seq += 1
        merged = {**(current or {}), **record, "OrdreNumber": key[0], "LineNumber": key[1],
                  "ShipmentNumber": key[2] or None, "_seq": self.seq}
        if "LastUpdateDate" not in record or not merged.get("LastUpdateDate"):
            merged["LastUpdateDate"] = now_text or self.now_text()
        if current is not None:
            self.seq_keys.pop(current["_seq"], None)
        self.lines[key] = merged
        self.seqs.append(self.seq)
        self.seq_keys[self.seq] = key
        if len(self.seqs) > 1024 and len(self.seq_keys) * 2 < len(self.seqs):
            self.seqs = [s for s in self.seqs if s in self.seq_keys]  # drop stale sequences
        return self.seq

    def lines_after(self, cursor: int, limit: int) -> tuple[list[dict], bool]:
        """Up to ``limit`` current lines with sequence > cursor, oldest first, and whether more follow.

        O(log n + limit + stale sequences skipped)."""
        page: list[dict] = []
        i = bisect_right(self.seqs, cursor)
        seqs, seq_keys, lines = self.seqs, self.seq_keys, self.lines
        while i < len(seqs):
            key = seq_keys.get(seqs[i])
            i += 1
            if key is None:
                continue
            if len(page) == limit:
                return page, True
            page.append(lines[key])
        return page, False

    def last_line_at_or_before(self, cursor: int) -> dict | None:
        i = bisect_right(self.seqs, cursor) - 1
        while i >= 0:
            key = self.seq_keys.get(self.seqs[i])
            if key is not None:
                return self.lines[key]
            i -= 1
        return None

    def active_loan(self, hmsnr: str, serienr: str) -> tuple[str, dict] | None:
        for fnr, loans in self.loans.items():
            for loan in loans:
                if (loan.get("artikkelNr") == hmsnr and loan.get("serieNr") == serienr
                        and loan.get("innleveringsdato") is None):
                    return fnr, loan
        return None

    def all_loans(self) -> list[tuple[str, dict]]:
        return [(fnr, loan) for fnr, loans in self.loans.items() for loan in loans]

    def reset(self) -> None:
        """Back to the initial state. Sequence numbers are not reused, so cursors stay valid."""
        if hasattr(self.clock, "reset"):
            self.clock.reset()
        self.lines.clear()
        self.seqs, self.seq_keys = [], {}
        self.loans.clear()
        self.saker.clear()
        self.next_saksnummer, self.next_oebs = 1000, 7_100_000
        self.next_order_number, self.next_shipment, self.next_reference = 5_000_000, 1_000_000, 20_000
        self.idempotent.clear()
        self.returns.clear()
        self.config = _default_config()
        self.requests_seen = self.json_responses = 0
        self.stats.clear()
        self.successes.clear()
        if self.seed_data:
            _seed(self, self.seed)

    def take_order_number(self) -> str:
        self.next_order_number += 1
        return str(self.next_order_number)

    def take_shipment_number(self) -> str:
        self.next_shipment += 1
        return str(self.next_shipment)


def _seed(state: FakeNavState, seed: int) -> None:
    rng = random.Random(seed)
    start = state.clock()
    order_no = 4_200_000 + rng.randint(0, 9999)
    for c in range(6):
        fnr = make_fnr(rng)
        state.loans[fnr] = []
        for _ in range(rng.randint(1, 3)):
            hmsnr, desc, iso, cat, _type = rng.choice(SERIALISED)
            state.loans[fnr].append({
                "artikkelNr": hmsnr, "artikkelBeskrivelse": desc, "serieNr": f"{rng.randint(100000, 999999)}",
                "antall": 1, "antallEnhet": "STK", "kategoriNummer": iso, "kategori": cat,
                "datoUtsendelse": (start - timedelta(days=rng.randint(10, 900))).strftime(TIME_FORMAT),
                "ordrenummer": str(order_no), "artikkelStatus": "I utlån",
                "utlånsType": rng.choice("PPPFKU"), "innleveringsdato": None,
            })
            order_no += 1
    fnrs = list(state.loans)
    for n in range(23):
        hmsnr, desc, iso, cat, item_type = rng.choice(PRODUCTS)
        order = str(order_no + n // 3)
        state.upsert_line({
            "OrdreNumber": order, "LineNumber": n % 3 + 1, "ShipmentNumber": str(900_000 + n),
            "OrderedItem": hmsnr, "Description": desc, "CategoryNum": iso, "CategoryDescription": cat,
            "User_ItemType": item_type, "Quantity": 1 if item_type != "Del" else rng.randint(1, 4),
            "ShippingQuantityUom": "STK", "ShippingInstructions": rng.choice([None, "Ring før levering"]),
            "AccountNumber": rng.choice(fnrs), "SendTilAddresse1": MUNICIPAL_ADDRESS,
            "SerieNummerListe": [f"{rng.randint(100000, 999999)}"] if item_type.startswith("Individ") else [],
            "IncidentNummer": str(rng.randint(10_000_000, 99_999_999)), "ReferanseNummer": f"HMS-{rng.randint(1000, 9999)}",
            "Status": rng.choice(LINE_STATUSES),
            "LastUpdateDate": (start - timedelta(minutes=23 - n)).strftime(TIME_FORMAT),
        })


def _advance(state: FakeNavState, sak: dict) -> dict:
    """Move a case forward according to its age; never backwards."""
    age = state.clock() - datetime.strptime(sak["opprettet"], TIME_FORMAT)
    target = next((status for after, status in STATUS_AFTER if age >= after), "INNSENDT")
    if sak["status"] == "ANNULLERT" or STATUS_ORDER.index(target) <= STATUS_ORDER.index(sak["status"]):
        return sak
    sak["status"] = target
    sak["sistOppdatert"] = state.now_text()
    if sak["oebsOrdrenummer"] is None:
        sak["oebsOrdrenummer"] = str(state.next_oebs)
        state.next_oebs += 1
    if target == "SKIPNINGSBEKREFTET":
        for i, line in enumerate(sak["delbestilling"]["deler"], start=1):
            state.upsert_line({
                "OrdreNumber": sak["oebsOrdrenummer"], "LineNumber": i, "ShipmentNumber": str(sak["saksnummer"]),
                "OrderedItem": line["del"]["hmsnr"], "Description": line["del"]["navn"],
                "CategoryDescription": line["del"]["kategori"], "User_ItemType": "Del",
                "Quantity": line["antall"], "ShippingQuantityUom": "STK",
                "AccountNumber": sak["_fnr"], "SendTilAddresse1": MUNICIPAL_ADDRESS,
                "SerieNummerListe": [], "ReferanseNummer": f"hmdel_{sak['saksnummer']}", "Status": "SHIPPED",
            })
    return sak


def _public(sak: dict) -> dict:
    return {k: v for k, v in sak.items() if not k.startswith("_")}


def _validation_error(felt: str, melding: str):
    return jsonify({"valideringsfeil": [{"felt": felt, "melding": melding}]}), 400


def _validate_order(d: Any):
    if not isinstance(d, dict):
        return _validation_error("delbestilling", "mangler")
    for felt in ("hmsnr", "serienr"):
        if not isinstance(d.get(felt), str) or not SIX.match(d[felt]):
            return _validation_error(felt, "må være nøyaktig 6 siffer")
    if d.get("levering", "TIL_XK_LAGER") not in ("TIL_XK_LAGER", "TIL_SERVICE_OPPDRAG"):
        return _validation_error("levering", "ugyldig leveringsmåte")
    deler = d.get("deler")
    if not isinstance(deler, list) or not deler:
        return _validation_error("deler", "minst én del må bestilles")
    for i, line in enumerate(deler):
        part = line.get("del") if isinstance(line, dict) else None
        if not isinstance(part, dict) or not isinstance(part.get("hmsnr"), str) or not SIX.match(part["hmsnr"]):
            return _validation_error(f"deler[{i}].del.hmsnr", "må være nøyaktig 6 siffer")
        antall = line.get("antall")
        if isinstance(antall, bool) or not isinstance(antall, int) or antall < 1:
            return _validation_error(f"deler[{i}].antall", "må være minst 1")
        maks = part.get("maksAntall")
        if maks is not None:
            if isinstance(maks, bool) or not isinstance(maks, int) or maks < 1:
                return _validation_error(f"deler[{i}].del.maksAntall", "må være et heltall på minst 1")
            if antall > maks:
                return _validation_error(f"deler[{i}].antall", f"kan ikke være mer enn {maks}")
    if any(line["del"].get("kategori") == "Batteri" for line in deler) and d.get("harOpplæringPåBatteri") is not True:
        return _validation_error("harOpplæringPåBatteri", "batteri krever opplæring på batteri")
    return None


def _bad_request(message: str):
    return jsonify({"error": message}), 400


def _without_seq(record: dict) -> dict:
    return {k: v for k, v in record.items() if k != "_seq"}


def _truncated(response: Response, sock: Any) -> Response:
    """The same response, cut off: full headers (with the full Content-Length), about half the
    body, then the connection is closed -- what a client sees when a connection drops mid-page."""
    data = response.get_data()
    half = data[: len(data) // 2]

    def body() -> Iterator[bytes]:
        yield half
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    cut = Response(body(), status=response.status_code, headers=list(response.headers.items()))
    cut.headers["Content-Length"] = str(len(data))
    return cut


def _generate_lines(state: FakeNavState, count: int, fnrs: list[str], rng: random.Random) -> None:
    """``count`` synthetic order lines (1-3 lines per order) for benchmarks; fast enough for 50,000+."""
    now = state.now_text()
    rand = rng.random
    made = 0
    while made < count:
        order = state.take_order_number()
        for line_number in range(1, min(1 + int(rand() * 3), count - made) + 1):
            hmsnr, desc, iso, cat, item_type = PRODUCTS[int(rand() * len(PRODUCTS))]
            serialised = item_type == "Individstyrt hjelpemiddel"
            state.upsert_line({
                "OrdreNumber": order, "LineNumber": line_number, "ShipmentNumber": state.take_shipment_number(),
                "OrderedItem": hmsnr, "Description": desc, "CategoryNum": iso, "CategoryDescription": cat,
                "User_ItemType": item_type, "Quantity": 1 + int(rand() * 4) if item_type == "Del" else 1,
                "ShippingQuantityUom": "STK", "ShippingInstructions": None,
                "AccountNumber": fnrs[int(rand() * len(fnrs))], "SendTilAddresse1": MUNICIPAL_ADDRESS,
                "SerieNummerListe": [str(100000 + int(rand() * 900000))] if serialised else [],
                "IncidentNummer": str(10_000_000 + int(rand() * 90_000_000)),
                "ReferanseNummer": f"HMS-{1000 + int(rand() * 9000)}",
                "Status": LINE_STATUSES[int(rand() * len(LINE_STATUSES))], "LastUpdateDate": now,
            }, now)
            made += 1


def create_fake_nav(seed: int = 1, clock: Callable[[], datetime] | None = None,
                    token: str = DEFAULT_TOKEN, seq_start: int = 0, seed_data: bool = True) -> Flask:
    """A fake NAV app. Order-line sequence numbers (the cursors) start after ``seq_start``;
    ``seed_data=False`` starts with no order lines and no loans."""
    app = Flask(__name__)
    state = FakeNavState(clock=clock or FakeClock(), seed=seed, seed_data=seed_data, seq_start=seq_start)
    if seed_data:
        _seed(state, seed)
    app.extensions["fake_nav"] = state

    def feil(code: str):
        return jsonify({"feil": code}), FEIL_STATUS[code]

    @app.before_request
    def faults_and_auth():
        if request.path.startswith("/_control"):
            return None
        cfg = state.config
        with state.lock:
            state.requests_seen += 1
            n = state.requests_seen
            state.stats[f"{request.method} {request.url_rule.rule if request.url_rule else request.path}"] += 1
        if cfg["slow_ms"]:
            time.sleep(cfg["slow_ms"] / 1000)
        if cfg["fail_every"] and n % cfg["fail_every"] == 0:
            return jsonify({"error": "intern feil (simulert)"}), 500
        if cfg["drop_every"] and n % cfg["drop_every"] == 0:
            sock = request.environ.get("werkzeug.socket")
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            return jsonify({"error": "forbindelsen ble brutt (simulert)"}), 500
        if request.headers.get("Authorization") != f"Bearer {token}":
            return jsonify({"error": "unauthorized"}), 401
        return None

    @app.after_request
    def truncate_fault(response: Response) -> Response:
        every = state.config["truncate_every"]
        if not every or request.path.startswith("/_control") or not response.is_json:
            return response
        with state.lock:
            state.json_responses += 1
            n = state.json_responses
        if n % every:
            return response
        return _truncated(response, request.environ.get("werkzeug.socket"))

    # ---------------------------------------------------------------- NAV endpoints

    @app.get("/ordrelinjer")
    def order_lines():
        try:
            cursor = int(request.args.get("cursor") or 0)
            limit = int(request.args.get("limit") or 100)
        except ValueError:
            return jsonify({"error": "cursor og limit må være heltall"}), 400
        if cursor < 0:
            return jsonify({"error": "ugyldig cursor"}), 400
        if not 1 <= limit <= MAX_PAGE_LIMIT:
            return jsonify({"error": f"limit må være mellom 1 og {MAX_PAGE_LIMIT}"}), 400
        with state.lock:
            for sak in state.saker.values():
                _advance(state, sak)
            page, has_more = state.lines_after(cursor, limit)
            out = [_without_seq(r) for r in page]
            if state.config["duplicate_lines"]:
                seen = state.last_line_at_or_before(cursor)
                overlap = [_without_seq(seen)] if seen else []
                out = overlap + [x for r in out for x in (r, dict(r))]
            next_cursor = page[-1]["_seq"] if page else cursor
            # An upper bound (stale sequences count): enough for a progress bar.
            remaining = len(state.seqs) - bisect_right(state.seqs, next_cursor) if has_more else 0
        return jsonify({"ordrelinjer": out, "nextCursor": str(next_cursor), "hasMore": has_more,
                        "remaining": remaining})

    @app.post("/loans/lookup")
    def loans_lookup():
        fnr = (request.get_json(silent=True) or {}).get("fnr")
        if not valid_fnr(fnr):
            return jsonify({"error": "ugyldig fødselsnummer"}), 400
        with state.lock:
            return jsonify([loan for loan in state.loans.get(fnr, []) if loan["innleveringsdato"] is None])

    @app.post("/delbestilling")
    def delbestilling():
        key = request.headers.get("Idempotency-Key")
        if not key:
            return jsonify({"error": "Idempotency-Key mangler"}), 400
        body = request.get_json(silent=True)
        with state.lock:
            if ("delbestilling", key) in state.idempotent:
                stored_body, status, answer = state.idempotent[("delbestilling", key)]
                if stored_body != body:
                    return jsonify({"error": "Idempotency-Key er brukt med et annet innhold"}), 422
                return jsonify(answer), status
            d = body.get("delbestilling") if isinstance(body, dict) else None
            invalid = _validate_order(d)
            if invalid:
                return invalid
            forced = state.config["refuse"].get(f"{d['hmsnr']}-{d['serienr']}")
            if forced:
                return feil(forced)
            found = state.active_loan(d["hmsnr"], d["serienr"])
            if not found:
                return feil("INGET_UTLÅN")
            now = state.clock()
            recent = [s for s in state.saker.values()
                      if s["delbestilling"]["hmsnr"] == d["hmsnr"] and s["delbestilling"]["serienr"] == d["serienr"]
                      and now - datetime.strptime(s["opprettet"], TIME_FORMAT) < timedelta(hours=24)]
            if len(recent) >= MAX_ORDERS_PER_24H:
                return feil("FOR_MANGE_BESTILLINGER_SISTE_24_TIMER")
            saksnummer = state.next_saksnummer
            state.next_saksnummer += 1
            sak = {"saksnummer": saksnummer, "delbestilling": d, "opprettet": state.now_text(),
                   "status": "INNSENDT", "sistOppdatert": state.now_text(), "oebsOrdrenummer": None,
                   "brukersKommunenummer": "0301", "brukersKommunenavn": "Oslo", "_fnr": found[0]}
            state.saker[saksnummer] = sak
            answer = {"id": d.get("id"), "saksnummer": saksnummer, "delbestillingSak": _public(sak)}
            state.idempotent[("delbestilling", key)] = (body, 201, answer)
            state.successes["POST /delbestilling"] += 1
            return jsonify(answer), 201

    @app.get("/delbestilling/<int:saksnummer>")
    def delbestilling_status(saksnummer: int):
        with state.lock:
            sak = state.saker.get(saksnummer)
            if sak is None:
                return jsonify({"error": f"fant ikke sak {saksnummer}"}), 404
            return jsonify(_public(_advance(state, sak)))

    @app.post("/returns")
    def returns():
        """A device has come back: ends the NAV loan. Body: ``{"hmsnr", "serienr", "merknad",
        "beholdesForGjenbruk"}``; replays with the same Idempotency-Key get the same answer."""
        key = request.headers.get("Idempotency-Key")
        if not key:
            return jsonify({"error": "Idempotency-Key mangler"}), 400
        body = request.get_json(silent=True)
        with state.lock:
            if ("returns", key) in state.idempotent:
                stored_body, status, answer = state.idempotent[("returns", key)]
                if stored_body != body:
                    return jsonify({"error": "Idempotency-Key er brukt med et annet innhold"}), 422
                return jsonify(answer), status
            if not isinstance(body, dict):
                return _validation_error("(body)", "forventet et JSON-objekt")
            for felt in ("hmsnr", "serienr"):
                if not isinstance(body.get(felt), str) or not body[felt].strip():
                    return _validation_error(felt, "mangler")
            if not isinstance(body.get("merknad", ""), (str, type(None))):
                return _validation_error("merknad", "må være tekst")
            kept = body.get("beholdesForGjenbruk", False)
            if not isinstance(kept, bool):
                return _validation_error("beholdesForGjenbruk", "må være true eller false")
            found = state.active_loan(body["hmsnr"], body["serienr"])
            if not found:
                return feil("INGET_UTLÅN")
            fnr, loan = found
            loan["innleveringsdato"] = state.now_text()
            state.returns.append({"hmsnr": body["hmsnr"], "serienr": body["serienr"],
                                  "merknad": body.get("merknad"), "beholdesForGjenbruk": kept,
                                  "fnr": fnr, "mottatt": state.now_text()})
            answer = {"mottatt": True, "beholdesForGjenbruk": kept}
            state.idempotent[("returns", key)] = (body, 202, answer)
            state.successes["POST /returns"] += 1
            return jsonify(answer), 202

    # ---------------------------------------------------------------- control API (tests, demos)

    @app.post("/_control")
    def control():
        body = request.get_json(silent=True) or {}
        with state.lock:
            for name in ("fail_every", "slow_ms", "drop_every", "truncate_every"):
                if name in body:
                    try:
                        state.config[name] = max(0, int(body[name] or 0))
                    except (TypeError, ValueError):
                        return _bad_request(f"{name} må være et heltall")
            if "duplicate_lines" in body:
                state.config["duplicate_lines"] = bool(body["duplicate_lines"])
            if "refuse" in body:
                unknown = set((body["refuse"] or {}).values()) - set(FEIL_STATUS)
                if unknown:
                    return jsonify({"error": f"ukjente feilkoder: {sorted(unknown)}"}), 400
                state.config["refuse"] = dict(body["refuse"] or {})
            if body.get("reset_stats"):
                state.stats.clear()
                state.successes.clear()
                state.requests_seen = 0
                state.json_responses = 0
            return jsonify(state.config)

    @app.post("/_control/reset")
    def control_reset():
        with state.lock:
            state.reset()
            return jsonify({"order_lines": len(state.lines), "loans": len(state.all_loans()),
                            "last_sequence": state.seq})

    @app.get("/_control/stats")
    def control_stats():
        with state.lock:
            return jsonify({"requests": state.requests_seen, "by_endpoint": dict(state.stats),
                            "successes": dict(state.successes), "saker": len(state.saker),
                            "returns": len(state.returns), "order_lines": len(state.lines),
                            "last_sequence": state.seq})

    @app.get("/_control/returns")
    def control_returns():
        with state.lock:
            return jsonify(list(state.returns))

    @app.post("/_control/order-lines")
    def control_order_lines():
        body = request.get_json(silent=True)
        records = body if isinstance(body, list) else (body or {}).get("ordrelinjer", [])
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            return _bad_request("forventet en liste av ordrelinjer")
        with state.lock:
            try:
                for r in records:  # check them all before changing anything
                    line_key(r)
                seqs = [state.upsert_line(r) for r in records]
            except (KeyError, TypeError, ValueError) as exc:
                return jsonify({"error": f"ugyldig ordrelinje: {exc!r}"}), 400
        return jsonify({"sequences": seqs})

    @app.post("/_control/generate-order-lines")
    def control_generate_order_lines():
        body = request.get_json(silent=True) or {}
        if not isinstance(body, dict):
            return _bad_request("forventet et JSON-objekt")
        count = body.get("count")
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_GENERATED_LINES:
            return _bad_request(f"count må være et heltall mellom 1 og {MAX_GENERATED_LINES}")
        fnrs = body.get("fnrs")
        if fnrs is not None and (not isinstance(fnrs, list) or not fnrs or not all(valid_fnr(f) for f in fnrs)):
            return _bad_request("fnrs må være en ikke-tom liste av gyldige fødselsnumre")
        seed_value = body.get("seed")
        if seed_value is not None and (isinstance(seed_value, bool) or not isinstance(seed_value, int)):
            return _bad_request("seed må være et heltall")
        with state.lock:
            rng = random.Random(seed_value if seed_value is not None
                                else state.seed * 1_000_003 + state.next_order_number)
            pool = fnrs or [make_fnr(rng) for _ in range(min(count, 200))]
            _generate_lines(state, count, pool, rng)
            return jsonify({"count": count, "last_sequence": state.seq})

    @app.post("/_control/loans")
    def control_loans():
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return _bad_request("forventet {\"fnr\": ..., \"loans\": [...]}")
        fnr, records = body.get("fnr"), body.get("loans")
        if not valid_fnr(fnr):
            return _bad_request("ugyldig fødselsnummer")
        if not isinstance(records, list) or not records:
            return _bad_request("loans må være en ikke-tom liste av utlån")
        added = []
        for i, record in enumerate(records):
            if not isinstance(record, dict):
                return _bad_request(f"loans[{i}] må være et objekt")
            artikkel = record.get("artikkelNr")
            if not isinstance(artikkel, (str, int)) or isinstance(artikkel, bool) or not str(artikkel).strip():
                return _bad_request(f"loans[{i}].artikkelNr mangler")
            serie = record.get("serieNr")
            added.append({
                "artikkelNr": str(artikkel).strip(), "artikkelBeskrivelse": record.get("artikkelBeskrivelse"),
                "serieNr": None if serie in (None, "") else str(serie).strip(),
                "antall": record.get("antall", 1), "antallEnhet": record.get("antallEnhet", "STK"),
                "kategoriNummer": record.get("kategoriNummer"), "kategori": record.get("kategori"),
                "datoUtsendelse": record.get("datoUtsendelse") or state.now_text(),
                "ordrenummer": None if record.get("ordrenummer") is None else str(record["ordrenummer"]),
                "artikkelStatus": record.get("artikkelStatus") or "I utlån",
                "utlånsType": record.get("utlånsType") or "P", "innleveringsdato": None,
            })
        with state.lock:
            state.loans.setdefault(fnr, []).extend(added)
        return jsonify({"fnr": fnr, "loans": added}), 201

    @app.post("/_control/approve")
    def control_approve():
        """NAV approves a long-term loan: an order line on its way to the municipality and an
        active loan for the citizen, for the same device."""
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return _bad_request("forventet et JSON-objekt")
        fnr, hmsnr, description = body.get("fnr"), body.get("hmsnr"), body.get("description")
        category_num, serienr = body.get("category_num"), body.get("serienr")
        ordre_number, status = body.get("ordre_number"), body.get("status", "BOOKED")
        if not valid_fnr(fnr):
            return _bad_request("ugyldig fødselsnummer")
        if not isinstance(hmsnr, str) or not SIX.match(hmsnr):
            return _bad_request("hmsnr må være nøyaktig 6 siffer")
        if not isinstance(description, str) or not description.strip():
            return _bad_request("description mangler")
        if category_num is not None and (not isinstance(category_num, str) or not re.fullmatch(r"\d{8}", category_num)):
            return _bad_request("category_num må være nøyaktig 8 siffer")
        if serienr is not None and (not isinstance(serienr, str) or not SIX.match(serienr)):
            return _bad_request("serienr må være nøyaktig 6 siffer")
        if ordre_number is not None and (isinstance(ordre_number, bool) or not str(ordre_number).strip()):
            return _bad_request("ordre_number er ugyldig")
        if not isinstance(status, str) or not status.strip():
            return _bad_request("status må være tekst")
        with state.lock:
            if serienr is None:
                rng = random.Random(f"{state.seed}-{state.next_shipment}-{hmsnr}")
                serienr = f"{rng.randint(100000, 999999)}"
                while state.active_loan(hmsnr, serienr):
                    serienr = f"{rng.randint(100000, 999999)}"
            elif state.active_loan(hmsnr, serienr):
                return jsonify({"error": f"hjelpemiddel {hmsnr} med serienr {serienr} er allerede utlånt"}), 409
            ordre = str(ordre_number).strip() if ordre_number is not None else state.take_order_number()
            state.next_reference += 1
            now = state.now_text()
            state.upsert_line({
                "OrdreNumber": ordre, "LineNumber": 1, "ShipmentNumber": state.take_shipment_number(),
                "OrderedItem": hmsnr, "Description": description.strip(), "CategoryNum": category_num,
                "CategoryDescription": body.get("category_description"),
                "User_ItemType": "Individstyrt hjelpemiddel", "Quantity": 1, "ShippingQuantityUom": "STK",
                "ShippingInstructions": None, "AccountNumber": fnr, "SendTilAddresse1": MUNICIPAL_ADDRESS,
                "SerieNummerListe": [serienr], "IncidentNummer": None,
                "ReferanseNummer": f"HMS-{state.next_reference}", "Status": status.strip(), "LastUpdateDate": now,
            }, now)
            record = state.lines[state.seq_keys[state.seq]]
            loan = {"artikkelNr": hmsnr, "artikkelBeskrivelse": description.strip(), "serieNr": serienr,
                    "antall": 1, "antallEnhet": "STK", "kategoriNummer": category_num,
                    "kategori": body.get("category_description"), "datoUtsendelse": now,
                    "ordrenummer": ordre, "artikkelStatus": "I utlån", "utlånsType": "P",
                    "innleveringsdato": None}
            state.loans.setdefault(fnr, []).append(loan)
            return jsonify({"ordrelinje": _without_seq(record), "loan": dict(loan)}), 201

    @app.post("/_control/clock")
    def control_clock():
        minutes = float((request.get_json(silent=True) or {}).get("advance_minutes", 0))
        if not hasattr(state.clock, "advance"):
            return jsonify({"error": "klokken kan ikke styres"}), 400
        return jsonify({"now": state.clock.advance(minutes=minutes).strftime(TIME_FORMAT)})

    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Fake NAV server for development and tests")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--empty", action="store_true", help="start with no order lines and no loans")
    args = parser.parse_args(argv)
    # Sequence numbers start at the current time in ms, so a restarted fake keeps a stored cursor moving forward.
    app = create_fake_nav(seed=args.seed, clock=WallClock(datetime.now().replace(microsecond=0)), token=args.token,
                          seq_start=int(time.time() * 1000), seed_data=not args.empty)
    # werkzeug directly: Flask's app.run() refuses to start inside the `hjelpemiddel` (flask) CLI.
    run_simple(args.host, args.port, app, threaded=True)


if __name__ == "__main__":
    main()
