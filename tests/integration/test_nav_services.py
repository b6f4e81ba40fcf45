"""NAV on the municipality's side, at the service layer, against the fake NAV server over HTTP."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from hjelpemiddel.catalog.services import create_product
from hjelpemiddel.citizens.models import FnrAccess
from hjelpemiddel.core.db import get_database
from hjelpemiddel.core.errors import Conflict, InvalidState, ValidationFailed
from hjelpemiddel.lending import services as lending
from hjelpemiddel.lending.models import Loan
from hjelpemiddel.maintenance import services as maintenance
from hjelpemiddel.nav import jobs, services
from hjelpemiddel.nav.models import NavOrderLine, NavOutboxMessage, PartOrder
from hjelpemiddel.stock.models import Device
from hjelpemiddel.stock.services import create_location, device_history, register_device

BED = ("291003", "Seng Opus 90EW", "18121501")
TYRE = {"hmsnr": "150817", "navn": 'Dekk 24"', "kategori": "Dekk", "antall": 2}
BATTERY = {"hmsnr": "167002", "navn": "Batteri 12V 50Ah", "kategori": "Batteri", "antall": 1}


@pytest.fixture(autouse=True)
def app_context(app):
    with app.app_context():
        yield


@pytest.fixture
def bed(session):
    return create_product(session, hms_nr=BED[0], name=BED[1], iso_class=BED[2], supplier="Invacare")


@pytest.fixture
def astrid(make_citizen, vault):
    citizen = make_citizen("Astrid Olsen")
    citizen.fnr = vault.decrypt(citizen.fnr_encrypted)
    return citizen


@pytest.fixture
def bed_need(session, astrid, therapist, bed):
    need = lending.register_need(session, therapist.id, "terapeut", astrid.id, date.today() + timedelta(days=14),
                                 "normal", "long_term", product_id=bed.id)
    return lending.decide_need(session, therapist.id, "terapeut", need.id, "send_to_nav")


@pytest.fixture
def sync(session, fake_nav, vault):
    def run(**options):
        return jobs.run_sync(get_database().session_factory, fake_nav.port(), vault, **options)

    return run


def line_count(session) -> int:
    return session.scalar(select(func.count()).select_from(NavOrderLine))


def test_sync_brings_nav_order_lines_in_as_upcoming_deliveries_and_a_second_run_adds_nothing(session, fake_nav, sync):
    fake_nav.control("/generate-order-lines", count=120)
    first = sync(page_size=50)
    assert (first.applied.new, first.pages) == (120, 3)
    again = sync(page_size=50, from_start=True)
    assert (again.applied.new, again.applied.updated, again.applied.unchanged) == (0, 0, 120)
    assert line_count(session) == 120
    assert len(services.upcoming_deliveries(session, limit=1000)) == 120


def test_a_line_sent_again_updated_is_updated_and_a_second_shipment_of_it_is_a_line_of_its_own(session, fake_nav, sync, astrid):
    record = fake_nav.approve(astrid.fnr, BED[0], BED[1], category_num=BED[2], serienr="510001")["ordrelinje"]
    sync()
    fake_nav.control("/order-lines", ordrelinjer=[{**record, "Status": "SHIPPED", "LastUpdateDate": "2024-03-08 09:00:00"}])
    fake_nav.control("/order-lines", ordrelinjer=[{**record, "ShipmentNumber": "99", "SerieNummerListe": ["510002"]}])
    result = sync()
    assert (result.applied.new, result.applied.updated) == (1, 1)
    lines = session.scalars(select(NavOrderLine).order_by(NavOrderLine.id)).all()
    assert [(line.shipment_key, line.revisions, line.nav_status) for line in lines] == [
        (record["ShipmentNumber"], 2, "SHIPPED"), ("99", 1, record["Status"])]
    assert lines[0].expected_on == date(2024, 3, 11)  # shipped Friday: the next working day is Monday


def test_sync_ties_the_line_to_the_citizens_long_term_need_and_the_need_shows_nav_delivery_expected(
        session, fake_nav, sync, astrid, bed_need):
    fake_nav.approve(astrid.fnr, BED[0], BED[1], category_num=BED[2])
    assert sync().applied.needs_matched == 1
    session.refresh(bed_need)
    line = session.scalar(select(NavOrderLine))
    assert (line.citizen_id, line.need_id, bed_need.nav_status) == (astrid.id, bed_need.id, "delivery_expected")
    assert "nav_delivery_expected" in [event.kind for event in lending.need_timeline(session, bed_need.id)]
    assert line.fnr_hash and astrid.fnr not in repr(line.__dict__)


def test_a_sync_that_meets_failures_and_truncated_pages_ends_with_every_line_exactly_once(session, fake_nav, sync):
    fake_nav.control("/generate-order-lines", count=300)
    fake_nav.control(fail_every=3, truncate_every=5)
    summary = sync(page_size=40)
    assert summary.ok and summary.applied.new == 300
    assert line_count(session) == 300
    assert session.scalar(select(func.count(func.distinct(NavOrderLine.ordre_number + "-" + NavOrderLine.shipment_key)))) == 300


def test_when_nav_stays_down_the_sync_stops_keeps_what_it_had_and_the_next_run_goes_on_from_the_cursor(
        session, fake_nav, vault):
    fake_nav.control("/generate-order-lines", count=100)
    factory, port = get_database().session_factory, fake_nav.port(retries=1)
    first = jobs.run_sync(factory, port, vault, page_size=30, max_pages=2)
    assert first.applied.new == 60
    fake_nav.control(fail_every=1)
    down = jobs.run_sync(factory, port, vault, page_size=30)
    assert not down.ok and "NAV svarer ikke" in down.error
    assert services.get_sync_state(session).last_error
    fake_nav.control(fail_every=0)
    rest = jobs.run_sync(factory, port, vault, page_size=30)
    assert (rest.applied.new, rest.applied.unchanged) == (40, 0)
    assert line_count(session) == 100


# --- receiving ----------------------------------------------------------------------------------

def test_a_nav_device_received_by_hmsnr_and_serial_is_registered_as_nav_owned_and_held_for_the_need(
        session, fake_nav, sync, astrid, bed_need, depot, actor):
    fake_nav.approve(astrid.fnr, BED[0], BED[1], category_num=BED[2], serienr="687273")
    sync()
    received = services.receive_nav_device(session, actor.id, BED[0], "687273", "A-01-2")
    device = received.device
    assert received.matched and received.messages == []
    assert (device.owner, device.nav_hms_nr, device.nav_serial, device.state) == ("nav", BED[0], "687273", "reserved")
    assert device.barcode.startswith("HJM")
    session.refresh(bed_need)
    assert (bed_need.status, bed_need.nav_status) == ("reserved", "received")
    assert received.order_line.state == "received"
    assert services.upcoming_deliveries(session) == []


def test_an_arrival_that_matches_no_line_is_kept_for_resolving_by_hand_and_can_be_resolved_after_the_next_sync(
        session, fake_nav, sync, astrid, bed_need, depot, actor):
    received = services.receive_nav_device(session, actor.id, BED[0], "700001", "A-01-2")
    assert not received.matched and received.arrival.status == "open"
    assert [a.serial for a in services.list_arrivals(session)] == ["700001"]
    fake_nav.approve(astrid.fnr, BED[0], BED[1], category_num=BED[2], serienr="700099")
    sync()
    line = session.scalar(select(NavOrderLine))
    arrival = services.resolve_arrival(session, actor.id, received.arrival.id, "NAV byttet serienummer",
                                       order_line_id=line.id, location_code="A-01-2")
    assert arrival.status == "resolved"
    assert session.get(Device, arrival.device_id).state == "reserved"
    assert services.list_arrivals(session) == []


def test_a_nav_device_received_without_a_scanned_place_goes_to_the_receiving_place(
        session, fake_nav, sync, astrid, bed_need, depot, actor):
    create_location(session, "MOTTAK", "zone", "Mottak", parent_code="HL")
    fake_nav.approve(astrid.fnr, BED[0], BED[1], category_num=BED[2], serienr="687273")
    sync()
    received = services.receive_nav_device(session, actor.id, BED[0], "687273", receiving_location="MOTTAK")
    assert received.device.location.code == "MOTTAK"


def test_the_same_nav_device_cannot_be_received_twice(session, fake_nav, sync, astrid, bed, depot, actor):
    fake_nav.approve(astrid.fnr, BED[0], BED[1], category_num=BED[2], serienr="687273")
    sync()
    services.receive_nav_device(session, actor.id, BED[0], "687273", "A-01-2")
    with pytest.raises(Conflict) as refused:
        services.receive_nav_device(session, actor.id, BED[0], "687273", "A-01-2")
    assert refused.value.code == "duplicate_device"


@pytest.mark.parametrize("hms_nr, serial, field", [("12345", "687273", "hms_nr"), ("12345a", "687273", "hms_nr"),
                                                   ("291003", " ", "serial")])
def test_receiving_names_the_bad_field(session, actor, depot, hms_nr, serial, field):
    with pytest.raises(ValidationFailed) as refused:
        services.receive_nav_device(session, actor.id, hms_nr, serial, "A-01-2")
    assert field in refused.value.details


def test_a_line_for_a_citizen_with_no_need_here_gets_a_long_term_need_on_receipt(session, fake_nav, sync, astrid, bed, depot, actor):
    fake_nav.approve(astrid.fnr, BED[0], BED[1], category_num=BED[2], serienr="612345")
    sync()
    received = services.receive_nav_device(session, actor.id, BED[0], "612345", "A-01-2")
    assert received.need.application_type == "long_term" and received.need.status == "reserved"
    assert received.device.state == "reserved"


# --- NAV loans already at home --------------------------------------------------------------

def test_a_citizens_nav_loans_are_registered_on_loan_with_labels_and_the_fnr_read_is_logged(
        session, fake_nav, astrid, actor, vault):
    fake_nav.control("/loans", fnr=astrid.fnr, loans=[
        {"artikkelNr": "236958", "artikkelBeskrivelse": "Panthera U3 Light", "serieNr": "401234", "kategoriNummer": "12220301",
         "datoUtsendelse": "2023-05-02 10:00:00", "utlånsType": "P", "artikkelStatus": "I utlån"}])
    devices = services.import_citizen_nav_loans(session, fake_nav.port(), vault, "lager", actor.id, astrid.id)
    assert [(d.owner, d.state, d.nav_serial) for d in devices] == [("nav", "on_loan", "401234")]
    loan = session.scalar(select(Loan).where(Loan.device_id == devices[0].id))
    assert (loan.citizen_id, loan.loan_type, loan.status) == (astrid.id, "long_term", "active")
    assert session.scalar(select(FnrAccess.purpose).where(FnrAccess.citizen_id == astrid.id, FnrAccess.action == "nav_lookup"))
    assert services.import_citizen_nav_loans(session, fake_nav.port(), vault, "lager", actor.id, astrid.id) == []


# --- returns to NAV ---------------------------------------------------------------------------

@pytest.fixture
def wheelchair_at_home(session, fake_nav, astrid, actor, vault):
    fake_nav.control("/loans", fnr=astrid.fnr, loans=[
        {"artikkelNr": "236958", "artikkelBeskrivelse": "Panthera U3 Light", "serieNr": "687273", "kategoriNummer": "12220301"}])
    return services.import_citizen_nav_loans(session, fake_nav.port(), vault, "lager", actor.id, astrid.id)[0]


def collected(session, actor, device):
    loan = session.scalar(select(Loan).where(Loan.device_id == device.id))
    lending.request_return(session, actor.id, loan.id, "need_ended")
    lending.receive_at_depot(session, actor.id, device.barcode)
    return device


def test_a_collected_nav_device_sent_back_ends_returned_to_nav_and_the_return_reaches_nav_once(
        session, fake_nav, wheelchair_at_home, actor):
    device = collected(session, actor, wheelchair_at_home)
    with pytest.raises(InvalidState):
        maintenance.clean_device(session, actor.id, device.barcode, "manual_wash")  # decide with NAV first
    services.return_nav_device(session, actor.id, device.barcode, "return_to_nav", "Slitt")
    assert device.state == "returned_to_nav"
    factory = get_database().session_factory
    assert jobs.deliver_outbox(factory, fake_nav.port()) == {"sent": 1}
    assert jobs.deliver_outbox(factory, fake_nav.port()) == {}
    assert fake_nav.stats()["returns"] == 1
    assert "nav_return_reported" in [entry.kind for entry in device_history(session, device.id)]


def test_a_nav_device_kept_for_reuse_goes_on_to_cleaning_and_nav_is_told(session, fake_nav, wheelchair_at_home, actor):
    device = collected(session, actor, wheelchair_at_home)
    services.return_nav_device(session, actor.id, device.barcode, "keep_for_reuse")
    maintenance.clean_device(session, actor.id, device.barcode, "manual_wash")
    assert device.state == "inspection"
    jobs.deliver_outbox(get_database().session_factory, fake_nav.port())
    assert fake_nav.state.returns[-1]["beholdesForGjenbruk"] is True


# --- spare-part orders -------------------------------------------------------------------------

def test_a_part_order_placed_while_nav_is_down_waits_and_arrives_exactly_once_when_nav_is_back(
        session, fake_nav, wheelchair_at_home, actor):
    order = services.order_parts(session, actor.id, wheelchair_at_home.barcode, [TYRE], "TIL_SERVICE_OPPDRAG")
    factory = get_database().session_factory
    fake_nav.control(fail_every=1)
    assert jobs.deliver_outbox(factory, fake_nav.port(retries=2)) == {"pending": 1}
    message = session.scalar(select(NavOutboxMessage))
    session.refresh(message)
    assert (message.status, message.attempts) == ("pending", 1) and "NAV svarer ikke" in message.last_error
    fake_nav.control(fail_every=0)
    message.next_attempt_at = message.created_at  # the retry is due
    session.flush()
    assert jobs.deliver_outbox(factory, fake_nav.port()) == {"sent": 1}
    session.refresh(order)
    assert (order.status, order.nav_status) == ("sent", "INNSENDT") and order.saksnummer
    # A crash after NAV answered but before our commit: the resend carries the same key.
    message.status = "pending"
    session.flush()
    jobs.deliver_outbox(factory, fake_nav.port())
    assert fake_nav.stats()["saker"] == 1


def test_a_part_order_is_followed_until_nav_has_shipped_it_with_an_expected_delivery_date(
        session, fake_nav, wheelchair_at_home, actor):
    order = services.order_parts(session, actor.id, wheelchair_at_home.barcode, [TYRE], "TIL_XK_LAGER")
    factory = get_database().session_factory
    jobs.deliver_outbox(factory, fake_nav.port())
    fake_nav.control("/clock", advance_minutes=25 * 60)
    assert jobs.refresh_part_orders(factory, fake_nav.port()) == 1
    session.refresh(order)
    assert order.nav_status == "SKIPNINGSBEKREFTET" and order.expected_delivery is not None
    assert services.part_order_status_label(order) == "Sendt fra NAV"
    assert jobs.refresh_part_orders(factory, fake_nav.port()) == 0


def test_nav_refusing_a_part_order_is_recorded_with_navs_reason_in_norwegian(session, fake_nav, wheelchair_at_home, actor):
    order = services.order_parts(session, actor.id, wheelchair_at_home.barcode, [TYRE], "TIL_XK_LAGER")
    fake_nav.control(refuse={"236958-687273": "ULIK_GEOGRAFISK_TILKNYTNING"})
    assert jobs.deliver_outbox(get_database().session_factory, fake_nav.port()) == {"refused": 1}
    session.refresh(order)
    assert (order.status, order.refusal_code) == ("refused", "ULIK_GEOGRAFISK_TILKNYTNING")
    assert order.refusal_message == "Brukeren av hjelpemiddelet tilhører en annen kommune enn innsenderen"


@pytest.mark.parametrize("parts, battery, field", [
    ([], None, "parts"),
    ([{**TYRE, "antall": 0}], None, "parts[0].antall"),
    ([{**TYRE, "hmsnr": "15081"}], None, "parts[0].hmsnr"),
    ([BATTERY], None, "battery_training"),
    ([{**TYRE, "maks_antall": 1}], None, "parts[0].antall"),
])
def test_part_orders_breaking_navs_rules_are_refused_here_naming_the_field(session, fake_nav, wheelchair_at_home, actor,
                                                                            parts, battery, field):
    with pytest.raises(ValidationFailed) as refused:
        services.order_parts(session, actor.id, wheelchair_at_home.barcode, parts, "TIL_XK_LAGER", battery)
    assert field in refused.value.details
    assert session.scalar(select(func.count()).select_from(PartOrder)) == 0


def test_a_battery_can_be_ordered_by_a_technician_trained_on_batteries(session, fake_nav, wheelchair_at_home, actor):
    assert services.order_parts(session, actor.id, wheelchair_at_home.barcode, [BATTERY], "TIL_XK_LAGER", True).status == "queued"


def test_parts_are_ordered_only_for_nav_devices_on_loan_and_at_most_five_a_day(session, fake_nav, wheelchair_at_home,
                                                                               actor, rollator, depot):
    own = register_device(session, actor.id, rollator.id, location_code="A-01-2")
    with pytest.raises(InvalidState):
        services.order_parts(session, actor.id, own.barcode, [TYRE], "TIL_XK_LAGER")
    for _ in range(5):
        services.order_parts(session, actor.id, wheelchair_at_home.barcode, [TYRE], "TIL_XK_LAGER")
    with pytest.raises(Conflict) as refused:
        services.order_parts(session, actor.id, wheelchair_at_home.barcode, [TYRE], "TIL_XK_LAGER")
    assert refused.value.code == "FOR_MANGE_BESTILLINGER_SISTE_24_TIMER"


# --- repairs ----------------------------------------------------------------------------------

def test_a_repair_at_home_plans_a_visit_and_its_parts_and_minutes_land_in_the_history(session, fake_nav, wheelchair_at_home, actor):
    repair = maintenance.open_repair(session, actor.id, wheelchair_at_home.barcode, "home", "Slitt dekk")
    assert repair.stop_id is not None and wheelchair_at_home.state == "on_loan"
    maintenance.complete_repair(session, actor.id, repair.id, "Byttet dekk", 25, [{"navn": 'Dekk 24"', "antall": 2}])
    last = device_history(session, wheelchair_at_home.id)[-1]
    assert last.kind == "repaired" and "25 min" in last.note and '2 × Dekk 24"' in last.note
    assert last.data["parts_used"] == [{"hmsnr": None, "navn": 'Dekk 24"', "antall": 2}]


def test_a_repair_at_the_depot_takes_the_unit_out_and_puts_it_back_on_its_loan(session, fake_nav, wheelchair_at_home, actor):
    repair = maintenance.open_repair(session, actor.id, wheelchair_at_home.barcode, "depot", "Bremser tar ikke")
    assert wheelchair_at_home.state == "in_repair"
    with pytest.raises(Conflict):
        maintenance.open_repair(session, actor.id, wheelchair_at_home.barcode, "depot", "igjen")
    maintenance.complete_repair(session, actor.id, repair.id, "Justert bremser", 40)
    assert wheelchair_at_home.state == "on_loan"
    with pytest.raises(InvalidState):
        maintenance.complete_repair(session, actor.id, repair.id, "igjen", 5)


@pytest.mark.parametrize("work, minutes, parts, field", [
    ("", 10, [], "work_done"), ("Byttet", 0, [], "minutes_spent"), ("Byttet", 10, [{"navn": ""}], "parts_used[0].navn"),
    ("Byttet", 10, [{"navn": "Dekk", "antall": 0}], "parts_used[0].antall")])
def test_completing_a_repair_names_what_is_missing(session, fake_nav, wheelchair_at_home, actor, work, minutes, parts, field):
    repair = maintenance.open_repair(session, actor.id, wheelchair_at_home.barcode, "home", "Slitt dekk")
    with pytest.raises(ValidationFailed) as refused:
        maintenance.complete_repair(session, actor.id, repair.id, work, minutes, parts)
    assert field in refused.value.details


def test_a_nav_unit_is_not_received_into_a_van(session, actor, depot):
    from hjelpemiddel.nav.services.receiving import _place

    create_location(session, "BIL9", "van", "Varebil 9", parent_code="HL")
    with pytest.raises(ValidationFailed) as refused:
        _place(session, "BIL9", None)
    assert refused.value.details == {"location_code": ["En bil er ikke et sted på lageret: velg mottaket eller en hylle."]}
    assert _place(session, "A-01-1", None) == "A-01-1"
