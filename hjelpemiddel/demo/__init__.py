"""The demo depot behind ``hjelpemiddel demo``: a believable hjelpemiddellager (assistive-device
depot) for a Norwegian town of about 25,000 people, identical for the same seed.

Products (``catalog``, from ``products.txt``) and locations (``depot``) go through the catalogue and
stock services; the devices (``devices``) are written in bulk; citizens and their needs (``lending``)
go through the lending services. ``nav`` tells the fake NAV server NAV's side of the demo.
"""
from __future__ import annotations

import random
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..catalog.models import Product
from ..core.auth import User, create_user
from ..core.crypto import FnrVault
from ..core.db import utcnow
from ..stock.models import Device, Location
from .catalog import insert_products, plan_products
from .depot import BUILDING_SIZE, DEPOT_CODE, build_depot
from .devices import add_recent_history, assign_bins, insert_devices, plan_devices
from .upkeep import load_demo_inspections
from .parts import load_demo_parts

__all__ = ["BUILDING_SIZE", "DEFAULT_USERS", "DEPOT_CODE", "database_is_empty", "load_demo"]

DEFAULT_USERS = (("lager", "lager", "Lise Lager"), ("terapeut", "terapeut", "Tone Terapeut"),
                 ("sjafor", "sjafor", "Sindre Sjåfør"), ("admin", "admin", "Anne Admin"))


def database_is_empty(session: Session) -> bool:
    """No products, devices or locations: the demo would not mix with real data."""
    return all(session.scalar(select(model.id).limit(1)) is None for model in (Product, Device, Location))


def _create_users(session: Session, users: Sequence[tuple[str, str, str]], password: str) -> list[User]:
    # An admin created before the demo keeps their password; the others are added.
    existing = set(session.scalars(select(User.username).where(User.username.in_([u for u, _, _ in users]))))
    return [create_user(session, username, role, password, full_name)
            for username, role, full_name in users if username not in existing]


def _warehouse_actor(session: Session, users: Sequence[tuple[str, str, str]]) -> int | None:
    names = [username for username, role, _ in users if role == "lager"] or [username for username, _, _ in users]
    return session.scalar(select(User.id).where(User.username.in_(names)).order_by(User.id).limit(1)) if names else None


def load_demo(session: Session, seed: int = 2026, users: Sequence[tuple[str, str, str]] = DEFAULT_USERS,
              password: str = "demo-passord", vault: FnrVault | None = None) -> dict[str, int]:
    """Fill an empty database with the demo depot; flushes, never commits. Returns what was made.
    With an fnr vault it also adds citizens and their needs in every stage."""
    rng = random.Random(seed)
    today = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    created_users = _create_users(session, users, password)
    products = plan_products(rng)
    product_ids = insert_products(session, products)
    bins = build_depot(session)
    devices = plan_devices(rng, products)
    add_recent_history(rng, devices, products)
    assign_bins(devices, products, bins)
    insert_devices(session, devices, product_ids, _warehouse_actor(session, users), today)
    session.flush()
    in_depot = ((Location.code == DEPOT_CODE) | (Location.path == DEPOT_CODE)
                | Location.path.startswith(f"{DEPOT_CODE} / "))
    summary = {"produkter": len(product_ids),
               "lokasjoner": session.scalar(select(func.count()).select_from(Location).where(in_depot)),
               "hjelpemidler": len(devices),
               "brukere": len(created_users)}
    therapist_id = session.scalar(select(User.id).where(User.role == "terapeut").order_by(User.id).limit(1))
    lager_id = _warehouse_actor(session, users)
    # Before lending, so the demo's needs pass over the units whose inspection is overdue.
    summary.update(load_demo_inspections(session, random.Random(seed + 2), lager_id, today))
    summary["reservedeler"] = load_demo_parts(session, lager_id)
    if vault is not None and therapist_id and lager_id:
        from .lending import load_demo_lending

        summary.update(load_demo_lending(session, vault, random.Random(seed + 1), therapist_id, lager_id))
        from .slings import load_demo_slings

        summary.update(load_demo_slings(session, therapist_id, lager_id))
    return summary
