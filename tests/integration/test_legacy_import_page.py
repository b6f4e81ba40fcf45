import io
import re

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from hjelpemiddel.stock.models import Device

from ..support import post_login
from .test_legacy_import import DEVICES, LOCATIONS, PRODUCTS


@pytest.fixture
def logged_in(client, session, make_user):
    def login(role: str):
        user = make_user(role)
        session.commit()
        assert post_login(client, user.username, "test-passord-123").status_code == 302
        return user

    return login


def _csrf(page) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)


@pytest.mark.parametrize("role", ["lager", "terapeut", "sjafor"])
def test_only_admin_reaches_the_import_page(client, logged_in, role):
    logged_in(role)
    assert client.get("/admin/import").status_code == 403
    assert client.post("/admin/import").status_code in (400, 403)


def _upload(client, name: str, raw: bytes):
    token = _csrf(client.get("/admin/import"))
    return client.post("/admin/import", data={"csrf_token": token, "file": (io.BytesIO(raw), name)},
                       content_type="multipart/form-data")


def _workbook() -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, text in (("Enheter", DEVICES), ("Produkter", PRODUCTS), ("Lokasjoner", LOCATIONS)):
        sheet = book.create_sheet(title)
        for line in text.splitlines():
            sheet.append(line.split(";"))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_the_admin_sees_a_filterable_dry_run_and_then_imports_for_real(client, session, logged_in):
    logged_in("admin")
    answer = _upload(client, "gammelt-system.xlsx", _workbook())
    report_url = answer.headers["Location"]
    refused = client.get(report_url + "?utfall=refused")
    text = refused.get_data(as_text=True)
    assert "Produkt: ukjent: HMS-nr 999999" in text and "Gammel strekkode" not in text
    assert "4 opprettes, 0 oppdateres, 0 uendret, 2 avvist." in text
    assert session.scalar(select(func.count()).select_from(Device)) == 0
    done = client.post(report_url, data={"csrf_token": _csrf(refused)})
    assert done.status_code == 200 and "Importen er ferdig" in done.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Device)) == 1
    assert client.get(report_url).status_code == 404  # the upload is gone once imported


def test_a_file_that_cannot_be_read_gets_a_friendly_message(client, logged_in):
    logged_in("admin")
    answer = _upload(client, "data.csv", PRODUCTS.encode())
    assert answer.status_code == 400 and "filnavnet må si hva filen har" in answer.get_data(as_text=True)
