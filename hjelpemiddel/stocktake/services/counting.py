"""Counting: starting a stocktake (a snapshot of what the system says is in the scope), scanning bins
and units, several counters at once, and the progress they see."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, insert, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ...core.auth import User
from ...core.db import utcnow
from ...core.errors import Conflict, ValidationFailed
from ...core.paging import PAGE_SIZE, Page, offset_page, streamed
from ...stock.models import Device, Location
from ...stock.services import classify_scan, get_location
from ..models import Stocktake, StocktakeBin, StocktakeLine
from .scope import check_counting, get_stocktake, in_scope, in_scope_sql, overlaps, root_of, scope_ids


def _outside(location: Location, root: Location) -> ValidationFailed:
    message = f"{location.code} er ikke med i denne varetellingen (den teller {root.code} med alt under)."
    error = ValidationFailed(message, {"code": [message]}, code="outside_stocktake")
    error.summarised = True
    return error


def start_stocktake(session: Session, actor_id: int | None, location_code: str, blind: bool = True,
                    note: str = "") -> Stocktake:
    """Begin counting ``location_code`` and everything below it. What the system says stands there
    now is written down at once (one statement), so later scans are judged against the start."""
    root = get_location(session, location_code, field="location_code")
    if root.kind == "van":
        raise ValidationFailed.for_field("location_code", "En bil telles ikke i en varetelling; velg en sone, "
                                                          "en reol, en hylle eller hele lageret.")
    for other_id, other_root_id in session.execute(select(Stocktake.id, Stocktake.root_location_id)
                                                   .where(Stocktake.status == "counting")):
        other = session.get(Location, other_root_id)
        if overlaps(root, other):
            raise Conflict(f"Varetelling nr. {other_id} av {other.code} pågår og overlapper med {root.code}; "
                           "avslutt den først.", {"stocktake_id": other_id}, code="stocktake_overlaps")
    stocktake = Stocktake(root_location_id=root.id, blind=blind, note=note.strip(), started_by_id=actor_id)
    session.add(stocktake)
    session.flush()
    expected = session.execute(insert(StocktakeLine.__table__).from_select(
        ["stocktake_id", "device_id", "expected_location_id"],
        select(literal(stocktake.id), Device.id, Device.location_id).where(Device.location_id.in_(scope_ids(root)))))
    stocktake.expected_units = expected.rowcount if expected.rowcount >= 0 else session.scalar(
        select(func.count()).select_from(StocktakeLine).where(StocktakeLine.stocktake_id == stocktake.id))
    session.flush()
    return stocktake


@dataclass(frozen=True)
class CountScan:
    """What a scan in a stocktake did: a bin became the current one, or a unit was counted in it."""

    kind: str  # "bin" | "unit"
    bin_code: str
    message: str
    barcode: str | None = None
    product_name: str | None = None
    repeated: bool = False


def _visit_bin(session: Session, stocktake: Stocktake, location: Location, actor_id: int | None) -> None:
    # Two counters may reach the same bin at once: the second one's row is simply not needed.
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(StocktakeBin).values(stocktake_id=stocktake.id, location_id=location.id,
                                                        counted_by_id=actor_id, first_scanned_at=utcnow())
                    .on_conflict_do_nothing())


def scan_in_stocktake(session: Session, actor_id: int | None, stocktake_id: int, code: str,
                      bin_code: str | None = None) -> CountScan:
    """A bin's label makes it the bin being counted; a unit's code counts the unit in ``bin_code``.
    Codes are read as on every scanning page (``classify_scan``), refused with the same words. A unit
    scanned again in another bin counts where it was scanned last."""
    stocktake = get_stocktake(session, stocktake_id)
    check_counting(stocktake)
    root = root_of(session, stocktake)
    scanned = classify_scan(session, code)
    if scanned.location is not None:
        if not in_scope(root, scanned.location):
            raise _outside(scanned.location, root)
        _visit_bin(session, stocktake, scanned.location, actor_id)
        return CountScan("bin", scanned.location.code, f"Teller {scanned.location.code}: skann hjelpemidlene her.")
    if not bin_code:
        message = "Skann etiketten på hylla først, så hjelpemidlene som står der."
        error = ValidationFailed(message, {"bin_code": [message]}, code="no_bin")
        error.summarised = True
        raise error
    place = get_location(session, bin_code, field="bin_code")
    if not in_scope(root, place):
        raise _outside(place, root)
    device = scanned.device
    line = session.scalar(select(StocktakeLine).where(StocktakeLine.stocktake_id == stocktake.id,
                                                      StocktakeLine.device_id == device.id))
    product = device.product.name
    if line is not None and line.counted_location_id == place.id:
        return CountScan("unit", place.code, f"{device.barcode} er allerede telt på {place.code}.", device.barcode,
                         product, repeated=True)
    if line is None:
        line = StocktakeLine(stocktake_id=stocktake.id, device_id=device.id)
        session.add(line)
    line.counted_location_id, line.system_location_id = place.id, device.location_id
    line.counted_at, line.counted_by_id = utcnow(), actor_id
    _visit_bin(session, stocktake, place, actor_id)
    session.flush()
    message = f"Telt: {device.barcode} – {product} på {place.code}."
    if not stocktake.blind:
        if device.location_id == place.id:
            message += " Den står der den skal."
        elif device.location is not None and in_scope(root, device.location):
            message += f" Systemet har den på {device.location.code}."
        else:
            message += " Den var ikke ventet i denne tellingen."
    return CountScan("unit", place.code, message, device.barcode, product)


@dataclass(frozen=True)
class Progress:
    status: str
    bins_done: int
    bins_total: int
    units_counted: int
    expected_units: int | None  # None in a blind count: the counters do not see it
    counters: list[tuple[str, int]]


def stocktake_progress(session: Session, stocktake_id: int) -> Progress:
    """How far the count has come: bins scanned of the bins in the scope, units counted, by whom."""
    stocktake = get_stocktake(session, stocktake_id)
    root = root_of(session, stocktake)
    bins_total = session.scalar(select(func.count()).select_from(Location)
                                .where(in_scope_sql(root), Location.kind == "bin"))
    done = select(func.count()).select_from(StocktakeBin).join(Location, Location.id == StocktakeBin.location_id)
    done = done.where(StocktakeBin.stocktake_id == stocktake.id)
    bins_done = session.scalar(done.where(Location.kind == "bin") if bins_total else done)
    counted = StocktakeLine.counted_at.is_not(None)
    counters = session.execute(
        select(func.coalesce(func.nullif(User.full_name, ""), User.username), func.count())
        .select_from(StocktakeLine).join(User, User.id == StocktakeLine.counted_by_id)
        .where(StocktakeLine.stocktake_id == stocktake.id, counted)
        .group_by(User.id, User.full_name, User.username).order_by(func.count().desc()).limit(20)).all()
    units = session.scalar(select(func.count()).select_from(StocktakeLine)
                           .where(StocktakeLine.stocktake_id == stocktake.id, counted))
    return Progress(stocktake.status, bins_done, bins_total or 1, units,
                    None if stocktake.blind and stocktake.status == "counting" else stocktake.expected_units,
                    [(name, count) for name, count in counters])


@dataclass(frozen=True)
class StocktakeRow:
    stocktake: Stocktake
    root_code: str
    root_name: str

    def __getattr__(self, name):
        return getattr(self.stocktake, name)


def list_stocktakes(session: Session, status: str | None = None, number: int = 1, size: int = PAGE_SIZE) -> Page:
    """Stocktakes, newest first, with the place each counts."""
    stmt = (select(Stocktake, Location.code, Location.name).join(Location, Location.id == Stocktake.root_location_id)
            .order_by(Stocktake.id.desc()))
    if status:
        stmt = stmt.where(Stocktake.status == status)
    page = offset_page(session, stmt, number, size, scalars=False)
    page.items = [StocktakeRow(*row) for row in page.items]
    return page


STOCKTAKE_HEADINGS = ("Sted", "Navn", "Status", "Blindtelling", "Ventet", "Startet", "Avsluttet", "Merknad")


def stocktake_export_rows(session: Session, status: str | None = None):
    """Every stocktake as rows for a download (``core.exports``), newest first."""
    stmt = (select(Stocktake, Location.code, Location.name).join(Location, Location.id == Stocktake.root_location_id)
            .order_by(Stocktake.id.desc()))
    if status:
        stmt = stmt.where(Stocktake.status == status)
    return ((code, name, "Pågår" if take.status == "counting" else "Avsluttet", take.blind, take.expected_units,
             take.started_at, take.closed_at, take.note) for take, code, name in streamed(session, stmt))


def describe_stocktake(session: Session, stocktake_id: int) -> StocktakeRow:
    stocktake = get_stocktake(session, stocktake_id)
    root = root_of(session, stocktake)
    return StocktakeRow(stocktake, root.code, root.name)
