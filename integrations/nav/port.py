"""What the application needs from NAV, in NAV's own terms.

Wire names and codes are NAV's (hm-oebs-listener, hm-oebs-api-proxy, hm-delbestilling-api,
hm-soknad-api); the Python attributes are the same names in snake_case. ``from_wire``/``to_wire``
translate exactly. NAV's rules live here once (``validate_part_order``, ``check_order_rate``,
``validate_application``, ``validate_return``): the application checks with them before sending,
and the fake NAV refuses with them.
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Iterable, Protocol, runtime_checkable

SIX_DIGITS = re.compile(r"^\d{6}$")
ISO_CATEGORY = re.compile(r"^(\d{6}|\d{8})$")  # ISO 9999's 6 digits, or NAV's 8
FOUR_DIGITS = re.compile(r"^\d{4}$")

USER_ITEM_TYPES = ("Hjelpemiddel", "Individstyrt hjelpemiddel", "Del")
LEVERING = ("TIL_XK_LAGER", "TIL_SERVICE_OPPDRAG")
SAK_STATUSES = ("INNSENDT", "REGISTRERT", "KLARGJORT", "DELVIS_SKIPNINGSBEKREFTET",
                "SKIPNINGSBEKREFTET", "ANNULLERT")


# --------------------------------------------------------------------------- errors

class NavError(Exception):
    """Anything that went wrong talking to NAV."""


class NavUnavailable(NavError):
    """NAV could not be reached or failed (5xx, timeout, connection error). Safe to retry later."""

    retryable = True


class NavRequestError(NavError):
    """NAV answered 4xx without one of its feil codes (bad request, unauthorised, unknown sak...)."""

    def __init__(self, http_status: int, detail: str = ""):
        self.http_status = http_status
        self.detail = detail
        super().__init__(f"NAV avviste forespørselen (HTTP {http_status}){': ' + detail if detail else ''}")


FEIL_MESSAGES: dict[str, str] = {
    "INGET_UTLÅN": "Hjelpemiddelet står ikke på et aktivt utlån hos NAV",
    "KAN_IKKE_BESTILLE": "Det kan ikke bestilles deler til dette hjelpemiddelet",
    "BRUKER_IKKE_FUNNET": "Brukeren som har hjelpemiddelet på utlån ble ikke funnet",
    "LAGERENHET_IKKE_FUNNET": "Fant ikke lagerenheten (hjelpemiddelsentralen) for hjelpemiddelet",
    "BESTILLE_TIL_SEG_SELV": "Du kan ikke bestille deler til et hjelpemiddel som står på utlån til deg selv",
    "ULIK_GEOGRAFISK_TILKNYTNING": "Brukeren av hjelpemiddelet tilhører en annen kommune enn innsenderen",
    "ULIK_ADRESSE_PDL_OEBS": "Brukerens adresse i folkeregisteret stemmer ikke med adressen hos NAV",
    "FOR_MANGE_BESTILLINGER_SISTE_24_TIMER":
        "Det er sendt for mange delbestillinger til dette hjelpemiddelet siste 24 timer",
}
FEIL_HTTP_STATUS: dict[str, int] = {
    "INGET_UTLÅN": 404, "KAN_IKKE_BESTILLE": 404, "BRUKER_IKKE_FUNNET": 404,
    "LAGERENHET_IKKE_FUNNET": 404, "BESTILLE_TIL_SEG_SELV": 403,
    "ULIK_GEOGRAFISK_TILKNYTNING": 403, "ULIK_ADRESSE_PDL_OEBS": 403,
    "FOR_MANGE_BESTILLINGER_SISTE_24_TIMER": 403,
}


class NavRefused(NavError):
    """NAV refused with one of its ``{"feil": CODE}`` answers. Never retried.

    Each known code has its own subclass (``NavRefused.for_code`` picks it); ``message`` is the
    Norwegian text to show the user.
    """

    feil_code: str = ""

    def __init__(self, feil_code: str, http_status: int):
        self.feil_code = feil_code
        self.http_status = http_status
        self.message = FEIL_MESSAGES.get(feil_code, f"NAV avviste bestillingen ({feil_code})")
        super().__init__(self.message)

    @staticmethod
    def for_code(feil_code: str, http_status: int) -> "NavRefused":
        return _REFUSAL_TYPES.get(feil_code, NavRefused)(feil_code, http_status)


class IngetUtlan(NavRefused): pass
class KanIkkeBestille(NavRefused): pass
class BrukerIkkeFunnet(NavRefused): pass
class LagerenhetIkkeFunnet(NavRefused): pass
class BestilleTilSegSelv(NavRefused): pass
class UlikGeografiskTilknytning(NavRefused): pass
class UlikAdressePdlOebs(NavRefused): pass
class ForMangeBestillingerSiste24Timer(NavRefused): pass


_REFUSAL_TYPES: dict[str, type[NavRefused]] = {
    "INGET_UTLÅN": IngetUtlan, "KAN_IKKE_BESTILLE": KanIkkeBestille,
    "BRUKER_IKKE_FUNNET": BrukerIkkeFunnet, "LAGERENHET_IKKE_FUNNET": LagerenhetIkkeFunnet,
    "BESTILLE_TIL_SEG_SELV": BestilleTilSegSelv,
    "ULIK_GEOGRAFISK_TILKNYTNING": UlikGeografiskTilknytning,
    "ULIK_ADRESSE_PDL_OEBS": UlikAdressePdlOebs,
    "FOR_MANGE_BESTILLINGER_SISTE_24_TIMER": ForMangeBestillingerSiste24Timer,
}


class RecordInvalid(ValueError):
    """A record (from NAV or to NAV) breaks a rule; ``field`` names the offending field."""

    def __init__(self, field_name: str, message: str):
        self.field = field_name
        self.message = message
        super().__init__(f"{field_name}: {message}")


class PartOrderInvalid(RecordInvalid):
    """A spare-part order breaks one of NAV's rules (checked before sending, or reported by NAV)."""


class ApplicationInvalid(RecordInvalid):
    """An application (søknad) breaks one of NAV's rules (checked before sending, or reported by NAV)."""


def valid_fnr(fnr: Any) -> bool:
    """11 digits whose two mod-11 check digits are right (D-numbers and synthetic test numbers pass)."""
    if not isinstance(fnr, str) or not re.fullmatch(r"\d{11}", fnr):
        return False
    d = [int(c) for c in fnr]
    k1 = 11 - sum(w * x for w, x in zip([3, 7, 6, 1, 8, 9, 4, 5, 2], d)) % 11
    k2 = 11 - sum(w * x for w, x in zip([5, 4, 3, 2, 7, 6, 5, 4, 3, 2], d)) % 11
    return (k1 % 11) == d[9] and (k2 % 11) == d[10]


# --------------------------------------------------------------------------- order lines

_ORDER_LINE_KEYS = {
    "ordre_number": "OrdreNumber", "line_number": "LineNumber", "shipment_number": "ShipmentNumber",
    "ordered_item": "OrderedItem", "description": "Description", "category_num": "CategoryNum",
    "category_description": "CategoryDescription", "user_item_type": "User_ItemType",
    "quantity": "Quantity", "shipping_quantity_uom": "ShippingQuantityUom",
    "shipping_instructions": "ShippingInstructions", "account_number": "AccountNumber",
    "send_til_addresse1": "SendTilAddresse1", "serie_nummer_liste": "SerieNummerListe",
    "incident_nummer": "IncidentNummer", "referanse_nummer": "ReferanseNummer",
    "status": "Status", "last_update_date": "LastUpdateDate",
}
ORDER_LINE_WIRE_KEYS: tuple[str, ...] = tuple(_ORDER_LINE_KEYS.values())


def _text(record: dict, key: str, *, required: bool = False) -> str | None:
    value = record.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise RecordInvalid(key, "mangler")
        return None
    if isinstance(value, (dict, list, bool)):
        raise RecordInvalid(key, f"forventet tekst, fikk {type(value).__name__}")
    return str(value).strip()


def _int(record: dict, key: str, *, required: bool = False) -> int | None:
    value = record.get(key)
    if value is None or value == "":
        if required:
            raise RecordInvalid(key, "mangler")
        return None
    if isinstance(value, bool):
        raise RecordInvalid(key, "forventet heltall")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise RecordInvalid(key, f"forventet heltall, fikk {value!r}") from None
    if number != int(number):
        raise RecordInvalid(key, f"forventet heltall, fikk {value!r}")
    return int(number)


def _number(record: dict, key: str) -> float | int:
    value = record.get(key)
    if value is None or value == "" or isinstance(value, bool):
        raise RecordInvalid(key, "mangler" if value in (None, "") else "forventet tall")
    try:
        number = float(str(value).replace(",", "."))
    except (TypeError, ValueError):
        raise RecordInvalid(key, f"forventet tall, fikk {value!r}") from None
    if number < 0:
        raise RecordInvalid(key, "kan ikke være negativt")
    return int(number) if number == int(number) else number


def _serials(value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):  # CSV: separated by ; , or whitespace
        return tuple(part for part in re.split(r"[;,\s]+", value.strip()) if part)
    if isinstance(value, (list, tuple)):
        return tuple(str(part).strip() for part in value if str(part).strip())
    raise RecordInvalid("SerieNummerListe", "forventet liste av serienumre")


@dataclass(frozen=True)
class OrderLine:
    """One NAV order line (an upcoming delivery to the municipality). Same line may arrive again, updated."""

    ordre_number: str
    line_number: int
    ordered_item: str
    quantity: float | int
    user_item_type: str
    shipment_number: str | None = None
    description: str | None = None
    category_num: str | None = None
    category_description: str | None = None
    shipping_quantity_uom: str | None = None
    shipping_instructions: str | None = None
    account_number: str | None = None
    send_til_addresse1: str | None = None
    serie_nummer_liste: tuple[str, ...] = ()
    incident_nummer: str | None = None
    referanse_nummer: str | None = None
    status: str | None = None
    last_update_date: str | None = None

    @property
    def key(self) -> tuple[str, int, str]:
        """Identity of the line across updates: order number + line + shipment (NAV's identity).

        The same order line shipped in two shipments is two lines; a line without a shipment
        number yet has ``""`` as its shipment part.
        """
        return (self.ordre_number, self.line_number, self.shipment_number or "")

    @property
    def to_municipal_address(self) -> bool:
        """A leading 4-digit number in SendTilAddresse1 means a municipal receiving address."""
        return bool(self.send_til_addresse1 and re.match(r"^\d{4}\b", self.send_til_addresse1))

    @property
    def spare_part_saksnummer(self) -> int | None:
        ref = self.referanse_nummer or ""
        return int(ref[6:]) if ref.startswith("hmdel_") and ref[6:].isdigit() else None

    @classmethod
    def from_wire(cls, record: dict) -> "OrderLine":
        if not isinstance(record, dict):
            raise RecordInvalid("(record)", "forventet et objekt")
        item_type = _text(record, "User_ItemType", required=True)
        if item_type not in USER_ITEM_TYPES:
            raise RecordInvalid("User_ItemType", f"ukjent type {item_type!r}")
        line_number = _int(record, "LineNumber", required=True)
        return cls(
            ordre_number=_text(record, "OrdreNumber", required=True),
            line_number=line_number,
            ordered_item=_text(record, "OrderedItem", required=True),
            quantity=_number(record, "Quantity"),
            user_item_type=item_type,
            shipment_number=_text(record, "ShipmentNumber"),
            description=_text(record, "Description"),
            category_num=_text(record, "CategoryNum"),
            category_description=_text(record, "CategoryDescription"),
            shipping_quantity_uom=_text(record, "ShippingQuantityUom"),
            shipping_instructions=_text(record, "ShippingInstructions"),
            account_number=_text(record, "AccountNumber"),
            send_til_addresse1=_text(record, "SendTilAddresse1"),
            serie_nummer_liste=_serials(record.get("SerieNummerListe")),
            incident_nummer=_text(record, "IncidentNummer"),
            referanse_nummer=_text(record, "ReferanseNummer"),
            status=_text(record, "Status"),
            last_update_date=_text(record, "LastUpdateDate"),
        )

    def to_wire(self) -> dict:
        out = {wire: getattr(self, attr) for attr, wire in _ORDER_LINE_KEYS.items()}
        out["SerieNummerListe"] = list(self.serie_nummer_liste)
        return out


@dataclass(frozen=True)
class OrderLinePage:
    """A page of changed order lines. Pass ``next_cursor`` to get the next page; store it between runs."""

    lines: list[OrderLine]
    next_cursor: str | None
    has_more: bool = False
    remaining: int | None = None  # how many lines NAV says follow, when it says

    @classmethod
    def from_wire(cls, body: dict, cursor: str | None) -> "OrderLinePage":
        """NAV's page ``{"ordrelinjer", "nextCursor", "hasMore", "remaining"}`` asked for after ``cursor``.

        The same line may come more than once in a page; its last (newest) version is kept.
        Raises KeyError/TypeError for a malformed page and RecordInvalid for a malformed line."""
        deduped: dict[tuple[str, int, str], OrderLine] = {}
        for record in body["ordrelinjer"]:
            line = OrderLine.from_wire(record)
            deduped.pop(line.key, None)
            deduped[line.key] = line
        next_cursor = body.get("nextCursor")
        remaining = body.get("remaining")
        return cls(lines=list(deduped.values()),
                   next_cursor=str(next_cursor) if next_cursor is not None else cursor,
                   has_more=bool(body.get("hasMore")),
                   remaining=remaining if isinstance(remaining, int) and not isinstance(remaining, bool) else None)


# --------------------------------------------------------------------------- loans

_LOAN_KEYS = {
    "artikkel_nr": "artikkelNr", "artikkel_beskrivelse": "artikkelBeskrivelse", "serie_nr": "serieNr",
    "antall": "antall", "antall_enhet": "antallEnhet", "kategori_nummer": "kategoriNummer",
    "kategori": "kategori", "dato_utsendelse": "datoUtsendelse", "ordrenummer": "ordrenummer",
    "artikkel_status": "artikkelStatus", "utlans_type": "utlånsType", "innleveringsdato": "innleveringsdato",
}


@dataclass(frozen=True)
class NavLoan:
    """A device NAV has on loan to a citizen (hm-oebs-api-proxy)."""

    artikkel_nr: str
    artikkel_beskrivelse: str | None = None
    serie_nr: str | None = None
    antall: float | int = 1
    antall_enhet: str | None = None
    kategori_nummer: str | None = None
    kategori: str | None = None
    dato_utsendelse: str | None = None
    ordrenummer: str | None = None
    artikkel_status: str | None = None  # "I utlån" | "Til reparasjon"
    utlans_type: str | None = None  # P permanent, F time-limited, K short-term, U trial
    innleveringsdato: str | None = None

    @classmethod
    def from_wire(cls, record: dict) -> "NavLoan":
        if not isinstance(record, dict):
            raise RecordInvalid("(record)", "forventet et objekt")
        values = {attr: _text(record, wire) for attr, wire in _LOAN_KEYS.items() if attr != "antall"}
        if not values["artikkel_nr"]:
            raise RecordInvalid("artikkelNr", "mangler")
        antall = record.get("antall")
        values["antall"] = _number(record, "antall") if antall not in (None, "") else 1
        return cls(**values)

    def to_wire(self) -> dict:
        return {wire: getattr(self, attr) for attr, wire in _LOAN_KEYS.items()}


# --------------------------------------------------------------------------- spare-part orders

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


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _six_digits(value: Any) -> bool:
    return isinstance(value, str) and bool(SIX_DIGITS.match(value))


def validate_part_order(order: Delbestilling) -> None:
    """NAV's rules for one spare-part order; raises PartOrderInvalid naming the (wire) field.

    The rate limit needs the device's earlier orders: ``check_order_rate``."""
    if not _six_digits(order.hmsnr):
        raise PartOrderInvalid("hmsnr", "må være nøyaktig 6 siffer")
    if not _six_digits(order.serienr):
        raise PartOrderInvalid("serienr", "må være nøyaktig 6 siffer")
    if order.levering not in LEVERING:
        raise PartOrderInvalid("levering", f"må være en av {', '.join(LEVERING)}")
    if not order.deler:
        raise PartOrderInvalid("deler", "minst én del må bestilles")
    for i, line in enumerate(order.deler):
        if not _six_digits(line.del_.hmsnr):
            raise PartOrderInvalid(f"deler[{i}].del.hmsnr", "må være nøyaktig 6 siffer")
        if not _is_count(line.antall):
            raise PartOrderInvalid(f"deler[{i}].antall", "må være minst 1")
        maks = line.del_.maks_antall
        if maks is not None:
            if not _is_count(maks):
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
    recent = sum(1 for made in previous_order_times if now - made < PART_ORDER_RATE_WINDOW)
    if recent >= MAX_PART_ORDERS_PER_24H:
        raise NavRefused.for_code("FOR_MANGE_BESTILLINGER_SISTE_24_TIMER",
                                  FEIL_HTTP_STATUS["FOR_MANGE_BESTILLINGER_SISTE_24_TIMER"])


# --------------------------------------------------------------------------- returns

def return_to_wire(hmsnr: str, serienr: str, note: str | None, kept_for_reuse: bool) -> dict:
    """NAV's return record: ``{"hmsnr", "serienr", "merknad", "beholdesForGjenbruk"}``."""
    return {"hmsnr": hmsnr, "serienr": serienr, "merknad": note, "beholdesForGjenbruk": kept_for_reuse}


def validate_return(record: Any) -> None:
    """NAV's rules for a return record (``return_to_wire``); raises RecordInvalid naming the field."""
    if not isinstance(record, dict):
        raise RecordInvalid("(body)", "forventet et JSON-objekt")
    for name in ("hmsnr", "serienr"):
        if not isinstance(record.get(name), str) or not record[name].strip():
            raise RecordInvalid(name, "mangler")
    if not isinstance(record.get("merknad", ""), (str, type(None))):
        raise RecordInvalid("merknad", "må være tekst")
    if not isinstance(record.get("beholdesForGjenbruk", False), bool):
        raise RecordInvalid("beholdesForGjenbruk", "må være true eller false")


# --------------------------------------------------------------------------- applications (søknad)

SOKNAD_STATUSES = ("ENDELIG_JOURNALFØRT", "VEDTAKSRESULTAT_INNVILGET", "VEDTAKSRESULTAT_AVSLÅTT",
                   "UTSENDING_STARTET")  # SøknadsStatus names from hm-soknad-api, in order
SOKNAD_GRANTED = ("VEDTAKSRESULTAT_INNVILGET", "UTSENDING_STARTET")


@dataclass(frozen=True)
class SoknadHjelpemiddel:
    """One line of an application: a product (hmsnr) or, when any product of a class will do, an
    ISO class (``iso_kategori``, 6 or 8 digits)."""

    beskrivelse: str
    antall: int = 1
    hmsnr: str | None = None
    iso_kategori: str | None = None

    @classmethod
    def from_wire(cls, d: Any) -> "SoknadHjelpemiddel":
        d = d if isinstance(d, dict) else {}
        return cls(beskrivelse=d.get("beskrivelse"), antall=d.get("antall"), hmsnr=d.get("hmsnr"),
                   iso_kategori=d.get("isoKategori"))

    def to_wire(self) -> dict:
        return {"hmsnr": self.hmsnr, "isoKategori": self.iso_kategori, "beskrivelse": self.beskrivelse,
                "antall": self.antall}


@dataclass(frozen=True)
class Soknad:
    """An application to NAV for long-term loan (varig utlån) of assistive devices for a citizen.

    ``from_wire`` keeps what was sent, so that ``validate_application`` refuses it as NAV would."""

    id: str
    fnr_bruker: str = field(repr=False)
    hjelpemidler: tuple[SoknadHjelpemiddel, ...]
    kommunenummer: str | None = None
    merknad: str | None = None

    @classmethod
    def from_wire(cls, body: dict) -> "Soknad":
        d = body.get("soknad", body) if isinstance(body, dict) else {}
        lines = d.get("hjelpemidler")
        return cls(id=d.get("id"), fnr_bruker=d.get("fnrBruker"),
                   hjelpemidler=tuple(SoknadHjelpemiddel.from_wire(x) for x in lines) if isinstance(lines, list) else (),
                   kommunenummer=d.get("kommunenummer"), merknad=d.get("merknad"))

    def to_wire(self) -> dict:
        return {"soknad": {"id": self.id, "fnrBruker": self.fnr_bruker, "kommunenummer": self.kommunenummer,
                           "hjelpemidler": [line.to_wire() for line in self.hjelpemidler],
                           "merknad": self.merknad}}


@dataclass(frozen=True)
class SoknadSvar:
    """NAV's receipt for an application: it is journaled (``ENDELIG_JOURNALFØRT``) as case ``saksnummer``."""

    id: str
    saksnummer: int
    status: str
    opprettet: str

    @classmethod
    def from_wire(cls, d: dict) -> "SoknadSvar":
        return cls(id=str(d["id"]), saksnummer=int(d["saksnummer"]), status=d["status"], opprettet=d["opprettet"])

    def to_wire(self) -> dict:
        return {"id": self.id, "saksnummer": self.saksnummer, "status": self.status, "opprettet": self.opprettet}


@dataclass(frozen=True)
class SoknadSak:
    """Where an application stands. ``status`` moves forward only: ``ENDELIG_JOURNALFØRT`` →
    ``VEDTAKSRESULTAT_INNVILGET`` (``ordrenummer`` set: the order whose lines bring the devices) →
    ``UTSENDING_STARTET``; or → ``VEDTAKSRESULTAT_AVSLÅTT`` with a ``begrunnelse``."""

    saksnummer: int
    status: str
    opprettet: str
    sist_oppdatert: str
    vedtaksdato: str | None = None
    ordrenummer: str | None = None
    begrunnelse: str | None = None

    @property
    def granted(self) -> bool:
        return self.status in SOKNAD_GRANTED

    @property
    def refused(self) -> bool:
        return self.status == "VEDTAKSRESULTAT_AVSLÅTT"

    @classmethod
    def from_wire(cls, d: dict) -> "SoknadSak":
        return cls(saksnummer=int(d["saksnummer"]), status=d["status"], opprettet=d["opprettet"],
                   sist_oppdatert=d["sistOppdatert"], vedtaksdato=d.get("vedtaksdato"),
                   ordrenummer=d.get("ordrenummer"), begrunnelse=d.get("begrunnelse"))

    def to_wire(self) -> dict:
        return {"saksnummer": self.saksnummer, "status": self.status, "opprettet": self.opprettet,
                "sistOppdatert": self.sist_oppdatert, "vedtaksdato": self.vedtaksdato,
                "ordrenummer": self.ordrenummer, "begrunnelse": self.begrunnelse}


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(value)
    except (TypeError, ValueError, AttributeError):
        return False
    return True


def validate_application(application: Soknad) -> None:
    """NAV's rules for an application; raises ApplicationInvalid naming the (wire) field."""
    if not _is_uuid(application.id):
        raise ApplicationInvalid("id", "må være en UUID")
    if not valid_fnr(application.fnr_bruker):
        raise ApplicationInvalid("fnrBruker", "må være et gyldig fødselsnummer (11 siffer)")
    if application.kommunenummer is not None and not (
            isinstance(application.kommunenummer, str) and FOUR_DIGITS.match(application.kommunenummer)):
        raise ApplicationInvalid("kommunenummer", "må være nøyaktig 4 siffer")
    if not application.hjelpemidler:
        raise ApplicationInvalid("hjelpemidler", "minst ett hjelpemiddel må søkes om")
    for i, line in enumerate(application.hjelpemidler):
        if line.hmsnr is not None and not _six_digits(line.hmsnr):
            raise ApplicationInvalid(f"hjelpemidler[{i}].hmsnr", "må være nøyaktig 6 siffer")
        if line.iso_kategori is not None and not (
                isinstance(line.iso_kategori, str) and ISO_CATEGORY.match(line.iso_kategori)):
            raise ApplicationInvalid(f"hjelpemidler[{i}].isoKategori", "må være 6 eller 8 siffer")
        if line.hmsnr is None and line.iso_kategori is None:
            raise ApplicationInvalid(f"hjelpemidler[{i}]", "trenger hmsnr eller isoKategori")
        if not isinstance(line.beskrivelse, str) or not line.beskrivelse.strip():
            raise ApplicationInvalid(f"hjelpemidler[{i}].beskrivelse", "mangler")
        if not _is_count(line.antall):
            raise ApplicationInvalid(f"hjelpemidler[{i}].antall", "må være minst 1")
    if application.merknad is not None and not isinstance(application.merknad, str):
        raise ApplicationInvalid("merknad", "må være tekst")


# --------------------------------------------------------------------------- the port

@runtime_checkable
class NavPort(Protocol):
    """Everything the application needs from NAV. Implementations: NavHttpClient (HTTP) and
    InMemoryNav (the fake NAV in this process, for tests)."""

    def fetch_order_lines(self, cursor: str | None, limit: int) -> OrderLinePage: ...

    def citizen_loans(self, fnr: str) -> list[NavLoan]: ...

    def submit_part_order(self, order: Delbestilling, idempotency_key: str) -> DelbestillingSvar: ...

    def order_status(self, saksnummer: int) -> DelbestillingSak: ...

    def report_return(self, hmsnr: str, serienr: str, note: str, idempotency_key: str,
                      kept_for_reuse: bool = False) -> None:
        """Tell NAV a device has come back; ends the loan. ``kept_for_reuse``: the municipality keeps
        it for reuse (where NAV agrees) instead of sending it back. Retrying with the same
        ``idempotency_key`` is safe. Raises IngetUtlan if the device is on no active loan."""
        ...

    def submit_application(self, application: Soknad, idempotency_key: str) -> SoknadSvar:
        """Apply to NAV for long-term loan. Retrying with the same ``idempotency_key`` is safe (the
        same answer); raises ApplicationInvalid for a breach of NAV's rules."""
        ...

    def application_status(self, saksnummer: int) -> SoknadSak: ...
