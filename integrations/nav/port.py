"""What the application needs from NAV, in NAV's own terms.

Wire names and codes are NAV's (hm-oebs-listener, hm-oebs-api-proxy, hm-delbestilling-api); the
Python attributes are the same names in snake_case. ``from_wire``/``to_wire`` translate exactly.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

SIX_DIGITS = re.compile(r"^\d{6}$")

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

@dataclass(frozen=True)
class Del:
    hmsnr: str
    navn: str
    kategori: str
    lev_art_nr: str | None = None
    maks_antall: int | None = None

    @classmethod
    def from_wire(cls, d: dict) -> "Del":
        return cls(hmsnr=str(d.get("hmsnr", "")), navn=str(d.get("navn", "")),
                   kategori=str(d.get("kategori", "")), lev_art_nr=d.get("levArtNr"),
                   maks_antall=d.get("maksAntall"))

    def to_wire(self) -> dict:
        return {"hmsnr": self.hmsnr, "navn": self.navn, "levArtNr": self.lev_art_nr,
                "kategori": self.kategori, "maksAntall": self.maks_antall}


@dataclass(frozen=True)
class DelLinje:
    del_: Del
    antall: int

    @classmethod
    def from_wire(cls, d: dict) -> "DelLinje":
        return cls(del_=Del.from_wire(d.get("del") or {}), antall=d.get("antall"))

    def to_wire(self) -> dict:
        return {"del": self.del_.to_wire(), "antall": self.antall}


@dataclass(frozen=True)
class Delbestilling:
    """A spare-part order for a device on loan (hm-delbestilling-api ``delbestilling``)."""

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
        return cls(id=str(d.get("id", "")), hmsnr=str(d.get("hmsnr", "")), serienr=str(d.get("serienr", "")),
                   navn=str(d.get("navn", "")),
                   deler=tuple(DelLinje.from_wire(x) for x in (d.get("deler") or []) if isinstance(x, dict)),
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
    """Apply NAV's rules before sending; raises PartOrderInvalid naming the field."""
    if not SIX_DIGITS.match(order.hmsnr or ""):
        raise PartOrderInvalid("hmsnr", "må være nøyaktig 6 siffer")
    if not SIX_DIGITS.match(order.serienr or ""):
        raise PartOrderInvalid("serienr", "må være nøyaktig 6 siffer")
    if order.levering not in LEVERING:
        raise PartOrderInvalid("levering", f"må være en av {', '.join(LEVERING)}")
    if not order.deler:
        raise PartOrderInvalid("deler", "minst én del må bestilles")
    for i, line in enumerate(order.deler):
        if not SIX_DIGITS.match(line.del_.hmsnr or ""):
            raise PartOrderInvalid(f"deler[{i}].del.hmsnr", "må være nøyaktig 6 siffer")
        if isinstance(line.antall, bool) or not isinstance(line.antall, int) or line.antall < 1:
            raise PartOrderInvalid(f"deler[{i}].antall", "må være minst 1")
        maks = line.del_.maks_antall
        if maks is not None:
            if isinstance(maks, bool) or not isinstance(maks, int) or maks < 1:
                raise PartOrderInvalid(f"deler[{i}].del.maksAntall", "må være et heltall på minst 1")
            if line.antall > maks:
                raise PartOrderInvalid(f"deler[{i}].antall", f"kan ikke være mer enn {maks} (maks antall for delen)")
    if any(line.del_.kategori == "Batteri" for line in order.deler) and order.har_opplaering_pa_batteri is not True:
        raise PartOrderInvalid("harOpplæringPåBatteri", "batteri kan bare bestilles med opplæring på batteri")


# --------------------------------------------------------------------------- the port

@runtime_checkable
class NavPort(Protocol):
    """Everything the application needs from NAV. Implementations: NavHttpClient (and fakes in tests)."""

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
