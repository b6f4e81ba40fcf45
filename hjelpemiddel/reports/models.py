from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ..core.db import Base, utcnow


class MonthlyReport(Base):
    """A month's report as it was made (by the worker on the 1st, or on demand), kept for download."""

    __tablename__ = "monthly_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), unique=True)  # «2026-11»
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# What the municipality promises per urgency, and the defaults until an admin sets its own.
TARGET_UNITS = ("working_days", "hours")
DEFAULT_TARGETS = {"normal": (7, "working_days"), "urgent": (24, "hours"), "discharge": (24, "hours")}


class ServiceTarget(Base):
    """A delivery target («stock items within 7 working days, urgent within 24 hours»)."""

    __tablename__ = "service_targets"

    urgency: Mapped[str] = mapped_column(String(10), primary_key=True)
    amount: Mapped[int]
    unit: Mapped[str] = mapped_column(String(12))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
