"""Twenty staff reserve the last rollator at the same moment: exactly one wins, the others get
409 with the reason. Real HTTP, real threads, committed transactions on the suite's database."""
import threading
from collections import Counter
from datetime import date, timedelta

import pytest
import requests
from sqlalchemy import func, select, text

from hjelpemiddel.catalog.services import create_product
from hjelpemiddel.citizens.services import register_citizen
from hjelpemiddel.core.auth import create_token, create_user
from hjelpemiddel.core.db import get_session
from hjelpemiddel.core.fnr import make_fnr
from hjelpemiddel.lending.models import Reservation
from hjelpemiddel.lending.services import register_need
from hjelpemiddel.stock.services import create_location, register_device

from ..conftest import TEST_FNR_KEYS
from ..support import serving

RACERS = 20


@pytest.fixture(scope="module")
def race():
    with serving("race", **TEST_FNR_KEYS) as served:
        yield served


def seed(app, tag: str):
    """One available rollator and twenty approved needs waiting for it, committed."""
    with app.app_context():
        session = get_session()
        lager = create_user(session, f"lager-{tag}", "lager", "test-passord-123")
        therapist = create_user(session, f"terapeut-{tag}", "terapeut", "test-passord-123")
        product = create_product(session, hms_nr=None, name=f"Rollator {tag}", iso_class="120606")
        create_location(session, f"D-{tag}", "depot")
        device = register_device(session, lager.id, product.id)
        need_ids = []
        born = "01" if tag == "a" else "02"
        fnrs = (fnr for n in range(100, 999) if (fnr := make_fnr(f"{born}0150", f"{n:03d}")))
        for i in range(RACERS):
            citizen = register_citizen(session, app.extensions["fnr_vault"], therapist.id, next(fnrs),
                                       f"Innbygger {i}", "Gata 1", "6509", "1505")
            need = register_need(session, therapist.id, "terapeut", citizen.id, date.today() + timedelta(days=1),
                                 "normal", "short_term", product_id=product.id)
            need_ids.append(need.id)
        # Set the scene directly: applications approved while nothing was free, then the unit put away.
        session.execute(text("UPDATE needs SET status = 'approved' WHERE id IN (%s)" % ",".join(map(str, need_ids))))
        session.execute(text("UPDATE devices SET state = 'available' WHERE id = :id"), {"id": device.id})
        token = create_token(session, lager.username)
        session.commit()
        return token, device.barcode, need_ids, device.id


@pytest.mark.parametrize("tag,named_device", [("a", True), ("b", False)])
def test_twenty_simultaneous_reservations_of_the_last_unit_have_exactly_one_winner(race, tag, named_device):
    app, base = race
    token, barcode, need_ids, device_id = seed(app, tag)
    barrier = threading.Barrier(RACERS)
    answers: list[requests.Response] = [None] * RACERS

    def reserve(i: int) -> None:
        body = {"need_id": need_ids[i], **({"device_barcode": barcode} if named_device else {})}
        barrier.wait()
        answers[i] = requests.post(base + "/api/v1/reservations", json=body, timeout=60,
                                   headers={"Authorization": f"Bearer {token}"})

    threads = [threading.Thread(target=reserve, args=(i,)) for i in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    statuses = Counter(answer.status_code for answer in answers)
    assert statuses == {201: 1, 409: RACERS - 1}, [a.text[:200] for a in answers if a.status_code not in (201, 409)]
    reasons = {answer.json()["error"]["code"] for answer in answers if answer.status_code == 409}
    assert reasons <= {"reserved_for_other", "invalid_state", "no_device_available"}
    for answer in answers:
        if answer.status_code == 409:
            assert answer.json()["error"]["message"]
    with app.app_context():
        session = get_session()
        active = session.scalar(select(func.count()).select_from(Reservation)
                                .where(Reservation.device_id == device_id, Reservation.status == "active"))
        assert active == 1
        assert session.execute(text("SELECT state FROM devices WHERE id = :id"), {"id": device_id}).scalar() == "reserved"
