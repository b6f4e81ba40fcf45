"""The twin over HTTP: the map, a place, a unit at a past moment, the overview and minimum stock as
JSON for lager, refused for others, bad input named; and the pages a depot worker reads."""
import pytest

from hjelpemiddel.stock.services import register_device

from ..support import error_of, post_login


@pytest.fixture
def stocked(session, actor, depot, shelves, rollator):
    return [register_device(session, actor.id, rollator.id, location_code=where).barcode
            for where in ("A-01-1", "A-01-1", "B-01-1")]


def test_the_map_answers_places_with_their_counts_and_lights_a_searched_product(lager_api, stocked):
    response = lager_api.get("/api/v1/twin?q=rollator")
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    places = {p["code"]: p for p in body["places"]}
    assert places["A-01-1"]["counts"] == {"available": 2} and places["A-01-1"]["capacity"] == 2
    assert places["A"]["held"] == {"available": 2}
    assert [(h["code"], h["available"]) for h in body["hits"]] == [("A-01-1", 2), ("B-01-1", 1)]


def test_a_place_lists_its_units_and_a_zone_at_a_past_day_is_empty_before_anything_came(lager_api, stocked):
    body = lager_api.get("/api/v1/twin/bins/A-01?limit=1").get_json()
    assert body["total"] == 2 and len(body["units"]) == 1 and body["units"][0]["state_label"] == "Ledig på lager"
    past = lager_api.get("/api/v1/twin?zone=A&date=01.01.2020").get_json()
    assert all(p["units"] == 0 for p in past["places"])
    then = lager_api.get(f"/api/v1/twin/devices/{stocked[2]}?date=01.01.2020").get_json()
    assert then["state"] is None and then["state_label"] == "Ikke registrert ennå"
    now = lager_api.get(f"/api/v1/twin/devices/{stocked[2]}").get_json()
    assert now["place_code"] == "B-01-1"


def test_minimum_stock_is_set_listed_with_its_shortfall_and_removed(lager_api, stocked, rollator):
    put = lager_api.put("/api/v1/twin/minimums", json={"product_id": rollator.id, "minimum": 5})
    assert put.status_code == 200 and put.get_json()["missing"] == 2
    overview = lager_api.get("/api/v1/twin/overview").get_json()
    assert overview["minimums"][0]["missing"] == 2
    assert {r["key"]: r["units"] for r in overview["by_place_kind"]} == {"storage": 3}
    assert lager_api.delete(f"/api/v1/twin/minimums/{put.get_json()['id']}").status_code == 204
    assert lager_api.get("/api/v1/twin/overview").get_json()["minimums"] == []


@pytest.mark.parametrize("url, field", [
    ("/api/v1/twin?date=31.02.2026", "date"),
    ("/api/v1/twin?zone=A&date=01.12.2026&time=25:99", "time"),
    ("/api/v1/twin?time=12:00", "date"),
    ("/api/v1/twin?q=" + "x" * 101, "q"),
    ("/api/v1/twin/products?by=colour", "by"),
])
def test_bad_arguments_are_named_in_the_one_error_shape(lager_api, depot, url, field):
    response = lager_api.get(url)
    assert response.status_code == 422 and field in error_of(response)["details"]


def test_a_past_moment_needs_a_zone_and_an_unknown_zone_or_place_is_not_found(lager_api, depot):
    assert lager_api.get("/api/v1/twin?date=01.12.2026").status_code == 422
    assert lager_api.get("/api/v1/twin?zone=Q").status_code == 404
    assert lager_api.get("/api/v1/twin/bins/NOWHERE").status_code == 404


@pytest.mark.parametrize("role, status", [("lager", 200), ("admin", 200), ("sjafor", 403), ("terapeut", 403),
                                          (None, 401)])
def test_only_the_depot_reads_the_twin(api_as, depot, role, status):
    assert api_as(role).get("/api/v1/twin/overview").status_code == status


def test_the_layout_of_a_place_is_changed_through_the_api_and_bad_sizes_are_refused(lager_api, depot):
    changed = lager_api.patch("/api/v1/locations/A-01-1", json={"width": 2.5, "depth": 1.2, "rotation": 90,
                                                                 "purpose": "quarantine"})
    assert changed.status_code == 200 and changed.get_json()["purpose"] == "quarantine"
    refused = lager_api.patch("/api/v1/locations/A-01-1", json={"width": 0, "purpose": "kitchen"})
    assert refused.status_code == 422 and {"width", "purpose"} <= set(error_of(refused)["details"])


def test_the_pages_show_the_map_a_place_and_the_overview_in_norwegian(client, make_user, stocked):
    assert post_login(client, make_user("lager").username, "test-passord-123").status_code == 302
    page = client.get("/lager/tvilling?q=rollator").get_data(as_text=True)
    assert "Lageroversikt" in page and "nærmest døren først" in page and 'data-code="A-01-1"' in page
    assert "available" not in page.split("<main", 1)[-1].replace('g-available', '')
    place = client.get("/lager/tvilling/plass/A-01-1").get_data(as_text=True)
    assert "Ledig på lager" in place and stocked[0] in place and "2 av 2 plasser brukt nå" in place
    bad = client.get("/lager/tvilling?zone=A&date=99.99.2026")
    assert bad.status_code == 422 and "Dato" in bad.get_data(as_text=True)
    overview = client.get("/lager/oversikt").get_data(as_text=True)
    assert "Etter type plass" in overview and "Lager" in overview
    assert "ikke samlet så langt tilbake" in client.get("/lager/oversikt?date=01.01.2020").get_data(as_text=True)
    saved = client.post("/lager/oversikt/minimum", data={"product": "Rollator Topro Olympos M", "minimum": "9",
                                                         "csrf_token": csrf(client)})
    assert saved.status_code == 302
    assert "mangler 6" in client.get("/lager/oversikt").get_data(as_text=True)


def csrf(client):
    with client.session_transaction() as browser_session:
        return browser_session["csrf_token"]
