from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.db import Base, utcnow


class Citizen(Base):
    """A citizen. ``fnr_encrypted`` is a Fernet token, ``fnr_hash`` an HMAC to find it by;
    ``fnr_masked`` keeps only the date part for display. The clear fnr is never stored."""

    __tablename__ = "citizens"

    id: Mapped[int] = mapped_column(primary_key=True)
    fnr_encrypted: Mapped[str] = mapped_column(Text)
    fnr_hash: Mapped[str] = mapped_column(String(64), unique=True)
    fnr_masked: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(200), index=True)
    address: Mapped[str] = mapped_column(String(200))
    postcode: Mapped[str] = mapped_column(String(4))
    city: Mapped[str] = mapped_column(String(100), default="")
    kommunenummer: Mapped[str] = mapped_column(String(4))
    phone: Mapped[str] = mapped_column(String(20), default="")
    access_notes: Mapped[str] = mapped_column(Text, default="")
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_phone: Mapped[str] = mapped_column(String(20), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def home_address(self) -> str:
        """Where a need is delivered and a unit collected unless another address is named."""
        return f"{self.address}, {self.postcode} {self.city}".strip()


class FnrAccess(Base):
    """One read of a citizen's fnr in clear, or a search by it: who, when, which citizen, why."""

    __tablename__ = "fnr_access_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[int | None] = mapped_column(ForeignKey("citizens.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))  # "reveal" | "lookup" | "register" | "nav_lookup"
    purpose: Mapped[str] = mapped_column(String(300))
    accessed_at: Mapped[datetime] = mapped_column(default=utcnow)


class Caseworker(Base):
    """A therapist's relation to a citizen (registered them or a need for them): who may see them."""

    __tablename__ = "citizen_caseworkers"

    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    since: Mapped[datetime] = mapped_column(default=utcnow)
