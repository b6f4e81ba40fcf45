"""Reporting an incident (uhell): the unit is taken out of use at once and its history says so; a
serious injury or a death is flagged for the authorities until someone marks it sent."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ...core.db import utcnow
from ...core.errors import Conflict, InvalidState, NotFound, ValidationFailed
from ...core.paging import Page, offset_page, streamed
from ...core.schemas import is_clean_text
from ...core.text import local_time
from ...maintenance.services import open_quarantine, quarantine_device
from ...stock.lifecycle import FINAL_STATES, STATE_LABELS, DeviceState
from ...stock.services import lock_device, record_event
from ..deadlines import authority_deadline
from ..models import DESCRIPTION_MAX, FLAGGED_INJURIES, INJURIES, PLACE_MAX, REFERENCE_MAX, Incident

INJURY_LABELS = {"none": "Ingen personskade", "minor": "Lettere skade", "serious": "Alvorlig skade",
                 "death": "Dødsfall"}
assert set(INJURY_LABELS) == set(INJURIES)
INCIDENT_EVENT = "incident"
_HISTORY_TEXT_MAX = 300


def _text(field: str, value: str, limit: int, message: str, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed.for_field(field, message)
    if not is_clean_text(value):
        raise ValidationFailed.for_field(field, "Teksten inneholder ugyldige tegn.")
    if len(value) > limit:
        raise ValidationFailed.for_field(field, f"Teksten er for lang (høyst {limit} tegn).")
    return value


def is_flagged(incident: Incident) -> bool:
    """Reported to the authorities by the deadline."""
    return incident.injury in FLAGGED_INJURIES


def report_incident(session: Session, actor_id: int | None, barcode: str, place: str, description: str,
                    injury: str) -> Incident:
    """Record what happened with the unit and take it out of use at once (a unit held for a need lets
    go of it). A unit already in quarantine keeps that quarantine; the incident is recorded all the same."""
    if injury not in INJURY_LABELS:
        raise ValidationFailed.for_field("injury", "Velg ingen personskade, lettere skade, alvorlig skade eller dødsfall.")
    place = _text("place", place, PLACE_MAX, "Skriv hvor det skjedde.")
    description = _text("description", description, DESCRIPTION_MAX, "Skriv hva som skjedde.")
    device = lock_device(session, barcode)
    if device.state in FINAL_STATES:
        raise InvalidState(f"{device.barcode} er «{STATE_LABELS[device.state]}» og kan ikke meldes for uhell her.",
                           {"current_state": device.state}, code="final_state")
    product = device.product
    nav_owned = device.owner == "nav"
    incident = Incident(device_id=device.id, barcode=device.barcode, product_name=product.name,
                        product_hms_nr=product.hms_nr, serial_number=device.serial_number, owner=device.owner,
                        nav_hms_nr=device.nav_hms_nr if nav_owned else None,
                        nav_serial=device.nav_serial if nav_owned else None,
                        place=place, description=description, injury=injury, reported_by_id=actor_id,
                        reported_at=utcnow())
    if injury in FLAGGED_INJURIES:
        incident.authority_deadline = authority_deadline(local_time(incident.reported_at).date())
    session.add(incident)
    session.flush()
    summary = f"{INJURY_LABELS[injury]}. {description}"
    if len(summary) > _HISTORY_TEXT_MAX:
        summary = summary[:_HISTORY_TEXT_MAX - 1] + "…"
    record_event(session, device, INCIDENT_EVENT, actor_id, note=f"Uhell: {summary}",
                 data={"incident_id": incident.id, "injury": injury})
    if device.state == DeviceState.QUARANTINED:
        quarantine = open_quarantine(session, device.id)
    else:
        quarantine = quarantine_device(session, actor_id, device.barcode, "incident",
                                       note=f"{INJURY_LABELS[injury]} (uhell nr. {incident.id})")
    incident.quarantine_id = quarantine.id if quarantine is not None else None
    session.flush()
    return incident


def get_incident(session: Session, incident_id: int, lock: bool = False) -> Incident:
    stmt = select(Incident).where(Incident.id == incident_id)
    incident = session.scalar(stmt.with_for_update() if lock else stmt)
    if incident is None:
        raise NotFound(f"Fant ikke uhell nr. {incident_id}.", {"incident_id": incident_id})
    return incident


def mark_incident_sent(session: Session, actor_id: int | None, incident_id: int, reference: str = "") -> Incident:
    """The report has gone to the authorities (with their reference, if any): it leaves the start page."""
    reference = _text("reference", reference, REFERENCE_MAX, "", required=False)
    incident = get_incident(session, incident_id, lock=True)
    if incident.sent_to_authorities_at is not None:
        raise Conflict(f"Uhell nr. {incident.id} er allerede markert som sendt til myndighetene.",
                       {"incident_id": incident.id}, code="already_sent")
    incident.sent_to_authorities_at, incident.sent_by_id = utcnow(), actor_id
    incident.authority_reference = reference
    session.flush()
    return incident


def _incidents(q: str | None, injury: str | None, not_sent: bool):
    stmt = select(Incident).order_by(Incident.reported_at.desc(), Incident.id.desc())
    if q and q.strip():
        pattern = f"%{q.strip().lower()}%"
        stmt = stmt.where(or_(func.lower(Incident.barcode).like(pattern), func.lower(Incident.product_name).like(pattern),
                              Incident.product_hms_nr == q.strip(), func.lower(Incident.place).like(pattern)))
    if injury:
        stmt = stmt.where(Incident.injury == injury)
    if not_sent:
        stmt = stmt.where(Incident.injury.in_(FLAGGED_INJURIES), Incident.sent_to_authorities_at.is_(None))
    return stmt


def list_incidents(session: Session, q: str | None = None, injury: str | None = None, not_sent: bool = False,
                   number: int = 1, size: int = 50) -> Page:
    """Incidents newest first; ``q`` matches the barcode, product (name or HMS-nr) or place;
    ``not_sent``: flagged for the authorities and not yet sent."""
    return offset_page(session, _incidents(q, injury, not_sent), number, size)


INCIDENT_HEADINGS = ("Meldt", "Strekkode", "Hjelpemiddel", "HMS-nr", "Serienummer", "Eier", "Sted", "Hva skjedde",
                     "Personskade", "Frist til myndighetene", "Sendt til myndighetene", "Referanse")


def incident_export_rows(session: Session, q: str | None = None, injury: str | None = None, not_sent: bool = False):
    """Every incident the list's filters match as rows for a download (``core.exports``)."""
    return ((i.reported_at, i.barcode, i.product_name, i.product_hms_nr, i.serial_number,
             "NAV" if i.owner == "nav" else "Kommunen", i.place, i.description, INJURY_LABELS.get(i.injury, i.injury),
             i.authority_deadline, i.sent_to_authorities_at, i.authority_reference)
            for i in streamed(session, _incidents(q, injury, not_sent), scalars=True))


@dataclass(frozen=True)
class IncidentToSend:
    id: int
    barcode: str
    product_name: str
    injury: str
    authority_deadline: date
    overdue: bool

    @property
    def injury_label(self) -> str:
        return INJURY_LABELS[self.injury]


def incidents_to_send(session: Session, today: date, limit: int = 20) -> list[IncidentToSend]:
    """Serious injuries and deaths not yet marked sent, soonest deadline first (the start page)."""
    rows = session.execute(
        select(Incident.id, Incident.barcode, Incident.product_name, Incident.injury, Incident.authority_deadline)
        .where(Incident.injury.in_(FLAGGED_INJURIES), Incident.sent_to_authorities_at.is_(None))
        .order_by(Incident.authority_deadline, Incident.id).limit(limit))
    return [IncidentToSend(*row, overdue=row.authority_deadline < today) for row in rows]
