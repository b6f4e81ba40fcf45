"""Incidents over the API and on the pages: who may report and who may follow up, bad input named by
field, the start page's flag, the export in NAV's fields."""
import html
import re

import pytest

from hjelpemiddel.incidents import services

from ..support import ROLES, assert_role_answer, error_of, post_login
from .desk import state_of

ENDPOINTS = [
    ("POST", "/api/v1/incidents", {"barcode": "HJM99999997", "place": "Lageret", "description": "Veltet",
                                   "injury": "none"}, {"lager", "sjafor"}),
    ("GET", "/api/v1/incidents", None, {"lager"}),
    ("GET", "/api/v1/incidents/{id}", None, {"lager"}),
    ("POST", "/api/v1/incidents/{id}/sent", {"reference": "R-1"}, {"lager"}),
    ("GET", "/api/v1/incidents/{id}/export.json", None, {"lager"}),
    ("GET", "/api/v1/incidents/{id}/export.csv", None, {"lager"}),
]


@pytest.fixture
def incident(session, actor, desk):
    [unit] = desk.units(1)
    return services.report_incident(session, actor.id, unit.barcode, "Storgata 1", "Bremsen sviktet", "serious")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method,url,body,allowed", ENDPOINTS, ids=[f"{m} {u}" for m, u, _, _ in ENDPOINTS])
def test_drivers_and_depot_staff_report_and_only_depot_staff_follow_up(api_as, incident, role, method, url, body,
                                                                       allowed):
    api = api_as(role)
    url = url.format(id=incident.id)
    response = api.post(url, json=body) if method == "POST" else api.get(url)
    assert_role_answer(response, role, allowed)


def test_a_driver_reports_over_the_api_and_the_depot_lists_marks_sent_and_exports(session, api_as, desk):
    [unit] = desk.units(1)
    driver, lager = api_as("sjafor"), api_as("lager")

    answer = driver.post("/api/v1/incidents", json={"barcode": unit.barcode, "place": "Hos bruker, stue",
                                                    "description": "Sengehesten knakk", "injury": "death"})

    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    assert body["for_authorities"] and body["authority_deadline"] and body["sent_to_authorities_at"] is None
    assert body["injury_label"] == "Dødsfall" and state_of(session, unit.barcode)[0] == "quarantined"
    listed = lager.get("/api/v1/incidents?not_sent=true&q=stue").get_json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == body["id"]
    exported = lager.get(f"/api/v1/incidents/{body['id']}/export.json")
    assert exported.get_json()["device_name"] == desk.product.name
    assert exported.get_json()["cause"] == "Sengehesten knakk"
    csv = lager.get(f"/api/v1/incidents/{body['id']}/export.csv")
    assert csv.mimetype == "text/csv" and "Sengehesten knakk" in csv.get_data(as_text=True)
    sent = lager.post(f"/api/v1/incidents/{body['id']}/sent", json={"reference": "HDIR-1"})
    assert sent.status_code == 200 and sent.get_json()["authority_reference"] == "HDIR-1"
    again = lager.post(f"/api/v1/incidents/{body['id']}/sent", json={})
    assert again.status_code == 409 and error_of(again)["code"] == "already_sent"
    assert lager.get("/api/v1/incidents?not_sent=true").get_json()["total"] == 0


GOOD = {"place": "Lageret", "description": "Veltet", "injury": "minor"}


@pytest.mark.parametrize("change,field", [
    ({"injury": "litt"}, "injury"), ({"injury": None}, "injury"), ({"description": ""}, "description"),
    ({"description": "   "}, "description"), ({"description": "x" * 4001}, "description"),
    ({"place": "x" * 201}, "place"), ({"place": "a\x00b"}, "place"), ({"description": "a\u0000"}, "description"),
    ({"barcode": ""}, "barcode"), ({"place": 12}, "place"),
], ids=["bad injury", "no injury", "empty text", "blank text", "too long text", "too long place", "NUL in place",
        "NUL in text", "no barcode", "number as place"])
def test_bad_input_is_422_naming_the_field_and_changes_nothing(session, lager_api, desk, change, field):
    [unit] = desk.units(1)
    response = lager_api.post("/api/v1/incidents", json={"barcode": unit.barcode, **GOOD, **change})
    assert response.status_code == 422, response.get_json()
    assert field in error_of(response)["details"]
    assert state_of(session, unit.barcode)[0] == "available"


def test_a_scrapped_unit_is_refused_with_409_in_bokmaal(session, lager_api, desk):
    [unit] = desk.units(1)
    unit.state, unit.location_id = "scrapped", None
    session.flush()
    response = lager_api.post("/api/v1/incidents", json={"barcode": unit.barcode, **GOOD})
    assert response.status_code == 409 and "Kassert" in error_of(response)["message"]


def test_an_unknown_incident_is_404(lager_api):
    assert lager_api.get("/api/v1/incidents/999999").status_code == 404
    assert lager_api.post("/api/v1/incidents/999999/sent", json={}).status_code == 404


# --- pages ------------------------------------------------------------------------------------

def _page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _post(client, url: str, page_url: str, **fields):
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(page_url).get_data(as_text=True)).group(1)
    return client.post(url, data={"csrf_token": token, **fields})


def test_reporting_on_the_page_flags_the_start_page_until_marked_sent(client, session, make_user, desk):
    [unit] = desk.units(1)
    lager = make_user("lager")
    assert post_login(client, lager.username, "test-passord-123").status_code == 302
    form_url = f"/uhell/ny?strekkode={unit.barcode}"
    assert desk.product.name in _page(client.get(form_url))

    refused = _post(client, "/uhell/ny", form_url, barcode=unit.barcode, place="Stue", description="", injury="serious")
    assert refused.status_code == 422 and "Beskrivelse" in _page(refused)
    sent = _post(client, "/uhell/ny", form_url, barcode=unit.barcode, place="Stue", description="Falt ut av seng",
                 injury="serious")
    assert sent.status_code == 302 and "/lager/uhell/" in sent.location
    detail_url = sent.location
    assert "Marker som sendt til myndighetene" in _page(client.get(detail_url))
    start = _page(client.get("/start"))
    assert "Uhell som skal meldes til myndighetene" in start and unit.barcode in start
    listed = _page(client.get("/lager/uhell?ikke_sendt=ja&q=stue"))
    assert unit.barcode in listed
    incident_id = int(detail_url.rstrip("/").split("/")[-1].split("?")[0])
    marked = _post(client, f"/lager/uhell/{incident_id}/sendt", f"/lager/uhell/{incident_id}", reference="R-9")
    assert marked.status_code == 302
    assert "Uhell som skal meldes" not in _page(client.get("/start"))
    assert "R-9" in _page(client.get(f"/lager/uhell/{incident_id}"))


def test_a_driver_reports_from_the_phone_form_and_stays_on_it(client, session, make_user, desk):
    [unit] = desk.units(1)
    driver = make_user("sjafor")
    assert post_login(client, driver.username, "test-passord-123").status_code == 302
    sent = _post(client, "/uhell/ny", "/uhell/ny", barcode=unit.barcode, place="Bilen", description="Veltet i bilen",
                 injury="none")
    assert sent.status_code == 302 and "meldt=" in sent.location
    assert "er satt i karantene" in _page(client.get(sent.location))
    assert client.get("/lager/uhell").status_code == 403
    assert f"/uhell/ny?strekkode={unit.barcode}" in _page(client.get(f"/hjelpemidler/{unit.barcode}"))


def test_the_drivers_run_page_offers_an_incident_report_per_unit(client, driver, one_delivery):
    run, _stop, _need, barcode = one_delivery
    assert post_login(client, driver.username, "test-passord-123").status_code == 302
    assert f"/uhell/ny?strekkode={barcode}" in _page(client.get(f"/sjafor/runde/{run.id}"))


def test_the_list_page_shows_one_page_and_sends_as_many_statements_for_3_incidents_as_for_40(
        client, session, make_user, count_queries, desk):
    from hjelpemiddel.incidents.models import Incident

    [unit] = desk.units(1)

    def add(count):
        session.add_all([Incident(device_id=unit.id, barcode=unit.barcode, product_name="Rollator", owner="kommune",
                                  place=f"Sted {n}", description="Veltet", injury="none") for n in range(count)])
        session.flush()

    assert post_login(client, make_user("lager").username, "test-passord-123").status_code == 302
    add(3)
    client.get("/lager/uhell")
    with count_queries as recorded:
        client.get("/lager/uhell")
    few = len(recorded.statements)
    add(37)
    with count_queries as recorded:
        page = _page(client.get("/lager/uhell"))
    assert len(recorded.statements) == few
    assert page.count('data-testid="incident-') == 25 and "Viser 1–25 av 40" in page and "Neste →" in page
