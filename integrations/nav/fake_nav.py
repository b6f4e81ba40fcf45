"""The fake NAV itself: its state and every rule it follows, as plain methods.

NAV's side (what ``integrations.nav.port`` asks for) takes and answers NAV's wire records and
refuses with the port's errors: ``NavRefused`` for a ``{"feil": CODE}``, ``PartOrderInvalid`` /
``ApplicationInvalid`` / ``RecordInvalid`` for ``{"valideringsfeil": [...]}``, ``NavRequestError``
for any other 4xx. The rules are the port's own (``validate_part_order``, ``check_order_rate``,
``validate_return``, ``validate_application``). The HTTP server (``fake_server``) and
``InMemoryNav`` (``memory``) are two ways in to the same methods.

Beside this module: applications (søknader) in ``fake_soknad``, the control side (approve, loans,
order lines, configuration, clock, reset) in ``fake_control``, both mixed into ``FakeNavState``;
locking, lazy case moves and saving in ``fake_store``; clocks and synthetic data in ``fake_data``.
"""
from __future__ import annotations

import threading
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable

from .fake_control import ControlOperations
from .fake_data import MUNICIPAL_ADDRESS, TIME_FORMAT, line_key, parse_time, public, seed_state
from .fake_soknad import ApplicationCases
from .fake_store import StateFile, operation, restore, snapshot
from .port import (
    FEIL_HTTP_STATUS, Delbestilling, NavRefused, NavRequestError, PartOrderInvalid, RecordInvalid, check_order_rate,
    valid_fnr, validate_part_order, validate_return,
)

STATUS_ORDER = ["INNSENDT", "REGISTRERT", "KLARGJORT", "DELVIS_SKIPNINGSBEKREFTET", "SKIPNINGSBEKREFTET"]
PART_ORDER_DONE = ("SKIPNINGSBEKREFTET", "ANNULLERT")
# Age of a part-order case at which it reaches each status.
STATUS_AFTER = [(timedelta(hours=24), "SKIPNINGSBEKREFTET"), (timedelta(hours=2), "KLARGJORT"),
                (timedelta(minutes=5), "REGISTRERT")]
MAX_PAGE_LIMIT = 1000


def refusal(code: str) -> NavRefused:
    return NavRefused.for_code(code, FEIL_HTTP_STATUS[code])


def _default_config() -> dict:
    return {"fail_every": 0, "slow_ms": 0, "drop_every": 0, "truncate_every": 0, "duplicate_lines": False,
            "refuse": {}, "decide_after_minutes": 2, "ship_after_minutes": 60, "refuse_applications": []}


@dataclass
class FakeNavState(ApplicationCases, ControlOperations):
    clock: Callable[[], datetime]
    seed: int = 1
    seed_data: bool = True
    seq_start: int = 0
    store: StateFile | None = None
    lines: dict[tuple[str, int, str], dict] = field(default_factory=dict)  # key -> record incl. "_seq"
    seq: int = 0
    # Paging index: every sequence number ever handed out, in order (append-only, so sorted), and the
    # key of each sequence that is still a line's current version. A sequence missing from
    # ``seq_keys`` is stale (its line was upserted again later) and is skipped.
    seqs: list[int] = field(default_factory=list)
    seq_keys: dict[int, tuple[str, int, str]] = field(default_factory=dict)
    loans: dict[str, list[dict]] = field(default_factory=dict)  # fnr -> loans
    saker: dict[int, dict] = field(default_factory=dict)  # part-order cases
    soknader: dict[int, dict] = field(default_factory=dict)  # applications
    next_saksnummer: int = 1000
    next_soknad_saksnummer: int = 100_000
    next_oebs: int = 7_100_000
    next_order_number: int = 5_000_000  # approved / generated orders
    next_shipment: int = 1_000_000
    next_reference: int = 20_000
    idempotent: dict[tuple[str, str], tuple[Any, Any]] = field(default_factory=dict)  # (endpoint, key) -> (body, answer)
    returns: list[dict] = field(default_factory=list)
    config: dict = field(default_factory=_default_config)
    requests_seen: int = 0
    json_responses: int = 0  # counts answers for ``truncate_every``
    by_endpoint: Counter = field(default_factory=Counter)
    successes: Counter = field(default_factory=Counter)
    lock: threading.RLock = field(default_factory=threading.RLock)
    _depth: int = 0
    _dirty: bool = False

    def __post_init__(self) -> None:
        self.seq = max(self.seq, self.seq_start)

    @classmethod
    def open(cls, clock: Callable[[], datetime], *, seed: int = 1, seed_data: bool = True, seq_start: int = 0,
             state_file: str | None = None) -> "FakeNavState":
        """A fake NAV's state: what ``state_file`` holds when it exists; else seeded (unless
        ``seed_data`` is false), and saved there when a file is named."""
        store = StateFile(state_file) if state_file else None
        state = cls(clock=clock, seed=seed, seed_data=seed_data, seq_start=seq_start, store=store)
        saved = store.load() if store else None
        if saved is not None:
            restore(state, saved)
            return state
        if seed_data:
            seed_state(state, seed)
        if store:
            store.save(snapshot(state))
        return state

    # ---------------------------------------------------------------- plumbing

    def now_text(self) -> str:
        return self.clock().strftime(TIME_FORMAT)

    def take_order_number(self) -> str:
        self.next_order_number += 1
        return str(self.next_order_number)

    def take_shipment_number(self) -> str:
        self.next_shipment += 1
        return str(self.next_shipment)

    def count_request(self, endpoint: str) -> int:
        """Traffic counter for the HTTP server's faults and ``stats``; returns the request's number."""
        with self.lock:
            self.requests_seen += 1
            self.by_endpoint[endpoint] += 1
            return self.requests_seen

    def count_json_response(self) -> int:
        with self.lock:
            self.json_responses += 1
            return self.json_responses

    def _replay(self, endpoint: str, idempotency_key: str | None, body: Any) -> Any:
        """The answer already given for this key, or None. The same key with another body is refused."""
        if not idempotency_key:
            raise NavRequestError(400, "Idempotency-Key mangler")
        stored = self.idempotent.get((endpoint, idempotency_key))
        if stored is None:
            return None
        if stored[0] != body:
            raise NavRequestError(422, "Idempotency-Key er brukt med et annet innhold")
        return stored[1]

    @staticmethod
    def _unwrap(body: Any, envelope: str, invalid: type[RecordInvalid]) -> dict:
        """The record inside NAV's envelope (``{"delbestilling": {...}}``, ``{"soknad": {...}}``)."""
        record = body.get(envelope) if isinstance(body, dict) else None
        if not isinstance(record, dict):
            raise invalid(envelope, "mangler")
        return record

    def _remember(self, endpoint: str, idempotency_key: str, body: Any, answer: Any) -> None:
        self.idempotent[(endpoint, idempotency_key)] = (body, answer)
        self.successes[f"POST /{endpoint}"] += 1

    # ---------------------------------------------------------------- order lines

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

    @operation(changes=False)
    def order_lines_page(self, cursor: Any = None, limit: Any = None) -> dict:
        """``GET /ordrelinjer``: lines changed after ``cursor`` (a sequence number), ``limit`` at most."""
        try:
            cursor, limit = int(cursor or 0), int(limit or 100)
        except (TypeError, ValueError):
            raise NavRequestError(400, "cursor og limit må være heltall") from None
        if cursor < 0:
            raise NavRequestError(400, "ugyldig cursor")
        if not 1 <= limit <= MAX_PAGE_LIMIT:
            raise NavRequestError(400, f"limit må være mellom 1 og {MAX_PAGE_LIMIT}")
        page, has_more = self.lines_after(cursor, limit)
        out = [public(r) for r in page]
        if self.config["duplicate_lines"]:  # NAV sending a line again: the one before the cursor, and each twice
            seen = self.last_line_at_or_before(cursor)
            out = ([public(seen)] if seen else []) + [x for r in out for x in (r, dict(r))]
        next_cursor = page[-1]["_seq"] if page else cursor
        # An upper bound (stale sequences count): enough for a progress bar.
        remaining = len(self.seqs) - bisect_right(self.seqs, next_cursor) if has_more else 0
        return {"ordrelinjer": out, "nextCursor": str(next_cursor), "hasMore": has_more, "remaining": remaining}

    # ---------------------------------------------------------------- loans and returns

    def active_loan(self, hmsnr: str, serienr: str) -> tuple[str, dict] | None:
        for fnr, loans in self.loans.items():
            for loan in loans:
                if (loan.get("artikkelNr") == hmsnr and loan.get("serieNr") == serienr
                        and loan.get("innleveringsdato") is None):
                    return fnr, loan
        return None

    def all_loans(self) -> list[tuple[str, dict]]:
        return [(fnr, loan) for fnr, loans in self.loans.items() for loan in loans]

    @operation(changes=False)
    def citizen_loans(self, fnr: Any) -> list[dict]:
        """``POST /loans/lookup``: the citizen's active loans."""
        if not valid_fnr(fnr):
            raise NavRequestError(400, "ugyldig fødselsnummer")
        return [dict(loan) for loan in self.loans.get(fnr, []) if loan["innleveringsdato"] is None]

    @operation(changes=True)
    def report_return(self, body: Any, idempotency_key: str | None) -> dict:
        """``POST /returns``: a device has come back; ends its loan."""
        answer = self._replay("returns", idempotency_key, body)
        if answer is not None:
            return answer
        validate_return(body)
        found = self.active_loan(body["hmsnr"], body["serienr"])
        if not found:
            raise refusal("INGET_UTLÅN")
        fnr, loan = found
        kept = body.get("beholdesForGjenbruk", False)
        loan["innleveringsdato"] = self.now_text()
        self.returns.append({"hmsnr": body["hmsnr"], "serienr": body["serienr"], "merknad": body.get("merknad"),
                             "beholdesForGjenbruk": kept, "fnr": fnr, "mottatt": self.now_text()})
        answer = {"mottatt": True, "beholdesForGjenbruk": kept}
        self._remember("returns", idempotency_key, body, answer)
        return answer

    # ---------------------------------------------------------------- part orders (delbestilling)

    @operation(changes=True)
    def submit_part_order(self, body: Any, idempotency_key: str | None) -> dict:
        """``POST /delbestilling``: NAV's rules, then a case (``INNSENDT``)."""
        answer = self._replay("delbestilling", idempotency_key, body)
        if answer is not None:
            return answer
        d = self._unwrap(body, "delbestilling", PartOrderInvalid)
        validate_part_order(Delbestilling.from_wire(body))
        forced = self.config["refuse"].get(f"{d['hmsnr']}-{d['serienr']}")
        if forced:
            raise refusal(forced)
        found = self.active_loan(d["hmsnr"], d["serienr"])
        if not found:
            raise refusal("INGET_UTLÅN")
        check_order_rate([parse_time(s["opprettet"]) for s in self.saker.values()
                          if (s["delbestilling"]["hmsnr"], s["delbestilling"]["serienr"]) == (d["hmsnr"], d["serienr"])],
                         self.clock())
        saksnummer = self.next_saksnummer
        self.next_saksnummer += 1
        sak = {"saksnummer": saksnummer, "delbestilling": d, "opprettet": self.now_text(),
               "status": "INNSENDT", "sistOppdatert": self.now_text(), "oebsOrdrenummer": None,
               "brukersKommunenummer": "0301", "brukersKommunenavn": "Oslo", "_fnr": found[0]}
        self.saker[saksnummer] = sak
        answer = {"id": d.get("id"), "saksnummer": saksnummer, "delbestillingSak": public(sak)}
        self._remember("delbestilling", idempotency_key, body, answer)
        return answer

    @operation(changes=False)
    def part_order_status(self, saksnummer: int) -> dict:
        """``GET /delbestilling/<saksnummer>``."""
        sak = self.saker.get(saksnummer)
        if sak is None:
            raise NavRequestError(404, f"fant ikke sak {saksnummer}")
        return public(sak)

    def advance_cases(self) -> None:
        """Move every open case on to where its age says it is (never backwards)."""
        now = self.clock()
        changed = False
        for sak in self.saker.values():
            changed |= self._advance_part_order(sak, now)
        changed |= self._advance_applications(now)
        self._dirty |= changed

    def _advance_part_order(self, sak: dict, now: datetime) -> bool:
        if sak["status"] in PART_ORDER_DONE:
            return False
        age = now - parse_time(sak["opprettet"])
        target = next((status for after, status in STATUS_AFTER if age >= after), "INNSENDT")
        if STATUS_ORDER.index(target) <= STATUS_ORDER.index(sak["status"]):
            return False
        now_text = now.strftime(TIME_FORMAT)
        sak["status"], sak["sistOppdatert"] = target, now_text
        if sak["oebsOrdrenummer"] is None:
            sak["oebsOrdrenummer"] = str(self.next_oebs)
            self.next_oebs += 1
        if target == "SKIPNINGSBEKREFTET":
            for i, line in enumerate(sak["delbestilling"]["deler"], start=1):
                self.upsert_line({
                    "OrdreNumber": sak["oebsOrdrenummer"], "LineNumber": i, "ShipmentNumber": str(sak["saksnummer"]),
                    "OrderedItem": line["del"]["hmsnr"], "Description": line["del"]["navn"],
                    "CategoryDescription": line["del"]["kategori"], "User_ItemType": "Del",
                    "Quantity": line["antall"], "ShippingQuantityUom": "STK",
                    "AccountNumber": sak["_fnr"], "SendTilAddresse1": MUNICIPAL_ADDRESS,
                    "SerieNummerListe": [], "ReferanseNummer": f"hmdel_{sak['saksnummer']}", "Status": "SHIPPED",
                }, now_text)
        return True
