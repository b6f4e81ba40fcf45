"""Warranty (garanti), the one rule: NAV's terms are two years from delivery, three for electric
wheelchairs (ISO 9999 class 12 23 …). Pure: plain values in, the answer out.

The last day is the day before the anniversary of the delivery: a unit delivered 1 March 2024 has
warranty through 28 February 2026. A unit delivered on 29 February counts its years to 1 March, so
its last day is 28 February whether or not that year is a leap year."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

ELECTRIC_WHEELCHAIR_CLASS = "1223"
UNKNOWN_SUPPLIER = "leverandør ukjent"


@dataclass(frozen=True)
class Warranty:
    under_warranty: bool
    until: date  # the last day with warranty
    years: int
    claim_to: str  # who a claim goes to: NAV, the supplier, or «leverandør ukjent»

    @property
    def text(self) -> str:
        if self.under_warranty:
            return f"Garanti: ja, til {self.until:%d.%m.%Y} – krav rettes til {self.claim_to}"
        return f"Ingen garanti (utløpt {self.until:%d.%m.%Y})"


def warranty_years(iso_class: str | None) -> int:
    return 3 if (iso_class or "").replace(" ", "").startswith(ELECTRIC_WHEELCHAIR_CLASS) else 2


def _anniversary(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return date(day.year + years, 3, 1)


def warranty_for(delivered: date, iso_class: str | None, owner: str, supplier: str | None, today: date) -> Warranty:
    """``delivered``: the delivery date (for NAV's units the day they were received and registered
    here, for the municipality's own the registration date); ``owner``: ``nav`` or ``kommune``."""
    years = warranty_years(iso_class)
    until = _anniversary(delivered, years) - timedelta(days=1)
    claim_to = "NAV" if owner == "nav" else ((supplier or "").strip() or UNKNOWN_SUPPLIER)
    return Warranty(today <= until, until, years, claim_to)
