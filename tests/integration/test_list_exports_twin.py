"""The digital twin's and the forecast's tables download as CSV and XLSX like every other list: with the
page's filters, bokmål headings and values people read, for the depot only, never with a fødselsnummer,
and a place's units read in batches only once the file is sent."""
from __future__ import annotations

import io

import openpyxl
import pytest

from hjelpemiddel.catalog.services import create_product
from hjelpemiddel.core.openapi import build_openapi
from hjelpemiddel.forecast import services as forecast
from hjelpemiddel.maintenance.services import quarantine_device
from hjelpemiddel.twin import services as twin

from ..support import ROLES, assert_role_answer, error_of
from .desk import TOMORROW
from .test_web import login
from .test_list_exports import FORMATS, downloaded, read_rows, table, with_format

ROLLATOR = "Rollator+Topro+Olympos+M"
# (list, address without format, its headings); every one is the depot's (lager, and admin)
LISTS = [
    ("map places page", "/lager/tvilling?liste=plasser", twin.PLACE_HEADINGS),
    ("map hits page", "/lager/tvilling?liste=treff&q=rollator", twin.HIT_HEADINGS),
    ("map postcodes page", "/lager/tvilling?liste=postnummer", twin.AREA_HEADINGS),
    ("map api", "/api/v1/twin", twin.PLACE_HEADINGS),
    ("place page", "/lager/tvilling/plass/A-01", twin.PLACE_UNIT_HEADINGS),
    ("place api", "/api/v1/twin/bins/A-01", twin.PLACE_UNIT_HEADINGS),
    ("overview by place kind page", "/lager/oversikt?liste=type", twin.KIND_HEADINGS),
    ("overview by owner page", "/lager/oversikt?liste=eier", twin.OWNER_HEADINGS),
    ("overview by product page", "/lager/oversikt?liste=produkt", twin.PRODUCT_HEADINGS),
    ("overview by iso class page", "/lager/oversikt?liste=produkt&etter=iso", twin.ISO_CLASS_HEADINGS),
    ("overview minimums page", "/lager/oversikt?liste=minimum", twin.MINIMUM_HEADINGS),
    ("products api", "/api/v1/twin/products", twin.PRODUCT_HEADINGS),
    ("iso classes api", "/api/v1/twin/products?by=iso_class", twin.ISO_CLASS_HEADINGS),
    ("forecast page", "/lager/prognose?liste=produkter", forecast.FORECAST_HEADINGS),
    ("forecast product days page", f"/lager/prognose?liste=dager&product={ROLLATOR}", forecast.DAY_HEADINGS),
    ("forecast iso class days page", "/lager/prognose?liste=dager&iso_class=093303", forecast.DAY_HEADINGS),
    ("forecast api", "/api/v1/forecast", forecast.FORECAST_HEADINGS),
]
IDS = [case[0] for case in LISTS]


@pytest.fixture
def stocked(session, actor, desk, shelves, rollator):
    """Astrid (postcode 6509) has a rollator on loan; two rollators stand on A-01-1 and one on B-01-1,
    one of them in quarantine; a toilet chair on A-02-1; Bjørn waits for a shower stool there is none of;
    minimums for rollators and shower stools."""
    desk.loan(desk.citizen("Astrid Olsen", postcode="6509"))
    on_a = desk.units(2, where="A-01-1")
    on_b = desk.units(1, where="B-01-1")
    quarantine_device(session, actor.id, on_a[1].barcode, reason="damage", note="Knekt brems")
    toilet = create_product(session, hms_nr="654321", name="Toalettstol Export", iso_class="091203")
    desk.units(1, where="A-02-1", product=toilet)
    stool = create_product(session, hms_nr=None, name="Dusjkrakk Export", iso_class="093303")
    desk.need(desk.citizen("Bjørn Berg"), product=stool)
    twin.set_minimum(session, 5, product_id=rollator.id)
    twin.set_minimum(session, 1, iso_class="0933")
    session.flush()
    return {"a": on_a[0].barcode, "quarantined": on_a[1].barcode, "b": on_b[0].barcode}


def cells_of(response, fmt: str) -> set[str]:
    assert response.status_code == 200, response.get_data()[:300]
    return {cell for row in read_rows(response.get_data(), fmt) for cell in row}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name,address,headings", LISTS, ids=IDS)
def test_every_twin_and_forecast_table_downloads_for_admin_with_its_headings_and_no_fnr(
        api_as, stocked, name, address, headings, fmt):
    rows = downloaded(api_as("admin").get(with_format(address, fmt)), fmt)
    assert tuple(rows[0]) == tuple(headings)
    assert len(rows) > 1, "the seeded depot gives every table a row"


@pytest.mark.parametrize("name,address,headings", LISTS, ids=IDS)
def test_a_twin_download_answers_each_role_as_its_page_does(api_as, stocked, name, address, headings):
    for role in ROLES:
        response = api_as(role).get(with_format(address, "csv"), headers={"Accept": "application/json"})
        assert_role_answer(response, role, {"lager"})


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("address,wanted,unwanted", [
    ("/lager/tvilling?liste=plasser&zone=B", "B-01-1", "A-01-1"),
    ("/api/v1/twin?zone=A", "A-01-1", "B-01-1"),
    ("/lager/tvilling?liste=treff&q=toalett", "A-02-1", "A-01-1"),
    ("/lager/tvilling/plass/B-01-1", "{b}", "{a}"),
    ("/api/v1/twin/bins/A-01-1", "{a}", "{b}"),
    ("/lager/tvilling/plass/A-01?date=01.01.2020", "Strekkode", "{a}"),
    ("/lager/oversikt?liste=produkt&q=toalett", "Toalettstol Export", "Rollator Topro Olympos M"),
    ("/lager/oversikt?liste=produkt&etter=iso&q=12", "12 06 06", "09 12 03"),
    ("/api/v1/twin/products?q=120606", "Rollator Topro Olympos M", "Toalettstol Export"),
    ("/lager/prognose?shortfall_only=true", "Dusjkrakk Export", "Rollator Topro Olympos M"),
    ("/lager/prognose?iso_class=12", "Rollator Topro Olympos M", "Dusjkrakk Export"),
    ("/api/v1/forecast?iso_class=09", "Toalettstol Export", "Rollator Topro Olympos M"),
    ("/api/v1/forecast?shortfall_only=true&limit=1&offset=5", "Dusjkrakk Export", "Toalettstol Export"),
])
def test_a_filtered_twin_download_holds_only_the_matching_rows(api_as, stocked, address, wanted, unwanted, fmt):
    cells = cells_of(api_as("lager").get(with_format(address.format(**stocked), fmt)), fmt)
    assert wanted.format(**stocked) in cells
    assert unwanted.format(**stocked) not in cells


def test_the_places_file_counts_each_place_s_units_by_what_they_do_in_words(api_as, stocked):
    rows = {row["Plass"]: row for row in table(api_as("lager").get("/lager/tvilling?format=csv"))}
    expected = {"Navn": "Hylle 1", "Formål": "Lager", "Enheter": "2", "Kapasitet": "2", "Ledig": "1",
                "I karantene": "1", "Til reparasjon": "0"}
    assert {heading: rows["A-01-1"][heading] for heading in expected} == expected
    assert rows["A-01-2"]["Enheter"] == "0" and rows["A-01-2"]["Kapasitet"] == ""
    assert "A" not in rows and "HL" not in rows, "zones and the depot are not rows of the table"


def test_a_place_file_names_each_unit_s_state_as_people_read_it(api_as, stocked):
    rows = {row["Strekkode"]: row for row in table(api_as("lager").get("/lager/tvilling/plass/A-01-1?format=csv"))}
    assert rows[stocked["a"]]["Status"] == "Ledig på lager" and rows[stocked["a"]]["Plass"] == "A-01-1"
    assert rows[stocked["quarantined"]]["Status"] == "I karantene"
    assert rows[stocked["a"]]["Siden"].count(".") == 2, "a moment as dd.mm.åååå tt:mm"


def test_the_overview_files_add_up_and_read_as_labels(api_as, stocked):
    client = api_as("lager")
    kinds = {row["Hvor"]: row for row in table(client.get("/lager/oversikt?liste=type&format=csv"))}
    assert kinds["Lager"]["Enheter"] == "4" and kinds["Hos innbyggere"]["Enheter"] == "1"
    owners = table(client.get("/lager/oversikt?liste=eier&format=csv"))
    assert [(row["Eier"], row["Enheter"]) for row in owners] == [("Kommunen", "5")]
    products = table(client.get("/api/v1/twin/products?format=csv"))
    assert products[0] == {"Produkt": "Rollator Topro Olympos M", "HMS-nr": "123456", "ISO-klasse": "12 06 06",
                           "Enheter": "4", "Ledige": "2"}
    classes = table(client.get("/api/v1/twin/products?by=iso_class&format=csv"))
    assert classes[0] == {"ISO-klasse": "12 06 06", "Betegnelse": "Rullatorer", "Enheter": "4", "Ledige": "2"}
    minimums = table(client.get("/lager/oversikt?liste=minimum&format=csv"))
    assert minimums == [
        {"Produkt eller klasse": "Rollator Topro Olympos M", "Minimum": "5", "Ledige nå": "2", "Mangler": "3"},
        {"Produkt eller klasse": "ISO-klasse 0933", "Minimum": "1", "Ledige nå": "0", "Mangler": "1"}]


def test_the_forecast_files_name_the_first_shortfall_and_the_days_with_the_needs_short(api_as, stocked):
    client = api_as("lager")
    rows = {row["Produkt"]: row for row in table(client.get("/lager/prognose?format=csv"))}
    assert rows["Dusjkrakk Export"]["Første mangel"] == TOMORROW.strftime("%d.%m.%Y")
    assert rows["Rollator Topro Olympos M"]["Første mangel"] == "" and rows["Rollator Topro Olympos M"]["ISO-klasse"] == "12 06 06"
    days = table(client.get("/lager/prognose?liste=dager&iso_class=0933&days=3&format=csv"))
    assert len(days) == 3 and days[1]["Dag"] == TOMORROW.strftime("%d.%m.%Y") and days[1]["Mangel"] == "Ja"
    assert days[1]["Behov som mangler"] == f"trengs {TOMORROW:%d.%m.%Y} (Normal), mangler 1"
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/lager/prognose?liste=dager&iso_class=0933&format=xlsx")
                                              .get_data())).active
    assert sheet.cell(row=3, column=1).value.date() == TOMORROW and sheet.cell(row=3, column=2).data_type == "n"


@pytest.mark.parametrize("address,field", [
    ("/lager/tvilling?zone=A&date=31.02.2026", "date"),
    ("/lager/tvilling?date=01.01.2020", "sone"),
    ("/lager/tvilling/plass/A-01?time=12:00", "date"),
    ("/lager/oversikt?liste=type&date=01.01.2020", "date"),
    ("/lager/prognose?days=0", "days"),
    ("/lager/prognose?liste=dager", "product_id"),
    ("/api/v1/forecast?product_id=1&iso_class=1206", "iso_class"),
])
def test_a_download_with_a_bad_filter_is_refused_naming_the_field_not_answered_unfiltered(
        api_as, stocked, address, field):
    response = api_as("lager").get(with_format(address, "csv"), headers={"Accept": "application/json"})
    assert response.status_code == 422, response.get_data()[:300]
    assert field in error_of(response)["details"]


@pytest.mark.parametrize("address", ["/lager/tvilling/plass/NOWHERE", "/api/v1/twin/bins/NOWHERE",
                                     "/api/v1/twin?zone=Q"])
def test_a_download_of_an_unknown_place_is_not_found(api_as, stocked, address):
    assert api_as("lager").get(with_format(address, "csv"), headers={"Accept": "application/json"}).status_code == 404


@pytest.mark.parametrize("address", ["/api/v1/twin?format=pdf", "/lager/tvilling/plass/A-01?format=CSV",
                                     "/lager/oversikt?format=xls", "/api/v1/forecast?format="])
def test_an_unknown_format_is_refused_on_the_twin_and_the_forecast(api_as, address):
    response = api_as("admin").get(address, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert error_of(response)["details"] == {"format": ["Velg csv eller xlsx."]}


@pytest.mark.parametrize("page,link", [
    ("/lager/tvilling?zone=A&side=1", "/lager/tvilling?zone=A&amp;liste=plasser&amp;format=csv"),
    ("/lager/tvilling?q=rollator", "/lager/tvilling?q=rollator&amp;liste=treff&amp;format=xlsx"),
    ("/lager/tvilling", "/lager/tvilling?liste=postnummer&amp;format=csv"),
    ("/lager/tvilling/plass/A-01?date=01.06.2030&side=1", "/lager/tvilling/plass/A-01?date=01.06.2030&amp;format=csv"),
    ("/lager/oversikt?q=rollator&etter=iso&side=1", "/lager/oversikt?q=rollator&amp;etter=iso&amp;liste=produkt&amp;format=csv"),
    ("/lager/oversikt", "/lager/oversikt?liste=type&amp;format=xlsx"),
    ("/lager/oversikt", "/lager/oversikt?liste=eier&amp;format=csv"),
    ("/lager/oversikt", "/lager/oversikt?liste=minimum&amp;format=csv"),
    ("/lager/prognose?days=7&shortfall_only=true&side=1",
     "/lager/prognose?days=7&amp;shortfall_only=true&amp;liste=produkter&amp;format=csv"),
    (f"/lager/prognose?product={ROLLATOR}", f"/lager/prognose?product={ROLLATOR}&amp;liste=dager&amp;format=csv"),
])
def test_each_twin_page_links_its_downloads_with_its_filters_and_without_its_page(client, make_user, stocked,
                                                                                   page, link):
    login(client, make_user("lager"))
    html = client.get(page).get_data(as_text=True)
    assert f'href="{link}"' in html and "Last ned CSV" in html and "Last ned Excel" in html


def test_a_place_s_units_are_read_only_when_the_file_is_sent_and_then_in_batches(session, stocked, count_queries):
    places = twin.load_places(session)
    ids = twin.subtree_ids(places, next(p.id for p in places.values() if p.code == "HL"))
    with count_queries as recorder:
        rows = twin.place_unit_export_rows(session, ids, None)
        assert recorder.statements == [], "nothing is read before the response starts sending"
        barcodes = [row[0] for row in rows]
    assert len(recorder.statements) == 1, "one query, its rows fetched yield_per at a time"
    assert barcodes == sorted(barcodes) and {stocked["a"], stocked["b"], stocked["quarantined"]} <= set(barcodes)


def test_the_openapi_document_offers_format_on_the_twin_and_forecast_lists_only(app):
    with app.app_context():
        spec = build_openapi(app)
    for path in ("/api/v1/twin", "/api/v1/twin/bins/{code}", "/api/v1/twin/products", "/api/v1/forecast"):
        operation = spec["paths"][path]["get"]
        [parameter] = [p for p in operation["parameters"] if p.get("name") == "format"]
        assert parameter["schema"]["enum"] == ["csv", "xlsx"] and "400" in operation["responses"]
        assert "text/csv" in operation["responses"]["200"]["content"]
    for path in ("/api/v1/forecast/backtest", "/api/v1/twin/devices/{code}"):
        assert not [p for p in spec["paths"][path]["get"].get("parameters", []) if p.get("name") == "format"]


def test_format_stays_an_unknown_field_on_the_backtest_which_does_not_download(api_as):
    response = api_as("lager").get("/api/v1/forecast/backtest?format=csv")
    assert response.status_code == 422 and "format" in error_of(response)["details"]
