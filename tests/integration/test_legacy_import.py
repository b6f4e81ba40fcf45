import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from hjelpemiddel.core.fnr import make_fnr
from hjelpemiddel.lending.models import Loan
from hjelpemiddel.legacy.reading import read_file
from hjelpemiddel.legacy.services import import_tables
from hjelpemiddel.stock.models import Device

PRODUCTS = "HMS-nr;Navn;ISO-klasse;Leverandør\n123456;Rollator;120606;Topro\n"
LOCATIONS = "Kode;Type;Navn;Overordnet\nHL;depot;Lageret;\nA;zone;Sone A;HL\n"
DEVICES = "Strekkode;HMS-nr;Serienummer;Plass\nGS-1;123456;SN1;A\nGS-2;999999;SN2;A\nGS-3;123456;SN1;A\n"


def _fnr(n=100):
    while (fnr := make_fnr("150342", f"{n:03d}")) is None:
        n += 1
    return fnr


def _citizens():
    good = _fnr()
    bad = good[:10] + str((int(good[10]) + 1) % 10)
    return (f"Fødselsnummer;Navn;Adresse;Postnummer;Kommunenummer;Strekkode\n{good};Kari;Vei 1;6509;1505;GS-1\n"
            f"{bad};Ola;Vei 2;6509;1505;\n")


def _tables():
    return [t for name, text in (("produkter.csv", PRODUCTS), ("lokasjoner.csv", LOCATIONS),
                                 ("enheter.csv", DEVICES), ("innbyggere.csv", _citizens()))
            for t in read_file(name, text.encode("cp1252"))]


def _outcomes(outcomes):
    return [(o.kind, o.outcome, o.message) for o in outcomes]


def test_a_dry_run_reports_every_refusal_and_writes_nothing(session, vault, make_user):
    admin = make_user("admin")
    outcomes = import_tables(session, vault, admin.id, _tables(), dry_run=True)
    refused = [o.message for o in outcomes if o.outcome == "refused"]
    assert "Produkt: ukjent: HMS-nr 999999" in refused
    assert any(m.startswith("Serienummer finnes allerede på en annen enhet i filen") for m in refused)
    assert "Fødselsnummer: feil kontrollsiffer" in refused
    assert session.scalar(select(func.count()).select_from(Device)) == 0


def test_the_real_run_lends_the_unit_and_a_rerun_changes_nothing(session, vault, make_user):
    admin = make_user("admin")
    first = import_tables(session, vault, admin.id, _tables())
    assert [o.outcome for o in first].count("create") == 5
    device = session.scalar(select(Device).where(Device.serial_number == "SN1"))
    assert device.state == "on_loan"
    assert session.scalar(select(Loan).where(Loan.device_id == device.id, Loan.ended_at.is_(None))) is not None
    second = import_tables(session, vault, admin.id, _tables())
    assert {o.outcome for o in second} == {"unchanged", "refused"}


def test_an_xlsx_with_one_sheet_per_kind_is_read():
    book = Workbook()
    sheet = book.active
    sheet.title = "Produkter"
    sheet.append(["HMS nr", "navn", "ISO-klasse"])
    sheet.append(["123456", "Rollator", "120606"])
    buffer = io.BytesIO()
    book.save(buffer)
    [table] = read_file("gammelt.xlsx", buffer.getvalue())
    assert table.kind == "products" and table.rows == [(2, {"hms_nr": "123456", "name": "Rollator", "iso_class": "120606"})]


def test_the_command_dry_runs_writes_a_report_and_exits_non_zero_on_refused_rows(hjelpemiddel, session, make_user,
                                                                                  tmp_path):
    make_user("admin", "sjef")
    for name, text in (("produkter.csv", PRODUCTS), ("lokasjoner.csv", LOCATIONS), ("enheter.csv", DEVICES)):
        (tmp_path / name).write_text(text, encoding="utf-8-sig")
    files = [str(tmp_path / n) for n in ("enheter.csv", "produkter.csv", "lokasjoner.csv")]
    dry = hjelpemiddel("import-legacy", *files, "--dry-run", "--as", "sjef", "--report", str(tmp_path / "r.csv"))
    assert dry.exit_code == 1, dry.output
    assert "Prøvekjøring: 4 opprettes, 0 oppdateres, 0 uendret, 2 avvist." in dry.output
    assert "Produkt: ukjent: HMS-nr 999999" in (tmp_path / "r.csv").read_text(encoding="utf-8-sig")
    assert session.scalar(select(func.count()).select_from(Device)) == 0
    real = hjelpemiddel("import-legacy", *files, "--as", "sjef")
    assert "4 opprettes" in real.output and session.scalar(select(func.count()).select_from(Device)) == 1
    again = hjelpemiddel("import-legacy", *files, "--as", "sjef")
    assert "0 opprettes, 0 oppdateres, 4 uendret, 2 avvist" in again.output


def test_a_file_whose_name_says_nothing_is_refused_with_a_clear_message(hjelpemiddel, make_user, tmp_path):
    make_user("admin", "sjef2")
    (tmp_path / "data.csv").write_text(PRODUCTS)
    result = hjelpemiddel("import-legacy", str(tmp_path / "data.csv"), "--as", "sjef2")
    assert result.exit_code != 0 and "filnavnet må si hva filen har" in result.output


@pytest.mark.parametrize("name, text, message", [
    ("enheter.csv", "HMS-nr;Serienummer;Plass\n123456;SN9;B-99\n", "Plass: ukjent lokasjon «B-99»"),
    ("enheter.csv", "Produktnavn;Serienummer\nUkjent stol;SN9\n", "Produkt: ukjent: «Ukjent stol»"),
    ("enheter.csv", "HMS-nr;Plass\n123456;A\n", "Serienummer: en enhet trenger serienummer eller strekkode"),
    ("lokasjoner.csv", "Kode;Type;Overordnet\nB;hylle;HL\n", "Type: Ukjent type «hylle»"),
    ("innbyggere.csv", "Fødselsnummer;Navn\n123;Per\n", "Fødselsnummer: Fødselsnummeret må være 11 siffer"),
])
def test_each_bad_row_is_refused_with_a_reason_naming_the_column(session, vault, make_user, name, text, message):
    admin = make_user("admin")
    import_tables(session, vault, admin.id, _tables()[:2])
    [outcome] = import_tables(session, vault, admin.id, read_file(name, text.encode()))
    assert outcome.outcome == "refused" and outcome.message.startswith(message), outcome.message


def test_a_changed_product_row_is_an_update_and_the_same_row_again_unchanged(session, vault, make_user):
    admin = make_user("admin")
    import_tables(session, vault, admin.id, read_file("produkter.csv", PRODUCTS.encode()))
    changed = PRODUCTS.replace("Rollator;", "Rollator M;")
    [first] = import_tables(session, vault, admin.id, read_file("produkter.csv", changed.encode()))
    [again] = import_tables(session, vault, admin.id, read_file("produkter.csv", changed.encode()))
    assert (first.outcome, first.message, again.outcome) == ("update", "Endret: name", "unchanged")


def test_a_loan_keeps_the_old_systems_start_date_and_a_bad_one_is_refused_naming_the_column(session, vault, make_user):
    admin = make_user("admin")
    good = _fnr()
    citizens = (f"Fødselsnummer;Navn;Postnummer;Kommunenummer;Strekkode;Utlånt fra\n"
                f"{good};Kari;6509;1505;GS-1;15.03.2025\n{_fnr(200)};Per;6509;1505;GS-2;31.02.2025\n")
    devices = "Strekkode;HMS-nr;Serienummer;Plass\nGS-1;123456;SN1;A\nGS-2;123456;SN2;A\n"
    tables = [t for name, text in (("produkter.csv", PRODUCTS), ("lokasjoner.csv", LOCATIONS),
                                   ("enheter.csv", devices), ("innbyggere.csv", citizens))
              for t in read_file(name, text.encode("utf-8"))]
    outcomes = import_tables(session, vault, admin.id, tables)
    assert ("citizens_loans", "refused", "Utlånt fra: skriv datoen som dd.mm.åååå") in _outcomes(outcomes)
    loan = session.scalar(select(Loan).join(Device, Device.id == Loan.device_id).where(Device.serial_number == "SN1"))
    assert loan.started_at.date().isoformat() == "2025-03-15"
