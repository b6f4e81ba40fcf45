"""NAV's spare-part orders (hm-delbestilling-api): the order (``Delbestilling``) and its case
(``DelbestillingSak``), and NAV's rules for them -- ``validate_part_order`` for one order and
``check_order_rate``, NAV's limit of part orders per device in 24 hours."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Iterable

from .errors import FEIL_HTTP_STATUS, NavRefused, PartOrderInvalid
from .values import is_count, is_six_digits

LEVERING = ("TIL_XK_LAGER", "TIL_SERVICE_OPPDRAG")
SAK_STATUSES = ("INNSENDT", "REGISTRERT", "KLARGJORT", "DELVIS_SKIPNINGSBEKREFTET",
                "SKIPNINGSBEKREFTET", "ANNULLERT")


def _wire_text(d: dict, key: str) -> Any:
    """A text field as sent: ``""`` when missing, anything but text left as it is for the rules to refuse."""
    value = d.get(key)
    return "" if value is None else value


@dataclass(frozen=True)
class Del:
    hmsnr: str
    navn: str
    kategori: str
    lev_art_nr: str | None = None
    maks_antall: int | None = None

    @classmethod
    def from_wire(cls, d: Any) -> "Del":
        d = d if isinstance(d, dict) else {}
        return cls(hmsnr=_wire_text(d, "hmsnr"), navn=str(d.get("navn") or ""),
                   kategori=str(d.get("kategori") or ""), lev_art_nr=d.get("levArtNr"),
                   maks_antall=d.get("maksAntall"))

    def to_wire(self) -> dict:
        return {"hmsnr": self.hmsnr, "navn": self.navn, "levArtNr": self.lev_art_nr,
                "kategori": self.kategori, "maksAntall": self.maks_antall}


@dataclass(frozen=True)
class DelLinje:
    del_: Del
    antall: int

    @classmethod
    def from_wire(cls, d: Any) -> "DelLinje":
        d = d if isinstance(d, dict) else {}
        return cls(del_=Del.from_wire(d.get("del")), antall=d.get("antall"))

    def to_wire(self) -> dict:
        return {"del": self.del_.to_wire(), "antall": self.antall}


@dataclass(frozen=True)
class Delbestilling:
    """A spare-part order for a device on loan (hm-delbestilling-api ``delbestilling``).

    ``from_wire`` keeps what was sent (a number where text belongs stays a number), so that
    ``validate_part_order`` refuses it as NAV would."""

    id: str
    hmsnr: str
    serienr: str
    navn: str
    deler: tuple[DelLinje, ...]
    levering: str = "TIL_XK_LAGER"
    har_opplaering_pa_batteri: bool | None = None

    @classmethod
    def from_wire(cls, body: dict) -> "Delbestilling":
        d = body.get("delbestilling", body) if isinstance(body, dict) else {}
        deler = d.get("deler")
        return cls(id=str(d.get("id") or ""), hmsnr=_wire_text(d, "hmsnr"), serienr=_wire_text(d, "serienr"),
                   navn=str(d.get("navn") or ""),
                   deler=tuple(DelLinje.from_wire(x) for x in deler) if isinstance(deler, list) else (),
                   levering=d.get("levering", "TIL_XK_LAGER"),
                   har_opplaering_pa_batteri=d.get("harOpplæringPåBatteri"))

    def to_wire(self) -> dict:
        return {"delbestilling": {
            "id": self.id, "hmsnr": self.hmsnr, "serienr": self.serienr, "navn": self.navn,
            "deler": [line.to_wire() for line in self.deler], "levering": self.levering,
            "harOpplæringPåBatteri": self.har_opplaering_pa_batteri,
        }}


@dataclass(frozen=True)
class DelbestillingSak:
    saksnummer: int
    delbestilling: Delbestilling
    opprettet: str
    status: str
    sist_oppdatert: str
    oebs_ordrenummer: str | None = None
    brukers_kommunenummer: str | None = None
    brukers_kommunenavn: str | None = None

    @classmethod
    def from_wire(cls, d: dict) -> "DelbestillingSak":
        return cls(saksnummer=int(d["saksnummer"]), delbestilling=Delbestilling.from_wire(d["delbestilling"]),
                   opprettet=d["opprettet"], status=d["status"], sist_oppdatert=d["sistOppdatert"],
                   oebs_ordrenummer=d.get("oebsOrdrenummer"),
                   brukers_kommunenummer=d.get("brukersKommunenummer"),
                   brukers_kommunenavn=d.get("brukersKommunenavn"))

    def to_wire(self) -> dict:
        return {"saksnummer": self.saksnummer, "delbestilling": self.delbestilling.to_wire()["delbestilling"],
                "opprettet": self.opprettet, "status": self.status, "sistOppdatert": self.sist_oppdatert,
                "oebsOrdrenummer": self.oebs_ordrenummer, "brukersKommunenummer": self.brukers_kommunenummer,
                "brukersKommunenavn": self.brukers_kommunenavn}


@dataclass(frozen=True)
class DelbestillingSvar:
    id: str
    saksnummer: int
    delbestilling_sak: DelbestillingSak

    @classmethod
    def from_wire(cls, d: dict) -> "DelbestillingSvar":
        return cls(id=str(d["id"]), saksnummer=int(d["saksnummer"]),
                   delbestilling_sak=DelbestillingSak.from_wire(d["delbestillingSak"]))


def validate_part_order(order: Delbestilling) -> None:
    """NAV's rules for one spare-part order; raises PartOrderInvalid naming the (wire) field.

    The rate limit needs the device's earlier orders: ``check_order_rate``."""
    if not is_six_digits(order.hmsnr):
        raise PartOrderInvalid("hmsnr", "må være nøyaktig 6 siffer")
    if not is_six_digits(order.serienr):
        raise PartOrderInvalid("serienr", "må være nøyaktig 6 siffer")
    if order.levering not in LEVERING:
        raise PartOrderInvalid("levering", f"må være en av {', '.join(LEVERING)}")
    if not order.deler:
        raise PartOrderInvalid("deler", "minst én del må bestilles")
    for i, line in enumerate(order.deler):
        if not is_six_digits(line.del_.hmsnr):
            raise PartOrderInvalid(f"deler[{i}].del.hmsnr", "må være nøyaktig 6 siffer")
        if not is_count(line.antall):
            raise PartOrderInvalid(f"deler[{i}].antall", "må være minst 1")
        maks = line.del_.maks_antall
        if maks is not None:
            if not is_count(maks):
                raise PartOrderInvalid(f"deler[{i}].del.maksAntall", "må være et heltall på minst 1")
            if line.antall > maks:
                raise PartOrderInvalid(f"deler[{i}].antall", f"kan ikke være mer enn {maks} (maks antall for delen)")
    if any(line.del_.kategori == "Batteri" for line in order.deler) and order.har_opplaering_pa_batteri is not True:
        raise PartOrderInvalid("harOpplæringPåBatteri", "batteri kan bare bestilles med opplæring på batteri")


MAX_PART_ORDERS_PER_24H = 5
PART_ORDER_RATE_WINDOW = timedelta(hours=24)


def check_order_rate(previous_order_times: Iterable[datetime], now: datetime) -> None:
    """NAV's limit of ``MAX_PART_ORDERS_PER_24H`` part orders per device (hmsnr + serienr) in 24 hours.

    ``previous_order_times``: when the device's earlier orders were made (not those NAV refused);
    an order exactly 24 hours old no longer counts. Raises ForMangeBestillingerSiste24Timer when
    one more order would break the limit. Pass times and ``now`` of the same kind (both naive or
    both aware)."""
    # Read from the package at call time: the limit has one home, ``integrations.nav.port``, and
    # what is set there (a test sets it lower) holds for the app and the fake alike.
    from .. import port
    recent = sum(1 for made in previous_order_times if now - made < port.PART_ORDER_RATE_WINDOW)
    if recent >= port.MAX_PART_ORDERS_PER_24H:
        raise NavRefused.for_code("FOR_MANGE_BESTILLINGER_SISTE_24_TIMER",
                                  FEIL_HTTP_STATUS["FOR_MANGE_BESTILLINGER_SISTE_24_TIMER"])
