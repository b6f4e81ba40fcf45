import pytest
from sqlalchemy import func, select

from hjelpemiddel.catalog.models import Product
from hjelpemiddel.catalog.services import (create_product, decode_csv_bytes, import_products_csv, list_products,
                                           product_from_text)
from hjelpemiddel.core.errors import Conflict, ValidationFailed

HEADER = "hms_nr;name;supplier;iso_class;individually_tracked;inspection_interval_days\n"


def count_products(session):
    return session.scalar(select(func.count()).select_from(Product))


def test_a_product_with_an_existing_hms_nr_is_refused(session, rollator):
    with pytest.raises(Conflict) as caught:
        create_product(session, hms_nr="123456", name="Annen", iso_class="120606", supplier="", individually_tracked=True)
    assert "123456" in caught.value.message


def test_many_municipal_only_products_may_lack_an_hms_nr(session):
    for name in ("Dusjkrakk kommunal", "Toalettforhøyer kommunal"):
        create_product(session, hms_nr=None, name=name, iso_class="093303", supplier="", individually_tracked=True)
    assert count_products(session) == 2


def test_products_are_found_by_name_supplier_hms_nr_and_iso_prefix(session, rollator):
    create_product(session, hms_nr="654321", name="Dusjstol Etac Swift", iso_class="093303", supplier="Etac")
    assert [p.name for p in list_products(session, q="olympos")] == [rollator.name]
    assert [p.name for p in list_products(session, q="etac")] == ["Dusjstol Etac Swift"]
    assert [p.name for p in list_products(session, q="654321")] == ["Dusjstol Etac Swift"]
    assert [p.name for p in list_products(session, iso_class="09")] == ["Dusjstol Etac Swift"]


def test_a_clean_csv_loads_every_row_and_accepts_norwegian_booleans_and_spaced_iso_classes(session):
    text = HEADER + "111111;Rollator A;Topro;12 06 06;ja;\n;Dusjkrakk;;093303;nei;\n222222;Takløfter;Guldmann;12.36.12;;365\n"
    report = import_products_csv(session, text)
    assert (report.rows, report.created, report.updated, report.loaded) == (3, 3, 0, True)
    lift = list_products(session, q="222222")[0]
    assert (lift.iso_class, lift.inspection_interval_days, lift.individually_tracked) == ("123612", 365, True)
    assert list_products(session, q="Dusjkrakk")[0].individually_tracked is False


def test_a_file_with_bad_rows_loads_nothing_and_names_every_bad_row_and_field(session):
    text = (HEADER + "111111;Rollator A;Topro;120606;ja;\n12345;Kort HMS;X;120606;;\n"
            "333333;;X;1206;;\n111111;Duplikat;X;120606;;\n444444;Seng;X;181210;kanskje;-5\n")
    with pytest.raises(ValidationFailed) as caught:
        import_products_csv(session, text)
    report = caught.value.details["report"]
    by_line = {row["line"]: row["fields"] for row in report["errors"]}
    assert set(by_line) == {3, 4, 5, 6}
    assert "hms_nr" in by_line[3]
    assert {"name", "iso_class"} <= set(by_line[4])
    assert "linje 2" in by_line[5]["hms_nr"][0]
    assert {"individually_tracked", "inspection_interval_days"} <= set(by_line[6])
    assert count_products(session) == 0


def test_skip_invalid_loads_the_good_rows_and_reports_the_rest(session):
    text = HEADER + "111111;Rollator A;Topro;120606;;\n12345;Kort HMS;X;120606;;\n"
    report = import_products_csv(session, text, skip_invalid=True)
    assert (report.created, report.skipped, len(report.errors)) == (1, 1, 1)
    assert count_products(session) == 1


def test_a_dry_run_validates_without_loading(session):
    report = import_products_csv(session, HEADER + "111111;Rollator A;Topro;120606;;\n", dry_run=True)
    assert report.rows == 1 and not report.loaded
    assert count_products(session) == 0


def test_importing_the_same_catalogue_again_updates_instead_of_duplicating(session):
    import_products_csv(session, HEADER + "111111;Rollator A;Topro;120606;;\n;Dusjkrakk;Kommunen;093303;;\n")
    report = import_products_csv(session, HEADER + "111111;Rollator A v2;Topro;120606;;\n;Dusjkrakk;Kommunen;093303;;\n")
    assert (report.created, report.updated) == (0, 2)
    assert count_products(session) == 2
    assert list_products(session, q="111111")[0].name == "Rollator A v2"


def test_comma_separated_files_with_norwegian_headers_and_unknown_columns_are_read(session):
    text = "HMS-nr,Navn,Leverandør,ISO,Farge\n555555,Rullestol,Sunrise,122203,blå\n"
    report = import_products_csv(session, text)
    assert report.created == 1 and report.ignored_columns == ["Farge"]


@pytest.mark.parametrize("text,needle", [
    ("", "tom"),
    ("hms_nr;supplier\n111111;X\n", "name"),
    ("name;navn;iso_class\nA;B;120606\n", "to ganger"),
])
def test_a_file_without_usable_header_is_refused_whole(session, text, needle):
    with pytest.raises(ValidationFailed) as caught:
        import_products_csv(session, text)
    assert needle in caught.value.message
    assert count_products(session) == 0


def test_excel_windows_1252_exports_are_decoded():
    assert decode_csv_bytes("navn\nToalettforhøyer\n".encode("cp1252")).endswith("Toalettforhøyer\n")
    assert decode_csv_bytes("\ufeffnavn\n".encode("utf-8")) == "navn\n"


@pytest.mark.parametrize("typed,expected", [
    ("Rollator Topro Olympos M", "Rollator Topro Olympos M"), ("rollator topro olympos m", "Rollator Topro Olympos M"),
    ("123456", "Rollator Topro Olympos M"), ("Opus", "Sykeseng Opus 4"),
])
def test_typed_text_names_the_one_product_it_matches_exactly_or_alone(session, rollator, typed, expected):
    create_product(session, hms_nr=None, name="Sykeseng Opus 4", iso_class="181210")
    assert product_from_text(session, typed).name == expected


@pytest.mark.parametrize("typed,message", [
    ("", "Velg et produkt."), ("Finnes ikke", "Fant ikke noe produkt som passer «Finnes ikke»."),
    ("o", "Flere produkter passer «o»: velg ett i listen."),
])
def test_typed_text_that_names_no_product_or_several_is_refused_by_its_field(session, rollator, typed, message):
    create_product(session, hms_nr=None, name="Sykeseng Opus 4", iso_class="181210")
    with pytest.raises(ValidationFailed) as refused:
        product_from_text(session, typed)
    assert refused.value.details == {"product_id": [message]}


@pytest.mark.parametrize("text", ["\r0", HEADER + '123456;"Rollator\x00;Topro', '\r\n\r\n'])
def test_a_file_that_is_not_a_catalogue_is_refused_with_a_reason_and_loads_nothing(session, text):
    with pytest.raises(ValidationFailed) as refused:
        import_products_csv(session, text)
    assert set(refused.value.details) & {"file", "report"} and count_products(session) == 0
