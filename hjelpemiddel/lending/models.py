from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, Text, Time, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..catalog.models import Product
from ..citizens.models import Citizen
from ..core.db import Base, utcnow
from ..stock.models import Device

URGENCIES = ("discharge", "urgent", "normal")
APPLICATION_TYPES = ("short_term", "long_term")
NEED_STATUSES = ("registered", "approved", "rejected", "sent_to_nav", "reserved", "on_loan", "returning",
                 "closed", "cancelled")
NAV_STATUSES = ("sent", "approved", "rejected", "delivery_expected", "received")
RETURN_REASONS = ("need_ended", "worn_out", "moved", "deceased", "other")


class Need(Base):
    """A citizen's need (behov) for a product, or for any model of an ISO 9999 class, and its
    application (søknad): short-term from municipal stock or long-term via NAV."""

    __tablename__ = "needs"
    __table_args__ = (
        CheckConstraint("product_id IS NOT NULL OR iso_class IS NOT NULL", name="product_or_iso_class"),
        CheckConstraint("quantity BETWEEN 1 AND 20", name="quantity_range"),
        Index("ix_needs_queue", "status", "urgency_rank", "needed_by", "id"),
        Index("ix_needs_delivered_at", "delivered_at"),  # the waiting report reads a period's deliveries
        Index("ix_needs_decided_at", "decided_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    iso_class: Mapped[str | None] = mapped_column(String(8))
    quantity: Mapped[int] = mapped_column(default=1)
    needed_by: Mapped[date] = mapped_column(Date)
    urgency: Mapped[str] = mapped_column(String(10))
    urgency_rank: Mapped[int]  # discharge 0, urgent 1, normal 2: the queue's first key
    discharge_date: Mapped[date | None] = mapped_column(Date)
    discharge_time: Mapped[time | None] = mapped_column(Time)  # «by Wednesday 12:00»; None: some time that day
    delivery_address: Mapped[str] = mapped_column(String(300))
    notes: Mapped[str] = mapped_column(Text, default="")
    requested_by: Mapped[str] = mapped_column(String(200), default="")
    application_type: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(12))
    nav_status: Mapped[str | None] = mapped_column(String(20))
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    registered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    registered_at: Mapped[datetime] = mapped_column(default=utcnow)
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]
    lead_time_minutes: Mapped[int | None]  # registered → first unit delivered, for reports
    closed_at: Mapped[datetime | None]

    citizen: Mapped[Citizen] = relationship(lazy="raise")
    product: Mapped[Product | None] = relationship(lazy="raise")


class NeedEvent(Base):
    """The need's timeline: every step, append-only like the device history."""

    __tablename__ = "need_events"
    __table_args__ = (Index("ix_need_events_need_id_id", "need_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id"))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(12))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict | None] = mapped_column(JSON)


class Reservation(Base):
    """One concrete unit held for one need. The partial unique index makes "never two needs on
    one device" a fact of the database, whatever path a request took."""

    __tablename__ = "reservations"
    __table_args__ = (
        Index("uq_reservations_active_device", "device_id", unique=True,
              postgresql_where=text("status = 'active'"), sqlite_where=text("status = 'active'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id"), index=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="active")  # active | fulfilled | cancelled
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str] = mapped_column(Text, default="")

    need: Mapped[Need] = relationship(lazy="raise")
    device: Mapped[Device] = relationship(lazy="raise")


class Loan(Base):
    """A device lent to a citizen (utlån): short-term from municipal stock, or long-term (varig)."""

    __tablename__ = "loans"
    __table_args__ = (
        Index("uq_loans_open_device", "device_id", unique=True,
              postgresql_where=text("status <> 'ended'"), sqlite_where=text("status <> 'ended'")),
        Index("ix_loans_started_at", "started_at"),  # the reuse report reads a period's deliveries
        Index("ix_loans_device_id_started_at", "device_id", "started_at"),  # … and whether a unit was lent before
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id"), index=True)
    need_id: Mapped[int | None] = mapped_column(ForeignKey("needs.id"), index=True)
    loan_type: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | return_requested | ended
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    expected_end: Mapped[date | None] = mapped_column(Date)
    received_by: Mapped[str] = mapped_column(String(200), default="")
    return_reason: Mapped[str | None] = mapped_column(String(12))
    return_note: Mapped[str] = mapped_column(Text, default="")
    return_requested_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]

    device: Mapped[Device] = relationship(lazy="raise")
    citizen: Mapped[Citizen] = relationship(lazy="raise")


class LoanExtension(Base):
    __tablename__ = "loan_extensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"), index=True)
    previous_end: Mapped[date | None] = mapped_column(Date)
    new_end: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
