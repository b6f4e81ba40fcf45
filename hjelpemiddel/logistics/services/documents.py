"""The data the run documents print: the pick list (plukkliste) and the delivery log (kjørebok).
The builders in ``documents`` turn it into PDF."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ...core.auth import User
from ...core.db import utcnow
from ...core.text import local_time
from ...documents.runs import DeliveryLogData, LogItem, LogStop, PickLine, PickListData
from ...stock.services import zone_of
from ..models import DeliveryRun, Stop
from .picking import pick_list
from .runs import ACTION_VERBS, get_run, run_stops, stop_views


def _people(session: Session, run: DeliveryRun) -> tuple[str, str]:
    driver = session.get(User, run.driver_id) if run.driver_id else None
    van = (run.van.code + (f" {run.van.name}" if run.van.name else "")) if run.van else ""
    return (driver.full_name or driver.username) if driver else "", van


def pick_list_data(session: Session, run_id: int, depot_name: str) -> PickListData:
    run = get_run(session, run_id)
    driver, van = _people(session, run)
    lines = tuple(
        PickLine(barcode=item.barcode, product=item.product, location_code=item.location_code or "–",
                 zone=zone_of(item.location_path, item.location_code) or "Uten plass",
                 stop_sequence=stop.sequence, stop_name=stop.citizen.name, picked=item.picked)
        for stop, item in pick_list(session, run_id))
    return PickListData(title=f"Plukkliste – kjørerunde {run.id}", run_date=run.run_date.strftime("%d.%m.%Y"),
                        driver=driver, van=van, depot_name=depot_name, printed_at=local_time(utcnow()), lines=lines)


def _window(stop: Stop) -> str:
    if not stop.window_start and not stop.window_end:
        return ""
    return (f"{stop.window_start.strftime('%H:%M') if stop.window_start else ''}–"
            f"{stop.window_end.strftime('%H:%M') if stop.window_end else ''}")


def _clock(value: datetime | None) -> str:
    return local_time(value).strftime("%H:%M") if value else ""


def delivery_log_data(session: Session, run_id: int, depot_name: str) -> DeliveryLogData:
    run = get_run(session, run_id)
    driver, van = _people(session, run)
    log_stops = []
    for view in stop_views(session, run_stops(session, run_id)):
        citizen = view.citizen
        log_stops.append(LogStop(
            sequence=view.sequence, kind=view.kind_label, name=citizen.name, address=view.address,
            postcode_city="" if view.postcode and view.postcode in view.address
            else f"{citizen.postcode} {citizen.city}".strip(),
            phone=citizen.phone, contact=" ".join(filter(None, [citizen.contact_name, citizen.contact_phone])),
            access_notes=citizen.access_notes, time_window=_window(view.stop),
            items=tuple(LogItem(i.barcode, i.product, ACTION_VERBS[i.action]) for i in view.items),
            urgent=view.urgent, outcome=view.outcome_label, completed_at=_clock(view.completed_at),
            received_by=view.received_by, note=view.outcome_note or view.note))
    return DeliveryLogData(
        title=f"Kjørebok – kjørerunde {run.id}", run_date=run.run_date.strftime("%d.%m.%Y"), driver=driver, van=van,
        depot_name=depot_name, printed_at=local_time(utcnow()), stops=tuple(log_stops),
        odometer_start=str(run.odometer_start or ""), odometer_end=str(run.odometer_end or ""),
        departed_at=_clock(run.departed_at), returned_at=_clock(run.returned_at))
