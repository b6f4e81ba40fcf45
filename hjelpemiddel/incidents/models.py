"""An incident (uhell) with a unit: what happened, to whom it mattered (the injury), and the unit
as it was then — product, HMS-nr and serial numbers are copied, so the report stays true when the
unit gets a new label or is scrapped."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.db import Base, utcnow

INJURIES = ("none", "minor", "serious", "death")
# Reported to the authorities (Helsedirektoratet / the manufacturer through NAV) by the next working day.
FLAGGED_INJURIES = ("serious", "death")
TO_SEND_SQL = "injury IN ('serious', 'death') AND sent_to_authorities_at IS NULL"
PLACE_MAX, DESCRIPTION_MAX, REFERENCE_MAX = 200, 4000, 100


class Incident(Base):
    __tablename__ = "incidents"
    __table_args__ = (
        CheckConstraint("injury IN ('none', 'minor', 'serious', 'death')", name="injury_known"),
        CheckConstraint("injury IN ('none', 'minor') OR authority_deadline IS NOT NULL", name="flagged_has_deadline"),
        # The list, newest first; the start page's «serious and not yet sent», soonest deadline first.
        Index("ix_incidents_reported_at_id", "reported_at", "id"),
        Index("ix_incidents_to_send", "authority_deadline", "id", postgresql_where=text(TO_SEND_SQL),
              sqlite_where=text(TO_SEND_SQL)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    barcode: Mapped[str] = mapped_column(String(11))
    product_name: Mapped[str] = mapped_column(String(200))
    product_hms_nr: Mapped[str | None] = mapped_column(String(6))
    serial_number: Mapped[str | None] = mapped_column(String(64))
    owner: Mapped[str] = mapped_column(String(8))
    nav_hms_nr: Mapped[str | None] = mapped_column(String(6))
    nav_serial: Mapped[str | None] = mapped_column(String(64))
    place: Mapped[str] = mapped_column(String(PLACE_MAX))
    description: Mapped[str] = mapped_column(Text)
    injury: Mapped[str] = mapped_column(String(8))
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reported_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The quarantine the report opened, or the one the unit was already in.
    quarantine_id: Mapped[int | None] = mapped_column(ForeignKey("quarantines.id"))
    authority_deadline: Mapped[date | None]
    sent_to_authorities_at: Mapped[datetime | None]
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    authority_reference: Mapped[str] = mapped_column(String(REFERENCE_MAX), default="")
