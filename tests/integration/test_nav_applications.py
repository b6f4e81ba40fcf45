"""A need sent to NAV becomes an application at NAV: through the outbox, once, with the fnr read only
then and logged; NAV's decision reaches the need, and NAV's order line ties the delivery to it."""
import pytest
from sqlalchemy import select

from hjelpemiddel.catalog.services import create_product
from hjelpemiddel.citizens.services import fnr_access_log
from hjelpemiddel.lending import services as lending
from hjelpemiddel.nav import services as nav
from hjelpemiddel.nav.models import NavApplication, NavOutboxMessage
from integrations.nav.memory import InMemoryNav

from .test_lending_services import TODAY


@pytest.fixture
def nav_port():
    return InMemoryNav()


@pytest.fixture
def bed(session):
    return create_product(session, hms_nr="291003", name="Seng Opus 90EW", iso_class="181210")


@pytest.fixture
def sent(session, therapist, make_citizen, bed):
    """Astrid's long-term need for the bed, sent to NAV by her therapist."""
    citizen = make_citizen("Astrid Olsen")
    need = lending.register_need(session, therapist.id, "terapeut", citizen.id, TODAY, "discharge", "long_term",
                                 product_id=bed.id, discharge_date=TODAY)
    lending.decide_need(session, therapist.id, "terapeut", need.id, "send_to_nav")
    return citizen, need


def outbox(session) -> NavOutboxMessage:
    return session.scalar(select(NavOutboxMessage).where(NavOutboxMessage.kind == "application"))


def test_sending_to_nav_queues_an_application_without_the_fnr_in_it(session, vault, sent):
    citizen, need = sent
    message = outbox(session)
    application = nav.application_for_need(session, need.id)
    assert (application.status, message.status, message.idempotency_key) == ("queued", "pending", application.uuid)
    assert vault.decrypt(citizen.fnr_encrypted) not in repr(message.payload)


def test_the_application_reaches_nav_once_and_the_fnr_read_is_logged_in_the_therapists_name(
        session, vault, therapist, sent, nav_port):
    citizen, need = sent
    message = outbox(session)

    assert nav.deliver_outbox_message(session, nav_port, message.id, vault) == "sent"
    assert nav.deliver_outbox_message(session, nav_port, message.id, vault) == "skipped"

    [case] = nav_port.state.soknader.values()
    assert case["_soknad"]["fnrBruker"] == vault.decrypt(citizen.fnr_encrypted)
    assert case["_soknad"]["hjelpemidler"][0]["hmsnr"] == "291003"
    application = nav.application_for_need(session, need.id)
    assert (application.status, application.saksnummer) == ("sent", case["saksnummer"])
    [read] = [entry for entry in fnr_access_log(session, citizen.id) if entry.action == "nav_lookup"]
    assert read.user_id == therapist.id and "NAV" in read.purpose


def test_while_nav_is_down_the_application_waits_and_is_sent_once_nav_is_back(session, vault, sent, nav_port):
    _citizen, need = sent
    message = outbox(session)
    nav_port.down = True
    assert nav.deliver_outbox_message(session, nav_port, message.id, vault) == "pending"
    assert message.attempts == 1 and message.last_error
    nav_port.down = False
    assert nav.deliver_outbox_message(session, nav_port, message.id, vault) == "sent"
    assert len(nav_port.state.soknader) == 1


def test_nav_grants_the_application_and_its_order_line_tells_the_need_a_delivery_is_coming(
        session, vault, actor, depot, sent, nav_port):
    _citizen, need = sent
    nav.deliver_outbox_message(session, nav_port, outbox(session).id, vault)
    [application_id] = nav.open_application_ids(session)
    nav_port.advance(minutes=3)

    nav.refresh_application(session, nav_port, application_id)
    assert need.nav_status == "approved" and need.status == "sent_to_nav"

    page = nav.sync_order_lines_page(session, nav_port, vault)
    assert page.applied.needs_matched == 1
    assert need.nav_status == "delivery_expected"
    kinds = [event.kind for event in lending.need_timeline(session, need.id)]
    assert kinds == ["registered", "decision_send_to_nav", "nav_registered", "nav_approved", "nav_delivery_expected"]
    [line] = nav.upcoming_deliveries(session)
    assert line.need_id == need.id
    received = nav.receive_nav_device(session, actor.id, line.hms_nr, line.serials[0], "A-01-2")
    assert (received.need.id, received.device.state, received.device.owner) == (need.id, "reserved", "nav")


def test_nav_refuses_the_application_and_the_need_is_rejected_with_navs_reason(session, vault, sent, nav_port):
    citizen, need = sent
    nav_port.refuse_applications(vault.decrypt(citizen.fnr_encrypted))
    nav.deliver_outbox_message(session, nav_port, outbox(session).id, vault)
    nav_port.advance(minutes=3)
    nav.refresh_application(session, nav_port, nav.open_application_ids(session)[0])
    assert (need.status, need.nav_status) == ("rejected", "rejected") and need.decision_reason
    assert nav.open_application_ids(session) == []
    assert session.scalar(select(NavApplication.nav_status)) == "VEDTAKSRESULTAT_AVSLÅTT"
