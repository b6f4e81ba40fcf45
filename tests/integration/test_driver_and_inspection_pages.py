"""The driver's run page and the inspection page through the Flask test client (no JavaScript): the
odometer asked for, the confirmation before open stops become «Ikke besøkt», map links, one unit of
several refused; «Alle punkter OK», a failed point without a reason refused with what was chosen kept."""
import html
import re

import pytest

from hjelpemiddel.lending import services as lending
from hjelpemiddel.logistics import services as logistics
from hjelpemiddel.maintenance import services as maintenance
from hjelpemiddel.stock.services import device_history, get_device

from ..support import error_of, post_login
from .desk import TOMORROW, picked_and_started, plan, state_of, stops_of


def logged_in(client, user):
    assert post_login(client, user.username, "test-passord-123").status_code == 302
    return client


def page_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def post_form(client, url: str, page_url: str, **fields):
    """Posts like the browser does: with the CSRF token the page carried."""
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(page_url).get_data(as_text=True)).group(1)
    return client.post(url, data={"csrf_token": token, **fields})


@pytest.fixture
def phone(client, driver):
    return logged_in(client, driver)


def run_url(run) -> str:
    return f"/sjafor/runde/{run.id}"


def fresh(session, *rows):
    """What the requests wrote, read again."""
    for row in rows:
        session.refresh(row)
    return rows[0] if len(rows) == 1 else rows


def test_departing_without_the_odometer_is_refused_on_the_page(session, phone, actor, one_delivery):
    run, _stop, _need, barcode = one_delivery
    logistics.pick_device(session, actor.id, run.id, barcode)
    refused = post_form(phone, run_url(run) + "/start", run_url(run))
    assert refused.status_code == 422
    assert "Kilometerstand ved start: Skriv inn kilometerstanden før du kjører ut." in page_of(refused)
    assert run.status == "planned"
    assert post_form(phone, run_url(run) + "/start", run_url(run), odometer_start="12000").status_code == 302
    assert (fresh(session, run).status, run.odometer_start) == ("in_progress", 12000)


def test_an_end_reading_below_the_start_is_refused_and_kept_in_the_field(session, phone, actor, one_delivery):
    run, _stop, _need, barcode = one_delivery
    picked_and_started(session, actor, run, barcode, odometer=12000)
    refused = post_form(phone, run_url(run) + "/ferdig", run_url(run), odometer_end="11990", confirm="1")
    page = page_of(refused)
    assert refused.status_code == 422
    assert "Kilometerstand ved retur: Kilometerstanden ved retur kan ikke være lavere enn ved start (12000)." in page
    assert re.search(r'name="odometer_end"[^>]*value="11990"', page)
    assert fresh(session, run).status == "in_progress"


def test_finishing_with_open_stops_shows_them_and_a_second_post_confirms(session, phone, actor, desk, one_delivery):
    run, first, _need, barcode = one_delivery
    other = desk.need(desk.citizen("Ola Nordmann", postcode="6508"))
    plan(session, actor)
    [second] = [s for s in stops_of(session, run) if s.need_id == other.id]
    picked_and_started(session, actor, run, barcode, *desk.reserved(other))

    asked = post_form(phone, run_url(run) + "/ferdig", run_url(run), odometer_end="12040")
    page = page_of(asked)
    assert asked.status_code == 200 and "<h1>Avslutte runde" in page
    listed = re.search(r'<ul class="open-stops".*?</ul>', page, re.S).group(0)
    assert [re.sub(r"\s+", " ", li).strip() for li in re.findall(r"<li>(.*?)</li>", listed, re.S)] == [
        f"<strong>{s.sequence}. Levering</strong> – {s.citizen.name}, {s.address}" for s in (first, second)]
    assert 'name="confirm" value="1"' in page and 'name="odometer_end" value="12040"' in page
    fresh(session, run, first, second)
    assert run.status == "in_progress" and first.status == second.status == "open"

    done = post_form(phone, run_url(run) + "/ferdig", run_url(run), odometer_end="12040", confirm="1")
    assert done.status_code == 302
    fresh(session, run, first, second)
    assert (run.status, run.odometer_end, first.status, second.status) == ("finished", 12040, "failed", "failed")
    assert "Ikke besøkt" in page_of(phone.get(run_url(run)))


def test_each_stop_has_map_links_and_the_receivers_name_when_delivering(session, phone, actor, one_delivery):
    run, stop, _need, barcode = one_delivery
    picked_and_started(session, actor, run, barcode)
    page = page_of(phone.get(run_url(run)))
    assert 'href="geo:0,0?q=Storgata%201%2C%206509%20Kristiansund"' in page
    assert 'href="https://www.google.com/maps/search/?api=1&query=Storgata%201%2C%206509%20Kristiansund"' in page
    card = re.search(rf'id="stopp-{stop.id}".*?</section>', page, re.S).group(0)
    assert re.search(r'<label>Mottatt av \(navn\) <input name="received_by"', card)


def test_one_unit_of_two_is_refused_from_the_page_and_the_other_delivered(session, phone, actor, desk, van, driver):
    desk.units(2)
    need = desk.need(desk.citizen("Astrid Olsen"), quantity=2)
    logistics.create_run(session, actor.id, TOMORROW, driver=driver.username, van="BIL1")
    [run] = plan(session, actor)
    [stop] = stops_of(session, run)
    refused, kept = desk.reserved(need)
    picked_and_started(session, actor, run, refused, kept)
    page = page_of(phone.get(run_url(run)))
    assert f">Avvist {refused}</button>" in page and f">Levert {kept}</button>" in page

    url = f"{run_url(run)}/stopp/{stop.id}?action=deliver&enhet={refused}"
    without_reason = post_form(phone, url, run_url(run), outcome="refused")
    assert without_reason.status_code == 422 and "<details class=\"per-unit\" open>" in page_of(without_reason)
    assert post_form(phone, url, run_url(run), outcome="refused", note="for høy").status_code == 302
    assert fresh(session, stop).status == "open" and state_of(session, refused)[0] == "reserved"
    assert post_form(phone, f"{run_url(run)}/stopp/{stop.id}?action=deliver&enhet={kept}", run_url(run),
                     outcome="delivered", received_by="datter").status_code == 302
    assert (fresh(session, stop).status, stop.received_by) == ("done", "datter") and state_of(session, kept)[0] == "on_loan"


@pytest.mark.parametrize("body, status", [({}, 422), ({"odometer_end": 12040}, 409),
                                          ({"odometer_end": 12040, "confirm_unvisited": True}, 200)])
def test_the_api_finishes_a_run_with_open_stops_only_when_told_so(session, lager_api, actor, one_delivery, body,
                                                                  status):
    run, stop, _need, barcode = one_delivery
    picked_and_started(session, actor, run, barcode)
    answer = lager_api.post(f"/api/v1/runs/{run.id}/finish", json=body)
    assert answer.status_code == status
    if status == 409:
        error = error_of(answer)
        assert error["code"] == "unvisited_stops"
        assert error["details"]["open_stops"] == [{"id": stop.id, "sequence": 1, "kind_label": "Levering",
                                                   "address": stop.address}]
    elif status == 422:
        assert list(error_of(answer)["details"]) == ["odometer_end"]
    else:
        assert answer.get_json()["stops"][0]["outcome_label"] == "Ikke besøkt"


def test_the_api_refuses_a_departure_without_the_odometer(session, lager_api, actor, one_delivery):
    run, _stop, _need, _barcode = one_delivery
    answer = lager_api.post(f"/api/v1/runs/{run.id}/start", json={})
    assert answer.status_code == 422 and list(error_of(answer)["details"]) == ["odometer_start"]


# --- the inspection page --------------------------------------------------------------------

@pytest.fixture
def washed(session, actor, desk):
    barcode = desk.loan(desk.citizen("Astrid Olsen")).device.barcode
    lending.receive_at_depot(session, actor.id, barcode, location_code="A-01-2")
    maintenance.clean_device(session, actor.id, barcode, "steam")
    return barcode


@pytest.fixture
def desk_client(client, actor):
    return logged_in(client, actor)


def test_the_inspection_page_has_large_answers_and_an_all_ok_button(desk_client, washed):
    page = page_of(desk_client.get(f"/lager/kontroll/{washed}"))
    assert '<button type="submit" name="all_ok" value="1" formnovalidate' in page and "Alle punkter OK" in page
    assert page.count('class="choice choice-ok"') == 8 and page.count('class="choice choice-bad"') == 8
    assert '<script src="/static/inspect.js"></script>' in page


def test_all_points_ok_without_javascript_passes_the_unit(session, desk_client, washed):
    answer = post_form(desk_client, f"/lager/kontroll/{washed}", f"/lager/kontroll/{washed}", all_ok="1")
    assert answer.status_code == 302
    event = device_history(session, get_device(session, washed).id)[-1]
    assert (event.kind, event.note, event.to_state) == ("inspected", "Kontroll bestått", "available")


def test_a_failed_point_without_a_reason_is_refused_naming_it_and_the_answers_are_kept(session, desk_client, washed):
    url = f"/lager/kontroll/{washed}"
    keys = list(maintenance.checklist_for_device(session, washed).items)
    answers = {f"item_{key}": "avvik" if key == "wheels" else "ok" for key in keys}
    refused = post_form(desk_client, url, url, note="sjekket ute", **answers)
    page = page_of(refused)
    assert refused.status_code == 422
    assert "Skriv hva som er galt for hvert punkt med avvik: «Hjul og lagre hele, ingen slark»." in page
    assert re.search(r'value="avvik" aria-label="Hjul og lagre hele, ingen slark: avvik" checked', page)
    assert len(re.findall(r'value="ok" required aria-label="[^"]+" checked', page)) == len(keys) - 1
    assert 'aria-describedby="problem-wheels"' in page and 'value="sjekket ute"' in page
    assert get_device(session, washed).state == "inspection"

    passed = post_form(desk_client, url, url, reason_wheels="slark i forhjul", **answers)
    assert passed.status_code == 302
    event = device_history(session, get_device(session, washed).id)[-1]
    assert event.note == ("Kontroll ikke bestått: Hjul og lagre hele, ingen slark – slark i forhjul. "
                          "Til reparasjon på lageret.")
    history = page_of(desk_client.get(f"/hjelpemidler/{washed}"))
    assert "Vaskemetode: Damprens" in history and "Kontroll ikke bestått: Hjul og lagre hele" in history


def test_an_unanswered_point_is_asked_for_not_taken_as_failed(session, desk_client, washed):
    url = f"/lager/kontroll/{washed}"
    keys = list(maintenance.checklist_for_device(session, washed).items)
    answer = post_form(desk_client, url, url, **{f"item_{key}": "ok" for key in keys[1:]})
    assert answer.status_code == 422
    assert "Sjekklisten er ikke fullstendig besvart: Bremser tar jevnt på begge sider." in page_of(answer)


def test_the_drivers_start_page_puts_today_first_with_the_stops_left_and_the_next_door(client, session, one_delivery,
                                                                                       driver):
    post_login(client, driver.username, "test-passord-123")
    html = client.get("/sjafor").get_data(as_text=True)
    assert "Ingen kjørerunder for deg i dag." in html and "Senere" in html
    assert "1 stopp, 1 igjen · Planlagt" in html
    assert "Neste: Levering hos Astrid Olsen" in html
