"""What the NAV services share: NAV's dates, the working-day rule, putting a message in the outbox."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from ..models import NavOutboxMessage

SHIPPED_STATUSES = frozenset({"SHIPPED", "DELIVERED", "CLOSED"})
# NAV's own words for where an order line is, as depot staff read them.
ORDER_LINE_STATUS_LABELS = {"AWAITING_SHIPPING": "Venter på utsending", "BOOKED": "Bestilt hos NAV",
                            "SHIPPED": "Sendt fra NAV", "DELIVERED": "Levert", "CLOSED": "Avsluttet"}


def order_line_status_label(status: str | None) -> str:
    return ORDER_LINE_STATUS_LABELS.get((status or "").upper(), "Ukjent status hos NAV" if status else "–")
# NAV promises delivery within three weeks of approval when the item is in stock.
NAV_LATEST_DAYS = 21


def next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def nav_date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return datetime.strptime(text[:10], "%Y-%m-%d").date()
    except ValueError:
        return None


def expected_date(status: str | None, last_update_date: str | None, today: date) -> date:
    """Shipped lines arrive the next working day; others at the latest NAV's three weeks out."""
    base = nav_date(last_update_date) or today
    if (status or "").upper() in SHIPPED_STATUSES:
        return next_working_day(base)
    return base + timedelta(days=NAV_LATEST_DAYS)


def enqueue(session: Session, kind: str, payload: dict, device_id: int | None = None, key: str | None = None,
            part_order_id: int | None = None) -> NavOutboxMessage:
    """Something to tell NAV, stored in the caller's transaction; ``outbox`` delivers it after commit.
    The key (NAV's Idempotency-Key) makes a resend after a crash harmless."""
    message = NavOutboxMessage(kind=kind, idempotency_key=key or str(uuid.uuid4()), payload=payload,
                               device_id=device_id, part_order_id=part_order_id)
    session.add(message)
    session.flush()
    return message
