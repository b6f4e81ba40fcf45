"""Delivery runs (kjørerunder) and what they show: their visits in order and the units on each."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ...catalog.models import Product
from ...core.auth import User
from ...core.errors import Forbidden, NotFound, ValidationFailed
from ...core.text import local_today
from ...stock.models import Device, Location
from ...stock.services import get_location
from ..models import SUCCESS, DeliveryRun, Stop, StopItem

ACTION_LABELS = {"deliver": "Levering", "collect": "Henting", "repair": "Reparasjon", "inspect": "Periodisk kontroll"}
ACTION_VERBS = {"deliver": "Lever", "collect": "Hent", "repair": "Reparer", "inspect": "Kontroller"}
OUTCOME_LABELS = {"delivered": "Levert", "collected": "Hentet", "repair_done": "Reparert", "inspected": "Kontrollert",
                  "not_home": "Ikke hjemme",
                  "refused": "Avvist", "not_visited": "Ikke besøkt"}
RUN_STATUS_LABELS = {"planned": "Planlagt", "in_progress": "Underveis", "finished": "Ferdig"}
STOP_STATUS_LABELS = {"open": "Åpen", "done": "Utført", "failed": "Ikke utført", "dropped": "Tatt bort"}


# A run is driven within the coming year; one may be written up to a week after it was driven,
# but visits are planned only into today's runs or later ones.
RUN_DAYS_BACK, RUN_DAYS_AHEAD = 7, 365


def check_run_date(run_date: date, planning: bool = False) -> None:
    today = local_today()
    first, last = today - timedelta(days=0 if planning else RUN_DAYS_BACK), today + timedelta(days=RUN_DAYS_AHEAD)
    if not first <= run_date <= last:
        raise ValidationFailed.for_field(
            "run_date", f"{'Planlegging' if planning else 'En kjørerunde'} må gjelde en dag fra {first:%d.%m.%Y} "
                        f"til {last:%d.%m.%Y}.")


def get_run(session: Session, run_id: int, for_update: bool = False) -> DeliveryRun:
    stmt = select(DeliveryRun).options(joinedload(DeliveryRun.van)).where(DeliveryRun.id == run_id)
    if for_update:
        stmt = stmt.with_for_update(of=DeliveryRun)
    run = session.scalar(stmt)
    if run is None:
        raise NotFound(f"Fant ikke kjørerunde {run_id}.", {"run_id": run_id})
    return run


def _driver_id(session: Session, username: str | None) -> int | None:
    if not username:
        return None
    user = session.scalar(select(User).where(User.username == username))
    if user is None or user.role not in ("sjafor", "admin"):
        raise ValidationFailed.for_field("driver", f"Fant ingen sjåfør «{username}».")
    return user.id


def _van_id(session: Session, code: str | None) -> int | None:
    if not code:
        return None
    van = get_location(session, code, field="van")
    if van.kind != "van":
        raise ValidationFailed.for_field("van", f"{van.code} er ikke en bil.")
    return van.id


def create_run(session: Session, actor_id: int, run_date: date, driver: str | None = None, van: str | None = None,
               note: str = "") -> DeliveryRun:
    check_run_date(run_date)
    run = DeliveryRun(run_date=run_date, driver_id=_driver_id(session, driver), van_location_id=_van_id(session, van),
                      note=note, created_by_id=actor_id)
    session.add(run)
    session.flush()
    return get_run(session, run.id)


def list_runs(session: Session, run_date: date | None = None, driver_id: int | None = None) -> list[DeliveryRun]:
    stmt = select(DeliveryRun).options(joinedload(DeliveryRun.van)).order_by(DeliveryRun.run_date.desc(), DeliveryRun.id)
    if run_date is not None:
        stmt = stmt.where(DeliveryRun.run_date == run_date)
    if driver_id is not None:
        stmt = stmt.where((DeliveryRun.driver_id == driver_id) | DeliveryRun.driver_id.is_(None))
    return list(session.scalars(stmt.limit(200)))


def check_run_access(run: DeliveryRun, role: str, user_id: int) -> None:
    """Drivers work on their own runs (or runs not yet given a driver)."""
    if role == "sjafor" and run.driver_id not in (None, user_id):
        raise Forbidden("Denne kjørerunden er en annen sjåførs.", {"run_id": run.id})


def run_stops(session: Session, run_id: int) -> list[Stop]:
    return list(session.scalars(select(Stop).options(joinedload(Stop.citizen))
                                .where(Stop.run_id == run_id, Stop.status != "dropped").order_by(Stop.sequence, Stop.id)))


def renumber(session: Session, run_id: int, ordered_ids: list[int]) -> None:
    for sequence, stop_id in enumerate(ordered_ids, start=1):
        stop = session.get(Stop, stop_id)
        stop.run_id, stop.sequence = run_id, sequence


def take_off_run(session: Session, stop: Stop) -> None:
    """Back to planning; the run's other visits close ranks."""
    if stop.run_id is not None:
        run_id = stop.run_id
        stop.run_id, stop.sequence = None, 0
        session.flush()
        renumber(session, run_id, [s.id for s in run_stops(session, run_id) if s.id != stop.id])


def unplanned_stops(session: Session) -> list[Stop]:
    return list(session.scalars(select(Stop).options(joinedload(Stop.citizen))
                                .where(Stop.status == "open", Stop.run_id.is_(None)).order_by(Stop.urgent.desc(), Stop.id)))


@dataclass(frozen=True)
class ItemView:
    id: int
    stop_id: int
    barcode: str
    product: str
    state: str
    location_code: str | None
    location_path: str
    location_x: float | None
    location_y: float | None
    action: str
    picked: bool
    active: bool
    outcome: str | None
    substituted_for: str | None


_SUBSTITUTED = Device.__table__.alias("substituted")
_ACTION_ORDER = {action: rank for rank, action in enumerate(SUCCESS)}


def stop_items(session: Session, stop_ids: list[int]) -> dict[int, list[ItemView]]:
    """The units on each visit, as they stand; units taken off before the visit are left out."""
    items: dict[int, list[ItemView]] = {stop_id: [] for stop_id in stop_ids}
    if not stop_ids:
        return items
    rows = session.execute(
        select(StopItem.id, StopItem.stop_id, Device.barcode, Product.name, Device.state, Location.code, Location.path,
               Location.x, Location.y, StopItem.action, StopItem.picked_at, StopItem.active, StopItem.outcome,
               _SUBSTITUTED.c.barcode)
        .join(Device, Device.id == StopItem.device_id).join(Product, Product.id == Device.product_id)
        .outerjoin(Location, Location.id == Device.location_id)
        .outerjoin(_SUBSTITUTED, _SUBSTITUTED.c.id == StopItem.substituted_for_device_id)
        .where(StopItem.stop_id.in_(stop_ids), StopItem.removed_at.is_(None)).order_by(StopItem.id))
    for row in rows:
        items[row[1]].append(ItemView(*row[:10], picked=row[10] is not None, active=row[11], outcome=row[12],
                                      substituted_for=row[13]))
    for listed in items.values():  # in the order the driver does them, whatever was swapped in later
        listed.sort(key=lambda item: (_ACTION_ORDER[item.action], item.id))
    return items


def actions_of(items: list[ItemView]) -> list[str]:
    """The visit's parts, in the order a driver does them: deliver, collect, repair."""
    present = {item.action for item in items}
    return [action for action in SUCCESS if action in present]


def kind_label(actions: list[str]) -> str:
    """«Levering», «Levering og henting», «Levering, henting og reparasjon»."""
    labels = [ACTION_LABELS[action] for action in actions]
    labels = labels[:1] + [label.lower() for label in labels[1:]]
    if len(labels) < 2:
        return labels[0] if labels else "Besøk"
    return ", ".join(labels[:-1]) + " og " + labels[-1]


def outcome_summary(items: list[ItemView]) -> str:
    """What came of the visit, part by part («Levert · Hentet», «Ikke hjemme»)."""
    outcomes = []
    for action in actions_of(items):
        for outcome in [item.outcome for item in items if item.action == action and item.outcome]:
            if outcome not in outcomes:
                outcomes.append(outcome)
    return " · ".join(OUTCOME_LABELS[outcome] for outcome in outcomes)


@dataclass
class StopView:
    stop: Stop
    items: list[ItemView]

    @property
    def actions(self) -> list[str]:
        return actions_of(self.items)

    @property
    def open_actions(self) -> list[str]:
        return actions_of([item for item in self.items if item.active])

    @property
    def kind_label(self) -> str:
        return kind_label(self.actions)

    @property
    def outcome_label(self) -> str:
        return outcome_summary(self.items)

    @property
    def map_query(self) -> str:
        address = self.stop.address
        return address if not self.stop.postcode or self.stop.postcode in address else f"{address}, {self.stop.postcode}"

    @property
    def geo_link(self) -> str:
        """Opens the phone's own maps app at the door (Android asks which); nothing is sent from here."""
        return "geo:0,0?q=" + quote(self.map_query, safe="")

    @property
    def maps_link(self) -> str:
        """The same address in a web map, for phones that do not know ``geo:``."""
        return "https://www.google.com/maps/search/?api=1&query=" + quote(self.map_query, safe="")

    def __getattr__(self, name):
        return getattr(self.stop, name)


@dataclass
class RunView:
    """A run with its visits and their units, for answers and pages; reads through to the run."""

    run: DeliveryRun
    driver: str | None
    driver_name: str | None
    stops: list[StopView]

    def __getattr__(self, name):
        return getattr(self.run, name)


def stop_views(session: Session, stops: list[Stop]) -> list[StopView]:
    items = stop_items(session, [s.id for s in stops])
    return [StopView(s, items[s.id]) for s in stops]


def run_view(session: Session, run_id: int) -> RunView:
    run = get_run(session, run_id)
    user = session.get(User, run.driver_id) if run.driver_id else None
    return RunView(run, user.username if user else None, (user.full_name or user.username) if user else None,
                   stop_views(session, run_stops(session, run_id)))
