"""What the fake NAV is made of: its clocks, its product list and its synthetic data (seeded
citizens with loans and order lines, and generated order lines for benchmarks)."""
from __future__ import annotations

import random
import threading
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .fake_nav import FakeNavState

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
MUNICIPAL_ADDRESS = "0301 Hjelpemiddellageret, Ulvenveien 1"
LINE_STATUSES = ("AWAITING_SHIPPING", "SHIPPED", "BOOKED")
INDIVIDUAL = "Individstyrt hjelpemiddel"

PRODUCTS = [  # hmsnr, description, ISO category, category text, item type
    ("236958", "Panthera U3 Light rullestol", "12220301", "Manuelle rullestoler", INDIVIDUAL),
    ("177946", "Rollator Topro Olympos", "12060601", "Rollatorer", INDIVIDUAL),
    ("291003", "Seng Opus 90EW", "18121501", "Senger", INDIVIDUAL),
    ("104237", "Dusjkrakk Etac Swift", "09330301", "Dusjstoler", "Hjelpemiddel"),
    ("150817", "Dekk 24\"", "12240901", "Dekk", "Del"),
    ("167002", "Batteri 12V 50Ah", "12240601", "Batteri", "Del"),
]
SERIALISED = [p for p in PRODUCTS if p[4] == INDIVIDUAL]
# What NAV sends for a granted ISO class it has no product of in this list.
GENERIC_HMSNR = "999999"


def parse_time(text: str) -> datetime:
    return datetime.strptime(text, TIME_FORMAT)


def public(record: dict) -> dict:
    """A record as NAV shows it: without the fake's own ``_`` fields (sequence, citizen, lines)."""
    return {k: v for k, v in record.items() if not k.startswith("_")}


def line_key(record: dict[str, Any]) -> tuple[str, int, str]:
    """NAV's identity of an order line: order number + line + shipment (``""`` when none yet)."""
    shipment = record.get("ShipmentNumber")
    shipment = "" if shipment is None else str(shipment).strip()
    return (str(record["OrdreNumber"]).strip(), int(record["LineNumber"]), shipment)


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
        return self()

    def reset(self) -> datetime:
        """Back to the start time (used by ``POST /_control/reset``)."""
        with self._lock:
            self._now = self._start
        return self()

    @property
    def offset(self) -> timedelta:
        """How far the clock has been moved on; kept across restarts of a fake with a state file."""
        with self._lock:
            return self._now - self._start

    def set_offset(self, offset: timedelta) -> None:
        with self._lock:
            self._now = self._start + offset


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


def product_for(hmsnr: str | None, iso_category: str | None, description: str) -> tuple[str, str, str | None, str | None]:
    """``(hmsnr, description, 8-digit category, category text)`` NAV ships for an application line:
    the product asked for, else the first device of the asked ISO class in the product list, else
    a generic product of that class."""
    for p_hmsnr, p_description, p_iso, p_category, item_type in PRODUCTS:
        if item_type == "Del":
            continue
        if p_hmsnr == hmsnr or (hmsnr is None and iso_category and p_iso.startswith(iso_category)):
            return p_hmsnr, p_description, p_iso, p_category
    category = iso_category.ljust(8, "0") if iso_category else None
    return hmsnr or GENERIC_HMSNR, description, category, None


def seed_state(state: "FakeNavState", seed: int) -> None:
    """Six citizens with 1-3 devices on loan each, and 23 order lines for them."""
    rng = random.Random(seed)
    start = state.clock()
    order_no = 4_200_000 + rng.randint(0, 9999)
    for _ in range(6):
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
            "SerieNummerListe": [f"{rng.randint(100000, 999999)}"] if item_type == INDIVIDUAL else [],
            "IncidentNummer": str(rng.randint(10_000_000, 99_999_999)), "ReferanseNummer": f"HMS-{rng.randint(1000, 9999)}",
            "Status": rng.choice(LINE_STATUSES),
            "LastUpdateDate": (start - timedelta(minutes=23 - n)).strftime(TIME_FORMAT),
        })


def generate_lines(state: "FakeNavState", count: int, fnrs: list[str], rng: random.Random) -> None:
    """``count`` synthetic order lines (1-3 lines per order) for benchmarks; fast enough for 50,000+."""
    now = state.now_text()
    rand = rng.random
    made = 0
    while made < count:
        order = state.take_order_number()
        for line_number in range(1, min(1 + int(rand() * 3), count - made) + 1):
            hmsnr, desc, iso, cat, item_type = PRODUCTS[int(rand() * len(PRODUCTS))]
            serialised = item_type == INDIVIDUAL
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
