"""The device life cycle, enforced here and nowhere else.

registered → available → reserved → picked → out_for_delivery → on_loan → awaiting_pickup →
returned → cleaning → inspection → available (or in_repair → available | scrapped). NAV-owned
units can end as returned_to_nav. Any state can go to quarantined (incident, recall, overdue
inspection) and from there back to where it was, or to scrapped.
"""
from __future__ import annotations

from ..core.errors import InvalidState

STATE_LABELS = {
    "registered": "Registrert",
    "available": "Ledig på lager",
    "reserved": "Reservert",
    "picked": "Plukket",
    "out_for_delivery": "Under utkjøring",
    "on_loan": "Utlånt",
    "awaiting_pickup": "Venter på henting",
    "returned": "Returnert",
    "cleaning": "Til vask/klargjøring",
    "inspection": "Til kontroll",
    "in_repair": "Til reparasjon",
    "quarantined": "I karantene",
    "scrapped": "Kassert",
    "returned_to_nav": "Returnert til NAV",
}

TRANSITIONS: dict[str, frozenset[str]] = {
    # A NAV unit already at a citizen's home is registered straight onto its loan.
    "registered": frozenset({"available", "on_loan"}),
    "available": frozenset({"reserved", "in_repair", "scrapped", "returned_to_nav"}),
    "reserved": frozenset({"available", "picked", "on_loan"}),
    "picked": frozenset({"available", "reserved", "out_for_delivery", "on_loan"}),
    "out_for_delivery": frozenset({"reserved", "on_loan"}),
    "on_loan": frozenset({"awaiting_pickup", "returned", "in_repair"}),
    "awaiting_pickup": frozenset({"on_loan", "returned"}),
    "returned": frozenset({"cleaning", "inspection", "returned_to_nav"}),
    "cleaning": frozenset({"inspection"}),
    "inspection": frozenset({"available", "in_repair", "scrapped", "returned_to_nav"}),
    "in_repair": frozenset({"available", "on_loan", "inspection", "scrapped", "returned_to_nav"}),
    "quarantined": frozenset({"scrapped"}),  # plus "back where it was": see quarantine release
    "scrapped": frozenset(),
    "returned_to_nav": frozenset(),
}
_QUARANTINE_FROM = frozenset(TRANSITIONS) - {"quarantined", "scrapped", "returned_to_nav"}

# States in which the unit is physically in the depot and can be moved between locations.
IN_DEPOT_STATES = frozenset({"registered", "available", "reserved", "picked", "returned", "cleaning",
                             "inspection", "in_repair", "quarantined"})


def allowed_from(state: str) -> list[str]:
    allowed = set(TRANSITIONS.get(state, ()))
    if state in _QUARANTINE_FROM:
        allowed.add("quarantined")
    return sorted(allowed)


def check_transition(current: str, target: str) -> None:
    """Refuse an illegal step with a message naming the current state and what it allows."""
    if target in allowed_from(current):
        return
    allowed = allowed_from(current)
    allowed_text = ", ".join(STATE_LABELS[s].lower() for s in allowed) or "ingenting (sluttilstand)"
    raise InvalidState(
        f"Kan ikke gå fra «{STATE_LABELS[current]}» til «{STATE_LABELS[target]}». "
        f"Tillatt herfra: {allowed_text}.",
        {"current_state": current, "requested_state": target, "allowed": allowed},
    )

EVENT_LABELS = {
    "registered": "Registrert",
    "putaway": "Satt på plass",
    "moved": "Flyttet",
    "state_changed": "Statusendring",
    "label_replaced": "Ny etikett",
    "loan_started": "Utlånt",
    "return_requested": "Retur bestilt",
    "return_received": "Retur mottatt",
    "cleaned": "Vasket",
    "inspected": "Kontrollert",
    "picked": "Plukket",
    "substituted": "Erstatter planlagt enhet",
    "departed": "Kjørt ut",
    "delivery_failed": "Levering mislyktes",
    "repaired": "Reparert",
    "repair_opened": "Reparasjon opprettet",
    "nav_loan_imported": "Registrert fra NAVs utlånsliste",
    "nav_kept_for_reuse": "Beholdes for gjenbruk (avtalt med NAV)",
    "returned_to_nav": "Sendt tilbake til NAV",
    "nav_return_reported": "Retur meldt til NAV",
    "part_ordered": "Deler bestilt fra NAV",
    "part_order_sent": "Delbestilling mottatt av NAV",
    "part_order_refused": "Delbestilling avvist av NAV",
    "part_order_status": "Delbestilling oppdatert",
}
