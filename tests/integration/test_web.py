"""Pages for people: login, roles, CSRF, friendly error pages, forms that keep what was typed."""
import re

import pytest
from sqlalchemy import func, select

from hjelpemiddel.stock.models import Device
from hjelpemiddel.stock.services import register_device

from ..support import post_login


def login(client, user, password="test-passord-123"):
    response = post_login(client, user.username, password)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return response


def csrf_of(client, url="/hjelpemidler"):
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def test_a_wrong_password_shows_the_login_form_again_with_a_message(client, make_user):
    user = make_user("lager")
    response = post_login(client, user.username, "feil")
    assert response.status_code == 401
    assert "Feil brukernavn eller passord" in response.get_data(as_text=True)


def test_a_page_without_login_sends_the_person_to_the_login_form_and_back(client, make_user):
    response = client.get("/hjelpemidler")
    assert response.status_code == 302 and "/login?next=/hjelpemidler" in response.location
    user = make_user("lager")
    response = post_login(client, user.username, "test-passord-123", "/login?next=/hjelpemidler")
    assert response.location.endswith("/hjelpemidler")


def test_login_never_redirects_to_another_site(client, make_user):
    user = make_user("lager")
    response = post_login(client, user.username, "test-passord-123",
                          "/login?next=https://evil.example/")
    assert "evil" not in response.location


@pytest.mark.parametrize("role,home", [("lager", "/skann"), ("sjafor", "/sjafor"), ("terapeut", "/terapeut"),
                                       ("admin", "/start")])
def test_each_role_lands_on_its_own_start_page(client, make_user, role, home):
    assert login(client, make_user(role)).location.endswith(home)


@pytest.mark.parametrize("role,url,status", [
    ("terapeut", "/skann", 403), ("terapeut", "/hjelpemidler/ny", 403), ("sjafor", "/etiketter", 403),
    ("lager", "/skann", 200), ("sjafor", "/skann", 200), ("terapeut", "/katalog", 200),
    ("lager", "/hjelpemidler/ny", 200), ("admin", "/lokasjoner", 200), ("lager", "/etiketter", 200),
    ("lager", "/lager/karantene", 200), ("sjafor", "/lager/karantene", 403), ("terapeut", "/lager/karantene", 403),
    ("lager", "/lager/karantene?limit=0&offset=-1&reason=ukjent", 200),
    ("admin", "/admin/fnr-tilgang", 200), ("lager", "/admin/fnr-tilgang", 403), ("terapeut", "/admin/fnr-tilgang", 403),
    ("admin", "/admin/fnr-tilgang?limit=0&offset=-1&date_from=igar&user=ukjent", 200), ("admin", "/admin/fnr-tilgang?user=%00", 422),
])
def test_pages_check_the_role_and_refuse_with_a_friendly_page(client, make_user, depot, role, url, status):
    login(client, make_user(role))
    response = client.get(url)
    assert response.status_code == status
    if status == 403:
        assert "Ingen tilgang" in response.get_data(as_text=True)


def test_an_unknown_device_page_is_a_friendly_404_in_norwegian(client, make_user):
    login(client, make_user("lager"))
    response = client.get("/hjelpemidler/HJM99999997")
    assert response.status_code == 404
    text = response.get_data(as_text=True)
    assert "<html" in text and "HJM99999997" in text and "Fant ikke" in text


def test_a_form_post_without_the_csrf_token_is_refused_and_changes_nothing(client, make_user, session, rollator):
    login(client, make_user("lager"))
    response = client.post("/hjelpemidler/ny", data={"product_id": str(rollator.id)})
    assert response.status_code == 403
    assert session.scalar(select(func.count()).select_from(Device)) == 0


def test_the_register_form_registers_and_opens_the_label_for_printing(client, make_user, session, depot, rollator):
    login(client, make_user("lager"))
    token = csrf_of(client)
    response = client.post("/hjelpemidler/ny", data={"csrf_token": token, "product_id": str(rollator.id),
                                                     "serial_number": "W-1", "location_code": "A-01-2",
                                                     "print_label": "on"})
    assert response.status_code == 302 and "etikett=1" in response.location
    page = client.get(response.location).get_data(as_text=True)
    barcode = session.scalar(select(Device.barcode))
    assert barcode in page and "<svg" in page and f"/api/v1/devices/{barcode}/label.pdf" in page


def test_the_register_form_shows_the_bad_field_keeps_the_input_and_saves_nothing(client, make_user, session, rollator):
    login(client, make_user("lager"))
    token = csrf_of(client)
    response = client.post("/hjelpemidler/ny", data={"csrf_token": token, "product_id": str(rollator.id),
                                                     "owner": "nav", "nav_hms_nr": "12", "nav_serial": "777"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "HMS-nr (NAV)" in page and 'value="777"' in page
    assert session.scalar(select(func.count()).select_from(Device)) == 0


def test_the_browser_scan_station_can_call_the_api_with_its_session_and_csrf_header(client, make_user, session, depot, rollator, actor):
    device = register_device(session, actor.id, rollator.id, location_code="A-01-2")
    login(client, make_user("lager"))
    token = csrf_of(client, "/skann")
    assert client.get(f"/api/v1/scan/{device.barcode}").status_code == 200
    refused = client.post(f"/api/v1/devices/{device.barcode}/move", json={"location_code": "A-01-1"})
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "csrf_failed"
    moved = client.post(f"/api/v1/devices/{device.barcode}/move", json={"location_code": "A-01-1"},
                        headers={"X-CSRF-Token": token})
    assert moved.status_code == 200


def test_the_catalogue_import_page_shows_the_report_of_bad_rows(client, make_user):
    import io

    login(client, make_user("lager"))
    token = csrf_of(client, "/katalog")
    csv_bytes = "hms_nr;navn;iso\n111111;Rollator;120606\n99;Feil;12\n".encode()
    response = client.post("/katalog/import", data={"csrf_token": token, "file": (io.BytesIO(csv_bytes), "k.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Importrapport" in page and "ingenting lastet inn" in page and "hms_nr" in page


def test_the_labels_page_prints_many_labels_as_one_pdf(client, make_user, session, rollator, actor):
    barcodes = [register_device(session, actor.id, rollator.id, serial_number=f"P{i}").barcode for i in range(3)]
    login(client, make_user("lager"))
    token = csrf_of(client, "/etiketter")
    response = client.post("/etiketter", data={"csrf_token": token, "barcodes": "\n".join(barcodes), "layout": "a4-3x8"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    bad = client.post("/etiketter", data={"csrf_token": token, "barcodes": "HJM99999997", "layout": "a4-3x8"})
    assert bad.status_code == 404 and "HJM99999997" in bad.get_data(as_text=True)


def test_admin_creates_a_location_from_the_tree_page_and_a_bad_one_is_explained(client, make_user, depot):
    login(client, make_user("admin"))
    token = csrf_of(client, "/lokasjoner")
    ok = client.post("/lokasjoner", data={"csrf_token": token, "code": "B", "kind": "zone", "parent_code": "HL"})
    assert ok.status_code == 302
    bad = client.post("/lokasjoner", data={"csrf_token": token, "code": "B-1", "kind": "rack", "parent_code": "B",
                                           "capacity": "-3"})
    assert bad.status_code == 422 and "capacity" in bad.get_data(as_text=True)
    tree = client.get("/lokasjoner").get_data(as_text=True)
    assert ">B<" in tree and "B-1" not in tree


@pytest.mark.parametrize("layout,start,status,words", [
    ("roll-57x32", "2", 422, "har én etikett per side"),
    ("a4-3x8", "24", 422, "fra 0 til 23"),
    ("a4-3x8", "x", 422, "fra 0 til 23"),
    ("a4-3x8", "2", 200, None),
    ("roll-57x32", "0", 200, None),
    ("roll-57x32", None, 200, None),
])
def test_the_labels_page_answers_a_start_position_per_layout_on_the_page_itself(client, make_user, session, rollator,
                                                                               actor, layout, start, status, words):
    barcode = register_device(session, actor.id, rollator.id, serial_number="S1").barcode
    login(client, make_user("lager"))
    data = {"csrf_token": csrf_of(client, "/etiketter"), "barcodes": barcode, "layout": layout}
    if start is not None:
        data["start_position"] = start
    response = client.post("/etiketter", data=data)
    assert response.status_code == status
    if words is None:
        assert response.mimetype == "application/pdf"
        return
    page = response.get_data(as_text=True)
    assert response.mimetype == "text/html" and words in page and "heltall." not in page
    assert barcode in page, "what was typed stays in the form"
    assert f'value="{layout}" data-per-page' in page and re.search(rf'value="{layout}"[^>]*selected', page)


def test_the_labels_page_offers_skipping_used_labels_only_for_a_sheet_and_opens_the_pdf_without_a_new_tab(
        client, make_user, app, monkeypatch):
    login(client, make_user("lager"))
    page = client.get("/etiketter").get_data(as_text=True)
    assert 'value="a4-3x8" data-per-page="24"' in page and 'value="roll-57x32" data-per-page="1"' in page
    assert 'target="_blank"' not in page.split('id="labels-form"')[1].split(">")[0]
    assert re.search(r'<div id="start-position-field"\s*>', page) and "labels.js" in page
    monkeypatch.setitem(app.config, "DEFAULT_LABEL_LAYOUT", "roll-57x32")
    roll = client.get("/etiketter").get_data(as_text=True)
    assert re.search(r'<div id="start-position-field"\s+hidden', roll)


@pytest.mark.parametrize("role,shows_today", [("lager", True), ("sjafor", False)])
def test_the_scan_station_shows_the_depot_worker_todays_work_beside_the_scan_field(client, make_user, role,
                                                                                    shows_today):
    post_login(client, make_user(role).username, "test-passord-123")
    html = client.get("/skann").get_data(as_text=True)
    assert ("søknader venter på vedtak" in html) == shows_today
    assert 'data-testid="scan-input"' in html
