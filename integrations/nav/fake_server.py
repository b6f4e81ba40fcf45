"""A fake NAV for development and tests: NAV's endpoints over seeded in-memory data.

It enforces NAV's spare-part rules with NAV's error codes, moves case statuses forward as its clock
advances, and can be told (``POST /_control``) to be slow, fail with 500s, drop connections, or
return duplicate order lines. Run on its own::

    python -m integrations.nav.fake_server --port 8099 [--token fake-nav-token] [--seed 1]
"""
from __future__ import annotations

import argparse
import random
import re
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable

from flask import Flask, jsonify, request

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
        self._now = start or datetime(2024, 3, 4, 8, 0, 0)
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, **delta: float) -> datetime:
        with self._lock:
            self._now += timedelta(**delta)
            return self._now


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


@dataclass
class FakeNavState:
    clock: Callable[[], datetime]
    lines: dict[tuple[str, int], dict] = field(default_factory=dict)  # key -> record incl. "_seq"
    seq: int = 0
    loans: dict[str, list[dict]] = field(default_factory=dict)  # fnr -> loans
    saker: dict[int, dict] = field(default_factory=dict)
    next_saksnummer: int = 1000
    next_oebs: int = 7_100_000
    idempotent: dict[str, tuple[Any, int, dict]] = field(default_factory=dict)  # key -> (body, status, answer)
    returns: list[dict] = field(default_factory=list)
    config: dict = field(default_factory=lambda: {"fail_every": 0, "slow_ms": 0, "drop_every": 0,
                                                  "duplicate_lines": False, "refuse": {}})
    requests_seen: int = 0
    stats: Counter = field(default_factory=Counter)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def now_text(self) -> str:
        return self.clock().strftime(TIME_FORMAT)

    def upsert_line(self, record: dict) -> int:
        key = (str(record["OrdreNumber"]), int(record["LineNumber"]))
        current = self.lines.get(key, {})
        self.seq += 1
        merged = {**current, **record, "LineNumber": key[1], "OrdreNumber": key[0], "_seq": self.seq}
        merged.setdefault("LastUpdateDate", self.now_text())
        if current and "LastUpdateDate" not in record:
            merged["LastUpdateDate"] = self.now_text()
        self.lines[key] = merged
        return self.seq

    def active_loan(self, hmsnr: str, serienr: str) -> tuple[str, dict] | None:
        for fnr, loans in self.loans.items():
            for loan in loans:
                if loan["artikkelNr"] == hmsnr and loan["serieNr"] == serienr and loan["innleveringsdato"] is None:
                    return fnr, loan
        return None

    def all_loans(self) -> list[tuple[str, dict]]:
        return [(fnr, loan) for fnr, loans in self.loans.items() for loan in loans]


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
            "AccountNumber": rng.choice(fnrs), "SendTilAddresse1": "0301 Hjelpemiddellageret, Ulvenveien 1",
            "SerieNummerListe": [f"{rng.randint(100000, 999999)}"] if item_type.startswith("Individ") else [],
            "IncidentNummer": str(rng.randint(10_000_000, 99_999_999)), "ReferanseNummer": f"HMS-{rng.randint(1000, 9999)}",
            "Status": rng.choice(["AWAITING_SHIPPING", "SHIPPED", "BOOKED"]),
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
                "AccountNumber": sak["_fnr"], "SendTilAddresse1": "0301 Hjelpemiddellageret, Ulvenveien 1",
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
    if any(line["del"].get("kategori") == "Batteri" for line in deler) and d.get("harOpplæringPåBatteri") is not True:
        return _validation_error("harOpplæringPåBatteri", "batteri krever opplæring på batteri")
    return None


def create_fake_nav(seed: int = 1, clock: Callable[[], datetime] | None = None,
                    token: str = DEFAULT_TOKEN) -> Flask:
    app = Flask(__name__)
    state = FakeNavState(clock=clock or FakeClock())
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

    # ---------------------------------------------------------------- NAV endpoints

    @app.get("/ordrelinjer")
    def order_lines():
        try:
            cursor = int(request.args.get("cursor") or 0)
            limit = int(request.args.get("limit") or 100)
        except ValueError:
            return jsonify({"error": "cursor og limit må være heltall"}), 400
        if cursor < 0 or not 1 <= limit <= 500:
            return jsonify({"error": "ugyldig cursor eller limit"}), 400
        with state.lock:
            for sak in state.saker.values():
                _advance(state, sak)
            changed = sorted((r for r in state.lines.values() if r["_seq"] > cursor), key=lambda r: r["_seq"])
            page, has_more = changed[:limit], len(changed) > limit
            out = [{k: v for k, v in r.items() if k != "_seq"} for r in page]
            if state.config["duplicate_lines"]:
                seen = [r for r in state.lines.values() if r["_seq"] <= cursor]
                overlap = [max(seen, key=lambda r: r["_seq"])] if seen else []
                out = [{k: v for k, v in r.items() if k != "_seq"} for r in overlap] + [x for r in out for x in (r, dict(r))]
            next_cursor = page[-1]["_seq"] if page else cursor
        return jsonify({"ordrelinjer": out, "nextCursor": str(next_cursor), "hasMore": has_more})

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
            if key in state.idempotent:
                stored_body, status, answer = state.idempotent[key]
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
            state.idempotent[key] = (body, 201, answer)
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
        key = request.headers.get("Idempotency-Key")
        body = request.get_json(silent=True) or {}
        with state.lock:
            if key and key in state.idempotent:
                return jsonify(state.idempotent[key][2]), state.idempotent[key][1]
            for felt in ("hmsnr", "serienr"):
                if not isinstance(body.get(felt), str) or not body[felt].strip():
                    return _validation_error(felt, "mangler")
            found = state.active_loan(body["hmsnr"], body["serienr"])
            if not found:
                return feil("INGET_UTLÅN")
            found[1]["innleveringsdato"] = state.now_text()
            state.returns.append({**body, "fnr": found[0], "mottatt": state.now_text()})
            answer = {"mottatt": True}
            if key:
                state.idempotent[key] = (body, 202, answer)
            return jsonify(answer), 202

    # ---------------------------------------------------------------- control API (tests, demos)

    @app.post("/_control")
    def control():
        body = request.get_json(silent=True) or {}
        with state.lock:
            for name in ("fail_every", "slow_ms", "drop_every"):
                if name in body:
                    state.config[name] = max(0, int(body[name] or 0))
            if "duplicate_lines" in body:
                state.config["duplicate_lines"] = bool(body["duplicate_lines"])
            if "refuse" in body:
                unknown = set((body["refuse"] or {}).values()) - set(FEIL_STATUS)
                if unknown:
                    return jsonify({"error": f"ukjente feilkoder: {sorted(unknown)}"}), 400
                state.config["refuse"] = dict(body["refuse"] or {})
            if body.get("reset_stats"):
                state.stats.clear()
                state.requests_seen = 0
            return jsonify(state.config)

    @app.get("/_control/stats")
    def control_stats():
        with state.lock:
            return jsonify({"requests": state.requests_seen, "by_endpoint": dict(state.stats),
                            "saker": len(state.saker), "returns": len(state.returns)})

    @app.post("/_control/order-lines")
    def control_order_lines():
        body = request.get_json(silent=True)
        records = body if isinstance(body, list) else (body or {}).get("ordrelinjer", [])
        with state.lock:
            try:
                seqs = [state.upsert_line(r) for r in records]
            except (KeyError, TypeError, ValueError) as exc:
                return jsonify({"error": f"ugyldig ordrelinje: {exc!r}"}), 400
        return jsonify({"sequences": seqs})

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
    args = parser.parse_args(argv)
    app = create_fake_nav(seed=args.seed, clock=FakeClock(datetime.now().replace(microsecond=0)), token=args.token)
    app.run(host=args.host, port=args.port, threaded=True)


if __name__ == "__main__":
    main()
