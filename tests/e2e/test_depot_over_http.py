"""A new delivery of rollators arrives at the depot: set up with the README's commands (the command
group in this process; the service as a real gunicorn process), then registered, labelled, scanned
and put away through the real HTTP stack."""
import os
import socket
import subprocess
import sys
import time

import pytest
import requests
from click.testing import CliRunner

from hjelpemiddel.cli import cli as hjelpemiddel_cli

from ..support import decoded_codes, fresh_database_url


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    env = {**os.environ, "DATABASE_URL": fresh_database_url("http"), "SECRET_KEY": "e2e-secret"}

    def cli(*args) -> str:
        # `hjelpemiddel …` as a person types it, minus the process start (tests/integration/test_cli.py
        # runs one command in a real process); each makes its app from the environment as it would.
        with pytest.MonkeyPatch.context() as patch:
            patch.delenv("FLASK_RUN_FROM_CLI", raising=False)
            result = CliRunner().invoke(hjelpemiddel_cli, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    cli("db", "upgrade")
    cli("users", "create", "anne", "--role", "admin", "--password", "admin-passord")
    cli("users", "create", "lise", "--role", "lager", "--password", "lager-passord")
    tokens = {name: cli("tokens", "create", name).strip().splitlines()[-1] for name in ("anne", "lise")}
    port = free_port()
    log = open(tmp_path_factory.mktemp("server") / "server.log", "w")
    process = subprocess.Popen([sys.executable, "-m", "hjelpemiddel", "serve", "--port", str(port), "--workers", "1"],
                               env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(base + "/login", timeout=5)
            break
        except requests.RequestException:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("the service did not start within 60 s")
    yield base, tokens
    process.terminate()
    process.wait(timeout=10)
    log.close()


def client(token: str) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    return session


def test_a_delivery_of_rollators_is_registered_labelled_scanned_and_put_away(server, tmp_path):
    base, tokens = server
    admin, lager = client(tokens["anne"]), client(tokens["lise"])

    for body in ({"code": "HML", "kind": "depot", "name": "Hjelpemiddellageret"},
                 {"code": "MOTTAK", "kind": "zone", "parent_code": "HML", "x": 0, "y": 0},
                 {"code": "B", "kind": "zone", "parent_code": "HML", "x": 10, "y": 0},
                 {"code": "B-07", "kind": "rack", "parent_code": "B", "x": 10, "y": 7},
                 {"code": "B-07-1", "kind": "bin", "parent_code": "B-07", "capacity": 2, "x": 10, "y": 7.2}):
        assert admin.post(base + "/api/v1/locations", json=body).status_code == 201
    assert lager.post(base + "/api/v1/locations", json={"code": "X", "kind": "zone", "parent_code": "HML"}).status_code == 403

    catalogue = "hms_nr;navn;leverandør;iso\n214372;Rollator Topro Olympos M;Topro;12 06 06\n"
    imported = lager.post(base + "/api/v1/products/import", data=catalogue.encode(), headers={"Content-Type": "text/csv"})
    assert imported.status_code == 200 and imported.json()["created"] == 1
    product_id = lager.get(base + "/api/v1/products", params={"q": "214372"}).json()[0]["id"]

    barcodes = []
    for serial in ("OLY-1", "OLY-2", "OLY-3"):
        response = lager.post(base + "/api/v1/devices", json={"product_id": product_id, "serial_number": serial,
                                                             "location_code": "MOTTAK"})
        assert response.status_code == 201
        barcodes.append(response.json()["barcode"])
    duplicate = lager.post(base + "/api/v1/devices", json={"product_id": product_id, "serial_number": "OLY-1"})
    assert duplicate.status_code == 409 and duplicate.json()["error"]["code"] == "duplicate_serial"

    labels = lager.post(base + "/api/v1/labels.pdf", json={"barcodes": barcodes})
    assert labels.status_code == 200 and labels.headers["Content-Type"] == "application/pdf"
    assert sorted(decoded_codes(labels.content, tmp_path)) == sorted(barcodes)
    assert lager.get(base + f"/api/v1/devices/{barcodes[0]}/label.zpl").text.count("^XA") == 1

    bin_barcode = lager.get(base + "/api/v1/scan/B-07-1").json()["location"]["barcode"]
    scanned = lager.get(base + f"/api/v1/scan/{bin_barcode}").json()
    assert scanned["kind"] == "location" and scanned["location"]["code"] == "B-07-1"
    for barcode in barcodes[:2]:
        moved = lager.post(base + f"/api/v1/devices/{barcode}/move", json={"location_code": bin_barcode})
        assert moved.status_code == 200 and moved.json()["device"]["location"]["code"] == "B-07-1"
    full = lager.post(base + f"/api/v1/devices/{barcodes[2]}/move", json={"location_code": "B-07-1"})
    assert full.status_code == 409 and full.json()["error"]["code"] == "location_full"

    card = lager.get(base + f"/api/v1/scan/{barcodes[0].lower()}").json()
    assert card["device"]["state"] == "available" and card["device"]["location"]["code"] == "B-07-1"
    assert [(e["kind"], e["to_location"]) for e in card["history"]] == [("registered", "MOTTAK"), ("moved", "B-07-1")]
    by_serial = lager.get(base + "/api/v1/scan/OLY-3").json()
    assert by_serial["device"]["barcode"] == barcodes[2]

    unknown = lager.get(base + "/api/v1/scan/HJM99999997")
    assert unknown.status_code == 404 and "HJM99999997" in unknown.json()["error"]["message"]
    broken = lager.post(base + "/api/v1/devices", data="{", headers={"Content-Type": "application/json"})
    assert broken.status_code == 400 and broken.json()["error"]["code"] == "invalid_json"
    assert requests.get(base + "/api/v1/devices").status_code == 401
    spec = requests.get(base + "/api/v1/openapi.json").json()
    assert "/api/v1/scan/{code}" in spec["paths"]
