"""The full export read back: the demo depot exported, imported into a fresh database under other
fnr keys, and exported again gives the same tables, row for row (all but the archive's own time)."""
from __future__ import annotations

import io
import json
import zipfile

import pytest
from sqlalchemy import func, select, text

from hjelpemiddel import create_app
from hjelpemiddel.archive.export import archive_chunks, snapshot
from hjelpemiddel.archive.importing import import_archive
from hjelpemiddel.catalog.models import Product
from hjelpemiddel.catalog.services import create_product
from hjelpemiddel.cli import upgrade_database
from hjelpemiddel.core.db import get_database
from hjelpemiddel.demo import load_demo
from hjelpemiddel.stock.models import Device
from hjelpemiddel.twin.models import REBUILD_SQL

from ..conftest import TEST_FNR_KEYS, TEST_SECRET
from ..support import fresh_database_url

OTHER_KEYS = {"FNR_ENCRYPTION_KEYS": "Q2xlYXJseS1hbm90aGVyLWtleS1mb3ItdGhlLXRlc3Q=", "FNR_HASH_KEY": "other-hash-key"}


def make_app(name: str, keys: dict):
    app = create_app({"DATABASE_URL": fresh_database_url(name), "SECRET_KEY": TEST_SECRET, "TESTING": True,
                      "TOKEN_CACHE_SECONDS": 0, **keys})
    upgrade_database(app)
    return app


def export(app) -> bytes:
    with snapshot(get_database(app).engine) as connection:
        return b"".join(archive_chunks(connection, app.extensions["fnr_vault"], personal=True))


def contents(archive: bytes) -> dict[str, list[str]]:
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        return {name: zf.read(name).decode().splitlines() for name in zf.namelist() if name.startswith("tables/")}


@pytest.fixture(scope="module")
def round_trip():
    source, target = make_app("archive_a", TEST_FNR_KEYS), make_app("archive_b", OTHER_KEYS)
    database = get_database(source)
    with database.session_factory() as session:
        load_demo(session, vault=source.extensions["fnr_vault"])
        session.commit()
    first = export(source)
    with get_database(target).engine.begin() as connection:
        counts = import_archive(connection, target.extensions["fnr_vault"], io.BytesIO(first))
    second = export(target)
    yield source, target, first, second, counts
    for app in (source, target):
        get_database(app).engine.dispose()


def test_an_export_imported_into_a_fresh_database_exports_again_as_the_same_tables(round_trip):
    _source, _target, first, second, counts = round_trip
    assert sum(counts.values()) > 1000
    assert contents(first) == contents(second)
    manifests = [json.loads(zipfile.ZipFile(io.BytesIO(a)).read("manifest.json")) for a in (first, second)]
    assert [t["rows"] for t in manifests[0]["tables"]] == [t["rows"] for t in manifests[1]["tables"]]


def test_the_imported_citizens_are_found_by_fnr_under_the_new_installations_keys(round_trip):
    _source, target, first, _second, _counts = round_trip
    lines = contents(first)["tables/citizens.jsonl"]
    columns = json.loads(lines[0])
    fnr = json.loads(lines[1])[columns.index("fnr")]
    assert len(fnr) == 11 and fnr.isdigit()
    vault = target.extensions["fnr_vault"]
    with get_database(target).engine.connect() as connection:
        token = connection.execute(text("SELECT fnr_encrypted FROM citizens WHERE fnr_hash = :h"),
                                   {"h": vault.lookup_hash(fnr)}).scalar()
    assert vault.decrypt(token) == fnr


def test_the_twin_counts_and_the_id_sequences_are_right_after_an_import(round_trip):
    _source, target, *_ = round_trip
    with get_database(target).engine.begin() as connection:
        counted = connection.execute(text("SELECT SUM(units) FROM device_counts")).scalar()
        assert counted == connection.execute(select(func.count()).select_from(Device)).scalar()
        before = connection.execute(text("SELECT * FROM place_counts ORDER BY 1, 2")).all()
        for sql in REBUILD_SQL:
            connection.execute(text(sql))
        assert connection.execute(text("SELECT * FROM place_counts ORDER BY 1, 2")).all() == before
    with get_database(target).session_factory() as session:
        top = session.scalar(select(func.max(Product.id)))
        assert create_product(session, hms_nr=None, name="Ny", iso_class="093303").id == top + 1
        session.rollback()


def test_an_import_into_a_database_that_holds_data_is_refused_with_a_clear_message(round_trip):
    source, _target, first, *_ = round_trip
    from hjelpemiddel.core.errors import Conflict

    with get_database(source).engine.begin() as connection, pytest.raises(Conflict, match="ikke tom"):
        import_archive(connection, source.extensions["fnr_vault"], io.BytesIO(first))


def test_the_import_command_reads_an_export_into_an_empty_database(round_trip, tmp_path, monkeypatch):
    from hjelpemiddel.cli import cli

    _source, _target, first, *_ = round_trip
    path = tmp_path / "eksport.zip"
    path.write_bytes(first)
    empty = make_app("archive_c", OTHER_KEYS)
    monkeypatch.delenv("FLASK_RUN_FROM_CLI", raising=False)
    try:
        done = empty.test_cli_runner().invoke(cli, ["import-archive", str(path)])
        assert done.exit_code == 0, done.output
        assert "Arkivet er lest inn" in done.output
        assert contents(export(empty)) == contents(first)
    finally:
        get_database(empty).engine.dispose()
