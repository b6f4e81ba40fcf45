"""The full export: every table of the metadata in it or named as left out; no password hash or
token secret in any file; the fnr in clear in the full archive and no fnr, name, address or phone in
the variant without personal data; the page only for admin, its full download logged as a use of
fnr; the command line."""
from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from sqlalchemy import select

from hjelpemiddel.archive.export import archive_chunks
from hjelpemiddel.archive.tables import DERIVED_TABLES, EXCLUDED_TABLES
from hjelpemiddel.citizens.models import FnrAccess
from hjelpemiddel.core.auth import ApiToken, User, create_token
from hjelpemiddel.models import metadata

from ..support import post_login

NAME, ADDRESS, PHONE, NOTE = "Astrid Olsen", "Storgata 1", "99887766", "Nøkkelboks 1234"


@pytest.fixture
def people(session, make_user, make_citizen, vault):
    admin = make_user("admin")
    create_token(session, admin.username, "skanner")
    citizen = make_citizen(NAME)
    session.flush()
    return admin, citizen, vault.decrypt(citizen.fnr_encrypted)


def archive(session, vault, personal: bool) -> dict[str, bytes]:
    data = b"".join(archive_chunks(session.connection(), vault, personal))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def rows_of(files: dict[str, bytes], table: str) -> list[dict]:
    columns, *rows = [json.loads(line) for line in files[f"tables/{table}.jsonl"].decode().splitlines()]
    return [dict(zip(columns, row)) for row in rows]


@pytest.mark.parametrize("personal", [True, False], ids=["full", "without personal data"])
def test_no_password_hash_or_token_secret_is_in_any_file_of_either_archive(session, vault, people, personal):
    files = archive(session, vault, personal)
    secrets = [u.password_hash for u in session.scalars(select(User))] + \
              [t.token_hash for t in session.scalars(select(ApiToken))]
    assert secrets
    for name, data in files.items():
        for secret in secrets:
            assert secret.encode() not in data, name
        if name.startswith("tables/"):  # the README names what is left out
            assert b"password_hash" not in data and b"token_hash" not in data, name


def test_every_table_is_in_the_archive_or_named_as_left_out_and_the_manifest_counts_its_rows(session, vault, people):
    files = archive(session, vault, True)
    manifest = json.loads(files["manifest.json"])
    named = {t["name"] for t in manifest["tables"]}
    assert named | set(EXCLUDED_TABLES) | set(DERIVED_TABLES) == set(metadata.tables)
    assert manifest["variant"] == "full" and manifest["format_version"] == 1
    for table in manifest["tables"]:
        assert len(rows_of(files, table["name"])) == table["rows"]
        assert all(column["type"] for column in table["columns"])
        assert f"### `{table['name']}`" in files["README.md"].decode()
    order = [t["name"] for t in manifest["tables"]]
    assert order.index("users") < order.index("citizens") < order.index("needs") < order.index("loans")


def test_the_full_archive_holds_the_fnr_in_clear_and_not_the_encrypted_token(session, vault, people):
    _admin, citizen, fnr = people
    files = archive(session, vault, True)
    [row] = [r for r in rows_of(files, "citizens") if r["id"] == citizen.id]
    assert row["fnr"] == fnr and row["name"] == NAME and row["address"] == ADDRESS
    assert "fnr_encrypted" not in row and "fnr_hash" not in row
    assert not any(citizen.fnr_encrypted.encode() in data for data in files.values())


def test_the_variant_without_personal_data_has_no_fnr_name_address_phone_or_notes_but_keeps_ids(session, vault, people):
    _admin, citizen, fnr = people
    files = archive(session, vault, False)
    for name, data in files.items():
        for personal in (fnr, fnr[:6], NAME, ADDRESS, PHONE, NOTE, citizen.fnr_hash):
            assert personal.encode() not in data, (name, personal)
    [row] = [r for r in rows_of(files, "citizens") if r["id"] == citizen.id]
    assert row["postcode"] == "6509" and set(row) >= {"id", "kommunenummer", "created_by_id"}
    assert json.loads(files["manifest.json"])["variant"] == "without_personal_data"


@pytest.fixture
def logged_in(client, session, make_user):
    def login(role: str):
        user = make_user(role)
        session.commit()
        assert post_login(client, user.username, "test-passord-123").status_code == 302
        return user

    return login


@pytest.mark.parametrize("role", ["lager", "terapeut", "sjafor"])
def test_only_admin_reaches_the_export_page(client, logged_in, role):
    logged_in(role)
    assert client.get("/admin/eksport").status_code == 403
    assert client.post("/admin/eksport", data={"variant": "full"}).status_code in (400, 403)


def _download(client, variant: str):
    page = client.get("/admin/eksport")
    assert page.status_code == 200 and "Last ned full eksport" in page.get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    return client.post("/admin/eksport", data={"csrf_token": token, "variant": variant})


def test_the_admins_full_download_is_a_zip_and_is_logged_as_a_use_of_fnr(client, session, logged_in, people):
    admin = logged_in("admin")
    answer = _download(client, "full")
    assert answer.status_code == 200 and answer.mimetype == "application/zip"
    assert "hjelpemiddel-eksport-" in answer.headers["Content-Disposition"]
    files = zipfile.ZipFile(io.BytesIO(answer.get_data())).namelist()
    assert "manifest.json" in files and "tables/devices.jsonl" in files
    logged = session.scalars(select(FnrAccess).where(FnrAccess.user_id == admin.id, FnrAccess.action == "export")).all()
    assert len(logged) == 1


def test_the_download_without_personal_data_is_not_logged_as_a_use_of_fnr(client, session, logged_in, people):
    admin = logged_in("admin")
    answer = _download(client, "uten-personopplysninger")
    assert answer.status_code == 200 and "uten-personopplysninger" in answer.headers["Content-Disposition"]
    assert json.loads(zipfile.ZipFile(io.BytesIO(answer.get_data())).read("manifest.json"))["variant"] == \
        "without_personal_data"
    assert not session.scalars(select(FnrAccess).where(FnrAccess.user_id == admin.id,
                                                       FnrAccess.action == "export")).all()


def test_the_export_command_writes_the_archive_and_an_import_into_a_database_with_data_is_refused(
        hjelpemiddel, people, tmp_path):
    path = tmp_path / "eksport.zip"
    done = hjelpemiddel("export", "--without-personal-data", "--output", str(path))
    assert done.exit_code == 0, done.output
    assert "Eksporten er skrevet til" in done.output
    assert json.loads(zipfile.ZipFile(path).read("manifest.json"))["variant"] == "without_personal_data"
    refused = hjelpemiddel("import-archive", str(path))
    assert refused.exit_code != 0 and "uten personopplysninger" in refused.output
    full = tmp_path / "full.zip"
    assert hjelpemiddel("export", "--output", str(full)).exit_code == 0
    refused = hjelpemiddel("import-archive", str(full))
    assert refused.exit_code != 0 and "ikke tom" in refused.output


def test_a_file_that_is_not_an_archive_is_refused_by_the_import_command(hjelpemiddel, tmp_path):
    path = tmp_path / "tull.zip"
    path.write_bytes(b"ikke et arkiv")
    refused = hjelpemiddel("import-archive", str(path))
    assert refused.exit_code != 0 and "zip-arkiv" in refused.output


def test_text_with_backslashes_quotes_line_breaks_and_norwegian_letters_comes_out_as_it_went_in(session, vault, people):
    from hjelpemiddel.catalog.services import create_product

    name = 'Rullator «Lett» \\ 2"\tbred\nÆØÅ æøå \\\\n'
    product = create_product(session, hms_nr=None, name=name, iso_class="120606")
    session.flush()
    [row] = [r for r in rows_of(archive(session, vault, True), "products") if r["id"] == product.id]
    assert row["name"] == name


def test_a_stored_pdf_is_in_the_archive_as_base64_of_the_same_bytes(session, vault, people):
    import base64

    from hjelpemiddel.reports.models import MonthlyReport

    pdf = b"%PDF-1.4\x00\xff\n\\" * 200
    session.add(MonthlyReport(month="2026-11", pdf=pdf))
    session.flush()
    files = archive(session, vault, True)
    [row] = rows_of(files, "monthly_reports")
    assert base64.b64decode(row["pdf"]) == pdf
    assert {"name": "pdf", "type": "base64"} in next(t["columns"] for t in json.loads(files["manifest.json"])["tables"]
                                                      if t["name"] == "monthly_reports")


def test_a_download_stopped_halfway_leaves_the_connection_usable(session, vault, people, rollator):
    from hjelpemiddel.archive import export

    from hjelpemiddel.stock.services import register_device

    for _ in range(30):
        register_device(session, people[0].id, rollator.id)
    session.flush()
    chunks = archive_chunks(session.connection(), vault, True)
    original = export.CHUNK
    export.CHUNK = 1  # a chunk after every batch: the stream stops in the middle of the tables
    try:
        assert next(chunks)
        chunks.close()
    finally:
        export.CHUNK = original
    assert session.scalar(select(User.id).limit(1))


def test_an_fnr_the_keys_cannot_read_stops_the_export_command_and_leaves_no_file(hjelpemiddel, session, people, tmp_path):
    _admin, citizen, _fnr = people
    citizen.fnr_encrypted = "ikke-et-token"
    session.flush()
    path = tmp_path / "eksport.zip"
    refused = hjelpemiddel("export", "--output", str(path))
    assert refused.exit_code != 0 and "FNR_ENCRYPTION_KEYS" in refused.output
    assert not path.exists()
