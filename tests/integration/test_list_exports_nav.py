"""The NAV lists download as CSV and XLSX, with their filters applied, for the roles that may see the
list, with the citizen by masked name at most, and never a fødselsnummer (nor its keyed hash) in them."""
from __future__ import annotations

import io
import re

import openpyxl
import pytest

from integrations.nav.port import OrderLine

from hjelpemiddel.catalog.services import create_product
from hjelpemiddel.core.fnr import make_fnr
from hjelpemiddel.core.openapi import build_openapi
from hjelpemiddel.lending import services as lending
from hjelpemiddel.nav import services as nav
from hjelpemiddel.stock.services import register_device

from ..support import ROLES, assert_role_answer, error_of
from .desk import TOMORROW
from .test_list_exports import ALL_TEST_FNRS, FORMATS, downloaded, read_rows, with_format, table

BED = ("291003", "Seng Opus 90EW", "18121501")
CHAIR = ("236958", "Panthera U3 Light", "12220301")
TYRE = {"hmsnr": "150817", "navn": 'Dekk 24"', "kategori": "Dekk", "antall": 2}
# Someone NAV delivers to who is not registered here: their fnr comes with the order line all the same.
STRANGER_FNR = next(fnr for n in range(950, 999) if (fnr := make_fnr("150342", f"{n:03d}")))

# (list, address without format, roles besides admin that may see it)
LISTS = [
    ("deliveries page", "/lager/nav?liste=leveranser", {"lager"}),
    ("deliveries page without liste", "/lager/nav", {"lager"}),
    ("arrivals page", "/lager/nav?liste=mottak", {"lager"}),
    ("nav returns page", "/lager/nav?liste=retur", {"lager"}),
    ("deliveries api", "/api/v1/nav/upcoming", {"lager"}),
    ("arrivals api", "/api/v1/nav/arrivals", {"lager"}),
    ("part orders api", "/api/v1/nav/part-orders", {"lager", "sjafor"}),
]


def order_line(number: str, serial: str, fnr: str, status: str = "AWAITING_SHIPPING") -> OrderLine:
    return OrderLine(ordre_number=number, line_number=1, ordered_item=BED[0], quantity=1,
                     user_item_type="Individstyrt hjelpemiddel", shipment_number="1", description=BED[1],
                     category_num=BED[2], account_number=fnr, send_til_addresse1="6509 Kristiansund",
                     serie_nummer_liste=(serial,), status=status, last_update_date="2024-03-01 09:00:00")


@pytest.fixture
def nav_lists(session, app, vault, actor, therapist, make_citizen, depot):
    """Order lines still expected (one for a citizen registered here, one for a stranger) and one
    received; an arrival open and one resolved; a NAV unit back from loan awaiting the decision; a NAV
    unit on loan with a part order, and the returned one with one from before its return."""
    with app.app_context():
        create_product(session, hms_nr=BED[0], name=BED[1], iso_class=BED[2], supplier="Invacare")
        chair = create_product(session, hms_nr=CHAIR[0], name=CHAIR[1], iso_class=CHAIR[2], supplier="Permobil")
        astrid = make_citizen("Astrid Olsen")
        astrid_fnr = vault.decrypt(astrid.fnr_encrypted)
        nav.apply_order_lines(session, vault, [order_line("7001", "687273", astrid_fnr),
                                               order_line("7002", "687274", STRANGER_FNR, "SHIPPED"),
                                               order_line("7003", "687299", astrid_fnr)])
        nav.receive_nav_device(session, actor.id, BED[0], "687299", "A-01-2")
        nav.receive_nav_device(session, actor.id, BED[0], "700001", "A-01-2", note="Kom uten papirer")
        other = nav.receive_nav_device(session, actor.id, BED[0], "700002", "A-01-2").arrival
        nav.resolve_arrival(session, actor.id, other.id, "Tilhører en annen kommune")

        bjorn = make_citizen("Bjørn Berg")

        def on_loan(serial: str):
            unit = register_device(session, actor.id, chair.id, owner="nav", nav_hms_nr=CHAIR[0], nav_serial=serial,
                                   location_code="A-01-2")
            need = lending.register_need(session, therapist.id, "terapeut", bjorn.id, TOMORROW, "normal", "long_term",
                                         product_id=chair.id)
            lending.decide_need(session, therapist.id, "terapeut", need.id, "send_to_nav")
            lending.reserve_for_need(session, actor.id, need.id, unit.barcode)
            return lending.hand_over(session, actor.id, unit.barcode)

        loaned, returned = on_loan("401234"), on_loan("512345")
        nav.order_parts(session, actor.id, loaned.device.barcode, [TYRE], "TIL_XK_LAGER")
        nav.order_parts(session, actor.id, returned.device.barcode, [{**TYRE, "navn": "Slange 24"}], "TIL_SERVICE_OPPDRAG")
        lending.request_return(session, actor.id, returned.id, "need_ended")
        lending.receive_at_depot(session, actor.id, returned.device.barcode)
        session.flush()
        return {"loaned": loaned.device.barcode, "returned": returned.device.barcode,
                "fnrs": [astrid_fnr, STRANGER_FNR], "hashes": [vault.lookup_hash(astrid_fnr), vault.lookup_hash(STRANGER_FNR)]}


def download(client, address: str, fmt: str = "csv") -> list[dict]:
    """The file's rows as dicts by heading."""
    return table(client.get(with_format(address, fmt)), fmt)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name,address,allowed", LISTS, ids=[case[0] for case in LISTS])
def test_every_nav_list_downloads_for_admin_with_headings_and_no_fnr(api_as, nav_lists, name, address, allowed, fmt):
    rows = downloaded(api_as("admin").get(with_format(address.format(**nav_lists), fmt)), fmt,
                      forbidden=[*ALL_TEST_FNRS, *nav_lists["fnrs"], *nav_lists["hashes"]])
    assert len(rows) > 1 and all(heading for heading in rows[0]), "bokmål headings, then the rows"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name,address,allowed", LISTS, ids=[case[0] for case in LISTS])
def test_a_nav_download_answers_each_role_as_its_list_does(api_as, nav_lists, name, address, allowed, role):
    # Pages answer a program (Accept: JSON) in the API's shape: 401, or 403 naming the role.
    response = api_as(role).get(with_format(address.format(**nav_lists), "csv"), headers={"Accept": "application/json"})
    assert_role_answer(response, role, allowed)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("address,wanted,unwanted", [
    ("/lager/nav?liste=leveranser", "687273", "687299"),
    ("/api/v1/nav/upcoming", "687274", "687299"),
    ("/api/v1/nav/upcoming?state=received", "687299", "687273"),
    ("/lager/nav?liste=leveranser&sok=7001", "687273", "687274"),
    ("/api/v1/nav/upcoming?q=7002", "687274", "687273"),
    ("/lager/nav?liste=mottak", "700001", "700002"),
    ("/api/v1/nav/arrivals", "Kom uten papirer", "Tilhører en annen kommune"),
    ("/api/v1/nav/arrivals?status=resolved", "Tilhører en annen kommune", "700001"),
    ("/lager/nav?liste=retur", "{returned}", "{loaned}"),
    ("/api/v1/nav/part-orders?barcode={loaned}", "{loaned}", "{returned}"),
])
def test_a_filtered_nav_download_holds_only_the_matching_rows(api_as, nav_lists, address, wanted, unwanted, fmt):
    response = api_as("admin").get(with_format(address.format(**nav_lists), fmt))
    assert response.status_code == 200, response.get_data()[:300]
    cells = {cell for row in read_rows(response.get_data(), fmt) for cell in row}
    assert wanted.format(**nav_lists) in cells
    assert unwanted.format(**nav_lists) not in cells


def test_the_deliveries_download_says_what_comes_to_whom_in_words_with_the_citizen_masked(api_as, nav_lists):
    rows = {row["Ordre"]: row for row in download(api_as("lager"), "/lager/nav?liste=leveranser")}
    assert set(rows) == {"7001", "7002"}
    astrid, stranger = rows["7001"], rows["7002"]
    assert (astrid["Hva"], astrid["HMS-nr"], astrid["Serienr"], astrid["Type"]) == (BED[1], BED[0], "687273", "Hjelpemiddel")
    assert (astrid["Til"], astrid["NAV-status"], astrid["Sendt fra NAV"], astrid["Status"]) == (
        "Astrid O.", "Venter på utsending", "Nei", "Ventet")
    assert (stranger["Til"], stranger["NAV-status"], stranger["Sendt fra NAV"]) == ("", "Sendt fra NAV", "Ja")
    assert stranger["Ventet"] == "04.03.2024"  # shipped Friday 1 March: the next working day
    assert not any("Astrid Olsen" in value or "Kristiansund" in value for row in rows.values() for value in row.values())


def test_the_deliveries_workbook_has_the_expected_day_as_a_date(api_as, nav_lists):
    response = api_as("lager").get("/api/v1/nav/upcoming?format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    headings = [cell.value for cell in sheet[1]]
    days = {row[headings.index("Ordre")]: row[headings.index("Ventet")] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert days["7002"].date().isoformat() == "2024-03-04"
    assert all(isinstance(row[headings.index("Linje")], int) for row in sheet.iter_rows(min_row=2, values_only=True))


def test_the_arrivals_download_names_who_received_and_how_each_was_resolved(api_as, nav_lists, actor):
    [resolved] = download(api_as("lager"), "/api/v1/nav/arrivals?status=resolved")
    assert (resolved["Serienr"], resolved["Status"], resolved["Hva ble gjort"]) == (
        "700002", "Avklart", "Tilhører en annen kommune")
    assert resolved["Mottatt av"] == resolved["Avklart av"] == actor.full_name
    assert all(re.fullmatch(r"\d\d\.\d\d\.\d{4} \d\d:\d\d", resolved[key]) for key in ("Mottatt", "Avklart"))
    [open_one] = download(api_as("lager"), "/lager/nav?liste=mottak")
    assert (open_one["Serienr"], open_one["Status"], open_one["Merknad"], open_one["Avklart"]) == (
        "700001", "Ikke avklart", "Kom uten papirer", "")


def test_the_nav_returns_download_has_the_unit_and_when_it_came_back(api_as, nav_lists):
    [unit] = download(api_as("lager"), "/lager/nav?liste=retur")
    assert (unit["Strekkode"], unit["Produkt"], unit["HMS-nr"], unit["Serienr"], unit["Lokasjon"]) == (
        nav_lists["returned"], CHAIR[1], CHAIR[0], "512345", "HL")
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4} \d\d:\d\d", unit["Mottatt i retur"]), "a moment as people write it"


def test_the_part_orders_download_lists_the_parts_delivery_and_status_in_words(api_as, nav_lists):
    rows = {row["Strekkode"]: row for row in download(api_as("sjafor"), "/api/v1/nav/part-orders")}
    assert set(rows) == {nav_lists["loaned"], nav_lists["returned"]}
    order = rows[nav_lists["loaned"]]
    assert (order["Produkt"], order["HMS-nr"], order["Serienr"]) == (CHAIR[1], CHAIR[0], "401234")
    assert (order["Deler"], order["Levering"]) == ('2 × Dekk 24" (150817)', "Til kommunens lager")
    assert order["Status"] == "Venter på å bli sendt (NAV svarer ikke)" and order["Bestilt"]
    assert rows[nav_lists["returned"]]["Levering"] == "Til serviceoppdraget"


def test_a_part_order_download_for_an_unknown_unit_is_refused_before_it_starts(api_as, nav_lists):
    response = api_as("lager").get("/api/v1/nav/part-orders?barcode=HJM0000000&format=csv")
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"


def test_the_nav_page_links_each_list_download_without_its_page_or_the_citizen_search(api_as, nav_lists):
    html = api_as("lager").get("/lager/nav?innbygger=Ast&side_leveranser=1&side_mottak=1").get_data(as_text=True)
    for liste in ("leveranser", "mottak", "retur"):
        assert f'href="/lager/nav?liste={liste}&amp;format=csv"' in html
        assert f'href="/lager/nav?liste={liste}&amp;format=xlsx"' in html


def test_a_nav_page_answering_a_refused_form_offers_no_download_of_the_forms_address(api_as, nav_lists):
    response = api_as("lager").post("/lager/nav/mottak/999999/avklar", data={"resolution": "x"})
    assert response.status_code == 404 and "Fant ikke mottak" in response.get_data(as_text=True)
    assert "format=csv" not in response.get_data(as_text=True)


def test_the_openapi_document_offers_format_on_the_nav_list_operations(app):
    with app.app_context():
        spec = build_openapi(app)
    for path in ("/api/v1/nav/upcoming", "/api/v1/nav/arrivals", "/api/v1/nav/part-orders"):
        operation = spec["paths"][path]["get"]
        [parameter] = [p for p in operation["parameters"] if p.get("name") == "format"]
        assert parameter["schema"]["enum"] == ["csv", "xlsx"] and "400" in operation["responses"]


@pytest.mark.parametrize("address", ["/api/v1/nav/part-orders", "/api/v1/nav/arrivals?status=resolved"])
def test_the_nav_lists_in_the_api_are_paged_by_limit_and_offset(api_as, nav_lists, address):
    api = api_as("lager")
    whole = api.get(address).get_json()
    glue = "&" if "?" in address else "?"
    pages = [api.get(f"{address}{glue}limit=1&offset={offset}").get_json() for offset in range(len(whole) + 1)]
    assert [item["id"] for page in pages for item in page] == [item["id"] for item in whole]
    assert pages[-1] == []
    refused = api.get(f"{address}{glue}limit=0")
    assert refused.status_code == 422 and "limit" in error_of(refused)["details"]


def test_the_deliveries_on_the_nav_page_are_searched_by_order_hms_nr_or_what_is_sent(api_as, nav_lists):
    api = api_as("lager")

    def shown(sok: str) -> str:
        page = api.get(f"/lager/nav?sok={sok}").get_data(as_text=True)
        start = page.index('data-testid="upcoming"')
        return page[start:page.index("</section>", start)]

    assert "687274" in shown("7002") and "687273" not in shown("7002")
    assert "687273" in shown(BED[0]) and "687274" in shown(BED[0])
    assert "Ingen leveranser passer søket." in shown("finnes-ikke")
    assert api.get("/api/v1/nav/upcoming?q=" + "x" * 101).status_code == 422
