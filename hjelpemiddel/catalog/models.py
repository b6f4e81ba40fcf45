from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from ..core.db import Base, utcnow


class Product(Base):
    """A product model. ``hms_nr`` (HMS-nr) is NAV's 6-digit article number, absent for
    municipal-only products; ``iso_class`` holds ISO 9999's 6 digits or NAV's 8, digits only."""

    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("inspection_interval_days IS NULL OR inspection_interval_days > 0",
                        name="inspection_interval_positive"),
        CheckConstraint("replacement_value IS NULL OR replacement_value >= 0", name="replacement_value_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hms_nr: Mapped[str | None] = mapped_column(String(6), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    supplier: Mapped[str] = mapped_column(String(200), default="")
    iso_class: Mapped[str] = mapped_column(String(8), index=True)
    individually_tracked: Mapped[bool] = mapped_column(default=True)
    inspection_interval_days: Mapped[int | None]
    replacement_value: Mapped[int | None]  # gjenanskaffelsesverdi in whole kroner: reuse by value
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
