from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.db import Base, utcnow


class Inspection(Base):
    """A kontroll against the product type's checklist; kept for periodic-inspection due dates."""

    __tablename__ = "inspections"
    __table_args__ = (Index("ix_inspections_device_id_inspected_at", "device_id", "inspected_at"),
                      # The upkeep report's periodic inspections of a period on time or late (migration 0021).
                      Index("ix_inspections_periodic_inspected_at", "inspected_at", "due_on",
                            postgresql_where=text("kind = 'periodic'"), sqlite_where=text("kind = 'periodic'")))

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"))
    inspected_at: Mapped[datetime] = mapped_column(default=utcnow)
    inspector_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    checklist: Mapped[str] = mapped_column(String(40))
    results: Mapped[dict] = mapped_column(JSON)
    passed: Mapped[bool]
    outcome: Mapped[str] = mapped_column(String(12))  # available | in_repair | scrapped | on_loan (at home)
    note: Mapped[str] = mapped_column(Text, default="")
    # after_loan: the check every returned unit gets; periodic: the maintenance plan's (migration 0016).
    kind: Mapped[str] = mapped_column(String(10), default="after_loan", server_default="after_loan")
    place: Mapped[str] = mapped_column(String(6), default="depot", server_default="depot")  # depot | home
    next_due_on: Mapped[date | None] = mapped_column(Date)
    # A periodic inspection's due date as it stood when it was done (on time: done by that Oslo day).
    due_on: Mapped[date | None] = mapped_column(Date)


INSPECTION_KINDS = ("after_loan", "periodic")


class MaintenancePlan(Base):
    """How often a product, or every product of an ISO 9999 class, is inspected (FOR-2013-11-29-1373):
    every ``interval_months``, after each loan, or both, against its checklist. A product's own plan
    wins over its class's; the longest matching class prefix wins over a shorter one."""

    __tablename__ = "maintenance_plans"
    __table_args__ = (
        CheckConstraint("(product_id IS NULL) <> (iso_prefix IS NULL)", name="product_or_class"),
        CheckConstraint("interval_months IS NULL OR (interval_months >= 1 AND interval_months <= 120)",
                        name="interval_sane"),
        CheckConstraint("interval_months IS NOT NULL OR after_each_loan", name="has_a_trigger"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), unique=True)
    iso_prefix: Mapped[str | None] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    interval_months: Mapped[int | None]
    after_each_loan: Mapped[bool] = mapped_column(default=True)
    checklist: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class InspectionDue(Base):
    """When each unit under a periodic plan is next due: from its last periodic inspection, or from its
    registration. One row per unit, so the due list of a month is a range read at any size."""

    __tablename__ = "inspection_due"
    # The month's page in due order; a search by product or ISO class reads only its products' dates.
    __table_args__ = (Index("ix_inspection_due_due_on_device_id", "due_on", "device_id"),
                      Index("ix_inspection_due_product_id_due_on", "product_id", "due_on"))

    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    due_on: Mapped[date] = mapped_column(Date)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("maintenance_plans.id"), index=True)
    last_inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspections.id"))


REPAIR_PLACES = ("home", "depot")
REPAIR_STATUSES = ("open", "done", "cancelled")
# Why a unit needed repair: the one list (with the words people see), chosen when a repair is opened
# or completed, and counted by the failure figures. Old repairs have none.
REPAIR_CAUSES: dict[str, str] = {
    "battery": "Batteri",
    "motor": "Motor/aktuator",
    "control": "Styring/fjernkontroll",
    "wheels": "Hjul/styrehjul",
    "brakes": "Bremser",
    "upholstery": "Trekk/stoff",
    "frame": "Ramme/sveis",
    "electrical": "Elektrisk",
    "user_damage": "Skade påført av bruker",
    "other": "Annet",
}


class RepairOrder(Base):
    """A repair (reparasjon) of one unit, at the citizen's home or at the depot: what was wrong, the
    parts used and the minutes spent, so the unit's history shows what it has cost."""

    __tablename__ = "repair_orders"
    # The upkeep report's repairs of a period (migration 0021): those opened, and those completed read
    # index-only with what their times and minutes need.
    __table_args__ = (Index("ix_repair_orders_created_at", "created_at"),
                      Index("ix_repair_orders_done_completed_at", "completed_at", postgresql_where=text("status = 'done'"),
                            sqlite_where=text("status = 'done'"),
                            postgresql_include=["created_at", "place", "minutes_spent", "device_id"]))

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    place: Mapped[str] = mapped_column(String(6))
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)
    description: Mapped[str] = mapped_column(Text)
    # The state to go back to when a unit taken in for repair is done (on_loan or inspection).
    resume_state: Mapped[str | None] = mapped_column(String(24))
    stop_id: Mapped[int | None] = mapped_column(ForeignKey("stops.id"))
    work_done: Mapped[str] = mapped_column(Text, default="")
    minutes_spent: Mapped[int | None]
    parts_used: Mapped[list] = mapped_column(JSON, default=list)
    cause: Mapped[str | None] = mapped_column(String(16))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    completed_at: Mapped[datetime | None]


QUARANTINE_REASONS = ("incident", "recall", "damage")


class Quarantine(Base):
    """A unit taken out of use (karantene) for an incident, a recall or damage: the state and place it
    was taken from, so it can be released back there, or to repair or scrapping."""

    __tablename__ = "quarantines"
    __table_args__ = (
        CheckConstraint("reason IN ('incident', 'recall', 'damage')", name="reason_known"),
        Index("uq_quarantines_open_device", "device_id", unique=True,
              postgresql_where=text("released_at IS NULL"), sqlite_where=text("released_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    reason: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")
    from_state: Mapped[str] = mapped_column(String(24))
    from_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    released_at: Mapped[datetime | None]
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    released_to: Mapped[str | None] = mapped_column(String(24))
    release_note: Mapped[str] = mapped_column(Text, default="")


SPARE_PART_REASONS = ("received", "used", "counted")


class SparePart(Base):
    """A spare part the municipality keeps in its own stock (for its own units; NAV's units get
    their parts through NAV's delbestilling). The quantity never goes below zero."""

    __tablename__ = "spare_parts"
    __table_args__ = (CheckConstraint("quantity >= 0", name="quantity_not_negative"),
                      CheckConstraint("minimum_quantity >= 0", name="minimum_not_negative"))

    id: Mapped[int] = mapped_column(primary_key=True)
    part_number: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    quantity: Mapped[int] = mapped_column(default=0)
    minimum_quantity: Mapped[int] = mapped_column(default=0)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    # The catalogue products the part fits (ids); a hint for people, not a rule.
    product_ids: Mapped[list] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SparePartMovement(Base):
    """Every change of a spare part's quantity, so the stock's history is kept: received, used on a
    repair, or set by a count (the delta is what the count changed)."""

    __tablename__ = "spare_part_movements"
    __table_args__ = (CheckConstraint("reason IN ('received', 'used', 'counted')", name="reason_known"),
                      Index("ix_spare_part_movements_spare_part_id_id", "spare_part_id", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    spare_part_id: Mapped[int] = mapped_column(ForeignKey("spare_parts.id"))
    delta: Mapped[int]
    quantity_after: Mapped[int]
    reason: Mapped[str] = mapped_column(String(10))
    repair_order_id: Mapped[int | None] = mapped_column(ForeignKey("repair_orders.id"), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
