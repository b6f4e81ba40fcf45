"""A stocktake (varetelling) of a subtree of the depot: what the system expected there when the count
began, what the counters scanned in which bin, and the result once the count is closed."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.db import Base, utcnow

STATUSES = ("counting", "closed")
# found: where the system has it; misplaced: in the counted scope, but in another bin; unexpected: not
# in the scope at all by the system; missing: expected, not scanned; moved: a real event moved the unit
# during the count (the history tells), so the count says nothing wrong about it.
OUTCOMES = ("found", "misplaced", "unexpected", "missing", "moved")
ADJUSTED_OUTCOMES = ("misplaced", "unexpected", "missing")
DECISIONS = ("pending", "approved")
PENDING_SQL = "decision = 'pending'"


class Stocktake(Base):
    """One count of a location and everything below it; blind unless the person starting it chose
    to show the counters what is expected."""

    __tablename__ = "stocktakes"
    __table_args__ = (
        CheckConstraint("status IN ('counting', 'closed')", name="status_known"),
        # The cycle-count plan: the latest closed count of each place.
        Index("ix_stocktakes_root_location_id_closed_at", "root_location_id", "closed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    root_location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    blind: Mapped[bool] = mapped_column(default=True)
    status: Mapped[str] = mapped_column(String(10), default="counting")
    note: Mapped[str] = mapped_column(Text, default="")
    expected_units: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class StocktakeLine(Base):
    """One unit in a stocktake: expected (snapshot at the start), counted (where and by whom), or
    both; its outcome and, where the count calls for an adjustment, the decision on it."""

    __tablename__ = "stocktake_lines"
    __table_args__ = (
        UniqueConstraint("stocktake_id", "device_id"),
        CheckConstraint("outcome IS NULL OR outcome IN ('found', 'misplaced', 'unexpected', 'missing', 'moved')",
                        name="outcome_known"),
        CheckConstraint("decision IS NULL OR decision IN ('pending', 'approved')", name="decision_known"),
        # The result's lists by outcome in id order, and approving: the pending lines in id order.
        Index("ix_stocktake_lines_stocktake_id_outcome_id", "stocktake_id", "outcome", "id"),
        Index("ix_stocktake_lines_pending", "stocktake_id", "id", postgresql_where=text(PENDING_SQL),
              sqlite_where=text(PENDING_SQL)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    stocktake_id: Mapped[int] = mapped_column(ForeignKey("stocktakes.id"))
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"))
    # Where the system has the unit: at the start, then (when the count closes) at the close.
    expected_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    counted_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    # Where the system had the unit when it was scanned: a later event moving it shows against this.
    system_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    counted_at: Mapped[datetime | None]
    counted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[str | None] = mapped_column(String(12))
    decision: Mapped[str | None] = mapped_column(String(10))
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class StocktakeBin(Base):
    """A bin (or any place in the scope) whose label a counter scanned: the count's progress."""

    __tablename__ = "stocktake_bins"

    stocktake_id: Mapped[int] = mapped_column(ForeignKey("stocktakes.id"), primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), primary_key=True)
    first_scanned_at: Mapped[datetime] = mapped_column(default=utcnow)
    counted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
