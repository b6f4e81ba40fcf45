"""The spare-part pages: the list searched and filtered, a part created, received and counted; the
failure figures page with its filters; the service page showing the warranty and taking stock parts
and the cause when a repair is completed (a NAV unit is pointed to NAV's delbestilling instead)."""
import html
import re

import pytest

from hjelpemiddel.maintenance import services
from hjelpemiddel.maintenance.models import SparePart
from hjelpemiddel.stock.services import register_device

from ..support import post_login


@pytest.fixture
def desk(client, actor):
    assert post_login(client, actor.username, "test-passord-123").status_code == 302
    return client


@pytest.fixture
def unit(session, actor, depot, rollator):
    return register_device(session, actor.id, rollator.id, location_code="A-01-2")


@pytest.fixture
def wheel(session, actor, depot):
    return services.create_spare_part(session, actor.id, "TP-HJ-200", "Forhjul 200 mm", quantity=3, minimum_quantity=2,
                                      location_code="A-01-1")


def post_form(client, url: str, page_url: str, **fields):
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(page_url).get_data(as_text=True)).group(1)
    return client.post(url, data={"csrf_token": token, **fields})


def text_of(answer) -> str:
    return html.unescape(answer.get_data(as_text=True))


def test_the_parts_list_searches_filters_and_takes_new_parts_receipts_and_counts(session, desk, wheel):
    services.create_spare_part(session, None, "BR-1", "Bremsekabel", quantity=5, minimum_quantity=1)
    session.commit()
    assert "Bremsekabel" not in text_of(desk.get("/lager/reservedeler?q=hj-200"))
    assert "Bremsekabel" not in text_of(desk.get("/lager/reservedeler?under_minimum=1"))
    page = "/lager/reservedeler"
    made = post_form(desk, page, page, part_number="BAT-12", name="Batteri 12 V", quantity="2")
    assert made.status_code == 302
    assert post_form(desk, f"{page}/{wheel.id}/mottak", page, quantity="4").status_code == 302
    assert post_form(desk, f"{page}/{wheel.id}/telling", page, counted="1").status_code == 302
    listed = text_of(desk.get(page + "?under_minimum=1"))
    assert "Forhjul 200 mm" in listed and "(under minimum)" in listed and "Batteri 12 V" not in listed


@pytest.mark.parametrize("fields, said", [
    ({"part_number": "TP-HJ-200", "name": "Igjen"}, "finnes allerede"),
    ({"part_number": "NY", "name": "Ny", "quantity": "-1"}, "Sjekk feltene: Antall."),
    ({"part_number": "NY", "name": "Ny", "location_code": "FINNES-IKKE"}, "Lokasjon"),
])
def test_a_bad_new_part_is_refused_on_the_page(desk, wheel, fields, said):
    answer = post_form(desk, "/lager/reservedeler", "/lager/reservedeler", **fields)
    assert answer.status_code in (409, 422) and said in text_of(answer)


def test_a_negative_count_is_refused_on_the_page_and_nothing_changes(session, desk, wheel):
    answer = post_form(desk, f"/lager/reservedeler/{wheel.id}/telling", "/lager/reservedeler", counted="-2")
    assert answer.status_code == 422 and "Opptalt antall" in text_of(answer)
    session.expire_all()
    assert session.get(SparePart, wheel.id).quantity == 3


def test_the_failure_figures_page_shows_its_period_and_refuses_a_bad_one(desk):
    assert desk.get("/lager/feilstatistikk").status_code == 200
    assert "Ingen utlån" in text_of(desk.get("/lager/feilstatistikk?date_from=01.01.2026&date_to=31.01.2026"))
    assert desk.get("/lager/feilstatistikk?date_from=31.01.2026&date_to=01.01.2026").status_code == 422
    assert desk.get("/lager/feilstatistikk?iso_class=%00").status_code == 422


def test_a_repair_completed_on_the_service_page_takes_a_stock_part_and_keeps_the_cause(session, desk, unit, wheel):
    page = f"/service/{unit.barcode}"
    shown = text_of(desk.get(page))
    assert "Garanti: ja, til " in shown and "krav rettes til Topro" in shown
    assert post_form(desk, page + "/reparasjon", page, place="depot", description="Hjulet slingrer",
                     cause="wheels").status_code == 302
    repair = services.list_repairs(session, unit.id)[0]
    short = post_form(desk, f"{page}/reparasjon/{repair.id}/ferdig", page, work_done="Nytt hjul", minutes_spent="20",
                      stock_part_0="TP-HJ-200", stock_antall_0="4")
    assert short.status_code == 409 and "3 igjen" in text_of(short)
    done = post_form(desk, f"{page}/reparasjon/{repair.id}/ferdig", page, work_done="Nytt hjul", minutes_spent="20",
                     stock_part_0="Forhjul", stock_part_id_0=str(wheel.id), stock_antall_0="2", cause="wheels")
    assert done.status_code == 302
    session.expire_all()
    assert session.get(SparePart, wheel.id).quantity == 1
    assert repair.cause == "wheels" and repair.parts_used[0]["delenummer"] == "TP-HJ-200"
    assert "Årsak: Hjul/styrehjul" in text_of(desk.get(page))


def test_an_unknown_typed_part_is_a_bad_field_on_the_service_page(session, desk, unit, wheel):
    repair = services.open_repair(session, None, unit.barcode, "depot", "Noe")
    session.commit()
    page = f"/service/{unit.barcode}"
    answer = post_form(desk, f"{page}/reparasjon/{repair.id}/ferdig", page, work_done="Fikset", minutes_spent="5",
                       stock_part_0="FINNES-IKKE")
    assert answer.status_code == 422 and "Deler fra lager" in text_of(answer)


def test_a_nav_unit_is_pointed_to_navs_part_orders_instead_of_the_stock(session, desk, actor, rollator, depot):
    nav_unit = register_device(session, actor.id, rollator.id, owner="nav", nav_hms_nr="123456", nav_serial="N-1",
                               location_code="A-01-2")
    services.open_repair(session, actor.id, nav_unit.barcode, "depot", "Hjulet")
    session.commit()
    shown = text_of(desk.get(f"/service/{nav_unit.barcode}"))
    assert 'data-testid="stock-parts"' not in shown and "bestilles fra NAV" in shown
    assert "krav rettes til NAV" in shown


def test_a_parts_page_shows_its_history_newest_first_filtered_by_kind_and_downloads_it(session, desk, wheel, actor):
    services.receive_spare_part(session, actor.id, wheel.id, 4, note="Levering fra leverandør")
    services.count_spare_part(session, actor.id, wheel.id, 6)
    session.commit()
    page = text_of(desk.get(f"/lager/reservedeler/{wheel.id}"))
    assert "Forhjul 200 mm" in page and "Historikk (3)" in page
    assert page.index("Telling") < page.index("Levering fra leverandør")  # newest first
    received = text_of(desk.get(f"/lager/reservedeler/{wheel.id}?hendelse=received"))
    assert "Historikk (2)" in received and "+4" in received and "Første beholdning" in received  # the first stock
    rows = desk.get(f"/lager/reservedeler/{wheel.id}?hendelse=received&format=csv").get_data(as_text=True).splitlines()
    assert rows[0].lstrip("\ufeff").startswith("Tidspunkt;Delenummer;Reservedel;Hendelse;Endring")
    assert len(rows) == 3 and all("TP-HJ-200" in row and ";Mottak;" in row for row in rows[1:])
    # An unknown kind is no filter, a NUL byte a refused address; an unknown part is the not-found page.
    assert "Historikk (3)" in text_of(desk.get(f"/lager/reservedeler/{wheel.id}?hendelse=lost"))
    assert desk.get(f"/lager/reservedeler/{wheel.id}?hendelse=%00x").status_code == 422
    assert desk.get("/lager/reservedeler/999999").status_code == 404
    assert f'href="/lager/reservedeler/{wheel.id}"' in desk.get("/lager/reservedeler").get_data(as_text=True)


def test_a_page_answering_a_refused_form_links_and_searches_only_to_addresses_that_exist(session, desk, wheel):
    for n in range(30):  # more than a page, so the list has its «Neste» link on the page as asked for
        services.create_spare_part(session, None, f"P-{n:02}", f"Pakning {n:02}")
    session.commit()
    assert "Neste →" in text_of(desk.get("/lager/reservedeler"))
    refused = post_form(desk, f"/lager/reservedeler/{wheel.id}/mottak", "/lager/reservedeler", quantity="0")
    body = text_of(refused)
    assert refused.status_code == 422 and "Viser 1–25 av 31" in body
    # The answer's address is the form's (POST only): no paging, sorting or download link may point there.
    assert f"/lager/reservedeler/{wheel.id}/mottak?" not in body and "Last ned CSV" not in body
    assert 'action="/lager/reservedeler"' in body
    assert "Pakning 29" in text_of(desk.get("/lager/reservedeler?q=pakning 29"))
