"""Lists stay bounded as the depot grows: a page shows at most one page of rows, says how many there
are, pages on by key or number, and sends the same number of SQL statements with 5 rows or 150.
(The timings at a million devices are measured in bench/pages.py, outside this suite.)"""
import re
from datetime import timedelta

import pytest

from hjelpemiddel.catalog.services import create_product
from hjelpemiddel.core.db import utcnow
from hjelpemiddel.core.ids import DEVICE_PREFIX, make_code
from hjelpemiddel.core.paging import count_capped, offset_page
from hjelpemiddel.maintenance.services import IN_MAINTENANCE, devices_in_maintenance
from hjelpemiddel.nav import services as nav
from hjelpemiddel.stock import services as stock
from hjelpemiddel.stock.models import IN_MAINTENANCE_SQL, NAV_SETTLING_SQL, Device, DeviceEvent
from sqlalchemy import select

from ..support import post_login

_serials = iter(range(1, 1_000_000))


def add_units(session, product, count, state="available", owner="kommune", location=None, events=()):
    """Units written straight to the table (a state as the life cycle would have left it): the lists
    read them like any other; ``events`` are event kinds recorded on each."""
    now = utcnow()
    units = []
    for n in range(count):
        serial = next(_serials)
        units.append(Device(barcode=make_code(DEVICE_PREFIX, 5_000_000 + serial), product_id=product.id,
                            serial_number=f"SN{serial:07d}", owner=owner, state=state,
                            nav_hms_nr="123456" if owner == "nav" else None,
                            nav_serial=f"NAV{serial:07d}" if owner == "nav" else None,
                            location_id=location.id if location else None,
                            registered_at=now, updated_at=now + timedelta(seconds=serial)))
    session.add_all(units)
    session.flush()
    for unit in units:
        for kind in events:
            session.add(DeviceEvent(device_id=unit.id, kind=kind, from_state=state, to_state=state, note=""))
    session.flush()
    return units


@pytest.fixture
def lager_client(client, make_user):
    assert post_login(client, make_user("lager").username, "test-passord-123").status_code == 302
    return client


def statements_for(client, count_queries, path):
    client.get(path)  # a first view may set something up once (the NAV page its sync state)
    with count_queries as recorded:
        response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return len(recorded.statements), response.get_data(as_text=True)


def table_rows(html, testid):
    section = html.split(f'data-testid="{testid}"', 1)[1].split("</section>", 1)[0]
    return section.count("<tr") - section.count("<tr><th")


# --- the helpers every list uses -------------------------------------------------------------------

def test_a_capped_count_stops_at_the_cap_and_says_so(session, rollator):
    add_units(session, rollator, 7)
    stmt = select(Device.id).where(Device.product_id == rollator.id)
    assert count_capped(session, stmt, cap=5) == (5, True)
    assert count_capped(session, stmt, cap=7) == (7, False)


def test_an_offset_page_past_the_end_shows_the_last_page_and_never_more_than_its_size(session, rollator):
    add_units(session, rollator, 7)
    stmt = select(Device).where(Device.product_id == rollator.id).order_by(Device.id)
    page = offset_page(session, stmt, number=99, size=3)
    assert (page.number, len(page), page.total, page.has_next, page.has_previous) == (3, 1, 7, False, True)
    first = offset_page(session, stmt, number=1, size=3)
    assert (len(first), first.start, first.end, first.has_next) == (3, 1, 3, True)


def test_offset_pages_go_no_deeper_than_the_count_and_say_that_more_exist(session, rollator):
    add_units(session, rollator, 7)
    stmt = select(Device).where(Device.product_id == rollator.id).order_by(Device.id)
    page = offset_page(session, stmt, number=5, size=2, cap=4)
    assert (page.number, page.total, page.capped, page.has_next, page.cut) == (2, 4, True, False, True)


def test_the_partial_indexes_hold_exactly_the_states_and_kinds_their_lists_ask_for():
    assert set(re.findall(r"'(\w+)'", IN_MAINTENANCE_SQL)) == {state.value for state in IN_MAINTENANCE}
    assert set(re.findall(r"'(\w+)'", NAV_SETTLING_SQL)) == {"return_received", "nav_kept_for_reuse"}


# --- /hjelpemidler and /api/v1/devices: keyset pages ----------------------------------------------

def test_keyset_pages_walk_every_unit_once_forwards_and_back(session, rollator):
    ids = [unit.id for unit in add_units(session, rollator, 12)][::-1]  # newest first
    walked, after = [], None
    while True:
        page = stock.device_page(session, product_id=rollator.id, after=after, limit=5)
        walked.append([unit.id for unit in page])
        if not page.has_next:
            break
        after = page.last_key
    assert walked == [ids[0:5], ids[5:10], ids[10:12]]
    back = stock.device_page(session, product_id=rollator.id, before=ids[10], limit=5)
    assert [unit.id for unit in back] == ids[5:10] and back.has_previous and back.has_next
    assert stock.device_page(session, product_id=rollator.id, limit=5).total == 12


def test_the_api_device_list_stays_a_list_and_links_its_next_page(session, rollator, lager_api):
    add_units(session, rollator, 7)
    seen, url = [], f"/api/v1/devices?product_id={rollator.id}&limit=3"
    while url:
        response = lager_api.client.get(url, headers=lager_api.headers)
        assert response.status_code == 200 and isinstance(response.get_json(), list)
        seen += [device["barcode"] for device in response.get_json()]
        link = response.headers.get("Link")
        url = re.match(r'<([^>]+)>; rel="next"', link).group(1) if link else None
        assert url is None or "after=" in url and "product_id" in url
    assert len(seen) == len(set(seen)) == 7


@pytest.mark.parametrize("query,found", [
    ("q={barcode}", 1), ("q={serial}", 1), ("q=Topro", 3), ("q=rullestol", 0), ("iso_class=12 06", 3),
    ("iso_class=09", 0), ("state=available&owner=kommune", 3), ("location_code=A-01-2", 3),
])
def test_the_device_list_finds_by_barcode_serial_or_product_and_filters(session, lager_client, rollator, depot,
                                                                         query, found):
    units = add_units(session, rollator, 3, location=stock.get_location(session, "A-01-2"))
    path = "/hjelpemidler?" + query.format(barcode=units[0].barcode.lower(), serial=units[1].serial_number)
    html = lager_client.get(path).get_data(as_text=True)
    assert html.count('href="/hjelpemidler/HJM') == found
    assert f"{found} hjelpemidler passer" in html


def test_an_unknown_location_in_the_device_filter_is_explained_not_a_crash(lager_client, depot):
    response = lager_client.get("/hjelpemidler?location_code=FINNES-IKKE")
    assert response.status_code == 422 and "Fant ingen lokasjon" in response.get_data(as_text=True)


def test_the_device_list_sends_as_many_statements_for_150_units_as_for_5(session, lager_client, rollator,
                                                                         count_queries):
    add_units(session, rollator, 5)
    few, _ = statements_for(lager_client, count_queries, "/hjelpemidler")
    add_units(session, rollator, 145)
    many, html = statements_for(lager_client, count_queries, "/hjelpemidler")
    assert many == few and html.count('href="/hjelpemidler/HJM') == 50 and 'rel="next"' in html


# --- /lager/utlan -----------------------------------------------------------------------------------

def test_the_washing_list_shows_the_latest_returns_first_a_page_at_a_time(session, lager_client, rollator,
                                                                          count_queries):
    add_units(session, rollator, 5, state="cleaning")
    few, _ = statements_for(lager_client, count_queries, "/lager/utlan")
    units = add_units(session, rollator, 70, state="cleaning")
    many, html = statements_for(lager_client, count_queries, "/lager/utlan")
    assert many == few
    assert "Vask og kontroll (75)" in html and table_rows(html, "maintenance") == 50
    assert html.index(units[-1].barcode) < html.index(units[-2].barcode)  # the latest first
    assert "side_vask=2" in html
    second = lager_client.get("/lager/utlan?side_vask=2").get_data(as_text=True)
    assert table_rows(second, "maintenance") == 25 and "Viser 51–75 av 75" in second


def test_the_washing_list_finds_a_unit_by_barcode_or_product(session, lager_client, rollator):
    chair = create_product(session, hms_nr=None, name="Dusjkrakk", iso_class="093303")
    [stool] = add_units(session, chair, 1, state="inspection")
    add_units(session, rollator, 3, state="cleaning")
    by_code = lager_client.get(f"/lager/utlan?sok={stool.barcode}").get_data(as_text=True)
    by_name = lager_client.get("/lager/utlan?sok=dusj").get_data(as_text=True)
    for html in (by_code, by_name):
        assert "Vask og kontroll (1)" in html and stool.barcode in html
    assert "passer søket" in lager_client.get("/lager/utlan?sok=ingenting").get_data(as_text=True)


def test_odd_page_numbers_show_the_first_page(lager_client):
    for odd in ("-3", "abc", "99999999999999999999", ""):
        assert lager_client.get(f"/lager/utlan?side_vask={odd}&side_ko={odd}").status_code == 200


def test_devices_in_maintenance_reads_only_the_states_of_the_index(session, rollator):
    add_units(session, rollator, 2, state="available")
    add_units(session, rollator, 3, state="in_repair")
    assert devices_in_maintenance(session).total == 3


# --- /lager/nav -----------------------------------------------------------------------------------

def test_the_nav_page_sends_as_many_statements_for_120_units_back_as_for_3(session, lager_client, rollator,
                                                                           count_queries):
    add_units(session, rollator, 3, state="cleaning", owner="nav", events=("return_received",))
    few, _ = statements_for(lager_client, count_queries, "/lager/nav")
    add_units(session, rollator, 117, state="cleaning", owner="nav", events=("return_received",))
    add_units(session, rollator, 5, state="cleaning", owner="nav", events=("return_received", "nav_kept_for_reuse"))
    many, html = statements_for(lager_client, count_queries, "/lager/nav")
    assert many == few
    assert "NAV-hjelpemidler i retur (120)" in html and "side_retur=2" in html
    assert len(nav.nav_returns_awaiting_decision(session, number=3)) == 20


# --- /lokasjoner ------------------------------------------------------------------------------------

def test_locations_show_one_level_with_counts_for_the_shown_locations_only(session, lager_client, depot, rollator,
                                                                           count_queries):
    add_units(session, rollator, 4, location=stock.get_location(session, "A-01-2"))
    few, html = statements_for(lager_client, count_queries, "/lokasjoner?kode=A-01")
    assert "A-01-2" in html and "4 stk" in html and "A-01-1" in html
    for n in range(60):
        stock.create_location(session, f"A-01-X{n:02d}", "bin", parent_code="A-01")
    many, html = statements_for(lager_client, count_queries, "/lokasjoner?kode=A-01")
    assert many == few and "Inneholder (62)" in html and 'rel="next"' in html
    assert stock.count_devices_at(session, [stock.get_location(session, "A-01-1").id]) == {}


def test_the_location_page_finds_a_location_by_code_and_an_unknown_one_is_explained(lager_client, depot):
    assert "A-01-2" in lager_client.get("/lokasjoner?q=01-2").get_data(as_text=True)
    unknown = lager_client.get("/lokasjoner?kode=FINNES-IKKE")
    assert unknown.status_code == 404 and "Fant ingen lokasjon" in unknown.get_data(as_text=True)


# --- what the therapist's pages use -----------------------------------------------------------------

def test_citizen_and_need_pages_say_how_many_there_are_beyond_the_page(session, therapist, make_citizen, rollator):
    from hjelpemiddel.citizens.services import citizens_page
    from hjelpemiddel.lending import services as lending

    for n in range(3):
        citizen = make_citizen(f"Innbygger {n}")
        lending.register_need(session, therapist.id, "terapeut", citizen.id, product_id=rollator.id,
                              needed_by=utcnow().date() + timedelta(days=3), urgency="normal", application_type="short_term",
                              delivery_address="Storgata 1")
    page = citizens_page(session, "terapeut", therapist.id, size=2)
    assert (len(page), page.total, page.has_next) == (2, 3, True)
    assert citizens_page(session, "terapeut", therapist.id, q="innbygger 2").total == 1
    needs = lending.needs_page(session, "terapeut", therapist.id, number=2, size=2)
    assert (len(needs), needs.total, needs.has_previous, needs.has_next) == (1, 3, True, False)
