"""A recall larger than its first batch: every unit found free in the depot is kept from lending from
the moment the notice is registered, and quarantined a batch at a time after it."""
import pytest
from sqlalchemy import func, select

from hjelpemiddel import queries
from hjelpemiddel.core.db import get_database
from hjelpemiddel.core.errors import Conflict
from hjelpemiddel.lending import services as lending
from hjelpemiddel.lending.models import NeedEvent, Reservation
from hjelpemiddel.logistics import services as logistics
from hjelpemiddel.maintenance.models import Quarantine
from hjelpemiddel.maintenance.services import clean_device, inspect_device, quarantine_device
from hjelpemiddel.recalls import services as recalls
from hjelpemiddel.recalls.cli import run_recall_quarantines
from hjelpemiddel.recalls.models import RecallUnit
from hjelpemiddel.recalls.services import register
from hjelpemiddel.scan_card import scan_card
from hjelpemiddel.stock import services as stock
from hjelpemiddel.stock.models import Device, DeviceEvent
from hjelpemiddel.stock.schemas import ScanOut

from .test_recall_services import _all_ok, _recall, _state, _unit, _units

HELD = "er omfattet av tilbakekallingen «Sømmen kan revne» og settes i karantene og kan ikke lånes ut."


@pytest.fixture
def first_batch(monkeypatch):
    """The registration writes the quarantine of this many units; the rest wait for the worker."""
    def set_size(size: int) -> None:
        monkeypatch.setattr(register, "INLINE_QUARANTINES", size)
    set_size(1)
    return set_size


def _pending(session, recall) -> set[str]:
    return {barcode for barcode, unit in _units(session, recall).items() if unit.quarantine_pending}


def _in_recall_order(session, recall) -> list[str]:
    return [barcode for barcode, _ in sorted(_units(session, recall).items(), key=lambda item: item[1].id)]


def _washed_after_a_loan(session, actor, desk, product, serial: str) -> str:
    """A unit lent, handed back over the counter and washed: waiting for its inspection."""
    _unit(session, actor, product, serial)
    [barcode] = desk.reserved(desk.need(desk.citizen("Kari Nordmann"), product=product))
    lending.hand_over(session, actor.id, barcode, received_by="selv")
    lending.receive_at_depot(session, actor.id, barcode, location_code="A-01-1")
    clean_device(session, actor.id, barcode, "steam")
    return barcode


def test_units_beyond_the_first_batch_are_held_from_lending_and_quarantined_batch_by_batch(
        session, actor, desk, sling, first_batch):
    units = [_unit(session, actor, sling, str(210000 + n)) for n in range(4)]
    spare = _unit(session, actor, sling, "999999")  # not in the recall
    recall = _recall(session, actor, sling)
    first, *rest = _in_recall_order(session, recall)
    assert _state(session, first) == "quarantined" and _pending(session, recall) == set(rest)
    assert {_state(session, barcode) for barcode in rest} == {"available"}
    counts = recalls.board_counts(session, recall.id)
    assert (counts["pending"], counts["total"], counts["open"]) == (3, 4, 4)
    planned = {row.barcode: row.planned for row in recalls.recall_board(session, recall.id).items}
    assert planned[rest[0]] == "Settes i karantene" and planned[first] == "Satt i karantene"
    # Named, a held unit is refused with the recall's name; chosen, the unit outside the recall is taken.
    need = desk.need(desk.citizen("Astrid Olsen"), product=sling)
    assert desk.reserved(need) == [spare.barcode]
    other = lending.register_need(session, desk.therapist.id, "terapeut", desk.citizen("Ola Hansen").id,
                                  need.needed_by, "normal", "short_term", product_id=sling.id)
    with pytest.raises(Conflict) as refused:
        lending.reserve_for_need(session, actor.id, other.id, rest[0])
    assert (refused.value.code, refused.value.message) == ("held", f"{rest[0]} {HELD}")

    assert recalls.apply_recall_quarantines(session, recall.id, 2) == 2
    assert _pending(session, recall) == set(rest[2:])
    assert recalls.apply_recall_quarantines(session, recall.id, 2) == 1
    assert recalls.apply_recall_quarantines(session, recall.id, 2) == 0
    found = _units(session, recall)
    for device in units:
        session.refresh(device)
        quarantine = session.get(Quarantine, found[device.barcode].quarantine_id)
        assert (device.state, quarantine.reason, quarantine.from_state, quarantine.released_at) == (
            "quarantined", "recall", "available", None)
        event = session.scalars(select(DeviceEvent).where(DeviceEvent.device_id == device.id)
                                .order_by(DeviceEvent.id.desc())).first()
        assert (event.kind, event.to_state, event.actor_id) == ("quarantined", "quarantined", actor.id)
    assert recalls.board_counts(session, recall.id)["pending"] == 0


def test_a_held_unit_is_not_picked_either(session, actor, desk, sling, first_batch, one_delivery):
    run, stop, need, barcode = one_delivery
    first_batch(0)
    device = stock.get_device(session, barcode)
    held = _unit(session, actor, device.product, "210400")
    recall = _recall(session, actor, device.product)
    assert held.barcode in _pending(session, recall)
    with pytest.raises(Conflict) as refused:
        logistics.pick_device(session, actor.id, run.id, held.barcode)
    assert refused.value.code == "held"


def test_a_unit_booked_ahead_lets_go_of_its_need_when_its_quarantine_is_written(session, actor, desk, sling,
                                                                                 first_batch):
    first_batch(0)
    barcode = _washed_after_a_loan(session, actor, desk, sling, "210010")
    waiting = desk.need(desk.citizen("Per Larsen"), product=sling)
    lending.reserve_for_need(session, actor.id, waiting.id, barcode)  # booked while in inspection
    recall = _recall(session, actor, sling)
    assert _pending(session, recall) == {barcode} and _state(session, barcode) == "inspection"

    recalls.apply_recall_quarantines(session, recall.id)
    assert _state(session, barcode) == "quarantined" and _pending(session, recall) == set()
    assert session.scalar(select(func.count()).select_from(Reservation).where(
        Reservation.need_id == waiting.id, Reservation.status == "active")) == 0
    notes = [e.note for e in session.scalars(select(NeedEvent).where(NeedEvent.need_id == waiting.id,
                                                                      NeedEvent.kind == "recalled"))]
    assert notes == [f"Enheten {barcode} ble tilbakekalt (Sømmen kan revne (FSN-2026-07)); behovet står i køen igjen."]


def test_a_held_unit_washed_and_inspected_meanwhile_is_quarantined_not_offered_to_the_queue(
        session, actor, desk, sling, first_batch):
    first_batch(0)
    barcode = _washed_after_a_loan(session, actor, desk, sling, "210020")
    recall = _recall(session, actor, sling)
    waiting = desk.need(desk.citizen("Per Larsen"), product=sling)
    assert desk.reserved(waiting) == []
    inspect_device(session, actor.id, barcode, _all_ok(session, barcode))
    assert _state(session, barcode) == "quarantined"
    assert desk.reserved(waiting) == [] and _pending(session, recall) == set()
    assert _units(session, recall)[barcode].quarantine_id is not None


def test_a_unit_handled_before_its_quarantine_or_a_recall_closed_is_free_to_lend_again(session, actor, desk, sling,
                                                                                     first_batch):
    first_batch(0)
    a, b = _unit(session, actor, sling, "210030"), _unit(session, actor, sling, "210031")
    recall = _recall(session, actor, sling)
    found = _units(session, recall)
    recalls.mark_recall_unit_handled(session, actor.id, recall.id, found[a.barcode].id, "Kontrollert: sømmen er hel")
    assert _pending(session, recall) == {b.barcode}
    recalls.close_recall(session, actor.id, recall.id, force=True, note="Produsenten trakk varselet")
    assert _pending(session, recall) == set()
    need = desk.need(desk.citizen("Astrid Olsen"), product=sling, quantity=2)
    assert desk.reserved(need) == sorted([a.barcode, b.barcode])


def test_the_worker_quarantines_the_rest_one_batch_per_commit(app, session, actor, desk, sling, first_batch, monkeypatch):
    monkeypatch.setattr(recalls, "QUARANTINE_BATCH", 2)
    for n in range(5):
        _unit(session, actor, sling, str(210100 + n))
    recall = _recall(session, actor, sling)
    commits = []
    monkeypatch.setattr(register, "get_recall", lambda s, recall_id: commits.append(recall_id) or
                        recalls.get_recall(s, recall_id))
    assert run_recall_quarantines(get_database(app).session_factory) == (4, "Tilbakekallinger: 4 enheter satt i karantene.")
    session.expire_all()
    assert commits == [recall.id] * 3  # 2 + 2 + none left
    assert _pending(session, recall) == set()
    assert session.scalar(select(func.count()).select_from(Device).where(
        Device.product_id == sling.id, Device.state == "quarantined")) == 5
    assert session.scalar(select(func.count()).select_from(RecallUnit).where(
        RecallUnit.recall_id == recall.id, RecallUnit.quarantine_id.is_(None))) == 0
    assert run_recall_quarantines(get_database(app).session_factory)[0] == 0


def test_a_held_unit_quarantined_meanwhile_for_an_incident_keeps_that_quarantine_for_the_recall(
        session, actor, desk, sling, first_batch):
    first_batch(0)
    unit = _unit(session, actor, sling, "210040")
    recall = _recall(session, actor, sling)
    incident = quarantine_device(session, actor.id, unit.barcode, "incident", "Bruker falt")
    assert recalls.apply_recall_quarantines(session, recall.id) == 1
    found = _units(session, recall)[unit.barcode]
    assert (found.quarantine_id, found.quarantine_pending) == (incident.id, False)
    assert session.scalar(select(func.count()).select_from(Quarantine).where(Quarantine.device_id == unit.id)) == 1


def test_a_held_unit_scans_as_held_back_with_the_recalls_name_on_the_hot_path_and_the_general_way(
        session, actor, desk, sling, first_batch, count_queries):
    for n in range(2):
        _unit(session, actor, sling, str(210000 + n))
    recall = _recall(session, actor, sling)
    quarantined, held = _in_recall_order(session, recall)
    connection = session.connection()

    card = scan_card(connection, held)
    assert card == ScanOut().dump(queries.scan(session, held))
    assert card["device"]["state_label"] == "Ledig på lager"
    assert card["hold"] == "Er omfattet av tilbakekallingen «Sømmen kan revne» og settes i karantene. Kan ikke lånes ut."
    assert scan_card(connection, quarantined)["hold"] is None
    with count_queries as recorder:
        scan_card(connection, held)
    assert len(recorder.statements) == 3  # the card, why it is held, its history

    recalls.apply_recall_quarantines(session, recall.id)
    card = scan_card(connection, held)
    assert (card["device"]["state"], card["hold"]) == ("quarantined", None)
    assert card == ScanOut().dump(queries.scan(session, held))
