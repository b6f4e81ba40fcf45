"""Recalls over the API and on the pages: who may do what, a notice from registration to closing, the
manufacturer's CSV, and bad input answered 422 naming the field."""
import pytest

from hjelpemiddel.lending import services as lending
from hjelpemiddel.stock import services as stock

from ..support import ROLES, assert_role_answer, error_of, post_login

ENDPOINTS = [
    ("POST", "/api/v1/recalls", {"title": "X", "product_ids": [1], "lot": "Z", "recall_action": "inspect"}),
    ("GET", "/api/v1/recalls", None),
    ("GET", "/api/v1/recalls/{id}", None),
    ("POST", "/api/v1/recalls/{id}/units/{unit}/handled", {"what_was_done": "Kassert"}),
    ("POST", "/api/v1/recalls/{id}/close", {"force": True, "note": "Ferdig"}),
    ("GET", "/api/v1/recalls/{id}/units.csv", None),
]


def _body(sling, **more):
    return {"title": "Sømmen kan revne", "reference": "FSN-7", "product_ids": [sling.id], "serial_from": 210000,
            "serial_to": 210450, "recall_action": "quarantine", "due_date": "2026-12-31", **more}


@pytest.fixture
def a_recall(session, actor, sling, depot):
    stock.register_device(session, actor.id, sling.id, serial_number="210001", location_code="A-01-2")
    from hjelpemiddel.recalls import services
    recall = services.register_recall(session, actor.id, "Sømmen", [sling.id], "range", "quarantine",
                                      serial_from=210000, serial_to=210450)
    unit = services.recall_board(session, recall.id).items[0]
    return recall.id, unit.id


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method,url,body", ENDPOINTS, ids=[f"{m} {u}" for m, u, _ in ENDPOINTS])
def test_only_depot_staff_and_admins_work_with_recalls(api_as, a_recall, role, method, url, body):
    api = api_as(role)
    url = url.format(id=a_recall[0], unit=a_recall[1])
    response = api.post(url, json=body) if method == "POST" else api.get(url)
    assert_role_answer(response, role, {"lager"})


def test_a_recall_from_registration_through_the_board_and_csv_to_closing(session, lager_api, actor, sling, desk):
    stock.register_device(session, actor.id, sling.id, serial_number="210007", location_code="A-01-2")
    [barcode] = desk.reserved(desk.need(desk.citizen("Kari Nordmann"), product=sling))
    lending.hand_over(session, actor.id, barcode, received_by="selv")
    on_shelf = stock.register_device(session, actor.id, sling.id, serial_number="210005", location_code="A-01-2")
    stock.register_device(session, actor.id, sling.id, serial_number="210006", location_code="A-01-2")
    created = lager_api.post("/api/v1/recalls", json=_body(sling))
    assert created.status_code == 201, created.get_json()
    recall = created.get_json()
    assert (recall["units"], recall["open_units"], recall["products"]) == (3, 3, [sling.name])
    board = lager_api.get(f"/api/v1/recalls/{recall['id']}").get_json()
    assert board["counts"]["shelf"] == 2 and board["counts"]["home"] == 1
    rows = {row["barcode"]: row for row in board["units"]["items"]}
    assert rows[barcode]["holder"] == "Kari N." and rows[barcode]["planned"] == "Besøk planlagt (haster)"
    assert rows[on_shelf.barcode]["state_label"] == "I karantene"
    only_home = lager_api.get(f"/api/v1/recalls/{recall['id']}?found=home").get_json()["units"]
    assert [row["barcode"] for row in only_home["items"]] == [barcode]
    refused = lager_api.post(f"/api/v1/recalls/{recall['id']}/close", json={})
    assert refused.status_code == 409 and error_of(refused)["code"] == "units_open"
    for row in rows.values():
        done = lager_api.post(f"/api/v1/recalls/{recall['id']}/units/{row['id']}/handled",
                              json={"what_was_done": "Kassert etter produsentens anvisning"})
        assert done.status_code == 200 and done.get_json()["status"] == "handled"
    again = lager_api.post(f"/api/v1/recalls/{recall['id']}/units/{row['id']}/handled", json={"what_was_done": "x"})
    assert again.status_code == 409
    csv = lager_api.get(f"/api/v1/recalls/{recall['id']}/units.csv")
    text = csv.get_data(as_text=True)
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert text.splitlines()[0] == "\ufeffSerienummer;HMS-nr;Funnet;Tiltak;Utført av;Tidspunkt"
    assert "210007;123621;Hjemme hos bruker;Kassert etter produsentens anvisning;Test lager;" in text
    assert "Kari" not in text and "Nordmann" not in text
    closed = lager_api.post(f"/api/v1/recalls/{recall['id']}/close", json={})
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed"
    listed = lager_api.get("/api/v1/recalls?status=closed&q=revne").get_json()
    assert [r["id"] for r in listed] == [recall["id"]]


@pytest.mark.parametrize("change, field", [
    (dict(serial_from=210450, serial_to=210000), "serial_to"),
    (dict(product_ids=[]), "product_ids"),
    (dict(product_ids=None), "product_ids"),
    (dict(serial_from=None, serial_to=None), "selection"),
    (dict(title="Søm\x00"), "title"),
    (dict(title="x" * 201), "title"),
    (dict(reference="r" * 101), "reference"),
    (dict(serials=["a" * 65]), "serials"),
    (dict(recall_action="burn"), "recall_action"),
    (dict(product_ids=[987654]), "product_ids"),
    (dict(due_date="31.02.2026"), "due_date"),
])
def test_bad_input_is_refused_422_naming_the_field(lager_api, sling, change, field):
    body = {key: value for key, value in _body(sling, **change).items() if value is not None or key != "product_ids"}
    response = lager_api.post("/api/v1/recalls", json=body)
    assert response.status_code == 422, response.get_json()
    assert field in error_of(response)["details"]


def test_unknown_recalls_and_units_answer_404(lager_api, a_recall):
    assert lager_api.get("/api/v1/recalls/987654").status_code == 404
    missing = lager_api.post(f"/api/v1/recalls/{a_recall[0]}/units/987654/handled", json={"what_was_done": "x"})
    assert missing.status_code == 404


def test_the_pages_register_a_recall_and_show_its_board(session, client, make_user, actor, sling, depot):
    shelf = stock.register_device(session, actor.id, sling.id, serial_number="210009", location_code="A-01-2")
    assert post_login(client, make_user("lager").username, "test-passord-123").status_code == 302
    page = client.get("/lager/tilbakekalling/ny").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    form = {"csrf_token": token, "title": "Sømmen kan revne", "product-0": sling.name, "serial_from": "210000",
            "serial_to": "210450", "recall_action": "quarantine", "due_date": "31.12.2026"}
    refused = client.post("/lager/tilbakekalling/ny", data={**form, "serial_to": "1"})
    assert refused.status_code == 422 and "Siste serienummer" in refused.get_data(as_text=True)
    made = client.post("/lager/tilbakekalling/ny", data=form)
    assert made.status_code == 302, made.get_data(as_text=True)[:500]
    board = client.get(made.headers["Location"]).get_data(as_text=True)
    assert shelf.barcode in board and "I karantene" in board and "0 behandlet, 1 åpne" in board
    listing = client.get("/lager/tilbakekalling?q=revne&status=open").get_data(as_text=True)
    assert "Sømmen kan revne" in listing and "0 av 1" in listing
    unit_id = board.split('/enheter/')[1].split('/')[0]
    base = made.headers["Location"].split("?")[0]
    handled = client.post(base + f"/enheter/{unit_id}/behandlet",
                          data={"csrf_token": token, "what_was_done": "Kassert"})
    assert handled.status_code == 302
    closed = client.post(base + "/lukk", data={"csrf_token": token})
    assert closed.status_code == 302
    assert "Lukket" in client.get(base).get_data(as_text=True)
    csv = client.get(base + "/tilbakekalling.csv")
    assert csv.status_code == 200 and "210009" in csv.get_data(as_text=True)
