"""A recall (field safety notice) and the units it found, each with where it was found and what
was done with it."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (JSON, BigInteger, CheckConstraint, Column, Date, ForeignKey, Index, String, Table, Text,
                        UniqueConstraint, false, text)
from sqlalchemy.orm import Mapped, mapped_column

from ..core.db import Base, utcnow

ACTIONS = ("quarantine", "inspect", "replace_part", "scrap")
SELECTIONS = ("range", "list", "lot")
STATUSES = ("open", "closed")
UNIT_STATUSES = ("open", "handled")
# Where a unit was when the notice was registered (the board filters by it).
FOUND_WHERE = ("shelf", "reserved", "van", "home", "maintenance", "repair", "quarantine")

recall_products = Table(
    "recall_products", Base.metadata,
    Column("recall_id", ForeignKey("recalls.id"), primary_key=True),
    Column("product_id", ForeignKey("products.id"), primary_key=True, index=True),
)


class Recall(Base):
    """A manufacturer's notice: which units (products and a serial range, list or lot), what to do
    with them and by when."""

    __tablename__ = "recalls"
    __table_args__ = (
        CheckConstraint("action IN ('quarantine', 'inspect', 'replace_part', 'scrap')", name="action_known"),
        CheckConstraint("selection IN ('range', 'list', 'lot')", name="selection_known"),
        CheckConstraint("status IN ('open', 'closed')", name="status_known"),
        CheckConstraint("selection <> 'range' OR (serial_from IS NOT NULL AND serial_to IS NOT NULL "
                        "AND serial_from <= serial_to)", name="range_ordered"),
        Index("ix_recalls_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    reference: Mapped[str] = mapped_column(String(100), default="")
    selection: Mapped[str] = mapped_column(String(8))
    serial_from: Mapped[int | None] = mapped_column(BigInteger)
    serial_to: Mapped[int | None] = mapped_column(BigInteger)
    serials: Mapped[list | None] = mapped_column(JSON)
    lot: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))
    due_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8), default="open")
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None]
    close_note: Mapped[str] = mapped_column(Text, default="")


class RecallUnit(Base):
    """One affected unit: where it was and who held it when the notice came, the quarantine or visit
    it got, and who handled it when."""

    __tablename__ = "recall_units"
    __table_args__ = (
        UniqueConstraint("recall_id", "device_id"),
        CheckConstraint("status IN ('open', 'handled')", name="status_known"),
        # The board: open first, a page at a time (read backwards: open, newest first).
        Index("ix_recall_units_recall_id_status_id", "recall_id", "status", "id"),
        # A unit's open recalls, looked up each time a unit becomes free (services/handling.py).
        Index("ix_recall_units_device_id_status", "device_id", "status"),
        # Units found free in the depot whose quarantine is still to be written, a batch at a time.
        Index("ix_recall_units_quarantine_pending", "recall_id", "id", postgresql_where=text("quarantine_pending"),
              sqlite_where=text("quarantine_pending")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recall_id: Mapped[int] = mapped_column(ForeignKey("recalls.id"))
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"))
    found_state: Mapped[str] = mapped_column(String(24))
    found_where: Mapped[str] = mapped_column(String(12))
    found_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    holder_citizen_id: Mapped[int | None] = mapped_column(ForeignKey("citizens.id"))
    nav_flag: Mapped[bool] = mapped_column(default=False)
    quarantine_id: Mapped[int | None] = mapped_column(ForeignKey("quarantines.id"))
    # Found free in the depot and kept from lending by the recall until its quarantine is written
    # (services/register.py, apply_recall_quarantines).
    quarantine_pending: Mapped[bool] = mapped_column(default=False, server_default=false())
    stop_id: Mapped[int | None] = mapped_column(ForeignKey("stops.id"))
    status: Mapped[str] = mapped_column(String(8), default="open")
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    handled_at: Mapped[datetime | None]
    action_taken: Mapped[str] = mapped_column(Text, default="")
