from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
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
    # Set when retention removed who they are; their needs and loans stay as the devices' history.
    anonymised_at: Mapped[datetime | None]

    @property
    def home_address(self) -> str:
        """Where a need is delivered and a unit collected unless another address is named."""
        return f"{self.address}, {self.postcode} {self.city}".strip()


class FnrAccess(Base):
    """One read of a citizen's fnr in clear, or a search by it: who, when, which citizen, why.

    A search that found nobody (a miss) keeps the fnr's keyed hash instead of a citizen, so it shows
    on the log of whoever is registered with that fnr later. Append-only in the database: only
    ``fnr_hash`` may change (key rotation), and rows are deleted only below a recorded purge cutoff."""

    __tablename__ = "fnr_access_log"
    __table_args__ = (Index("ix_fnr_access_log_user_id_accessed_at", "user_id", "accessed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[int | None] = mapped_column(ForeignKey("citizens.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))  # "reveal" | "lookup" | "register" | "nav_lookup"
    purpose_code: Mapped[str | None] = mapped_column(String(24))  # one of PURPOSES; None before 0009 and for jobs
    purpose: Mapped[str] = mapped_column(String(300))
    fnr_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    accessed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class AccessLogPurge(Base):
    """A retention run's cutoff for the fnr access log: the database lets rows older than the latest
    cutoff be deleted and refuses every other delete, so the purge itself is on record."""

    __tablename__ = "fnr_access_log_purges"

    id: Mapped[int] = mapped_column(primary_key=True)
    cutoff: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Caseworker(Base):
    """A therapist's relation to a citizen (registered them or a need for them): who may see them."""

    __tablename__ = "citizen_caseworkers"

    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    since: Mapped[datetime] = mapped_column(default=utcnow)
