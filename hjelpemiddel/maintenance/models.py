from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.db import Base, utcnow


class Inspection(Base):
    """A kontroll against the product type's checklist; kept for periodic-inspection due dates."""

    __tablename__ = "inspections"
    __table_args__ = (Index("ix_inspections_device_id_inspected_at", "device_id", "inspected_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"))
    inspected_at: Mapped[datetime] = mapped_column(default=utcnow)
    inspector_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    checklist: Mapped[str] = mapped_column(String(40))
    results: Mapped[dict] = mapped_column(JSON)
    passed: Mapped[bool]
    outcome: Mapped[str] = mapped_column(String(12))  # available | in_repair | scrapped
    note: Mapped[str] = mapped_column(Text, default="")
