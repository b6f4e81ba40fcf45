from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, LargeBinary, String
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


class NeedWait(Base):
    """A need delivered in full, as the waiting reports count it: written when its last unit is
    delivered (``NeedDelivered``), so a year's figures are sums over a narrow table by delivery day,
    with no time zone or calendar worked out per row when they are read."""

    __tablename__ = "need_waits"

    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id"), primary_key=True)
    urgency: Mapped[str] = mapped_column(String(10))
    application_type: Mapped[str] = mapped_column(String(10))
    postcode: Mapped[str] = mapped_column(String(4))
    product_group: Mapped[str] = mapped_column(String(8))  # the product's ISO class, or the need's
    delivered_on: Mapped[date] = mapped_column(Date, index=True)  # the Oslo day the last unit came
    waiting_minutes: Mapped[int]  # registered → last unit delivered
    working_days: Mapped[int]  # on which working day after the day registered it came (a weekend: the next's)
    on_time: Mapped[bool]  # by the needed-by day (a discharge: by its time, or the end of its day)
    nav_minutes: Mapped[int | None]  # a long-term loan: sent to NAV → last unit delivered
