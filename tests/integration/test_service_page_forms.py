"""The service page's forms (repair, finished repair, part order) read through the same schemas as the
API: a bad number is refused on the page naming the field in bokmål, never a 500, and nothing is written."""
import html
import re

import pytest

from hjelpemiddel.maintenance import services as maintenance
from hjelpemiddel.stock.services import register_device

from ..support import post_login


@pytest.fixture
def unit(session, actor, depot, rollator):
    return register_device(session, actor.id, rollator.id, location_code="A-01-2")


@pytest.fixture
def desk(client, actor):
    assert post_login(client, actor.username, "test-passord-123").status_code == 302
    return client


def post_form(client, url: str, page_url: str, **fields):
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(page_url).get_data(as_text=True)).group(1)
    return client.post(url, data={"csrf_token": token, **fields})


@pytest.mark.parametrize("fields, named", [
    ({"hmsnr_0": "123456", "navn_0": "Brems", "antall_0": "tre"}, "Deler"),
    ({"hmsnr_0": "123456", "navn_0": "Brems", "antall_0": "100"}, "Deler"),
    ({"hmsnr_0": "123456", "navn_0": "Brems", "antall_0": "99999999999999999999"}, "Deler"),
    ({"hmsnr_0": "123456", "navn_0": "Brems", "repair_id": "x"}, "Reparasjon"),
    ({"hmsnr_0": "123456", "navn_0": "Brems", "levering": "TIL_MÅNEN"}, "Levering"),
])
def test_a_part_order_with_a_bad_field_is_refused_on_the_page_naming_it(desk, unit, fields, named):
    page = f"/service/{unit.barcode}"
    answer = post_form(desk, page + "/delbestilling", page, **fields)
    assert answer.status_code == 422
    assert f"Sjekk feltene: {named}." in html.unescape(answer.get_data(as_text=True))


@pytest.mark.parametrize("fields, named", [
    ({"work_done": "Nytt hjul", "minutes_spent": ""}, "Tidsbruk"),
    ({"work_done": "Nytt hjul", "minutes_spent": "en time"}, "Tidsbruk"),
    ({"work_done": "Nytt hjul", "minutes_spent": "2000"}, "Tidsbruk"),
    ({"work_done": "", "minutes_spent": "30"}, "Utført arbeid"),
    ({"work_done": "Nytt hjul", "minutes_spent": "30", "part_navn_0": "Hjul", "part_antall_0": "0"}, "Deler brukt"),
])
def test_a_finished_repair_with_a_bad_field_is_refused_and_the_repair_stays_open(session, desk, actor, unit,
                                                                                   fields, named):
    repair = maintenance.open_repair(session, actor.id, unit.barcode, "depot", "Hjulet slingrer")
    session.commit()
    page = f"/service/{unit.barcode}"
    answer = post_form(desk, f"{page}/reparasjon/{repair.id}/ferdig", page, **fields)
    assert answer.status_code == 422
    assert f"Sjekk feltene: {named}." in html.unescape(answer.get_data(as_text=True))
    session.refresh(repair)
    assert repair.completed_at is None


def test_a_repair_opened_and_finished_on_the_page_keeps_the_parts_and_minutes(session, desk, unit):
    page = f"/service/{unit.barcode}"
    opened = post_form(desk, page + "/reparasjon", page, place="depot", description="Hjulet slingrer")
    assert opened.status_code == 302
    repair = maintenance.list_repairs(session, unit.id)[0]
    done = post_form(desk, f"{page}/reparasjon/{repair.id}/ferdig", page, work_done="Nytt hjul", minutes_spent="30",
                     part_navn_0="Hjul", part_hmsnr_0="", part_antall_0="2", part_navn_1="Mutter")
    assert done.status_code == 302
    session.refresh(repair)
    assert repair.minutes_spent == 30
    assert [(part["navn"], part["antall"]) for part in repair.parts_used] == [("Hjul", 2), ("Mutter", 1)]


def test_a_repair_without_a_description_is_refused_naming_it(desk, unit):
    page = f"/service/{unit.barcode}"
    answer = post_form(desk, page + "/reparasjon", page, place="depot", description="")
    assert answer.status_code == 422
    assert "Sjekk feltene: Beskrivelse." in html.unescape(answer.get_data(as_text=True))
