"""The depot as a tree of locations: depot → zone → rack → shelf/bin, plus vans."""
from __future__ import annotations

import re

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ...core.errors import Conflict, NotFound, ValidationFailed
from ...core.ids import LOCATION_PREFIX, looks_like_code, make_code, normalize_scan
from ...core.paging import PAGE_SIZE, Page, offset_page
from ..models import LOCATION_KINDS, Device, Location

_KIND_RANK = {kind: rank for rank, kind in enumerate(LOCATION_KINDS)}
_LOCATION_CODE_RE = re.compile(r"^[A-ZÆØÅ0-9][A-ZÆØÅ0-9._\-]{0,39}$")
PATH_SEPARATOR = " / "


def normalize_location_code(code: str) -> str:
    return code.strip().upper()


def zone_of(path: str | None, code: str | None) -> str:
    """The zone a location lies in: the second step of its path (the first is the depot), or the
    location itself when it is a zone or sits directly under the depot."""
    steps = (path or "").split(PATH_SEPARATOR)
    return steps[1] if len(steps) > 1 and steps[1] else (code or "")


def create_location(session: Session, code: str, kind: str, name: str = "", parent_code: str | None = None,
                    capacity: int | None = None, x: float | None = None, y: float | None = None,
                    width: float | None = None, depth: float | None = None, rotation: float = 0.0,
                    purpose: str | None = None) -> Location:
    code = normalize_location_code(code)
    if not _LOCATION_CODE_RE.match(code):
        raise ValidationFailed.for_field("code", "Koden kan bare ha bokstaver, sifre, punktum, - og _ (høyst 40 tegn).")
    if looks_like_code(code):
        raise ValidationFailed.for_field("code", "Koden kan ikke se ut som en strekkode (HJM/LOK + sifre).")
    if kind not in _KIND_RANK:
        raise ValidationFailed.for_field("kind", f"Ukjent type «{kind}». Gyldige: {', '.join(LOCATION_KINDS)}.")
    parent = None
    if parent_code:
        parent = session.scalar(select(Location).where(Location.code == normalize_location_code(parent_code)))
        if parent is None:
            raise ValidationFailed.for_field("parent_code", f"Fant ingen lokasjon «{parent_code}».")
        if kind == "van" and parent.kind != "depot":
            raise ValidationFailed.for_field("parent_code", "En bil hører til et lager.")
        if _KIND_RANK[kind] <= _KIND_RANK[parent.kind] or parent.kind == "van":
            raise ValidationFailed.for_field("kind", f"En «{kind}» kan ikke ligge under en «{parent.kind}».")
    elif kind != "depot":
        raise ValidationFailed.for_field("parent_code", "Alle lokasjoner unntatt lageret selv må ha en overordnet lokasjon.")
    if session.scalar(select(Location.id).where(Location.code == code)) is not None:
        raise Conflict(f"Lokasjonskoden «{code}» finnes allerede.", {"code": code})
    location = Location(code=code, kind=kind, name=name, parent_id=parent.id if parent else None,
                        path=f"{parent.path}{PATH_SEPARATOR}{parent.code}".lstrip(" /") if parent else "",
                        capacity=capacity, x=x, y=y, width=width, depth=depth, rotation=rotation, purpose=purpose)
    session.add(location)
    session.flush()
    location.barcode = make_code(LOCATION_PREFIX, location.id)
    session.flush()
    return location


def get_location(session: Session, code: str, field: str | None = None) -> Location:
    """By code or barcode. With ``field`` an unknown location is a bad field (422), else a 404."""
    key = normalize_scan(code)
    column = Location.barcode if key.startswith(LOCATION_PREFIX) and looks_like_code(key) else Location.code
    location = session.scalar(select(Location).where(column == key))
    if location is None:
        message = f"Fant ingen lokasjon «{code}»."
        if field:
            raise ValidationFailed.for_field(field, message)
        raise NotFound(message, {"code": code})
    return location


def find_location(session: Session, code: str | None) -> Location | None:
    """The location with this code, or None (for configured defaults that a depot may not have)."""
    return session.scalar(select(Location).where(Location.code == normalize_location_code(code))) if code else None


def depot_root(session: Session) -> Location | None:
    return session.scalar(select(Location).where(Location.kind == "depot").order_by(Location.id).limit(1))


def receiving_place(session: Session, configured: str | None) -> Location | None:
    """Where units arriving at the depot go when no location is scanned: the configured receiving
    location if this depot has it, else the depot itself."""
    return find_location(session, configured) or depot_root(session)


def list_locations(session: Session, kind: str | None = None, parent_code: str | None = None,
                   q: str | None = None, limit: int = 500) -> list[Location]:
    """Locations in tree order, at most ``limit``; ``q`` matches a code, a name or a label's barcode
    (a type-ahead asks it as the user types)."""
    stmt = select(Location).order_by(Location.path, Location.code).limit(limit)
    if kind:
        stmt = stmt.where(Location.kind == kind)
    if parent_code:
        stmt = stmt.where(Location.parent_id == get_location(session, parent_code, field="parent_code").id)
    if q and q.strip():
        stmt = stmt.where(_matching(q))
    return list(session.scalars(stmt))


def _matching(q: str):
    text = q.strip()
    return or_(Location.code.contains(normalize_location_code(text), autoescape=True),
               func.lower(Location.name).contains(text.lower(), autoescape=True),
               Location.barcode == normalize_scan(text))


def location_children(session: Session, parent_code: str | None = None, number: int = 1,
                      size: int = PAGE_SIZE) -> tuple[Location | None, Page]:
    """A location and a page of the locations directly in it (without a code: the depots)."""
    parent = get_location(session, parent_code) if parent_code else None
    stmt = select(Location).where(Location.parent_id == parent.id if parent else Location.parent_id.is_(None))
    return parent, offset_page(session, stmt.order_by(Location.code), number, size)


def children_of(session: Session, parent_ids: list[int], per_parent: int = PAGE_SIZE) -> dict[int, list[Location]]:
    """The first ``per_parent`` children of each of a few locations, in one query."""
    found: dict[int, list[Location]] = {parent_id: [] for parent_id in parent_ids}
    if parent_ids:
        for location in session.scalars(select(Location).where(Location.parent_id.in_(parent_ids))
                                        .order_by(Location.code).limit(per_parent * len(parent_ids))):
            if len(found[location.parent_id]) < per_parent:
                found[location.parent_id].append(location)
    return found


def search_locations(session: Session, q: str, number: int = 1, size: int = PAGE_SIZE) -> Page:
    stmt = select(Location).where(_matching(q))
    return offset_page(session, stmt.order_by(Location.path, Location.code), number, size)


def count_devices_at(session: Session, location_ids: list[int]) -> dict[int, int]:
    """Units directly in each of the given locations: a grouped count over those only (the page's
    locations), so a view costs the same in a depot of a thousand units or a million."""
    if not location_ids:
        return {}
    return dict(session.execute(select(Device.location_id, func.count()).where(Device.location_id.in_(location_ids))
                                .group_by(Device.location_id)).all())


def check_capacity(session: Session, location: Location, moving_device_id: int | None = None) -> None:
    if location.capacity is None:
        return
    stmt = select(func.count()).select_from(Device).where(Device.location_id == location.id)
    if moving_device_id is not None:
        stmt = stmt.where(Device.id != moving_device_id)
    if session.scalar(stmt) >= location.capacity:
        raise Conflict(f"Lokasjonen {location.code} er full ({location.capacity} plasser).",
                       {"location_code": location.code, "capacity": location.capacity}, code="location_full")


def lock_location(session: Session, code: str, field: str) -> Location:
    location = get_location(session, code, field=field)
    # Serialises concurrent put-aways into the same bin so capacity holds (SQLite serialises writes anyway).
    # NO KEY: a move out of this bin elsewhere only takes KEY SHARE on it (its event and the unit
    # refer to it); a plain FOR UPDATE would wait for that move while it waits for ours: deadlock.
    session.execute(select(Location.id).where(Location.id == location.id).with_for_update(key_share=True))
    return location


def update_location_layout(session: Session, code: str, **layout) -> Location:
    """Where a place stands on the floor and what it is for (the twin's map): only what is given
    changes (``x``, ``y``, ``width``, ``depth``, ``rotation``, ``purpose``, ``capacity``, ``name``)."""
    location = session.scalar(select(Location).where(Location.code == normalize_location_code(code)).with_for_update())
    if location is None:
        raise NotFound(f"Fant ingen lokasjon «{code}».")
    for name, value in layout.items():
        setattr(location, name, value)
    session.flush()
    return location
