from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, Time, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..citizens.models import Citizen
from ..core.db import Base, utcnow
from ..stock.models import Device, Location

# What a visit does with each unit: deliver it, collect it, or repair it where it stands.
ACTIONS = ("deliver", "collect", "repair", "inspect")
SUCCESS = {"deliver": "delivered", "collect": "collected", "repair": "repair_done", "inspect": "inspected"}
FAILURES = ("not_home", "refused", "not_visited")
OUTCOMES = {action: (success, *FAILURES) for action, success in SUCCESS.items()}


class DeliveryRun(Base):
    """A kjørerunde: one driver and van on one day, its stops in order, and its delivery log."""

    __tablename__ = "delivery_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_date: Mapped[date] = mapped_column(Date, index=True)
    driver_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    van_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    status: Mapped[str] = mapped_column(String(12), default="planned")  # planned | in_progress | finished
    odometer_start: Mapped[int | None]
    odometer_end: Mapped[int | None]
    departed_at: Mapped[datetime | None]
    returned_at: Mapped[datetime | None]
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    van: Mapped[Location | None] = relationship(lazy="raise")


class Stop(Base):
    """A visit to one citizen's door: deliver reserved units, collect returned ones, repair units
    where they stand, or several at once (an exchange). One door has at most one open visit per run.
    A failed visit stays in its run's log with its reason; a fresh open stop carries what was not
    done back to planning. ``not_before``: a visit that must wait (for parts from NAV)."""

    __tablename__ = "stops"
    __table_args__ = (Index("ix_stops_run_id_sequence", "run_id", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("delivery_runs.id"))
    sequence: Mapped[int] = mapped_column(default=0)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id"), index=True)
    need_id: Mapped[int | None] = mapped_column(ForeignKey("needs.id"))
    address: Mapped[str] = mapped_column(String(300))
    postcode: Mapped[str] = mapped_column(String(4), default="")
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    window_start: Mapped[time | None] = mapped_column(Time)
    window_end: Mapped[time | None] = mapped_column(Time)
    urgent: Mapped[bool] = mapped_column(default=False)
    not_before: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8), default="open", index=True)  # open | done | failed | dropped
    outcome_note: Mapped[str] = mapped_column(Text, default="")
    received_by: Mapped[str] = mapped_column(String(200), default="")
    completed_at: Mapped[datetime | None]
    note: Mapped[str] = mapped_column(Text, default="")
    follow_up_of_id: Mapped[int | None] = mapped_column(ForeignKey("stops.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    citizen: Mapped[Citizen] = relationship(lazy="raise")


class StopItem(Base):
    """One unit on a visit and what is done with it. ``active`` until it has an outcome or is taken
    off the visit before it (``removed_at``: swapped, cancelled): a unit is on one open visit at most."""

    __tablename__ = "stop_items"
    __table_args__ = (
        CheckConstraint("action IN ('deliver', 'collect', 'repair', 'inspect')", name="action_known"),
        Index("uq_stop_items_active_device", "device_id", unique=True,
              postgresql_where=text("active"), sqlite_where=text("active")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    stop_id: Mapped[int] = mapped_column(ForeignKey("stops.id"), index=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"))
    action: Mapped[str] = mapped_column(String(8))
    reservation_id: Mapped[int | None] = mapped_column(ForeignKey("reservations.id"))
    loan_id: Mapped[int | None] = mapped_column(ForeignKey("loans.id"))
    repair_id: Mapped[int | None] = mapped_column(ForeignKey("repair_orders.id"))
    active: Mapped[bool] = mapped_column(default=True)
    outcome: Mapped[str | None] = mapped_column(String(16))
    completed_at: Mapped[datetime | None]
    removed_at: Mapped[datetime | None]
    removed_reason: Mapped[str] = mapped_column(Text, default="")
    picked_at: Mapped[datetime | None]
    picked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    substituted_for_device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))

    device: Mapped[Device] = relationship(lazy="raise", foreign_keys=[device_id])
