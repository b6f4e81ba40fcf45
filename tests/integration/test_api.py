"""The JSON API: who may call what, what bad input gets, and that errors change nothing."""
import pytest
from sqlalchemy import func, select

from hjelpemiddel.catalog.models import Product
from hjelpemiddel.core.text import field_label
from hjelpemiddel.stock.models import Device, DeviceEvent, Location
from hjelpemiddel.stock.services import register_device

from ..support import ROLES, assert_role_answer, decoded_codes, error_of



@pytest.fixture
def device(session, depot, rollator, actor):
    return register_device(session, actor.id, rollator.id, serial_number="TP-1", location_code="A-01-2")


def counts(session):
    return tuple(session.scalar(select(func.count()).select_from(model)) for model in (Product, Location, Device, DeviceEvent))


# --- role matrix ----------------------------------------------------------------------------

ENDPOINTS = [
    # method, url (formatted with the device barcode), body, roles allowed besides admin
    ("POST", "/api/v1/products", {"name": "Ny", "iso_class": "120606"}, {"lager"}),
    ("GET", "/api/v1/products", None, {"lager", "terapeut", "sjafor"}),
    ("POST", "/api/v1/products/import", None, {"lager"}),
    ("POST", "/api/v1/locations", {"code": "B", "kind": "zone", "parent_code": "HL"}, set()),
    ("GET", "/api/v1/locations", None, {"lager", "terapeut", "sjafor"}),
    ("GET", "/api/v1/locations/A-01", None, {"lager", "terapeut", "sjafor"}),
    ("GET", "/api/v1/locations/A-01/label.pdf", None, {"lager"}),
    ("POST", "/api/v1/devices", {"product_id": 0}, {"lager"}),
    ("GET", "/api/v1/devices", None, {"lager", "terapeut", "sjafor"}),
    ("GET", "/api/v1/devices/{barcode}", None, {"lager", "terapeut", "sjafor"}),
    ("GET", "/api/v1/devices/{barcode}/history", None, {"lager", "terapeut", "sjafor"}),
    ("POST", "/api/v1/devices/{barcode}/move", {"location_code": "A-01-1"}, {"lager"}),
    ("POST", "/api/v1/devices/{barcode}/label/replace", {}, {"lager"}),
    ("GET", "/api/v1/devices/{barcode}/label.pdf", None, {"lager"}),
    ("GET", "/api/v1/devices/{barcode}/label.zpl", None, {"lager"}),
    ("POST", "/api/v1/labels.pdf", {"barcodes": ["{barcode}"]}, {"lager"}),
    ("POST", "/api/v1/labels.zpl", {"barcodes": ["{barcode}"]}, {"lager"}),
    ("POST", "/api/v1/labels/blank", {"count": 1}, {"lager"}),
    ("GET", "/api/v1/scan/{barcode}", None, {"lager", "sjafor"}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method,url,body,allowed", ENDPOINTS, ids=[f"{m} {u}" for m, u, _, _ in ENDPOINTS])
def test_every_endpoint_answers_each_role_as_designed(api_as, device, role, method, url, body, allowed):
    api = api_as(role)
    url = url.format(barcode=device.barcode)
    if body is not None:
        body = {k: ([device.barcode] if v == ["{barcode}"] else v) for k, v in body.items()}
    response = api.post(url, json=body) if method == "POST" else api.get(url)
    assert_role_answer(response, role, allowed)


def test_an_invalid_or_malformed_token_is_refused(client):
    for header in ("Bearer nope", "Basic abc", "Bearer "):
        response = client.get("/api/v1/products", headers={"Authorization": header})
        assert response.status_code == 401
        error_of(response)


# --- bad input ------------------------------------------------------------------------------

@pytest.mark.parametrize("body,field", [
    ({"hms_nr": "12345", "name": "X", "iso_class": "120606"}, "hms_nr"),
    ({"hms_nr": "12345a", "name": "X", "iso_class": "120606"}, "hms_nr"),
    ({"name": "X", "iso_class": "1206"}, "iso_class"),
    ({"name": "X", "iso_class": "12 06 0x"}, "iso_class"),
    ({"iso_class": "120606"}, "name"),
    ({"name": "X", "iso_class": "120606", "inspection_interval_days": 0}, "inspection_interval_days"),
    ({"name": "X", "iso_class": "120606", "colour": "red"}, "colour"),
    ({"name": "X", "iso_class": "120606", "individually_tracked": "kanskje"}, "individually_tracked"),
])
def test_a_bad_product_field_is_a_422_naming_the_field(lager_api, session, body, field):
    before = counts(session)
    response = lager_api.post("/api/v1/products", json=body)
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "validation_failed" and field in error["details"]
    assert field_label(field) in error["message"]
    assert counts(session) == before


@pytest.mark.parametrize("body,field", [
    ({"code": "B", "kind": "zone", "parent_code": "HL", "capacity": -1}, "capacity"),
    ({"code": "B", "kind": "planet", "parent_code": "HL"}, "kind"),
    ({"code": "B", "kind": "zone", "parent_code": "NOWHERE"}, "parent_code"),
    ({"kind": "zone", "parent_code": "HL"}, "code"),
    ({"code": "B", "kind": "zone", "parent_code": "HL", "x": "left"}, "x"),
])
def test_a_bad_location_field_is_a_422_naming_the_field(admin_api, session, depot, body, field):
    before = counts(session)
    response = admin_api.post("/api/v1/locations", json=body)
    assert response.status_code == 422
    assert field in error_of(response)["details"]
    assert counts(session) == before


@pytest.mark.parametrize("body,field", [
    ({"product_id": 999999}, "product_id"),
    ({"product_id": "en"}, "product_id"),
    ({"product_id": 1, "owner": "staten"}, "owner"),
    ({"product_id": 1, "owner": "nav", "nav_hms_nr": "12345", "nav_serial": "1"}, "nav_hms_nr"),
    ({"product_id": 1, "location_code": "NOWHERE"}, "location_code"),
    ({"product_id": 1, "condition": "shiny"}, "condition"),
])
def test_a_bad_device_field_is_a_422_naming_the_field(lager_api, session, depot, rollator, body, field):
    body = {**body, "product_id": rollator.id if body["product_id"] == 1 else body["product_id"]}
    before = counts(session)
    response = lager_api.post("/api/v1/devices", json=body)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert field in error_of(response)["details"]
    assert counts(session) == before


def test_registering_answers_201_with_barcode_and_state(lager_api, depot, rollator):
    response = lager_api.post("/api/v1/devices", json={"product_id": rollator.id, "serial_number": "X1",
                                                       "location_code": "A-01-2"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["barcode"].startswith("HJM") and body["state"] == "available"
    assert body["location"]["code"] == "A-01-2" and body["product"]["iso_class_display"] == "12 06 06"


def test_a_duplicate_serial_is_a_409_and_adds_nothing(lager_api, session, device, rollator):
    before = counts(session)
    response = lager_api.post("/api/v1/devices", json={"product_id": rollator.id, "serial_number": "TP-1"})
    assert response.status_code == 409
    assert error_of(response)["code"] == "duplicate_serial"
    assert counts(session) == before


def test_a_move_to_a_full_location_is_a_409_and_the_device_stays(lager_api, session, device, rollator, actor):
    for serial in ("F1", "F2"):
        register_device(session, actor.id, rollator.id, serial_number=serial, location_code="A-01-1")
    before = counts(session)
    response = lager_api.post(f"/api/v1/devices/{device.barcode}/move", json={"location_code": "A-01-1"})
    assert response.status_code == 409 and error_of(response)["code"] == "location_full"
    assert lager_api.get(f"/api/v1/devices/{device.barcode}").get_json()["location"]["code"] == "A-01-2"
    assert counts(session) == before


def test_a_move_to_an_unknown_location_names_the_field(lager_api, device):
    response = lager_api.post(f"/api/v1/devices/{device.barcode}/move", json={"location_code": "NOWHERE"})
    assert response.status_code == 422 and "location_code" in error_of(response)["details"]


@pytest.mark.parametrize("url", ["/api/v1/devices/HJM99999997", "/api/v1/devices/HJM99999997/history",
                                 "/api/v1/scan/HJM99999997", "/api/v1/devices/HJM99999997/label.pdf"])
def test_an_unknown_barcode_is_a_404_naming_the_code(lager_api, url):
    response = lager_api.get(url)
    assert response.status_code == 404
    assert "HJM99999997" in error_of(response)["message"]


@pytest.mark.parametrize("data,content_type", [("{not json", "application/json"), ("", "application/json"),
                                                ("[1, 2]", "application/json"), ("name=x", "text/plain")])
def test_malformed_json_is_a_400_or_422_in_the_error_shape(lager_api, data, content_type):
    response = lager_api.client.post("/api/v1/products", data=data, headers={**lager_api.headers, "Content-Type": content_type})
    assert response.status_code in (400, 422)
    error_of(response)


def test_an_oversized_body_is_a_413(lager_api, app):
    body = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = lager_api.client.post("/api/v1/products", data=body,
                                     headers={**lager_api.headers, "Content-Type": "application/json"})
    assert response.status_code == 413
    assert error_of(response)["code"] == "payload_too_large"


def test_an_unknown_route_and_a_wrong_method_answer_in_the_error_shape(lager_api):
    assert error_of(lager_api.get("/api/v1/nothing-here"))["code"] == "not_found"
    response = lager_api.client.delete("/api/v1/products", headers=lager_api.headers)
    assert response.status_code == 405 and error_of(response)["code"] == "method_not_allowed"


def test_an_unknown_label_layout_names_the_layout_field(lager_api, device):
    response = lager_api.get(f"/api/v1/devices/{device.barcode}/label.pdf?layout=nope")
    assert response.status_code == 422 and "layout" in error_of(response)["details"]


# --- scanning and history over the API ------------------------------------------------------

def test_scan_answers_the_kind_with_the_device_card_and_its_history(lager_api, device):
    body = lager_api.get(f"/api/v1/scan/{device.barcode}").get_json()
    assert body["kind"] == "device" and body["device"]["barcode"] == device.barcode
    assert [e["kind"] for e in body["history"]] == ["registered"]
    location = lager_api.get("/api/v1/scan/A-01-1").get_json()
    assert location["kind"] == "location" and location["location"]["code"] == "A-01-1"


def test_a_move_over_the_api_lands_in_the_history(lager_api, device):
    response = lager_api.post(f"/api/v1/devices/{device.barcode}/move", json={"location_code": "A-01-1", "note": "flyttet"})
    assert response.status_code == 200 and response.get_json()["moved"] is True
    history = lager_api.get(f"/api/v1/devices/{device.barcode}/history").get_json()
    assert [(e["kind"], e["from_location"], e["to_location"]) for e in history][-1] == ("moved", "A-01-2", "A-01-1")


def test_importing_a_catalogue_over_the_api_reports_bad_rows_and_loads_nothing(lager_api, session):
    csv_text = "hms_nr;name;iso_class\n111111;Rollator;120606\n12;Feil;120606\n"
    response = lager_api.client.post("/api/v1/products/import", data=csv_text.encode(),
                                     headers={**lager_api.headers, "Content-Type": "text/csv"})
    assert response.status_code == 422
    assert error_of(response)["details"]["report"]["errors"][0]["line"] == 3
    assert session.scalar(select(func.count()).select_from(Product)) == 0
    response = lager_api.client.post("/api/v1/products/import?skip_invalid=true", data=csv_text.encode(),
                                     headers={**lager_api.headers, "Content-Type": "text/csv"})
    assert response.status_code == 200 and response.get_json()["created"] == 1


# --- labels ---------------------------------------------------------------------------------

def test_a_devices_label_pdf_decodes_to_exactly_its_barcode(lager_api, device, tmp_path):
    response = lager_api.get(f"/api/v1/devices/{device.barcode}/label.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert decoded_codes(response.data, tmp_path) == [device.barcode]


def test_many_labels_print_as_one_pdf_and_each_decodes(lager_api, session, rollator, actor, tmp_path):
    barcodes = [register_device(session, actor.id, rollator.id, serial_number=f"M{i}").barcode for i in range(30)]
    response = lager_api.post("/api/v1/labels.pdf", json={"barcodes": barcodes, "layout": "a4-3x8"})
    assert response.status_code == 200
    assert sorted(decoded_codes(response.data, tmp_path)) == sorted(barcodes)


def test_a_zpl_label_uses_the_printers_own_code128(lager_api, device):
    response = lager_api.get(f"/api/v1/devices/{device.barcode}/label.zpl")
    assert response.status_code == 200 and response.mimetype == "application/zpl"
    zpl = response.data.decode()
    assert zpl.startswith("^XA") and "^BC" in zpl and device.barcode in zpl and "^GF" not in zpl


def test_a_location_label_carries_the_location_barcode(lager_api, depot, tmp_path):
    barcode = lager_api.get("/api/v1/locations/A-01-1").get_json()["barcode"]
    assert decoded_codes(lager_api.get("/api/v1/locations/A-01-1/label.pdf").data, tmp_path) == [barcode]


# --- the OpenAPI document -------------------------------------------------------------------

def test_the_openapi_document_lists_every_api_route_with_the_error_shape(client, app):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    for path in ("/api/v1/products", "/api/v1/locations", "/api/v1/devices", "/api/v1/devices/{barcode}",
                 "/api/v1/devices/{barcode}/history", "/api/v1/devices/{barcode}/label.pdf",
                 "/api/v1/devices/{barcode}/label.zpl", "/api/v1/labels.pdf", "/api/v1/scan/{code}",
                 "/api/v1/devices/{barcode}/move"):
        assert path in document["paths"], path
    registered = {rule.rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")} - {"/api/v1/openapi.json"}
    documented = {path.replace("{", "<").replace("}", ">") for path in document["paths"]}
    normalised = {rule.replace("<path:", "<").replace("<int:", "<") for rule in registered}
    assert normalised == documented
    create = document["paths"]["/api/v1/devices"]["post"]
    assert "201" in create["responses"] and "422" in create["responses"]
    assert "Error" in document["components"]["schemas"]


def test_the_openapi_document_is_built_on_the_first_request_and_served_from_then_on(client, app, monkeypatch):
    from hjelpemiddel.core import api, openapi

    builds = []

    def counted_build(app_):
        builds.append(app_)
        return openapi.build_openapi(app_)

    monkeypatch.setattr(api, "build_openapi", counted_build)
    monkeypatch.delitem(app.extensions, "openapi_document", raising=False)  # put back after the test
    first = client.get("/api/v1/openapi.json")
    second = client.get("/api/v1/openapi.json")
    assert first.status_code == second.status_code == 200
    assert second.get_json() == first.get_json()
    assert len(builds) == 1


def test_a_move_to_a_place_that_does_not_fit_is_a_409_naming_why_and_force_moves_it(lager_api, session, device,
                                                                                    rollator, actor):
    from hjelpemiddel.stock.services import change_state

    broken = register_device(session, actor.id, rollator.id, serial_number="R1", location_code="A-01-1")
    change_state(session, broken, "in_repair", actor.id)
    before = counts(session)
    url = f"/api/v1/devices/{broken.barcode}/move"
    refused = lager_api.post(url, json={"location_code": "A-01-2"})
    assert refused.status_code == 409
    error = error_of(refused)
    assert error["code"] == "place_mismatch" and error["details"]["reasons"] == ["state"]
    assert "«Til reparasjon»" in error["message"] and "Flytt likevel" in error["message"]
    assert "in_repair" not in error["message"]
    assert counts(session) == before

    forced = lager_api.post(url, json={"location_code": "A-01-2", "force": True})
    assert forced.status_code == 200 and forced.get_json()["device"]["location"]["code"] == "A-01-2"


def test_a_scan_with_a_wrong_check_digit_or_a_shelf_label_answers_alike_over_the_api(lager_api, device):
    wrong = device.barcode[:-1] + str((int(device.barcode[-1]) + 1) % 10)
    scan = lager_api.get(f"/api/v1/scan/{wrong}")
    lookup = lager_api.get(f"/api/v1/devices/{wrong}")
    assert scan.status_code == lookup.status_code == 404
    assert error_of(scan)["message"] == error_of(lookup)["message"]
    assert error_of(scan)["message"].startswith(f"Kontrollsifferet i «{wrong}» stemmer ikke")
    shelf = lager_api.get("/api/v1/devices/A-01-2")
    assert shelf.status_code == 422 and "lokasjonen A-01-2, ikke et hjelpemiddel" in error_of(shelf)["message"]
