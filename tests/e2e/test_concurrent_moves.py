"""Eight staff moving units between two bins at the same moment, over real HTTP on PostgreSQL: units
cross in both directions (one bin locked as a target while another move refers to it as the
source), and no move may answer 500 or be lost or doubled."""
import threading
from collections import Counter

import pytest
import requests
from sqlalchemy import text

from hjelpemiddel.catalog.services import create_product
from hjelpemiddel.core.auth import create_token, create_user
from hjelpemiddel.core.db import get_session
from hjelpemiddel.stock.services import create_location, register_device

from ..support import serving

pytestmark = pytest.mark.postgres_only

MOVERS, MOVES_EACH = 8, 15


@pytest.fixture(scope="module")
def swap():
    with serving("swap") as served:
        yield served


def seed(app) -> tuple[str, list[str]]:
    """Two bins, four units in each; a token for a depot worker."""
    with app.app_context():
        session = get_session()
        create_user(session, "flytter", "lager", "passord-for-flytter")
        create_location(session, "HL", "depot", "Lageret")
        create_location(session, "S-1", "bin", "Hylle 1", parent_code="HL")
        create_location(session, "S-2", "bin", "Hylle 2", parent_code="HL")
        product = create_product(session, hms_nr=None, name="Dusjkrakk", iso_class="093303")
        barcodes = [register_device(session, None, product.id, location_code="S-1" if i % 2 else "S-2").barcode
                    for i in range(MOVERS)]
        token = create_token(session, "flytter")
        session.commit()
        return token, barcodes


def test_eight_clients_swapping_units_between_two_bins_get_no_500_and_every_move_is_one_event(swap):
    app, base = swap
    token, barcodes = seed(app)
    barrier = threading.Barrier(MOVERS)
    answers: list[list[requests.Response]] = [[] for _ in range(MOVERS)]

    def move_back_and_forth(i: int) -> None:
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {token}"
        barrier.wait()
        for n in range(MOVES_EACH):
            # Odd units start in S-1, even ones in S-2: every step sends half of them each way.
            target = ("S-1", "S-2")[(i + n) % 2]
            answers[i].append(http.post(f"{base}/api/v1/devices/{barcodes[i]}/move",
                                        json={"location_code": target}, timeout=60))

    threads = [threading.Thread(target=move_back_and_forth, args=(i,)) for i in range(MOVERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    flat = [answer for per_client in answers for answer in per_client]
    statuses = Counter(answer.status_code for answer in flat)
    assert set(statuses) <= {200, 409}, [a.text[:300] for a in flat if a.status_code not in (200, 409)]
    for answer in flat:
        if answer.status_code == 409:
            assert answer.json()["error"]["code"] == "concurrent_change" and answer.json()["error"]["message"]
    moved = sum(1 for answer in flat if answer.status_code == 200 and answer.json()["moved"])
    assert moved == statuses[200]  # each step really crosses to the other bin
    with app.app_context():
        events = get_session().scalar(text("SELECT count(*) FROM device_events WHERE kind = 'moved'"))
    assert moved == events
    assert statuses[200] >= 0.9 * len(flat), statuses
