"""Applications (søknad, hm-soknad-api) to NAV for long-term loan of assistive devices: the
application, NAV's receipt and its case, and NAV's rules (``validate_application``)."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from .errors import ApplicationInvalid
from .values import FOUR_DIGITS, ISO_CATEGORY, is_count, is_six_digits, valid_fnr

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
        if line.hmsnr is not None and not is_six_digits(line.hmsnr):
            raise ApplicationInvalid(f"hjelpemidler[{i}].hmsnr", "må være nøyaktig 6 siffer")
        if line.iso_kategori is not None and not (
                isinstance(line.iso_kategori, str) and ISO_CATEGORY.match(line.iso_kategori)):
            raise ApplicationInvalid(f"hjelpemidler[{i}].isoKategori", "må være 6 eller 8 siffer")
        if line.hmsnr is None and line.iso_kategori is None:
            raise ApplicationInvalid(f"hjelpemidler[{i}]", "trenger hmsnr eller isoKategori")
        if not isinstance(line.beskrivelse, str) or not line.beskrivelse.strip():
            raise ApplicationInvalid(f"hjelpemidler[{i}].beskrivelse", "mangler")
        if not is_count(line.antall):
            raise ApplicationInvalid(f"hjelpemidler[{i}].antall", "må være minst 1")
    if application.merknad is not None and not isinstance(application.merknad, str):
        raise ApplicationInvalid("merknad", "må være tekst")
