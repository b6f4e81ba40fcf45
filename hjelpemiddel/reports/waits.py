"""How long a need waited, the one place it is decided: delivered in full when its last unit came (a
need of several units delivered in parts), on time by the needed-by day (a hospital discharge by its
time, or by the end of its day), and how many working days it took (weekends and Norwegian public
holidays skipped). Written once per need into ``need_waits`` when its last unit is delivered, and
rebuilt in bulk after a load (``hjelpemiddel reports rebuild``)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..catalog.models import Product
from ..citizens.models import Citizen
from ..core.db import LOCAL_ZONE
from ..incidents.deadlines import is_working_day
from ..lending.events import NeedDelivered
from ..lending.models import Need, NeedEvent
from .models import NeedWait

BATCH = 5_000


def local_day(moment: datetime) -> date:
    return moment.astimezone(LOCAL_ZONE).date()


def deadline_of(urgency: str, needed_by: date, discharge_date: date | None, discharge_time: time | None) -> datetime:
    """When the need was wanted: a discharge by its time (or the end of its day), others by the end of
    the needed-by day (Oslo)."""
    if urgency == "discharge" and discharge_date is not None:
        if discharge_time is not None:
            return datetime.combine(discharge_date, discharge_time, LOCAL_ZONE)
        return datetime.combine(discharge_date + timedelta(days=1), time(), LOCAL_ZONE)
    return datetime.combine(needed_by + timedelta(days=1), time(), LOCAL_ZONE)


@lru_cache(maxsize=8192)
def working_days_between(first: date, last: date) -> int:
    """Working days after ``first`` up to and including ``last`` (0 the same day)."""
    days, day = 0, first
    while day < last:
        day += timedelta(days=1)
        days += is_working_day(day)
    return days


def working_day_of(registered: date, delivered: date) -> int:
    """On which working day after the registration day the delivery came: a delivery on a weekend or
    holiday counts as the next working day's (a target of n working days is met when this is at most n,
    i.e. by the end of the n-th working day; 0 the same day)."""
    return 0 if delivered <= registered else working_days_between(registered, delivered - timedelta(days=1)) + 1


def add_working_days(day: date, count: int) -> date:
    while count > 0:
        day += timedelta(days=1)
        count -= is_working_day(day)
    return day


def wait_values(urgency: str, application_type: str, registered_at: datetime, delivered_at: datetime,
                needed_by: date, discharge_date: date | None, discharge_time: time | None,
                sent_at: datetime | None) -> dict:
    """A delivered need's row of ``need_waits`` (but for its keys and filters)."""
    deadline = deadline_of(urgency, needed_by, discharge_date, discharge_time)
    on_time = delivered_at <= deadline if urgency == "discharge" and discharge_time is not None else delivered_at < deadline
    return {"urgency": urgency, "application_type": application_type, "delivered_on": local_day(delivered_at),
            "waiting_minutes": int((delivered_at - registered_at).total_seconds() // 60),
            "working_days": working_day_of(local_day(registered_at), local_day(delivered_at)),
            "on_time": on_time,
            "nav_minutes": int((delivered_at - sent_at).total_seconds() // 60)
            if application_type == "long_term" and sent_at is not None else None}


def _delivered_needs(need_ids=None):
    """Needs with every unit delivered and when the last came."""
    deliveries = (select(NeedEvent.need_id, func.max(NeedEvent.occurred_at).label("done_at"),
                         func.count().label("units")).where(NeedEvent.kind == "delivered"))
    if need_ids is not None:
        deliveries = deliveries.where(NeedEvent.need_id.in_(need_ids))
    deliveries = deliveries.group_by(NeedEvent.need_id).subquery()
    return (select(Need.id, Need.urgency, Need.application_type, Need.registered_at, deliveries.c.done_at,
                   Need.needed_by, Need.discharge_date, Need.discharge_time, Need.decided_at, Citizen.postcode,
                   func.coalesce(Product.iso_class, Need.iso_class).label("product_group"))
            .join(deliveries, deliveries.c.need_id == Need.id).join(Citizen, Citizen.id == Need.citizen_id)
            .outerjoin(Product, Product.id == Need.product_id).where(deliveries.c.units >= Need.quantity))


def _row(row) -> dict:
    return {"need_id": row.id, "postcode": row.postcode or "", "product_group": row.product_group or "",
            **wait_values(row.urgency, row.application_type, row.registered_at, row.done_at, row.needed_by,
                          row.discharge_date, row.discharge_time, row.decided_at)}


def record_need_wait(session: Session, event: NeedDelivered) -> None:
    """On each delivery: once the need's last unit has come, its waiting is written (once)."""
    if session.get(NeedWait, event.need_id) is not None:
        return
    row = session.execute(_delivered_needs([event.need_id])).first()
    if row is not None:
        session.add(NeedWait(**_row(row)))
        session.flush()


def rebuild_need_waits(session: Session) -> int:
    """Every delivered need's waiting written anew, in batches (after a bulk load or an import)."""
    session.execute(delete(NeedWait))
    written, batch = 0, []
    for row in session.execute(_delivered_needs().order_by(Need.id)).yield_per(BATCH):
        batch.append(_row(row))
        if len(batch) >= BATCH:
            session.execute(NeedWait.__table__.insert(), batch)
            written, batch = written + len(batch), []
    if batch:
        session.execute(NeedWait.__table__.insert(), batch)
        written += len(batch)
    session.flush()
    return written
