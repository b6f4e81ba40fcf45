"""On the road: the run departs, the driver records what came of each part of each visit (delivered,
collected, repaired, or not), and the run is finished. What was not done goes back to planning."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...citizens.models import Citizen
from ...core.db import utcnow
from ...core.errors import Conflict, InvalidState, NotFound, ValidationFailed
from ...core.text import local_time
from ...lending import services as lending
from ...maintenance.models import Inspection
from ...stock.lifecycle import DeviceState
from ...stock.models import Device
from ...stock.services import change_state, record_event
from ..models import FAILURES, SUCCESS, DeliveryRun, Stop, StopItem
from .runs import (ACTION_LABELS, OUTCOME_LABELS, RUN_STATUS_LABELS, actions_of, check_run_access, get_run, kind_label,
                   run_stops, stop_items, outcome_summary)
from .visits import add_item, open_visit, settle_if_done

S = DeviceState
_ACTION_OF_SUCCESS = {outcome: action for action, outcome in SUCCESS.items()}


class UnvisitedStopsOpen(Conflict):
    """A run is finished with stops still open only once the driver has seen which they are."""

    code = "unvisited_stops"

    def __init__(self, stops: list[Stop], labels: dict[int, str]):
        self.stops = stops
        many = len(stops) > 1
        super().__init__(f"{f'{len(stops)} stopp' if many else 'Ett stopp'} er ikke besøkt. Bekreft at "
                         f"{'de' if many else 'det'} skal registreres som «Ikke besøkt» og gå tilbake til planlegging.",
                         {"open_stops": [{"id": s.id, "sequence": s.sequence, "kind_label": labels[s.id],
                                          "address": s.address} for s in stops]})


def _odometer(field: str, reading: int | None, when: str) -> int:
    # The run's kilometres go into the delivery log and the van's bookkeeping: a run without them is no record.
    if reading is None:
        raise ValidationFailed.for_field(field, f"Skriv inn kilometerstanden {when}.")
    return reading


def start_run(session: Session, actor_id: int, run_id: int, odometer_start: int | None = None) -> DeliveryRun:
    run = get_run(session, run_id, for_update=True)
    if run.status != "planned":
        raise InvalidState(f"Kjørerunden er «{RUN_STATUS_LABELS[run.status]}»; bare en planlagt runde kan kjøre ut.",
                           {"current_state": run.status, "allowed": ["planned"]})
    odometer_start = _odometer("odometer_start", odometer_start, "før du kjører ut")
    stop_ids = [stop.id for stop in run_stops(session, run_id)]
    for item in session.scalars(select(StopItem).where(StopItem.stop_id.in_(stop_ids), StopItem.active.is_(True),
                                                       StopItem.picked_at.is_not(None))):
        change_state(session, session.get(Device, item.device_id), S.OUT_FOR_DELIVERY, actor_id, kind="departed",
                     note=f"Kjørerunde {run.id}")
    run.status, run.departed_at, run.odometer_start = "in_progress", utcnow(), odometer_start
    session.flush()
    return run


def _follow_up(session: Session, stop: Stop, items: list[StopItem], reason: str) -> Stop:
    """What a visit could not do goes back to planning on the door's next visit; the failed visit
    stays in the run's log with its reason."""
    fresh = open_visit(session, session.get(Citizen, stop.citizen_id), stop.address)
    if fresh.follow_up_of_id is None and fresh.id != stop.id:
        fresh.follow_up_of_id = stop.id
    fresh.urgent = fresh.urgent or stop.urgent
    fresh.window_start, fresh.window_end = fresh.window_start or stop.window_start, fresh.window_end or stop.window_end
    fresh.note = "; ".join(filter(None, [fresh.note, f"Nytt forsøk: {reason}"]))
    for item in items:
        # Not picked: a failed delivery's units went back to reserved and are picked again for the next run.
        add_item(session, fresh, item.device_id, item.action, reservation_id=item.reservation_id,
                 loan_id=item.loan_id, repair_id=item.repair_id)
    return fresh


def _parts(outcome: str, action: str | None, open_actions: list[str]) -> list[str]:
    """Which parts of the visit an outcome is for: a success its own part; a failure the part named,
    or every part still open (nobody home fails the whole visit)."""
    if outcome in _ACTION_OF_SUCCESS:
        own = _ACTION_OF_SUCCESS[outcome]
        if action not in (None, own):
            raise ValidationFailed.for_field("outcome", f"«{OUTCOME_LABELS[outcome]}» gjelder ikke "
                                             f"{ACTION_LABELS[action].lower()}.")
        parts = [own]
    else:
        parts = [action] if action else list(open_actions)
    missing = [part for part in parts if part not in open_actions]
    if missing:
        raise ValidationFailed.for_field("outcome", f"Besøket har ingen {ACTION_LABELS[missing[0]].lower()} som "
                                         "venter på utfall.")
    return parts


def _only(session: Session, chosen: list[StopItem], barcodes: list[str] | None) -> list[StopItem]:
    """A visit's units one by one (one of two refused): only those named, each still waiting on that part."""
    if barcodes is None:
        return chosen
    by_barcode = {session.get(Device, item.device_id).barcode: item for item in chosen}
    strangers = [code for code in barcodes if code.strip().upper() not in by_barcode]
    if strangers or not barcodes:
        raise ValidationFailed.for_field("barcodes", "Enheten venter ikke på dette utfallet på besøket: "
                                         + ", ".join(strangers or ["ingen valgt"]) + ".")
    return [by_barcode[code.strip().upper()] for code in dict.fromkeys(barcodes)]


def check_inspected_on_visit(session: Session, device: Device, stop: Stop) -> None:
    recorded = session.scalar(select(Inspection.id).where(
        Inspection.device_id == device.id, Inspection.kind == "periodic", Inspection.inspected_at >= stop.created_at))
    if recorded is None:
        raise InvalidState(f"Registrer den periodiske kontrollen av {device.barcode} (sjekklisten) før besøket "
                           "merkes som kontrollert.", {"current_state": "not_inspected", "allowed": ["inspected"],
                                                     "barcode": device.barcode})


def record_outcome(session: Session, actor_id: int, role: str, run_id: int, stop_id: int, outcome: str,
                   received_by: str = "", note: str = "", action: str | None = None, loan_days: int = 90,
                   barcodes: list[str] | None = None) -> Stop:
    """What came of (a part of) a visit, or of some of its units (``barcodes``). Delivered units start
    their loans, collected units end them and ride back in the van, repairs go into the units'
    histories; what failed goes back to planning. The visit is settled once no unit waits."""
    run = get_run(session, run_id, for_update=True)
    check_run_access(run, role, actor_id)
    stop = session.get(Stop, stop_id)
    if stop is None or stop.run_id != run.id:
        raise NotFound(f"Stopp {stop_id} er ikke på kjørerunde {run_id}.", {"stop_id": stop_id})
    if stop.status != "open":
        done = outcome_summary(stop_items(session, [stop.id])[stop.id]) or "tatt bort"
        raise InvalidState(f"Besøket er allerede registrert ({done}).", {"current_state": stop.status, "allowed": ["open"]})
    if outcome not in OUTCOME_LABELS:
        raise ValidationFailed.for_field("outcome", "Velg et av utfallene: " + ", ".join(OUTCOME_LABELS.values()) + ".")
    if run.status != "in_progress":
        raise InvalidState(f"Kjørerunden er «{RUN_STATUS_LABELS[run.status]}»; utfall registreres mens runden er "
                           "underveis.", {"current_state": run.status, "allowed": ["in_progress"]})
    items = list(session.scalars(select(StopItem).where(StopItem.stop_id == stop.id, StopItem.active.is_(True))
                                 .order_by(StopItem.id)))
    parts = _parts(outcome, action, [a for a in SUCCESS if any(i.action == a for i in items)])
    if outcome == "refused" and not note.strip():
        raise ValidationFailed.for_field("note", "Skriv hvorfor hjelpemiddelet ble avvist.")
    chosen = _only(session, [item for item in items if item.action in parts], barcodes)
    unpicked = [item for item in chosen if item.action == "deliver" and item.picked_at is None] \
        if outcome == "delivered" else []
    if unpicked:
        barcodes = [session.get(Device, item.device_id).barcode for item in unpicked]
        raise InvalidState("Noe på besøket er ikke plukket og er ikke med i bilen: " + ", ".join(barcodes) + ".",
                           {"current_state": "not_picked", "allowed": ["picked"], "barcodes": barcodes})
    now = utcnow()
    for item in chosen:
        device = session.get(Device, item.device_id)
        if outcome == "delivered":
            lending.deliver_at_door(session, actor_id, device.barcode, received_by=received_by, loan_days=loan_days, at=now)
        elif outcome == "collected":
            lending.collect_unit(session, actor_id, device.barcode, run.van_location_id,
                                 note=f"Hentet på kjørerunde {run.id}")
        elif outcome == "inspected":
            # The inspection itself (checklist, result, next due) is recorded on the unit's service page first.
            check_inspected_on_visit(session, device, stop)
            record_event(session, device, "inspection_visit", actor_id, note=note or "Periodisk kontroll hos bruker",
                         data={"run_id": run.id, "stop_id": stop.id})
        elif outcome == "repair_done":
            # The visit; the repair's own record (work, parts, minutes) is made when the repair is completed.
            record_event(session, device, "repair_visit", actor_id, note=note or "Reparert hos bruker",
                         data={"run_id": run.id, "stop_id": stop.id, "repair_id": item.repair_id})
        elif device.state in (S.PICKED, S.OUT_FOR_DELIVERY):
            change_state(session, device, S.RESERVED, actor_id, kind="delivery_failed",
                         note=f"{OUTCOME_LABELS[outcome]}: {note}".strip(": "))
        item.outcome, item.completed_at, item.active = outcome, now, False
    session.flush()
    if outcome in FAILURES:
        _follow_up(session, stop, chosen, f"{OUTCOME_LABELS[outcome]} {local_time(now):%d.%m}" + (f" – {note}" if note else ""))
    if received_by and outcome == "delivered":
        stop.received_by = received_by
    if note:
        stop.outcome_note = "; ".join(filter(None, [stop.outcome_note, note]))
    settle_if_done(session, stop)
    session.flush()
    return stop


def open_stops(session: Session, run_id: int) -> list[Stop]:
    return [stop for stop in run_stops(session, run_id) if stop.status == "open"]


def finish_run(session: Session, actor_id: int, role: str, run_id: int, odometer_end: int | None = None,
               confirm_unvisited: bool = False) -> DeliveryRun:
    """Back at the depot: the end reading (not below the start), and the stops still open become
    «Ikke besøkt» and go back to planning, once the driver has confirmed them (``UnvisitedStopsOpen``)."""
    run = get_run(session, run_id, for_update=True)
    check_run_access(run, role, actor_id)
    if run.status != "in_progress":
        raise InvalidState(f"Kjørerunden er «{RUN_STATUS_LABELS[run.status]}»; bare en runde underveis kan avsluttes.",
                           {"current_state": run.status, "allowed": ["in_progress"]})
    odometer_end = _odometer("odometer_end", odometer_end, "ved retur")
    if run.odometer_start is not None and odometer_end < run.odometer_start:
        raise ValidationFailed.for_field("odometer_end", f"Kilometerstanden ved retur kan ikke være lavere enn ved "
                                                         f"start ({run.odometer_start}).")
    still_open = open_stops(session, run_id)
    if still_open and not confirm_unvisited:
        items = stop_items(session, [stop.id for stop in still_open])
        raise UnvisitedStopsOpen(still_open, {stop.id: kind_label(actions_of(items[stop.id])) for stop in still_open})
    for stop in still_open:
        record_outcome(session, actor_id, role, run_id, stop.id, "not_visited", note="Ikke rukket på runden")
    run.status, run.returned_at, run.odometer_end = "finished", utcnow(), odometer_end
    session.flush()
    return run
