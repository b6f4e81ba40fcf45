from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..core.crypto import FnrVault
from ..core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..core.fnr import fnr_problem, mask_fnr, normalize_fnr
from .models import Caseworker, Citizen, FnrAccess

# Who sees what: drivers never an fnr; warehouse staff what a delivery needs; therapists their
# own citizens (masked, clear on request with a purpose); admin everyone.
FNR_ROLES = ("terapeut", "admin")


def _validated_fnr(raw: str) -> str:
    fnr = normalize_fnr(raw)
    problem = fnr_problem(fnr)
    if problem:
        raise ValidationFailed.for_field("fnr", problem)
    return fnr


def _log(session: Session, actor_id: int, citizen_id: int | None, action: str, purpose: str) -> None:
    session.add(FnrAccess(citizen_id=citizen_id, user_id=actor_id, action=action, purpose=purpose))


def _require_purpose(purpose: str) -> str:
    purpose = (purpose or "").strip()
    if len(purpose) < 3:
        raise ValidationFailed.for_field("purpose", "Oppgi hvorfor du trenger fødselsnummeret (minst 3 tegn).")
    return purpose[:300]


def add_caseworker(session: Session, citizen_id: int, user_id: int) -> None:
    if session.get(Caseworker, (citizen_id, user_id)) is None:
        session.add(Caseworker(citizen_id=citizen_id, user_id=user_id))


def register_citizen(session: Session, vault: FnrVault, actor_id: int, fnr: str, name: str, address: str,
                     postcode: str, kommunenummer: str, city: str = "", phone: str = "", access_notes: str = "",
                     contact_name: str = "", contact_phone: str = "") -> Citizen:
    fnr = _validated_fnr(fnr)
    fnr_hash = vault.lookup_hash(fnr)
    existing = session.scalar(select(Citizen.id).where(Citizen.fnr_hash == fnr_hash))
    if existing is not None:
        raise Conflict("Innbyggeren er allerede registrert. Slå opp på fødselsnummeret i stedet.",
                       {"citizen_id": existing}, code="duplicate_citizen")
    citizen = Citizen(fnr_encrypted=vault.encrypt(fnr), fnr_hash=fnr_hash, fnr_masked=mask_fnr(fnr), name=name,
                      address=address, postcode=postcode, city=city, kommunenummer=kommunenummer, phone=phone,
                      access_notes=access_notes, contact_name=contact_name, contact_phone=contact_phone,
                      created_by_id=actor_id)
    session.add(citizen)
    session.flush()
    add_caseworker(session, citizen.id, actor_id)
    _log(session, actor_id, citizen.id, "register", "registrering")
    session.flush()
    return citizen


def check_citizen_access(session: Session, role: str, user_id: int, citizen_id: int) -> Citizen:
    """The citizen, if this caller may see them; 404 otherwise, so ids reveal nothing."""
    citizen = session.get(Citizen, citizen_id)
    allowed = citizen is not None and (
        role in ("admin", "lager")
        or (role == "terapeut" and session.get(Caseworker, (citizen_id, user_id)) is not None)
    )
    if not allowed:
        raise NotFound(f"Fant ingen innbygger {citizen_id} som du har tilgang til.", {"citizen_id": citizen_id})
    return citizen


def list_citizens(session: Session, role: str, user_id: int, q: str | None = None,
                  limit: int = 50, offset: int = 0) -> list[Citizen]:
    stmt = select(Citizen).order_by(Citizen.name, Citizen.id).limit(limit).offset(offset)
    if role == "terapeut":
        stmt = stmt.join(Caseworker, Caseworker.citizen_id == Citizen.id).where(Caseworker.user_id == user_id)
    elif role not in ("admin", "lager"):
        raise Forbidden("Rollen har ikke tilgang til innbyggere.", {"role": role})
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(or_(func.lower(Citizen.name).like(like), func.lower(Citizen.address).like(like)))
    return list(session.scalars(stmt))


def find_citizen_by_fnr(session: Session, vault: FnrVault, role: str, actor_id: int, fnr: str, purpose: str) -> Citizen:
    """A search by fnr is itself a use of the fnr: logged, and only for roles that need it."""
    if role not in FNR_ROLES:
        raise Forbidden("Rollen kan ikke søke på fødselsnummer.", {"role": role})
    purpose = _require_purpose(purpose)
    citizen = session.scalar(select(Citizen).where(Citizen.fnr_hash == vault.lookup_hash(_validated_fnr(fnr))))
    _log(session, actor_id, citizen.id if citizen else None, "lookup", purpose)
    session.flush()
    if citizen is None:
        raise NotFound("Ingen innbygger med dette fødselsnummeret er registrert.", {})
    if role == "terapeut":
        add_caseworker(session, citizen.id, actor_id)
    return citizen


def reveal_fnr(session: Session, vault: FnrVault, role: str, actor_id: int, citizen_id: int, purpose: str) -> str:
    if role not in FNR_ROLES:
        raise Forbidden("Rollen har ikke tilgang til fødselsnummer.", {"role": role})
    purpose = _require_purpose(purpose)
    citizen = check_citizen_access(session, role, actor_id, citizen_id)
    _log(session, actor_id, citizen.id, "reveal", purpose)
    session.flush()
    return vault.decrypt(citizen.fnr_encrypted)


def fnr_for_nav(session: Session, vault: FnrVault, role: str, actor_id: int, citizen_id: int, purpose: str) -> str:
    """The fnr to send to NAV on a person's behalf. Depot staff may send it without ever seeing it;
    every use is logged like a reveal."""
    if role not in (*FNR_ROLES, "lager"):
        raise Forbidden("Rollen kan ikke slå opp innbyggere hos NAV.", {"role": role})
    citizen = check_citizen_access(session, role, actor_id, citizen_id)
    _log(session, actor_id, citizen.id, "nav_lookup", _require_purpose(purpose))
    session.flush()
    return vault.decrypt(citizen.fnr_encrypted)


def fnr_sent_to_nav(session: Session, vault: FnrVault, citizen_id: int, on_behalf_of: int, purpose: str) -> str:
    """The fnr a job sends to NAV for what a person asked (an application they sent); logged in their
    name like a reveal. Their access was checked when they asked."""
    citizen = session.get(Citizen, citizen_id)
    if citizen is None:
        raise NotFound(f"Fant ikke innbygger {citizen_id}.", {"citizen_id": citizen_id})
    _log(session, on_behalf_of, citizen.id, "nav_lookup", purpose[:300])
    session.flush()
    return vault.decrypt(citizen.fnr_encrypted)


def fnr_access_log(session: Session, citizen_id: int) -> list[FnrAccess]:
    return list(session.scalars(select(FnrAccess).where(FnrAccess.citizen_id == citizen_id).order_by(FnrAccess.id)))


def masked_name(name: str) -> str:
    """«Astrid Olsen» → «Astrid O.»: enough to recognise at the door, not to identify on a screen."""
    parts = name.split()
    return " ".join(parts[:1] + [part[0] + "." for part in parts[1:]]) if parts else ""
