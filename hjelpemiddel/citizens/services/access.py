"""Who may see a citizen and their fødselsnummer, and the log of every use of it: searches (limited
per user and hour, misses kept by keyed hash), reveals, registrations and what is sent to NAV."""
from __future__ import annotations

import math
import re
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from ...core.crypto import FnrVault
from ...core.db import utcnow
from ...core.errors import Conflict, Forbidden, NotFound, TooManyRequests, ValidationFailed
from ...core.fnr import fnr_problem, mask_fnr, normalize_fnr
from ...core.paging import PAGE_SIZE, Page, offset_page
from ..models import Caseworker, Citizen, FnrAccess

# Who sees what: drivers never an fnr; warehouse staff what a delivery needs; therapists their
# own citizens (masked, clear on request with a purpose); admin everyone.
FNR_ROLES = ("terapeut", "admin")
# Why an fnr is used: an auditor reads these, so a short fixed list, with free text beside it.
PURPOSES = {
    "need_registration": "Registrering av behov",
    "nav_application": "Søknad til NAV",
    "delivery": "Levering/henting",
    "loan_follow_up": "Oppfølging av utlån",
    "legacy_import": "Import fra gammelt system",
    "other": "Annet",
}
PURPOSE_TEXT_MAX = 300
DEFAULT_LOOKUPS_PER_HOUR = 20
NOT_ACCESSIBLE = "Fant ingen innbygger som du har tilgang til."


def _validated_fnr(raw: str) -> str:
    fnr = normalize_fnr(raw)
    problem = fnr_problem(fnr)
    if problem:
        raise ValidationFailed.for_field("fnr", problem)
    return fnr


def _log(session: Session, actor_id: int, citizen_id: int | None, action: str, purpose: str,
         purpose_code: str | None = None, fnr_hash: str | None = None) -> None:
    session.add(FnrAccess(citizen_id=citizen_id, user_id=actor_id, action=action, purpose=purpose[:PURPOSE_TEXT_MAX],
                          purpose_code=purpose_code, fnr_hash=fnr_hash))


def require_purpose(purpose: str | None, purpose_text: str | None) -> tuple[str, str]:
    """A purpose from the list, and the free text beside it: bounded, and required for «Annet»."""
    if purpose not in PURPOSES:
        raise ValidationFailed.for_field("purpose", "Velg et formål fra listen: " + ", ".join(PURPOSES.values()) + ".")
    text = " ".join((purpose_text or "").split())
    if "\x00" in text:
        raise ValidationFailed.for_field("purpose_text", "Teksten inneholder ugyldige tegn.")
    if len(text) > PURPOSE_TEXT_MAX:
        raise ValidationFailed.for_field("purpose_text", f"Beskrivelsen kan ha høyst {PURPOSE_TEXT_MAX} tegn.")
    if purpose == "other" and len(text) < 3:
        raise ValidationFailed.for_field("purpose_text", "Beskriv formålet når du velger «Annet» (minst 3 tegn).")
    return purpose, text


def purpose_label(entry: FnrAccess) -> str:
    """How a log entry's purpose reads: the list's label and the free text."""
    label = PURPOSES.get(entry.purpose_code or "", "")
    return ": ".join(part for part in (label, entry.purpose) if part)


def check_lookup_rate(session: Session, user_id: int, per_hour: int, now: datetime | None = None) -> None:
    """A user searches by fnr at most ``per_hour`` times in any hour: enough for a day's work, too few
    for a sweep. Counted from the log, so every app process shares the count."""
    now = now or utcnow()
    count, oldest = session.execute(
        select(func.count(FnrAccess.id), func.min(FnrAccess.accessed_at))
        .where(FnrAccess.user_id == user_id, FnrAccess.action == "lookup",
               FnrAccess.accessed_at > now - timedelta(hours=1))).one()
    if count >= per_hour:
        retry_after = max(1, math.ceil((oldest + timedelta(hours=1) - now).total_seconds()))
        minutes = math.ceil(retry_after / 60)
        raise TooManyRequests(
            f"Du har søkt på fødselsnummer {count} ganger den siste timen; grensen er {per_hour}. "
            f"Prøv igjen om {minutes} {'minutt' if minutes == 1 else 'minutter'}.",
            {"limit": per_hour, "retry_after": retry_after}, retry_after=retry_after)


def add_caseworker(session: Session, citizen_id: int, user_id: int) -> None:
    if session.get(Caseworker, (citizen_id, user_id)) is None:
        session.add(Caseworker(citizen_id=citizen_id, user_id=user_id))


def register_citizen(session: Session, vault: FnrVault, actor_id: int, fnr: str, name: str, address: str,
                     postcode: str, kommunenummer: str, city: str = "", phone: str = "", access_notes: str = "",
                     contact_name: str = "", contact_phone: str = "") -> Citizen:
    fnr = _validated_fnr(fnr)
    if session.scalar(select(Citizen.id).where(Citizen.fnr_hash.in_(vault.lookup_hashes(fnr)))) is not None:
        # Only that the number is taken: who has it is for those with access (a logged lookup).
        raise Conflict("Innbyggeren er allerede registrert. Slå opp på fødselsnummeret i stedet.",
                       code="duplicate_citizen")
    citizen = Citizen(fnr_encrypted=vault.encrypt(fnr), fnr_hash=vault.lookup_hash(fnr), fnr_masked=mask_fnr(fnr),
                      name=name, address=address, postcode=postcode, city=city, kommunenummer=kommunenummer,
                      phone=phone, access_notes=access_notes, contact_name=contact_name,
                      contact_phone=contact_phone, created_by_id=actor_id)
    session.add(citizen)
    session.flush()
    add_caseworker(session, citizen.id, actor_id)
    _log(session, actor_id, citizen.id, "register", "registrering")
    session.flush()
    return citizen


def may_see_citizen(session: Session, role: str, user_id: int, citizen_id: int) -> bool:
    return role in ("admin", "lager") or (
        role == "terapeut" and session.get(Caseworker, (citizen_id, user_id)) is not None)


def check_citizen_access(session: Session, role: str, user_id: int, citizen_id: int) -> Citizen:
    """The citizen, if this caller may see them; otherwise one 404 that says nothing about whether
    they exist (callers reach here from needs and loans, whose citizen the caller did not name)."""
    citizen = session.get(Citizen, citizen_id)
    if citizen is None or not may_see_citizen(session, role, user_id, citizen_id):
        raise NotFound(NOT_ACCESSIBLE)
    return citizen


def citizen_search(q: str | None):
    """The condition a search box means: part of a name or of the address (street, postcode, place),
    or a birth date as the masked fnr shows it («150342», «150342 *****», «15.03.42»). A whole fnr is
    refused here: searching by it is a logged lookup with a purpose (``find_citizen_by_fnr``)."""
    text = (q or "").strip().lower()
    if not text:
        return None
    digits = re.sub(r"[\s.*]", "", text)
    if digits.isdigit() and len(digits) == 11:
        raise ValidationFailed.for_field("q", "Søk på helt fødselsnummer gjøres som oppslag med formål; "
                                              "her søker du på fødselsdato (seks siffer), navn eller adresse.")
    matches = [func.lower(column).contains(text, autoescape=True) for column in (Citizen.name, Citizen.address,
                                                                                 Citizen.city)]
    matches.append(Citizen.postcode == text)
    if digits.isdigit() and len(digits) == 6:
        matches.append(Citizen.fnr_masked == mask_fnr(digits))
    return or_(*matches)


def _citizens(role: str, user_id: int, q: str | None):
    stmt = select(Citizen).order_by(Citizen.name, Citizen.id)
    if role == "terapeut":
        stmt = stmt.join(Caseworker, Caseworker.citizen_id == Citizen.id).where(Caseworker.user_id == user_id)
    elif role not in ("admin", "lager"):
        raise Forbidden("Rollen har ikke tilgang til innbyggere.", {"role": role})
    condition = citizen_search(q)
    if condition is not None:
        stmt = stmt.where(condition)
    return stmt


def list_citizens(session: Session, role: str, user_id: int, q: str | None = None,
                  limit: int = 50, offset: int = 0) -> list[Citizen]:
    return list(session.scalars(_citizens(role, user_id, q).limit(limit).offset(offset)))


def citizens_page(session: Session, role: str, user_id: int, q: str | None = None, number: int = 1,
                  size: int = PAGE_SIZE) -> Page:
    """A page of the citizens the caller may see, by name, with how many there are in all (capped):
    a list that says what it left out rather than stopping silently."""
    return offset_page(session, _citizens(role, user_id, q), number, size)


def find_citizen_by_fnr(session: Session, vault: FnrVault, role: str, actor_id: int, fnr: str, purpose: str,
                        purpose_text: str = "", per_hour: int = DEFAULT_LOOKUPS_PER_HOUR) -> Citizen:
    """A search by fnr is itself a use of the fnr: logged, limited per hour, and only for roles that
    need it. A miss is logged with the fnr's keyed hash, so it shows on the log of whoever is
    registered with that number later; the caller must keep that entry (commit) though it answers 404."""
    if role not in FNR_ROLES:
        raise Forbidden("Rollen kan ikke søke på fødselsnummer.", {"role": role})
    code, text = require_purpose(purpose, purpose_text)
    fnr = _validated_fnr(fnr)
    check_lookup_rate(session, actor_id, per_hour)
    citizen = session.scalar(select(Citizen).where(Citizen.fnr_hash.in_(vault.lookup_hashes(fnr))))
    _log(session, actor_id, citizen.id if citizen else None, "lookup", text, code,
         fnr_hash=None if citizen else vault.lookup_hash(fnr))
    session.flush()
    if citizen is None:
        raise NotFound("Ingen innbygger med dette fødselsnummeret er registrert.", {})
    if role == "terapeut":
        add_caseworker(session, citizen.id, actor_id)
    return citizen


def _fnr_of(vault: FnrVault, citizen: Citizen) -> str:
    if citizen.anonymised_at is not None:
        raise Conflict("Innbyggeren er anonymisert; fødselsnummeret er slettet.", code="anonymised")
    return vault.decrypt(citizen.fnr_encrypted)


def reveal_fnr(session: Session, vault: FnrVault, role: str, actor_id: int, citizen_id: int, purpose: str,
               purpose_text: str = "") -> str:
    if role not in FNR_ROLES:
        raise Forbidden("Rollen har ikke tilgang til fødselsnummer.", {"role": role})
    code, text = require_purpose(purpose, purpose_text)
    citizen = check_citizen_access(session, role, actor_id, citizen_id)
    fnr = _fnr_of(vault, citizen)
    _log(session, actor_id, citizen.id, "reveal", text, code)
    session.flush()
    return fnr


def fnr_for_nav(session: Session, vault: FnrVault, role: str, actor_id: int, citizen_id: int, purpose: str) -> str:
    """The fnr to send to NAV on a person's behalf to follow up their loans. Depot staff may send it
    without ever seeing it; every use is logged like a reveal."""
    if role not in (*FNR_ROLES, "lager"):
        raise Forbidden("Rollen kan ikke slå opp innbyggere hos NAV.", {"role": role})
    citizen = check_citizen_access(session, role, actor_id, citizen_id)
    fnr = _fnr_of(vault, citizen)
    _log(session, actor_id, citizen.id, "nav_lookup", purpose, "loan_follow_up")
    session.flush()
    return fnr


def fnr_sent_to_nav(session: Session, vault: FnrVault, citizen_id: int, on_behalf_of: int, purpose: str) -> str:
    """The fnr a job sends to NAV for what a person asked (an application they sent); logged in their
    name like a reveal. Their access was checked when they asked."""
    citizen = session.get(Citizen, citizen_id)
    if citizen is None:
        raise NotFound("Fant ikke innbyggeren.")
    fnr = _fnr_of(vault, citizen)
    _log(session, on_behalf_of, citizen.id, "nav_lookup", purpose, "nav_application")
    session.flush()
    return fnr


def log_full_export(session: Session, actor_id: int) -> None:
    """The admin's full export holds every citizen's fnr in clear: one entry for all of them."""
    _log(session, actor_id, None, "export", "Full eksport av alle data", "other")
    session.flush()


def fnr_access_log(session: Session, citizen_id: int) -> list[FnrAccess]:
    """Every use of this citizen's fnr, with the searches that missed it before they were registered
    (found by their hash; an anonymised citizen's misses were given their placeholder hash)."""
    citizen = session.get(Citizen, citizen_id)
    if citizen is None:
        raise NotFound(NOT_ACCESSIBLE)
    missed = and_(FnrAccess.citizen_id.is_(None), FnrAccess.fnr_hash == citizen.fnr_hash)
    return list(session.scalars(select(FnrAccess).where(or_(FnrAccess.citizen_id == citizen_id, missed))
                                .order_by(FnrAccess.accessed_at, FnrAccess.id)))


def masked_name(name: str) -> str:
    """«Astrid Olsen» → «Astrid O.»: enough to recognise at the door, not to identify on a screen."""
    parts = name.split()
    return " ".join(parts[:1] + [part[0] + "." for part in parts[1:]]) if parts else ""
