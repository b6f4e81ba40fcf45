from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..core.db import Base, utcnow

LINE_STATES = ("expected", "received", "cancelled")
OUTBOX_KINDS = ("part_order", "return")
OUTBOX_STATUSES = ("pending", "sent", "refused")
ARRIVAL_STATUSES = ("open", "resolved")


class NavOrderLine(Base):
    """One NAV order line: an upcoming delivery from NAV to the municipality's receiving point.

    Keyed by order number + line + shipment, as NAV sends the same line again when it changes. The
    citizen's fnr (NAV's ``AccountNumber``) is kept only as the vault's keyed hash, enough to find the
    citizen; ``record_hash`` lets a re-sync skip lines that did not change.
    """

    __tablename__ = "nav_order_lines"
    __table_args__ = (
        UniqueConstraint("ordre_number", "line_number", "shipment_key"),
        Index("ix_nav_order_lines_hms_nr_state", "hms_nr", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ordre_number: Mapped[str] = mapped_column(String(30))
    line_number: Mapped[int]
    shipment_key: Mapped[str] = mapped_column(String(30), default="")
    hms_nr: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(String(300), default="")
    category_num: Mapped[str | None] = mapped_column(String(8))
    category_description: Mapped[str] = mapped_column(String(200), default="")
    item_type: Mapped[str] = mapped_column(String(30))
    quantity: Mapped[float] = mapped_column(Float)
    uom: Mapped[str] = mapped_column(String(10), default="")
    shipping_instructions: Mapped[str] = mapped_column(Text, default="")
    fnr_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    citizen_id: Mapped[int | None] = mapped_column(ForeignKey("citizens.id"), index=True)
    need_id: Mapped[int | None] = mapped_column(ForeignKey("needs.id"), index=True)
    send_to_address: Mapped[str] = mapped_column(String(300), default="")
    serials: Mapped[list] = mapped_column(JSON, default=list)
    incident_nummer: Mapped[str | None] = mapped_column(String(30))
    referanse_nummer: Mapped[str | None] = mapped_column(String(40))
    nav_status: Mapped[str | None] = mapped_column(String(30))
    last_update_date: Mapped[str | None] = mapped_column(String(19))
    expected_on: Mapped[date | None] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(10), default="expected")
    received_quantity: Mapped[int] = mapped_column(default=0)
    record_hash: Mapped[str] = mapped_column(String(32))
    revisions: Mapped[int] = mapped_column(default=1)
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class NavSyncState(Base):
    """Where the order-line sync stands. The cursor moves in the same transaction as the lines of
    its page, so a sync stopped at any point resumes with nothing lost and nothing doubled."""

    __tablename__ = "nav_sync_state"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    cursor: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    lines_received: Mapped[int] = mapped_column(default=0)
    pages: Mapped[int] = mapped_column(default=0)


class NavArrival(Base):
    """A NAV device that arrived at the receiving point and matched no expected order line: kept
    here until someone resolves it by hand, so nothing that arrives is dropped."""

    __tablename__ = "nav_arrivals"

    id: Mapped[int] = mapped_column(primary_key=True)
    hms_nr: Mapped[str] = mapped_column(String(6))
    serial: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    order_line_id: Mapped[int | None] = mapped_column(ForeignKey("nav_order_lines.id"))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    resolution: Mapped[str] = mapped_column(Text, default="")
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None]


class PartOrder(Base):
    """A delbestilling: spare parts ordered from NAV for a NAV device on loan. ``uuid`` is the
    order's id at NAV and its idempotency key, so however often the outbox resends it NAV books
    it once."""

    __tablename__ = "part_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    repair_id: Mapped[int | None] = mapped_column(ForeignKey("repair_orders.id"))
    levering: Mapped[str] = mapped_column(String(20))
    battery_training: Mapped[bool | None]
    lines: Mapped[list] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default="queued")  # queued | sent | refused | received
    nav_status: Mapped[str | None] = mapped_column(String(30))
    saksnummer: Mapped[int | None]
    # NAV's shipment of the parts, once its order line has come in through the sync.
    order_line_id: Mapped[int | None] = mapped_column(ForeignKey("nav_order_lines.id"))
    oebs_ordrenummer: Mapped[str | None] = mapped_column(String(30))
    expected_delivery: Mapped[date | None] = mapped_column(Date)
    refusal_code: Mapped[str | None] = mapped_column(String(60))
    refusal_message: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    status_checked_at: Mapped[datetime | None]


class NavOutboxMessage(Base):
    """Something to tell NAV (a part order, a return), stored in the transaction that decided it
    and delivered after commit; an outage delays it, never loses or doubles it."""

    __tablename__ = "nav_outbox"
    __table_args__ = (Index("ix_nav_outbox_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    idempotency_key: Mapped[str] = mapped_column(String(36), unique=True)
    payload: Mapped[dict] = mapped_column(JSON)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"), index=True)
    part_order_id: Mapped[int | None] = mapped_column(ForeignKey("part_orders.id"))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class NavApplication(Base):
    """A long-term application (søknad) sent to NAV for a need: queued in the outbox, then followed at
    NAV (registered, decided, shipped) until NAV's order line ties the delivery to the need."""

    __tablename__ = "nav_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id"), unique=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(10), default="queued")  # queued | sent | refused
    saksnummer: Mapped[int | None]
    nav_status: Mapped[str | None] = mapped_column(String(40))
    refusal_message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    status_checked_at: Mapped[datetime | None]
