"""The device life cycle, enforced here and nowhere else.

registered → available → reserved → picked → out_for_delivery → on_loan → awaiting_pickup →
returned (collected: in the van or handed in) → cleaning (received at the depot, waiting to be
washed) → inspection (washed) → available. A failed inspection goes to in_repair or scrapped; a
repaired unit goes through inspection again before it is available. NAV-owned units can end as
returned_to_nav. Any unit can be quarantined (incident, recall, damage) and released back to the
state it came from, or to repair or scrapping.

This module is pure: states, the transition table, where a unit is in each state, and the check
that refuses an illegal step. ``stock.services.change_state`` is the one function that applies it.
"""
from __future__ import annotations

from enum import StrEnum

from ..core.errors import InvalidState


class DeviceState(StrEnum):
    REGISTERED = "registered"
    AVAILABLE = "available"
    RESERVED = "reserved"
    PICKED = "picked"
    OUT_FOR_DELIVERY = "out_for_delivery"
    ON_LOAN = "on_loan"
    AWAITING_PICKUP = "awaiting_pickup"
    RETURNED = "returned"
    CLEANING = "cleaning"
    INSPECTION = "inspection"
    IN_REPAIR = "in_repair"
    QUARANTINED = "quarantined"
    SCRAPPED = "scrapped"
    RETURNED_TO_NAV = "returned_to_nav"


S = DeviceState

STATE_LABELS: dict[str, str] = {
    S.REGISTERED: "Registrert, ikke satt på plass",
    S.AVAILABLE: "Ledig på lager",
    S.RESERVED: "Reservert",
    S.PICKED: "Plukket",
    S.OUT_FOR_DELIVERY: "Under utkjøring",
    S.ON_LOAN: "Utlånt",
    S.AWAITING_PICKUP: "Venter på henting",
    S.RETURNED: "Hentet, ikke mottatt på lageret",
    S.CLEANING: "Mottatt, venter på vask",
    S.INSPECTION: "Vasket, venter på kontroll",
    S.IN_REPAIR: "Til reparasjon",
    S.QUARANTINED: "I karantene",
    S.SCRAPPED: "Kassert",
    S.RETURNED_TO_NAV: "Returnert til NAV",
}

TRANSITIONS: dict[DeviceState, frozenset[DeviceState]] = {
    # A NAV unit already at a citizen's home is registered straight onto its loan.
    S.REGISTERED: frozenset({S.AVAILABLE, S.ON_LOAN}),
    S.AVAILABLE: frozenset({S.RESERVED, S.IN_REPAIR, S.SCRAPPED, S.RETURNED_TO_NAV}),
    S.RESERVED: frozenset({S.AVAILABLE, S.PICKED, S.ON_LOAN}),
    S.PICKED: frozenset({S.AVAILABLE, S.RESERVED, S.OUT_FOR_DELIVERY, S.ON_LOAN}),
    S.OUT_FOR_DELIVERY: frozenset({S.RESERVED, S.ON_LOAN}),
    S.ON_LOAN: frozenset({S.AWAITING_PICKUP, S.RETURNED, S.IN_REPAIR}),
    S.AWAITING_PICKUP: frozenset({S.ON_LOAN, S.RETURNED}),
    # The only way back from a loan: received at the depot, washed, inspected.
    S.RETURNED: frozenset({S.CLEANING}),
    S.CLEANING: frozenset({S.INSPECTION, S.IN_REPAIR, S.RETURNED_TO_NAV}),
    S.INSPECTION: frozenset({S.AVAILABLE, S.IN_REPAIR, S.SCRAPPED, S.RETURNED_TO_NAV}),
    # Repaired: back on the loan it was taken from, back to the wash it skipped, or to inspection.
    S.IN_REPAIR: frozenset({S.ON_LOAN, S.CLEANING, S.INSPECTION, S.SCRAPPED, S.RETURNED_TO_NAV}),
    # Plus "back where it was": see release_target.
    S.QUARANTINED: frozenset({S.IN_REPAIR, S.SCRAPPED}),
    S.SCRAPPED: frozenset(),
    S.RETURNED_TO_NAV: frozenset(),
}
FINAL_STATES = frozenset({S.SCRAPPED, S.RETURNED_TO_NAV})
QUARANTINE_FROM = frozenset(TRANSITIONS) - FINAL_STATES - {S.QUARANTINED}

# Where the unit is: with the citizen or gone (no location), or in the depot or a van.
AWAY_STATES = frozenset({S.ON_LOAN, S.AWAITING_PICKUP, S.SCRAPPED, S.RETURNED_TO_NAV})
# States in which the unit is in the depot and may be moved between its locations by a scan.
IN_DEPOT_STATES = frozenset({S.REGISTERED, S.AVAILABLE, S.RESERVED, S.PICKED, S.CLEANING, S.INSPECTION,
                             S.IN_REPAIR, S.QUARANTINED})
# In the depot but not to be lent yet (unwashed, uninspected, broken, held back): kept apart from the
# units on the shelves that are, so nobody hands out one from the wrong pile.
NOT_READY_STATES = frozenset({S.CLEANING, S.INSPECTION, S.IN_REPAIR, S.QUARANTINED})
READY_STATES = IN_DEPOT_STATES - NOT_READY_STATES
# Only a unit out with a citizen has a holder.
HELD_STATES = frozenset({S.ON_LOAN, S.AWAITING_PICKUP})
# A unit quarantined at a citizen's home can only be released back there: it is not in the depot
# to be repaired or scrapped.
_RELEASE_ELSEWHERE_FROM = QUARANTINE_FROM - HELD_STATES
# A unit quarantined while held for a need lost its reservation; released, it is free again.
_RESERVATION_STATES = frozenset({S.RESERVED, S.PICKED, S.OUT_FOR_DELIVERY})


def label(state: str) -> str:
    return STATE_LABELS[state]


def allowed_from(state: str) -> list[DeviceState]:
    allowed = set(TRANSITIONS.get(state, ()))
    if state in QUARANTINE_FROM:
        allowed.add(S.QUARANTINED)
    return sorted(allowed)


def quoted_labels(states) -> str:
    """«Ledig på lager», «Reservert»: states as people read them."""
    return ", ".join(f"«{STATE_LABELS[s]}»" for s in states) or "ingenting (sluttilstand)"


def refusal(barcode: str, current: str, allowed, action: str, hint: str = "") -> InvalidState:
    """«HJM… er «Utlånt» og kan ikke <action>; bare «…», «…».» — what a service raises when a unit is
    in the wrong state for what was asked, states named in bokmål and as codes in the details."""
    allowed = list(allowed)
    return InvalidState(f"{barcode} er «{STATE_LABELS[current]}» og kan ikke {action}; bare "
                        f"{quoted_labels(allowed)}.{' ' + hint if hint else ''}",
                        {"current_state": str(current), "allowed": [str(s) for s in allowed]})


def check_transition(current: str, target: str) -> None:
    """Refuse an illegal step with a message naming the current state and what it allows."""
    if target in allowed_from(current):
        return
    raise InvalidState(
        f"Kan ikke gå fra «{STATE_LABELS[current]}» til «{STATE_LABELS[target]}». "
        f"Tillatt herfra: {quoted_labels(allowed_from(current))}.",
        {"current_state": current, "requested_state": target, "allowed": [str(s) for s in allowed_from(current)]},
    )


def release_back(quarantined_from: str) -> DeviceState:
    """"Back where it was" for a unit quarantined from ``quarantined_from``."""
    return S.AVAILABLE if quarantined_from in _RESERVATION_STATES else DeviceState(quarantined_from)


def release_targets(quarantined_from: str) -> list[DeviceState]:
    """Where a quarantined unit may be released to, back where it was first."""
    back = release_back(quarantined_from)
    if quarantined_from not in _RELEASE_ELSEWHERE_FROM:
        return [back]
    return [back, *sorted(TRANSITIONS[S.QUARANTINED] - {back})]


def check_release(quarantined_from: str, target: str) -> None:
    allowed = release_targets(quarantined_from)
    if target in allowed:
        return
    raise InvalidState(
        f"En enhet satt i karantene fra «{STATE_LABELS[quarantined_from]}» kan ikke slippes til "
        f"«{STATE_LABELS[target]}». Tillatt: {quoted_labels(allowed)}.",
        {"current_state": S.QUARANTINED, "requested_state": target, "allowed": [str(s) for s in allowed]},
    )


EVENT_LABELS = {
    "registered": "Registrert",
    "putaway": "Satt på plass",
    "moved": "Flyttet",
    "state_changed": "Statusendring",
    "label_replaced": "Ny etikett",
    "reserved": "Reservert",
    "released": "Reservasjon opphevet",
    "loan_started": "Utlånt",
    "return_requested": "Retur bestilt",
    "collected": "Hentet hos bruker",
    "handed_in": "Levert inn på lageret",
    "return_received": "Mottatt på lageret",
    "cleaned": "Vasket",
    "inspected": "Kontrollert",
    "periodic_inspection": "Periodisk kontroll",
    "inspection_visit": "Kontrollbesøk hos bruker",
    "picked": "Plukket",
    "substituted": "Erstatter planlagt enhet",
    "departed": "Kjørt ut",
    "delivery_failed": "Levering mislyktes",
    "repaired": "Reparert",
    "repair_visit": "Reparasjonsbesøk hos bruker",
    "repair_opened": "Reparasjon opprettet",
    "quarantined": "Satt i karantene",
    "scrapped": "Kassert",
    "quarantine_released": "Sluppet fra karantene",
    "nav_loan_imported": "Registrert fra NAVs utlånsliste",
    "nav_kept_for_reuse": "Beholdes for gjenbruk (avtalt med NAV)",
    "returned_to_nav": "Sendt tilbake til NAV",
    "nav_return_reported": "Retur meldt til NAV",
    "part_ordered": "Deler bestilt fra NAV",
    "part_order_sent": "Delbestilling mottatt av NAV",
    "part_order_refused": "Delbestilling avvist av NAV",
    "part_order_status": "Delbestilling oppdatert",
    "stocktake_missing": "Ikke funnet ved varetelling",
    "incident": "Uhell",
}
