"""The fake NAV's control side, as methods of its state: what tests and the demo tell it NAV knows
(approved loans, loans at home, order lines) and how the fake itself behaves (faults, forced
refusals, the application timeline, its clock, a reset)."""
from __future__ import annotations

import random
import re
from dataclasses import fields
from typing import TYPE_CHECKING, Any

from .fake_data import INDIVIDUAL, MUNICIPAL_ADDRESS, TIME_FORMAT, generate_lines, line_key, make_fnr, public, seed_state
from .fake_soknad import application_settings
from .fake_store import operation
from .port import FEIL_HTTP_STATUS, SIX_DIGITS, NavRequestError, valid_fnr

if TYPE_CHECKING:
    from .fake_nav import FakeNavState

EIGHT_DIGITS = re.compile(r"\d{8}")
MAX_GENERATED_LINES = 500_000
FAULTS = ("fail_every", "slow_ms", "drop_every", "truncate_every")
# What a reset leaves as it is: how the fake was started, and its plumbing.
KEPT_ON_RESET = {"clock", "seed", "seed_data", "seq_start", "store", "lock", "_depth", "_dirty"}


class ControlOperations:
    """Mixed into ``FakeNavState``."""

    def _deliver(self: "FakeNavState", fnr: str, hmsnr: str, description: str, category_num: str | None,
                 category_description: str | None, serienr: str | None, ordre: str, line_number: int,
                 status: str, referanse: str, now: str) -> tuple[dict, dict]:
        """NAV sends one unit on long-term loan: an order line to the municipality and an active loan
        for the citizen (a free serial number is picked when none is given)."""
        if serienr is None:
            rng = random.Random(f"{self.seed}-{self.next_shipment}-{hmsnr}")
            serienr = f"{rng.randint(100000, 999999)}"
            while self.active_loan(hmsnr, serienr):
                serienr = f"{rng.randint(100000, 999999)}"
        seq = self.upsert_line({
            "OrdreNumber": ordre, "LineNumber": line_number, "ShipmentNumber": self.take_shipment_number(),
            "OrderedItem": hmsnr, "Description": description, "CategoryNum": category_num,
            "CategoryDescription": category_description, "User_ItemType": INDIVIDUAL, "Quantity": 1,
            "ShippingQuantityUom": "STK", "ShippingInstructions": None, "AccountNumber": fnr,
            "SendTilAddresse1": MUNICIPAL_ADDRESS, "SerieNummerListe": [serienr], "IncidentNummer": None,
            "ReferanseNummer": referanse, "Status": status, "LastUpdateDate": now,
        }, now)
        loan = {"artikkelNr": hmsnr, "artikkelBeskrivelse": description, "serieNr": serienr, "antall": 1,
                "antallEnhet": "STK", "kategoriNummer": category_num, "kategori": category_description,
                "datoUtsendelse": now, "ordrenummer": ordre, "artikkelStatus": "I utlån", "utlånsType": "P",
                "innleveringsdato": None}
        self.loans.setdefault(fnr, []).append(loan)
        return public(self.lines[self.seq_keys[seq]]), dict(loan)

    @operation(changes=True)
    def approve(self: "FakeNavState", fnr: Any, hmsnr: Any, description: Any, category_num: Any = None,
                category_description: Any = None, serienr: Any = None, ordre_number: Any = None,
                status: Any = "BOOKED") -> dict:
        """NAV approves a long-term loan of one device: ``{"ordrelinje", "loan"}``."""
        if not valid_fnr(fnr):
            raise NavRequestError(400, "ugyldig fødselsnummer")
        if not isinstance(hmsnr, str) or not SIX_DIGITS.match(hmsnr):
            raise NavRequestError(400, "hmsnr må være nøyaktig 6 siffer")
        if not isinstance(description, str) or not description.strip():
            raise NavRequestError(400, "description mangler")
        if category_num is not None and not (isinstance(category_num, str) and EIGHT_DIGITS.fullmatch(category_num)):
            raise NavRequestError(400, "category_num må være nøyaktig 8 siffer")
        if serienr is not None and (not isinstance(serienr, str) or not SIX_DIGITS.match(serienr)):
            raise NavRequestError(400, "serienr må være nøyaktig 6 siffer")
        if ordre_number is not None and (isinstance(ordre_number, bool) or not str(ordre_number).strip()):
            raise NavRequestError(400, "ordre_number er ugyldig")
        if not isinstance(status, str) or not status.strip():
            raise NavRequestError(400, "status må være tekst")
        if serienr is not None and self.active_loan(hmsnr, serienr):
            raise NavRequestError(409, f"hjelpemiddel {hmsnr} med serienr {serienr} er allerede utlånt")
        ordre = str(ordre_number).strip() if ordre_number is not None else self.take_order_number()
        self.next_reference += 1
        record, loan = self._deliver(fnr, hmsnr, description.strip(), category_num, category_description, serienr,
                                     ordre, 1, status.strip(), f"HMS-{self.next_reference}", self.now_text())
        return {"ordrelinje": record, "loan": loan}

    @operation(changes=True)
    def add_loans(self: "FakeNavState", fnr: Any, loans: Any) -> dict:
        """Devices the citizen already has on loan from NAV. A device already on an active loan is
        not added twice (the demo tells the fake again on every start)."""
        if not valid_fnr(fnr):
            raise NavRequestError(400, "ugyldig fødselsnummer")
        if not isinstance(loans, list) or not loans:
            raise NavRequestError(400, "loans må være en ikke-tom liste av utlån")
        added = []
        for i, record in enumerate(loans):
            if not isinstance(record, dict):
                raise NavRequestError(400, f"loans[{i}] må være et objekt")
            artikkel = record.get("artikkelNr")
            if not isinstance(artikkel, (str, int)) or isinstance(artikkel, bool) or not str(artikkel).strip():
                raise NavRequestError(400, f"loans[{i}].artikkelNr mangler")
            serie = record.get("serieNr")
            added.append({
                "artikkelNr": str(artikkel).strip(), "artikkelBeskrivelse": record.get("artikkelBeskrivelse"),
                "serieNr": None if serie in (None, "") else str(serie).strip(),
                "antall": record.get("antall", 1), "antallEnhet": record.get("antallEnhet", "STK"),
                "kategoriNummer": record.get("kategoriNummer"), "kategori": record.get("kategori"),
                "datoUtsendelse": record.get("datoUtsendelse") or self.now_text(),
                "ordrenummer": None if record.get("ordrenummer") is None else str(record["ordrenummer"]),
                "artikkelStatus": record.get("artikkelStatus") or "I utlån",
                "utlånsType": record.get("utlånsType") or "P", "innleveringsdato": None,
            })
        added = [loan for loan in added
                 if loan["serieNr"] is None or not self.active_loan(loan["artikkelNr"], loan["serieNr"])]
        self.loans.setdefault(fnr, []).extend(added)
        return {"fnr": fnr, "loans": [dict(loan) for loan in added]}

    @operation(changes=True)
    def upsert_order_lines(self: "FakeNavState", records: Any) -> dict:
        """Order lines as NAV would send them, new or updated (each gets a new sequence number)."""
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise NavRequestError(400, "forventet en liste av ordrelinjer")
        try:
            for r in records:  # check them all before changing anything
                line_key(r)
        except (KeyError, TypeError, ValueError) as exc:
            raise NavRequestError(400, f"ugyldig ordrelinje: {exc!r}") from None
        return {"sequences": [self.upsert_line(r) for r in records]}

    @operation(changes=True)
    def generate_order_lines(self: "FakeNavState", count: Any, fnrs: Any = None, seed: Any = None) -> dict:
        """``count`` synthetic order lines for the citizens ``fnrs`` (or made-up ones)."""
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_GENERATED_LINES:
            raise NavRequestError(400, f"count må være et heltall mellom 1 og {MAX_GENERATED_LINES}")
        if fnrs is not None and (not isinstance(fnrs, list) or not fnrs or not all(valid_fnr(f) for f in fnrs)):
            raise NavRequestError(400, "fnrs må være en ikke-tom liste av gyldige fødselsnumre")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise NavRequestError(400, "seed må være et heltall")
        rng = random.Random(seed if seed is not None else self.seed * 1_000_003 + self.next_order_number)
        generate_lines(self, count, fnrs or [make_fnr(rng) for _ in range(min(count, 200))], rng)
        return {"count": count, "last_sequence": self.seq}

    # ---------------------------------------------------------------- control: the fake itself

    @operation(changes=False)
    def configure(self: "FakeNavState", settings: Any) -> dict:
        """Faults (``fail_every``, ``slow_ms``, ``drop_every``, ``truncate_every``, ``duplicate_lines``),
        forced refusals (``refuse``: ``{"<hmsnr>-<serienr>": FEIL}``), the application timeline
        (``decide_after_minutes``, ``ship_after_minutes``, ``refuse_applications``) and ``reset_stats``.
        Checks everything before changing anything; answers the whole configuration."""
        settings = settings if isinstance(settings, dict) else {}
        changes = {}
        for name in FAULTS:
            if name in settings:
                try:
                    changes[name] = max(0, int(settings[name] or 0))
                except (TypeError, ValueError):
                    raise NavRequestError(400, f"{name} må være et heltall") from None
        if "duplicate_lines" in settings:
            changes["duplicate_lines"] = bool(settings["duplicate_lines"])
        if "refuse" in settings:
            refuse = settings["refuse"] or {}
            if not isinstance(refuse, dict):
                raise NavRequestError(400, "refuse må være et objekt")
            unknown = set(refuse.values()) - set(FEIL_HTTP_STATUS)
            if unknown:
                raise NavRequestError(400, f"ukjente feilkoder: {sorted(unknown)}")
            changes["refuse"] = dict(refuse)
        changes.update(application_settings(settings))
        self.config.update(changes)
        if settings.get("reset_stats"):
            self.by_endpoint.clear()
            self.successes.clear()
            self.requests_seen = self.json_responses = 0
        return dict(self.config)

    @operation(changes=True)
    def reset(self: "FakeNavState") -> dict:
        """Back to the initial (seeded) state. Sequence numbers are not reused, so cursors stay valid."""
        if hasattr(self.clock, "reset"):
            self.clock.reset()
        fresh = type(self)(clock=self.clock, seed=self.seed, seed_data=self.seed_data, seq_start=self.seq)
        for name in {f.name for f in fields(self)} - KEPT_ON_RESET:
            setattr(self, name, getattr(fresh, name))
        if self.seed_data:
            seed_state(self, self.seed)
        return {"order_lines": len(self.lines), "loans": len(self.all_loans()), "last_sequence": self.seq}

    @operation(changes=True)
    def advance_clock(self: "FakeNavState", minutes: Any) -> dict:
        if not hasattr(self.clock, "advance"):
            raise NavRequestError(400, "klokken kan ikke styres")
        try:
            minutes = float(minutes or 0)
        except (TypeError, ValueError):
            raise NavRequestError(400, "advance_minutes må være et tall") from None
        return {"now": self.clock.advance(minutes=minutes).strftime(TIME_FORMAT)}

    @operation(changes=False)
    def stats(self: "FakeNavState") -> dict:
        return {"requests": self.requests_seen, "by_endpoint": dict(self.by_endpoint),
                "successes": dict(self.successes), "saker": len(self.saker), "soknader": len(self.soknader),
                "returns": len(self.returns), "order_lines": len(self.lines), "last_sequence": self.seq}

    @operation(changes=False)
    def returns_received(self: "FakeNavState") -> list[dict]:
        return [dict(r) for r in self.returns]
