"""Every list downloads as CSV and XLSX with its filters applied, for the roles that may see the list,
and never with a fødselsnummer in it."""
from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pytest

from hjelpemiddel.catalog.services import create_product
from hjelpemiddel.core.fnr import make_fnr
from hjelpemiddel.core.openapi import build_openapi
from hjelpemiddel.incidents import services as incidents
from hjelpemiddel.logistics import services as logistics
from hjelpemiddel.maintenance import services as maintenance
from hjelpemiddel.recalls import services as recalls
from hjelpemiddel.stock.services import create_location, register_device
from hjelpemiddel.stocktake import services as stocktake

from ..support import ROLES, assert_role_answer, error_of
from .desk import TOMORROW, plan

# Every fnr the citizen fixture can hand out: none may be in any download.
ALL_TEST_FNRS = [fnr for n in range(100, 999) if (fnr := make_fnr("150342", f"{n:03d}"))]

# (list, address without format, roles besides admin that may see it)
LISTS = [
    ("catalogue page", "/katalog", {"lager", "sjafor", "terapeut"}),
    ("catalogue api", "/api/v1/products", {"lager", "sjafor", "terapeut"}),
    ("devices page", "/hjelpemidler", {"lager", "sjafor", "terapeut"}),
    ("devices api", "/api/v1/devices", {"lager", "sjafor", "terapeut"}),
    ("queue page", "/lager/utlan?liste=ko", {"lager"}),
    ("undecided page", "/lager/utlan?liste=vedtak", {"lager"}),
    ("returns page", "/lager/utlan?liste=retur", {"lager"}),
    ("needs api", "/api/v1/needs", {"lager", "terapeut"}),
    ("queue api", "/api/v1/needs/queue", {"lager"}),
    ("loans api", "/api/v1/loans", {"lager", "terapeut"}),  # a therapist names a citizen: see below
    ("runs page", f"/lager/runder?dato={TOMORROW.strftime('%d.%m.%Y')}", {"lager"}),
    ("runs api", f"/api/v1/runs?run_date={TOMORROW.isoformat()}", {"lager", "sjafor"}),
    ("inspections page", "/lager/kontroller", {"lager"}),
    ("inspections api", "/api/v1/inspections/due", {"lager"}),
    ("recalls page", "/lager/tilbakekalling", {"lager"}),
    ("recalls api", "/api/v1/recalls", {"lager"}),
    ("recall board page", "/lager/tilbakekalling/{recall}", {"lager"}),
    ("recall board api", "/api/v1/recalls/{recall}", {"lager"}),
    ("incidents page", "/lager/uhell", {"lager"}),
    ("incidents api", "/api/v1/incidents", {"lager"}),
    ("quarantine page", "/lager/karantene", {"lager"}),
    ("quarantine api", "/api/v1/quarantine", {"lager"}),
    ("spare parts page", "/lager/reservedeler", {"lager"}),
    ("spare parts api", "/api/v1/spare-parts", {"lager", "sjafor"}),
    ("failure figures page", "/lager/feilstatistikk", {"lager"}),
    ("failure figures api", "/api/v1/failure-figures?date_from=2020-01-01&date_to=2030-01-01", {"lager"}),
    ("stocktakes page", "/lager/varetelling", {"lager"}),
    ("stocktakes api", "/api/v1/stocktakes", {"lager"}),
    ("users page", "/admin/brukere?status=alle", set()),
    ("fnr follow-up page", "/admin/fnr-tilgang", set()),
    ("fnr follow-up api", "/api/v1/fnr-access/follow-up", set()),
]
FORMATS = ("csv", "xlsx")


def with_format(address: str, fmt: str) -> str:
    return f"{address}{'&' if '?' in address else '?'}format={fmt}"


def read_rows(body: bytes, fmt: str) -> list[list]:
    """The file as a list of rows of strings (headings first), read back as a spreadsheet would."""
    if fmt == "csv":
        assert body.startswith(b"\xef\xbb\xbf"), "a byte-order mark, so Excel reads æøå"
        return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True).active
    return [["" if value is None else str(value) for value in row] for row in sheet.iter_rows(values_only=True)]


def all_text(body: bytes, fmt: str) -> str:
    """Every byte of the file as text, the workbook's parts unpacked, to look for what must not be there."""
    if fmt == "csv":
        return body.decode("utf-8-sig")
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return "".join(archive.read(name).decode("utf-8") for name in archive.namelist())


def downloaded(response, fmt: str, forbidden=ALL_TEST_FNRS) -> list[list]:
    """A download's rows, headings first, once it is seen to be an attachment of that format with none
    of ``forbidden`` (fødselsnumre) anywhere in it."""
    assert response.status_code == 200, response.get_data()[:300]
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert response.headers["Content-Disposition"].rstrip('"').endswith(f".{fmt}")
    body = response.get_data()
    text = all_text(body, fmt)
    assert not [value for value in forbidden if value in text]
    return read_rows(body, fmt)


def table(response, fmt: str = "csv") -> list[dict[str, str]]:
    """The file's rows by heading."""
    assert response.status_code == 200, response.get_data()[:300]
    headings, *rows = read_rows(response.get_data(), fmt)
    return [dict(zip(headings, row)) for row in rows]


@pytest.fixture
def seeded(session, desk, actor, make_user, van):
    """Loans to collect and active, a reserved need on tomorrow's run and one waiting in the queue, a
    unit in quarantine with a formula for a note, an incident, parts, a recall and a stocktake."""
    driver = make_user("sjafor")
    desk.loan_to_collect(desk.citizen("Cecilie Dahl"))
    desk.loan(desk.citizen("David Eng"))
    desk.units(1)
    astrid = desk.need(desk.citizen("Astrid Olsen"))
    bjorn = desk.need(desk.citizen("Bjørn Berg"))
    logistics.create_run(session, actor.id, TOMORROW, driver=driver.username, van="BIL1")
    plan(session, actor)
    chair = create_product(session, hms_nr=None, name="Dusjkrakk Export", iso_class="093303")
    broken, crashed = (register_device(session, actor.id, chair.id, location_code="A-01-2", serial_number=serial)
                       for serial in ("101", "102"))
    lent = register_device(session, actor.id, chair.id, location_code="A-01-2", serial_number="5")
    maintenance.quarantine_device(session, actor.id, broken.barcode, "damage", note="=HYPERLINK(\"x\")")
    incidents.report_incident(session, actor.id, crashed.barcode, "Hjemme", "Veltet i trappen", "none")
    maintenance.create_spare_part(session, actor.id, "DEL-LAV", "Bremsekabel", quantity=1, minimum_quantity=5)
    maintenance.create_spare_part(session, actor.id, "DEL-OK", "Hjulsett", quantity=9, minimum_quantity=2)
    recall = recalls.register_recall(session, actor.id, "Sømmen kan revne", [chair.id], "range", "quarantine",
                                     serial_from=1, serial_to=9)
    create_location(session, "C", "zone", "Sone C", parent_code="HL", x=20, y=0)
    stocktake.start_stocktake(session, actor.id, "C")
    session.flush()
    return {"astrid": astrid, "bjorn": bjorn, "broken": broken.barcode, "crashed": crashed.barcode,
            "driver": driver.username, "therapist": desk.therapist.username, "recall": recall.id,
            "recalled": lent.barcode}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name,address,allowed", LISTS, ids=[case[0] for case in LISTS])
def test_every_list_downloads_for_admin_with_headings_and_no_fnr(api_as, seeded, name, address, allowed, fmt):
    rows = downloaded(api_as("admin").get(with_format(address.format(**seeded), fmt)), fmt)
    assert rows and all(heading for heading in rows[0]), "bokmål headings first"


@pytest.mark.parametrize("name,address,allowed", LISTS, ids=[case[0] for case in LISTS])
def test_a_download_answers_each_role_as_its_list_does(api_as, seeded, name, address, allowed):
    for role in ROLES:
        # Pages answer a program (Accept: JSON) in the API's shape: 401, or 403 naming the role.
        response = api_as(role).get(with_format(address.format(**seeded), "csv"), headers={"Accept": "application/json"})
        assert_role_answer(response, role, allowed)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("address,wanted,unwanted", [
    ("/hjelpemidler?q={broken}", "{broken}", "{crashed}"),
    ("/api/v1/devices?q={crashed}", "{crashed}", "{broken}"),
    ("/lager/utlan?liste=ko", "Bjørn Berg", "Astrid Olsen"),
    ("/lager/utlan?liste=retur", "Cecilie Dahl", "David Eng"),
    ("/api/v1/needs?status=approved", "Bjørn Berg", "Cecilie Dahl"),
    ("/api/v1/loans?status=return_requested", "Cecilie Dahl", "David Eng"),
    ("/lager/karantene?reason=damage", "{broken}", "{crashed}"),
    ("/api/v1/quarantine?reason=incident", "{crashed}", "{broken}"),
    ("/lager/uhell?q={crashed}", "Veltet i trappen", "{broken}"),
    ("/lager/reservedeler?under_minimum=1", "DEL-LAV", "DEL-OK"),
    ("/katalog?q=dusjkrakk&sort=navn", "Dusjkrakk Export", "Rollator Topro Olympos M"),
    ("/api/v1/products?iso_class=1206", "Rollator Topro Olympos M", "Dusjkrakk Export"),
    ("/api/v1/spare-parts?q=hjul", "DEL-OK", "DEL-LAV"),
    ("/admin/brukere?role=sjafor", "{driver}", "{therapist}"),
    ("/lager/tilbakekalling?q=sømmen", "Sømmen kan revne", "Ingen"),
    ("/lager/tilbakekalling?q=finnes-ikke", "Tittel", "Sømmen kan revne"),
    ("/lager/tilbakekalling/{recall}?funnet=shelf", "{recalled}", "Tittel"),
    ("/api/v1/recalls/{recall}?found=home", "Strekkode", "{recalled}"),
])
def test_a_filtered_download_holds_only_the_matching_rows(api_as, seeded, address, wanted, unwanted, fmt):
    response = api_as("admin").get(with_format(address.format(**seeded), fmt))
    assert response.status_code == 200, response.get_data()[:300]
    cells = {cell for row in read_rows(response.get_data(), fmt) for cell in row}
    assert wanted.format(**seeded) in cells
    assert unwanted.format(**seeded) not in cells


def test_the_run_download_has_a_row_per_visit_with_the_citizen_by_name(api_as, seeded):
    response = api_as("lager").get(f"/api/v1/runs?run_date={TOMORROW.isoformat()}&format=csv")
    rows = read_rows(response.get_data(), "csv")
    headings, visits = rows[0], rows[1:]
    assert sorted((row[headings.index("Innbygger")], row[headings.index("Besøk")]) for row in visits) == [
        ("Astrid Olsen", "Levering"), ("Cecilie Dahl", "Henting")]
    assert all(row[headings.index("Sjåfør")] and row[headings.index("Bil")] == "BIL1" for row in visits)


def test_a_text_that_looks_like_a_formula_is_defused_in_csv_and_kept_as_text_in_xlsx(api_as, seeded):
    client = api_as("lager")
    csv_rows = read_rows(client.get("/lager/karantene?reason=damage&format=csv").get_data(), "csv")
    assert csv_rows[1][csv_rows[0].index("Merknad")] == "'=HYPERLINK(\"x\")"
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/lager/karantene?reason=damage&format=xlsx").get_data())).active
    note = sheet.cell(row=2, column=csv_rows[0].index("Merknad") + 1)
    assert note.data_type == "s" and note.value == "=HYPERLINK(\"x\")"


def test_xlsx_has_dates_as_dates_and_numbers_as_numbers(api_as, seeded):
    sheet = openpyxl.load_workbook(io.BytesIO(api_as("lager").get("/lager/reservedeler?format=xlsx").get_data())).active
    headings = [cell.value for cell in sheet[1]]
    assert {cell.value for cell in sheet[2]} >= {"Bremsekabel"} or {cell.value for cell in sheet[3]} >= {"Bremsekabel"}
    assert all(isinstance(row[headings.index("På lager")], int) for row in sheet.iter_rows(min_row=2, values_only=True))
    sheet = openpyxl.load_workbook(io.BytesIO(api_as("lager").get("/api/v1/needs?format=xlsx").get_data())).active
    headings = [cell.value for cell in sheet[1]]
    assert all(row[headings.index("Trengs innen")].date() == TOMORROW
               for row in sheet.iter_rows(min_row=2, values_only=True))


def test_a_therapist_downloads_the_needs_of_their_own_citizens_only(api_as, session, seeded, make_user, desk):
    from hjelpemiddel.core.auth import create_token
    from hjelpemiddel.lending import services as lending

    other = make_user("terapeut")
    stranger = desk.make_citizen("Kari Fremmed", by=other)
    lending.register_need(session, other.id, "terapeut", stranger.id, TOMORROW, "normal", "short_term",
                          product_id=desk.product.id)
    client = api_as(None)
    client.headers = {"Authorization": f"Bearer {create_token(session, desk.therapist.username)}"}
    names = {row[0] for row in read_rows(client.get("/api/v1/needs?format=csv").get_data(), "csv")[1:]}
    assert "Astrid Olsen" in names and "Kari Fremmed" not in names
    client.headers = {"Authorization": f"Bearer {create_token(session, other.username)}"}
    names = {row[0] for row in read_rows(client.get("/api/v1/needs?format=xlsx").get_data(), "xlsx")[1:]}
    assert names == {"Kari Fremmed"}


def test_a_therapist_downloads_the_loans_of_their_own_citizen_only(api_as, session, seeded, desk):
    therapist = api_as(None)
    from hjelpemiddel.core.auth import create_token

    therapist.headers = {"Authorization": f"Bearer {create_token(session, desk.therapist.username)}"}
    citizen_id = seeded["astrid"].citizen_id
    assert therapist.get(f"/api/v1/loans?citizen_id={citizen_id}&format=csv").status_code == 200
    refused = therapist.get("/api/v1/loans?format=csv")
    assert refused.status_code == 422 and "citizen_id" in error_of(refused)["details"]


@pytest.mark.parametrize("address", ["/api/v1/devices?format=pdf", "/api/v1/needs?format=", "/hjelpemidler?format=CSV",
                                     "/lager/karantene?format=xls"])
def test_an_unknown_format_is_refused_naming_the_field(api_as, address):
    response = api_as("admin").get(address, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert error_of(response)["details"] == {"format": ["Velg csv eller xlsx."]}


@pytest.mark.parametrize("address", ["/lager/utlan", "/lager/nav", "/lager/tvilling", "/lager/oversikt", "/lager/prognose"])
def test_a_page_of_several_lists_refuses_a_list_it_does_not_have_naming_the_field(api_as, address):
    response = api_as("admin").get(f"{address}?liste=alt&format=csv", headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert set(error_of(response)["details"]) == {"liste"}
    assert error_of(response)["message"].startswith("Liste: velg ")


def test_each_list_page_links_its_downloads_with_its_filters_and_without_its_page(api_as, seeded):
    html = api_as("lager").get("/lager/reservedeler?q=del&side=1").get_data(as_text=True)
    assert 'href="/lager/reservedeler?q=del&amp;format=csv"' in html
    assert 'href="/lager/reservedeler?q=del&amp;format=xlsx"' in html
    assert "Last ned CSV" in html and "Last ned Excel" in html


def test_the_openapi_document_offers_format_on_the_list_operations(app):
    with app.app_context():
        spec = build_openapi(app)
    operation = spec["paths"]["/api/v1/devices"]["get"]
    [parameter] = [p for p in operation["parameters"] if p.get("name") == "format"]
    assert parameter["schema"]["enum"] == ["csv", "xlsx"]
    assert {"text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"} <= set(
        operation["responses"]["200"]["content"])
    assert "400" in operation["responses"]


def test_format_stays_an_unknown_field_where_a_list_does_not_download(api_as):
    response = api_as("lager").get("/api/v1/locations?format=csv")
    assert response.status_code == 422 and "format" in error_of(response)["details"]
