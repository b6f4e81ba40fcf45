"""NAV's loans (hm-oebs-api-proxy): the devices NAV has on loan to a citizen."""
from __future__ import annotations

from dataclasses import dataclass

from .errors import RecordInvalid
from .values import read_number, read_text

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
        values = {attr: read_text(record, wire) for attr, wire in _LOAN_KEYS.items() if attr != "antall"}
        if not values["artikkel_nr"]:
            raise RecordInvalid("artikkelNr", "mangler")
        antall = record.get("antall")
        values["antall"] = read_number(record, "antall") if antall not in (None, "") else 1
        return cls(**values)

    def to_wire(self) -> dict:
        return {wire: getattr(self, attr) for attr, wire in _LOAN_KEYS.items()}
