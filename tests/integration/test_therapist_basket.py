"""The therapist's basket (several needs in one go, all or nothing) and the citizen search (name,
birth date as the masked fnr shows it, address)."""
from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from hjelpemiddel.catalog.services import create_product
from hjelpemiddel.citizens.services import add_caseworker, list_citizens
from hjelpemiddel.core.errors import NotFound, ValidationFailed
from hjelpemiddel.core.text import field_problems
from hjelpemiddel.lending import services as lending
from hjelpemiddel.lending.models import Need, NeedEvent

TOMORROW = date.today() + timedelta(days=1)


@pytest.fixture
def bed(session):
    return create_product(session, hms_nr="654321", name="Omsorgsseng Opus", iso_class="181206", supplier="Invacare")


def basket(session, therapist, citizen, rows, **shared):
    values = {"needed_by": TOMORROW, "urgency": "normal", "application_type": "short_term", **shared}
    return lending.register_needs(session, therapist.id, "terapeut", citizen.id, rows, **values)


def needs_of(session, citizen) -> int:
    return session.scalar(select(func.count()).select_from(Need).where(Need.citizen_id == citizen.id))


def test_a_basket_of_two_products_becomes_two_needs_sharing_the_dates_and_urgency(
        session, therapist, make_citizen, rollator, bed):
    astrid = make_citizen()
    needs = basket(session, therapist, astrid, [{"product_id": rollator.id, "quantity": 1},
                                                {"product_id": bed.id, "quantity": 2}],
                   urgency="discharge", discharge_date=TOMORROW, discharge_time=time(12, 0))
    assert [(n.product.name, n.quantity) for n in needs] == [(rollator.name, 1), (bed.name, 2)]
    assert {(n.urgency, n.discharge_date, n.discharge_time, n.status) for n in needs} == {
        ("discharge", TOMORROW, time(12, 0), "registered")}
    assert session.scalar(select(func.count()).select_from(NeedEvent)
                          .where(NeedEvent.need_id.in_([n.id for n in needs]), NeedEvent.kind == "registered")) == 2


def test_a_basket_row_may_name_an_iso_class_instead_of_a_product(session, therapist, make_citizen):
    [need] = basket(session, therapist, make_citizen(), [{"iso_class": "120606", "quantity": 1}])
    assert (need.product_id, need.iso_class) == (None, "120606")


@pytest.mark.parametrize("bad_row,field,message", [
    ({"product_id": 999_999, "quantity": 1}, "product_id", "Fant ikke produkt 999999."),
    ({"quantity": 1}, "product_id", "Oppgi et produkt eller en ISO-klasse."),
])
def test_one_bad_row_saves_nothing_and_the_error_names_that_row_and_field(
        session, therapist, make_citizen, rollator, bad_row, field, message):
    astrid = make_citizen()
    with pytest.raises(ValidationFailed) as refused:
        basket(session, therapist, astrid, [{"product_id": rollator.id, "quantity": 1}, bad_row])
    assert refused.value.details == {"rows": {1: {field: [message]}}}
    assert refused.value.message.startswith("Rad 2: Produkt: ")
    assert field_problems(refused.value.details) == [f"Produkter, rad 2, Produkt: {message}"]
    assert needs_of(session, astrid) == 0


def test_a_discharge_in_the_basket_needs_its_date_and_nothing_is_saved_without_it(
        session, therapist, make_citizen, rollator):
    astrid = make_citizen()
    with pytest.raises(ValidationFailed) as refused:
        basket(session, therapist, astrid, [{"product_id": rollator.id}], urgency="discharge")
    assert "discharge_date" in refused.value.details
    assert needs_of(session, astrid) == 0


def test_a_time_of_day_without_a_discharge_date_is_refused(session, therapist, make_citizen, rollator):
    with pytest.raises(ValidationFailed) as refused:
        basket(session, therapist, make_citizen(), [{"product_id": rollator.id}], discharge_time=time(12, 0))
    assert "discharge_date" in refused.value.details


def test_an_empty_basket_is_refused(session, therapist, make_citizen):
    with pytest.raises(ValidationFailed) as refused:
        basket(session, therapist, make_citizen(), [])
    assert "rows" in refused.value.details


def test_a_basket_for_a_citizen_of_another_therapist_is_refused_like_an_unknown_one(
        session, make_user, make_citizen, rollator):
    stranger = make_user("terapeut")
    with pytest.raises(ValidationFailed) as refused:
        basket(session, stranger, make_citizen(), [{"product_id": rollator.id}])
    assert "citizen_id" in refused.value.details


# --- search ---------------------------------------------------------------------------------------

@pytest.fixture
def three(make_citizen, session, vault, therapist):
    from hjelpemiddel.citizens.services import register_citizen
    from hjelpemiddel.core.fnr import make_fnr

    astrid, ole = make_citizen("Astrid Olsen"), make_citizen("Ole Hansen")
    fnr = next(f for f in (make_fnr("010190", f"{n:03d}") for n in range(100, 200)) if f)
    kari = register_citizen(session, vault, therapist.id, fnr, "Kari Berg", "Fjordveien 7", "6500", "1505",
                            city="Kristiansund")
    return astrid, ole, kari


@pytest.mark.parametrize("q,expected", [
    ("olsen", ["Astrid Olsen"]),
    ("150342", ["Astrid Olsen", "Ole Hansen"]),
    ("150342 *****", ["Astrid Olsen", "Ole Hansen"]),
    ("15.03.42", ["Astrid Olsen", "Ole Hansen"]),
    ("010190", ["Kari Berg"]),
    ("fjordveien", ["Kari Berg"]),
    ("6500", ["Kari Berg"]),
    ("storgata 1", ["Astrid Olsen", "Ole Hansen"]),
    ("ukjent", []),
])
def test_a_therapist_finds_a_citizen_by_name_birth_date_or_address(session, therapist, three, q, expected):
    assert [c.name for c in list_citizens(session, "terapeut", therapist.id, q=q)] == expected


def test_a_whole_fnr_in_the_search_box_is_refused_it_is_a_logged_lookup(session, therapist, three):
    with pytest.raises(ValidationFailed) as refused:
        list_citizens(session, "terapeut", therapist.id, q="150342 12345")
    assert "q" in refused.value.details


def test_the_search_finds_only_the_therapists_own_citizens_and_pages(session, therapist, make_user, three):
    other = make_user("terapeut")
    assert list_citizens(session, "terapeut", other.id, q="150342") == []
    add_caseworker(session, three[0].id, other.id)
    assert [c.name for c in list_citizens(session, "terapeut", other.id, q="150342")] == ["Astrid Olsen"]
    pages = [[c.name for c in list_citizens(session, "terapeut", therapist.id, limit=2, offset=offset)]
             for offset in (0, 2)]
    assert pages == [["Astrid Olsen", "Kari Berg"], ["Ole Hansen"]]


def test_the_citizen_timeline_names_the_product_and_reads_newest_first(session, therapist, make_citizen, rollator):
    astrid = make_citizen()
    [need] = basket(session, therapist, astrid, [{"product_id": rollator.id}])
    lending.cancel_need(session, therapist.id, need.id, "flyttet")
    timeline = lending.citizen_timeline(session, astrid.id)
    assert [(e.kind, e.what) for e in timeline] == [("cancelled", rollator.name), ("registered", rollator.name)]
    assert all(e.kind in lending.NEED_EVENT_LABELS for e in timeline)


def test_an_unknown_citizen_is_not_found(session, therapist):
    from hjelpemiddel.citizens.services import check_citizen_access

    with pytest.raises(NotFound):
        check_citizen_access(session, "terapeut", therapist.id, 999_999)
