"""Six technicians finishing repairs at the same moment, each with one of the last four wheels in
stock, over real HTTP on PostgreSQL: four get the wheel, two are refused 409 naming it, none answers
500, and the stock ends at zero with one movement per wheel used."""
import threading

import pytest
import requests
from sqlalchemy import func, select

from hjelpemiddel.catalog.services import create_product
from hjelpemiddel.core.auth import create_token, create_user
from hjelpemiddel.core.db import get_session
from hjelpemiddel.maintenance import services
from hjelpemiddel.maintenance.models import SparePart, SparePartMovement
from hjelpemiddel.stock.services import create_location, register_device

from ..support import serving

pytestmark = pytest.mark.postgres_only

TECHNICIANS, IN_STOCK = 6, 4


@pytest.fixture(scope="module")
def workshop():
    with serving("parts_race") as served:
        yield served


def seed(app) -> tuple[str, int, list[int]]:
    with app.app_context():
        session = get_session()
        create_user(session, "tekniker", "sjafor", "passord-for-tekniker")
        create_location(session, "HL", "depot", "Lageret")
        create_location(session, "S-1", "bin", "Hylle 1", parent_code="HL")
        product = create_product(session, hms_nr=None, name="Rollator", iso_class="120606")
        repairs = [services.open_repair(session, None, register_device(session, None, product.id,
                                                                       location_code="S-1").barcode,
                                        "depot", "Hjulet").id for _ in range(TECHNICIANS)]
        part = services.create_spare_part(session, None, "HJ-1", "Forhjul", quantity=IN_STOCK)
        token = create_token(session, "tekniker")
        session.commit()
        return token, part.id, repairs


def test_the_last_parts_in_stock_go_to_as_many_repairs_as_there_are_parts_and_no_more(workshop):
    app, base = workshop
    token, part_id, repairs = seed(app)
    barrier = threading.Barrier(TECHNICIANS)
    answers: list = [None] * TECHNICIANS

    def finish(i: int) -> None:
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {token}"
        barrier.wait()
        answers[i] = http.post(f"{base}/api/v1/repairs/{repairs[i]}/complete", timeout=60, json={
            "work_done": "Nytt hjul", "minutes_spent": 10, "stock_parts": [{"spare_part_id": part_id, "quantity": 1}]})

    threads = [threading.Thread(target=finish, args=(i,)) for i in range(TECHNICIANS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200] * IN_STOCK + [409] * (TECHNICIANS - IN_STOCK), [a.text for a in answers]
    refused = [a.json()["error"] for a in answers if a.status_code == 409]
    assert all(e["code"] == "not_enough_in_stock" and "Forhjul" in e["message"] for e in refused)
    with app.app_context():
        session = get_session()
        assert session.get(SparePart, part_id).quantity == 0
        assert session.scalar(select(func.count()).select_from(SparePartMovement).where(
            SparePartMovement.reason == "used")) == IN_STOCK
        session.rollback()
