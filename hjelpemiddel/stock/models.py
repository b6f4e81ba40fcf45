from __future__ import annotations

from datetime import datetime

from sqlalchemy import (JSON, BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint, text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..catalog.models import Product
from ..core.db import Base, utcnow
from .lifecycle import DeviceState

IN_MAINTENANCE_SQL = "state IN ('returned', 'cleaning', 'inspection', 'in_repair')"
NAV_SETTLING_SQL = "kind IN ('return_received', 'nav_kept_for_reuse')"
# The forecast's measured turnaround (forecast.gathering.turnaround_stmt, migration 0014).
READIED_SQL = "to_state = 'available' AND from_state = 'inspection'"
RECEIVED_SQL = "to_state = 'cleaning'"

LOCATION_KINDS = ("depot", "zone", "rack", "shelf", "bin", "van")
# What a place in the depot is for (the twin colours and counts by it): storage, or a station of the
# return flow. A place without its own purpose has its zone's.
LOCATION_PURPOSES = ("storage", "receiving", "cleaning", "inspection", "repair", "quarantine", "van_bay")
PURPOSE_LABELS = {"storage": "Lager", "receiving": "Mottak", "cleaning": "Vask", "inspection": "Kontroll",
                  "repair": "Verksted", "quarantine": "Karantene", "van_bay": "Bilplass"}
OWNERS = ("kommune", "nav")
CONDITIONS = ("new", "good", "fair", "poor")


class Location(Base):
    """A place in the depot tree: depot → zone → rack → shelf/bin, with coordinates in metres
    for the digital twin. ``path`` is the chain of ancestor codes, kept so a scan needs no walk."""

    __tablename__ = "locations"
    __table_args__ = (
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
        CheckConstraint("(width IS NULL OR width > 0) AND (depth IS NULL OR depth > 0)", name="size_positive"),
        CheckConstraint("purpose IS NULL OR purpose IN ('storage', 'receiving', 'cleaning', 'inspection', 'repair', "
                        "'quarantine', 'van_bay')", name="purpose_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    barcode: Mapped[str | None] = mapped_column(String(11), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), index=True)
    path: Mapped[str] = mapped_column(String(400), default="")
    capacity: Mapped[int | None]
    x: Mapped[float | None]
    y: Mapped[float | None]
    # Size on the floor in metres (x along width) and turn in degrees about the centre, for the map.
    width: Mapped[float | None]
    depth: Mapped[float | None]
    rotation: Mapped[float] = mapped_column(default=0.0, server_default=text("0"))
    purpose: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StockMinimum(Base):
    """The fewest units ready to lend the depot wants of a product, or of an ISO class."""

    __tablename__ = "stock_minimums"
    __table_args__ = (
        CheckConstraint("(product_id IS NULL) <> (iso_class IS NULL)", name="product_or_class"),
        CheckConstraint("minimum >= 0", name="minimum_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), unique=True)
    iso_class: Mapped[str | None] = mapped_column(String(8), unique=True)
    minimum: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Device(Base):
    """One physical unit of a product (a hjelpemiddel). NAV-owned units keep NAV's
    hmsnr + serienr as a second key."""

    __tablename__ = "devices"
    __table_args__ = (
        UniqueConstraint("product_id", "serial_number"),
        UniqueConstraint("nav_hms_nr", "nav_serial"),
        CheckConstraint("owner IN ('kommune', 'nav')", name="owner_known"),
        CheckConstraint("owner = 'kommune' OR (nav_hms_nr IS NOT NULL AND nav_serial IS NOT NULL)",
                        name="nav_device_has_nav_ids"),
        CheckConstraint("state IN (" + ", ".join(f"'{state.value}'" for state in DeviceState) + ")",
                        name="state_known"),
        # Lists at a million units (migration 0011): a state (and owner) in id order for keyset pages;
        # the washing and inspection list, latest first (maintenance.IN_MAINTENANCE, checked by a test).
        Index("ix_devices_state_owner_id", "state", "owner", "id"),
        Index("ix_devices_in_maintenance", "updated_at", "id", postgresql_where=text(IN_MAINTENANCE_SQL),
              sqlite_where=text(IN_MAINTENANCE_SQL)),
        # The forecast's counts per product and owner of a state (available; the return flow by day), index-only (0014).
        Index("ix_devices_state_product_id_owner_updated_at", "state", "product_id", "owner", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    barcode: Mapped[str] = mapped_column(String(11), unique=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    serial_number: Mapped[str | None] = mapped_column(String(64), index=True)
    owner: Mapped[str] = mapped_column(String(8), default="kommune")
    nav_hms_nr: Mapped[str | None] = mapped_column(String(6))
    nav_serial: Mapped[str | None] = mapped_column(String(64), index=True)
    condition: Mapped[str] = mapped_column(String(8), default="good")
    state: Mapped[str] = mapped_column(String(24))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), index=True)
    registered_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    product: Mapped[Product] = relationship(lazy="raise")
    location: Mapped[Location | None] = relationship(lazy="raise")


class DeviceLabel(Base):
    """A printed barcode, kept apart from the device: labels are reprinted, replaced, or printed
    blank in advance and claimed when a device is registered."""

    __tablename__ = "device_labels"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str | None] = mapped_column(String(11), unique=True)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"), index=True)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    retired_at: Mapped[datetime | None]


class DeviceEvent(Base):
    """One change to a device. Append-only: the migration installs triggers that refuse
    UPDATE and DELETE, and nothing in the code issues them."""

    __tablename__ = "device_events"
    __table_args__ = (
        Index("ix_device_events_device_id_id", "device_id", "id"),
        # The twin's time travel: what stood at a place by a moment, and a unit's last event before one.
        Index("ix_device_events_to_location_id_occurred_at", "to_location_id", "occurred_at", "device_id"),
        Index("ix_device_events_device_id_occurred_at", "device_id", "occurred_at", "id"),
        # A NAV unit's latest «received back» or «kept for reuse» (nav.services.nav_returns_awaiting_decision).
        Index("ix_device_events_nav_settling", "device_id", "id", postgresql_where=text(NAV_SETTLING_SQL),
              sqlite_where=text(NAV_SETTLING_SQL)),
        # The forecast (migration 0014): units readied in a period, each unit's latest «received» before
        # it, and the events since a moment (the backtest counts availability back from today; the
        # twin adds the events since a month's checkpoint).
        Index("ix_device_events_readied", "occurred_at", postgresql_where=text(READIED_SQL),
              sqlite_where=text(READIED_SQL)),
        Index("ix_device_events_received", "device_id", "id", postgresql_where=text(RECEIVED_SQL),
              sqlite_where=text(RECEIVED_SQL)),
        Index("ix_device_events_occurred_at", "occurred_at"),
        Index("ix_device_events_scrapped", "occurred_at", postgresql_where=text("to_state = 'scrapped'"),
              sqlite_where=text("to_state = 'scrapped'")),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(24))
    to_state: Mapped[str | None] = mapped_column(String(24))
    from_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    to_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict | None] = mapped_column(JSON)
