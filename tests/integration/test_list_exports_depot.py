"""The depot page's «Klar til utlevering» and «Vask og kontroll», the maintenance plans and a spare part's
movements download as CSV and XLSX like every other list: with the page's filters, bokmål headings and
values people read, for the roles that may see the list, and never with a fødselsnummer."""
from __future__ import annotations

import re
import io

import openpyxl
import pytest

from hjelpemiddel.catalog.services import create_product
from hjelpemiddel.core.openapi import build_openapi
from hjelpemiddel.lending import services as lending
from hjelpemiddel.maintenance import services as maintenance
from hjelpemiddel.stock.lifecycle import STATE_LABELS

from ..support import ROLES, assert_role_answer, error_of
from .desk import TOMORROW
from .test_list_exports import FORMATS, downloaded, read_rows, table, with_format

# (list, address without format, roles besides admin that may see it, its headings)
LISTS = [
    ("ready page", "/lager/utlan?liste=klar", {"lager"}, lending.READY_HEADINGS),
    ("washing and inspection page", "/lager/utlan?liste=vask", {"lager"}, maintenance.IN_MAINTENANCE_HEADINGS),
    ("maintenance plans page", "/admin/kontrollplaner", set(), maintenance.PLAN_HEADINGS),
    ("maintenance plans api", "/api/v1/maintenance-plans", {"lager"}, maintenance.PLAN_HEADINGS),
    ("part movements api", "/api/v1/spare-parts/{part}/movements", {"lager"}, maintenance.MOVEMENT_HEADINGS),
]
IDS = [case[0] for case in LISTS]


@pytest.fixture
def seeded(session, actor, desk):
    """Astrid's rollator reserved on A-01-2, waiting to be handed over; Bjørn's rollator and Cecilie's shower
    stool lent and received back, waiting to be washed; a plan for lifts and one for the rollator; a wheel
    received, counted and used on a repair of a third rollator."""
    desk.units(1)
    [ready] = desk.reserved(desk.need(desk.citizen("Astrid Olsen")))
    washed = desk.loan(desk.citizen("Bjørn Berg"))
    stool = create_product(session, hms_nr=None, name="Dusjkrakk Vask", iso_class="093303")
    desk.units(1, product=stool)
    [stool_unit] = desk.reserved(desk.need(desk.citizen("Cecilie Dahl"), product=stool))
    lending.hand_over(session, actor.id, stool_unit, received_by="selv")
    washed_barcode = washed.device.barcode
    for barcode in (washed_barcode, stool_unit):
        lending.receive_at_depot(session, actor.id, barcode)
    maintenance.save_plan(session, actor.id, {"iso_prefix": "1236", "name": "Personløftere", "interval_months": 6,
                                              "after_each_loan": False, "checklist": "lift"})
    maintenance.save_plan(session, actor.id, {"product_id": desk.product.id, "name": "Rullator", "interval_months": 12,
                                              "after_each_loan": True, "checklist": "rollator",
                                              "note": "Etter avtale med Topro"})
    wheel = maintenance.create_spare_part(session, actor.id, "TP-HJ-200", "Forhjul 200 mm", quantity=5)
    maintenance.count_spare_part(session, actor.id, wheel.id, 4, note="Varetelling")
    [repaired] = desk.units(1)
    repair = maintenance.open_repair(session, actor.id, repaired.barcode, "depot", "Hjulet slingrer")
    maintenance.complete_repair(session, actor.id, repair.id, "Nytt forhjul", 20,
                                stock_parts=[{"spare_part_id": wheel.id, "quantity": 1}])
    session.flush()
    return {"ready": ready, "washed": washed_barcode, "stool": stool_unit, "part": wheel.id,
            "repaired": repaired.barcode, "lager": actor.full_name}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name,address,allowed,headings", LISTS, ids=IDS)
def test_every_list_downloads_for_admin_with_its_headings_and_no_fnr(api_as, seeded, name, address, allowed,
                                                                      headings, fmt):
    rows = downloaded(api_as("admin").get(with_format(address.format(**seeded), fmt)), fmt)
    assert tuple(rows[0]) == tuple(headings)
    assert len(rows) > 1, "the seeded depot gives every list a row"


@pytest.mark.parametrize("role", ROLES, ids=[str(role) for role in ROLES])
@pytest.mark.parametrize("name,address,allowed,headings", LISTS, ids=IDS)
def test_a_download_answers_each_role_as_its_list_does(api_as, seeded, name, address, allowed, headings, role):
    # Pages answer a program (Accept: JSON) in the API's shape: 401, or 403 naming the role.
    response = api_as(role).get(with_format(address.format(**seeded), "csv"), headers={"Accept": "application/json"})
    assert_role_answer(response, role, allowed)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("address,wanted,unwanted", [
    ("/lager/utlan?liste=vask&sok={stool}", "{stool}", "{washed}"),
    ("/lager/utlan?liste=vask&sok=dusjkrakk", "{stool}", "{washed}"),
    ("/lager/utlan?liste=vask&sok=rollator", "{washed}", "{stool}"),
    ("/lager/utlan?liste=vask&sok=finnes-ikke", "Strekkode", "{washed}"),
])
def test_the_washing_download_keeps_the_pages_search(api_as, seeded, address, wanted, unwanted, fmt):
    response = api_as("lager").get(with_format(address.format(**seeded), fmt))
    cells = {cell for row in read_rows(response.get_data(), fmt) for cell in row}
    assert wanted.format(**seeded) in cells
    assert unwanted.format(**seeded) not in cells


def test_the_ready_download_names_the_citizen_the_shelf_and_the_urgency(api_as, seeded):
    [row] = table(api_as("lager").get("/lager/utlan?liste=klar&format=csv"))
    assert row == {"Strekkode": seeded["ready"], "Produkt": "Rollator Topro Olympos M", "Hent fra": "A-01-2",
                   "Innbygger": "Astrid Olsen", "Trengs innen": TOMORROW.strftime("%d.%m.%Y"), "Hast": "Normal"}


def test_the_washing_download_says_each_units_state_in_words(api_as, seeded):
    rows = {row["Strekkode"]: row for row in table(api_as("lager").get("/lager/utlan?liste=vask&format=csv"))}
    assert rows[seeded["washed"]]["Status"] == STATE_LABELS["cleaning"]
    assert rows[seeded["stool"]]["Produkt"] == "Dusjkrakk Vask"
    assert rows[seeded["repaired"]]["Status"] == STATE_LABELS["inspection"]
    assert seeded["ready"] not in rows


def test_the_plans_download_names_the_class_the_product_and_the_checklist(api_as, seeded):
    rows = {row["Navn"]: row for row in table(api_as("admin").get("/admin/kontrollplaner?format=csv"))}
    assert rows["Personløftere"]["ISO-klasse"] == "12 36" and rows["Personløftere"]["Produkt"] == ""
    assert rows["Personløftere"]["Sjekkliste"] == "Personløfter"
    assert rows["Personløftere"]["Kontroll etter hvert utlån"] == "Nei"
    assert rows["Rullator"]["Produkt"] == "Rollator Topro Olympos M" and rows["Rullator"]["HMS-nr"] == "123456"
    assert rows["Rullator"]["Intervall (måneder)"] == "12" and rows["Rullator"]["Kontroll etter hvert utlån"] == "Ja"
    assert rows["Rullator"]["Merknad"] == "Etter avtale med Topro"


def test_the_movements_download_says_what_happened_newest_first_with_the_repaired_unit(api_as, seeded):
    rows = table(api_as("lager").get(f"/api/v1/spare-parts/{seeded['part']}/movements?format=csv"))
    assert [(row["Hendelse"], row["Endring"], row["Antall etter"]) for row in rows] == [
        ("Brukt på reparasjon", "-1", "3"), ("Telling", "-1", "4"), ("Mottak", "5", "5")]
    assert rows[0]["Reparasjon av"] == seeded["repaired"] and rows[1]["Reparasjon av"] == ""
    assert rows[1]["Merknad"] == "Varetelling" and rows[2]["Merknad"] == "Første beholdning"
    assert {row["Delenummer"] for row in rows} == {"TP-HJ-200"}
    assert {row["Registrert av"] for row in rows} == {seeded["lager"]}


def test_the_movements_download_holds_every_movement_whatever_the_page_asked(api_as, seeded):
    rows = table(api_as("lager").get(f"/api/v1/spare-parts/{seeded['part']}/movements?size=1&page=2&format=csv"))
    assert len(rows) == 3


def test_xlsx_has_the_dates_as_dates_and_the_counts_as_numbers(api_as, seeded):
    client = api_as("lager")
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/lager/utlan?liste=klar&format=xlsx").get_data())).active
    headings = [cell.value for cell in sheet[1]]
    [row] = sheet.iter_rows(min_row=2, values_only=True)
    assert row[headings.index("Trengs innen")].date() == TOMORROW
    address = f"/api/v1/spare-parts/{seeded['part']}/movements?format=xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(address).get_data())).active
    headings = [cell.value for cell in sheet[1]]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [row[headings.index("Endring")] for row in rows] == [-1, -1, 5]
    assert all(row[headings.index("Tidspunkt")].year >= 2000 for row in rows)


def test_an_unknown_parts_movements_are_refused_not_downloaded_empty(api_as):
    response = api_as("lager").get("/api/v1/spare-parts/999999/movements?format=csv")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_the_depot_page_links_the_ready_and_washing_downloads_with_the_washing_search(api_as, seeded):
    html = api_as("lager").get("/lager/utlan?sok=dusjkrakk&side_vask=1").get_data(as_text=True)
    assert 'href="/lager/utlan?liste=klar&amp;format=csv"' in html
    assert 'href="/lager/utlan?sok=dusjkrakk&amp;liste=vask&amp;format=xlsx"' in html


def test_the_plans_page_links_its_downloads(api_as, seeded):
    html = api_as("admin").get("/admin/kontrollplaner?endre=1").get_data(as_text=True)
    assert 'href="/admin/kontrollplaner?format=csv"' in html
    assert 'href="/admin/kontrollplaner?format=xlsx"' in html


@pytest.mark.parametrize("path", ["/api/v1/maintenance-plans", "/api/v1/spare-parts/{part_id}/movements"])
def test_the_openapi_document_offers_format_on_these_list_operations(app, path):
    with app.app_context():
        spec = build_openapi(app)
    operation = spec["paths"][path]["get"]
    [parameter] = [p for p in operation["parameters"] if p.get("name") == "format"]
    assert parameter["schema"]["enum"] == ["csv", "xlsx"]
    assert "text/csv" in operation["responses"]["200"]["content"]
    assert "400" in operation["responses"]


@pytest.mark.parametrize("address", ["/lager/utlan?liste=klar&format=pdf", "/admin/kontrollplaner?format=xls",
                                     "/api/v1/maintenance-plans?format=", "/api/v1/spare-parts/1/movements?format=CSV"])
def test_an_unknown_format_is_refused_naming_the_field(api_as, address):
    response = api_as("admin").get(address, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert error_of(response)["details"] == {"format": ["Velg csv eller xlsx."]}


def test_the_ready_list_and_its_download_are_searched_by_barcode_product_or_citizen(api_as, session, seeded, desk):
    desk.units(1)
    [other] = desk.reserved(desk.need(desk.citizen("Dag Åsen")))
    session.flush()
    api = api_as("lager")
    for sok, wanted in [(seeded["ready"].lower(), [seeded["ready"]]), ("DAG åsen", [other]),
                        ("rollator", sorted([seeded["ready"], other])), ("finnes-ikke", [])]:
        rows = table(api.get(f"/lager/utlan?liste=klar&sok_klar={sok}&format=csv"))
        assert sorted(row["Strekkode"] for row in rows) == wanted, sok
        page = api.get(f"/lager/utlan?sok_klar={sok}").get_data(as_text=True)
        ready = page[page.index('data-testid="ready"'):page.index("</section>", page.index('data-testid="ready"'))]
        assert sorted(set(re.findall(r"HJM\d{8}", ready))) == wanted, sok
    assert "Ingen reserverte hjelpemidler passer søket." in api.get("/lager/utlan?sok_klar=finnes-ikke").get_data(as_text=True)
