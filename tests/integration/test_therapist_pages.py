"""The therapist's pages: search → citizen page in two clicks, the basket from a plain form (no
scripts), confirmations on the citizen's page, input kept after errors; the admin's start page."""
import re
from datetime import date, time, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import select

from hjelpemiddel.catalog.services import create_product
from hjelpemiddel.core.fnr import make_fnr
from hjelpemiddel.lending import services as lending
from hjelpemiddel.lending.models import Need
from hjelpemiddel.logistics.services import create_run

from ..support import post_login

PASSWORD = "test-passord-123"
SOON = date.today() + timedelta(days=2)


@pytest.fixture
def signed_in(client, therapist):
    assert post_login(client, therapist.username, PASSWORD).location.endswith("/terapeut")
    return client


def csrf(client, url="/terapeut"):
    return re.search(r'name="csrf-token" content="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)


@pytest.fixture
def walkers(session):
    return [create_product(session, hms_nr=f"1{n:05d}", name=f"Rollator Jazz {n}", iso_class="120606",
                           supplier="Dolomite") for n in (1, 2)]


def basket_form(client, citizen, rows, **fields):
    form = {"csrf_token": csrf(client), "needed_by": SOON.strftime("%d.%m.%Y"), "urgency": "normal",
            "application_type": "short_term", **fields}
    for index, (product, quantity) in enumerate(rows):
        form[f"rows-{index}-product"], form[f"rows-{index}-quantity"] = product, str(quantity)
    return client.post(f"/terapeut/innbygger/{citizen.id}/behov", data=form)


def test_the_start_page_searches_and_links_each_citizen_to_their_page(signed_in, make_citizen):
    astrid = make_citizen("Astrid Olsen")
    make_citizen("Ole Hansen")
    page = signed_in.get("/terapeut?q=150342+*****").get_data(as_text=True)
    assert "Astrid Olsen" in page and "Ole Hansen" in page
    page = signed_in.get("/terapeut?q=astrid").get_data(as_text=True)
    assert f'href="/terapeut/innbygger/{astrid.id}"' in page and "Ole Hansen" not in page
    citizen = signed_in.get(f"/terapeut/innbygger/{astrid.id}").get_data(as_text=True)
    assert "<h1>Astrid Olsen" in citizen and "150342 *****" in citizen and "Nøkkelboks 1234" in citizen


def test_the_citizen_list_is_paged_twenty_at_a_time(signed_in, make_citizen):
    for n in range(21):
        make_citizen(f"Innbygger {n:02d}")
    first = signed_in.get("/terapeut").get_data(as_text=True)
    assert first.count('<tr data-testid="citizen-') == 20 and "Neste →" in first
    second = signed_in.get("/terapeut?side=2").get_data(as_text=True)
    assert second.count('<tr data-testid="citizen-') == 1 and "← Forrige" in second and "Neste →" not in second


@pytest.mark.parametrize("url,status", [("/terapeut?side=abc", 200), ("/terapeut?side=-4", 200),
                                        ("/terapeut?q=15034212345", 422), ("/terapeut?q=%25_%25", 200)])
def test_odd_search_input_answers_a_page(signed_in, url, status):
    response = signed_in.get(url)
    assert response.status_code == status and "Mine innbyggere" in response.get_data(as_text=True)


def test_another_therapists_citizen_page_is_not_found(client, make_user, make_citizen):
    astrid = make_citizen()
    other = make_user("terapeut")
    post_login(client, other.username, PASSWORD)
    assert client.get(f"/terapeut/innbygger/{astrid.id}").status_code == 404


def test_a_basket_typed_by_name_without_scripts_saves_two_needs_and_confirms_on_the_citizen_page(
        signed_in, session, make_citizen, walkers):
    astrid = make_citizen()
    response = basket_form(signed_in, astrid, [("Rollator Jazz 1", 1), ("100002", 2), ("", 1)],
                           urgency="discharge", discharge_date=SOON.strftime("%d.%m.%Y"), discharge_time="12.00")
    assert response.status_code == 302
    target = urlparse(response.location)
    assert (target.path, target.fragment) == (f"/terapeut/innbygger/{astrid.id}", "behov")
    assert parse_qs(target.query)["melding"] == ["Registrert 2 behov: Rollator Jazz 1 × 1, Rollator Jazz 2 × 2."]
    needs = list(session.scalars(select(Need).where(Need.citizen_id == astrid.id).order_by(Need.id)))
    assert [(n.product_id, n.quantity, n.discharge_date, n.discharge_time) for n in needs] == [
        (walkers[0].id, 1, SOON, time(12, 0)), (walkers[1].id, 2, SOON, time(12, 0))]
    page = signed_in.get(response.location).get_data(as_text=True)
    assert 'role="status"' in page and "Registrert 2 behov" in page
    assert f"Utskrives {SOON.strftime('%d.%m.%Y')} kl. 12:00" in page


def test_a_chosen_product_id_wins_over_the_typed_text(signed_in, session, make_citizen, walkers):
    astrid = make_citizen()
    response = basket_form(signed_in, astrid, [("Rollator", 1)], **{"rows-0-product_id": str(walkers[1].id)})
    assert response.status_code == 302
    assert session.scalar(select(Need.product_id).where(Need.citizen_id == astrid.id)) == walkers[1].id


def test_an_ambiguous_row_saves_nothing_offers_the_choice_and_keeps_what_was_typed(
        signed_in, session, make_citizen, walkers):
    astrid = make_citizen()
    response = basket_form(signed_in, astrid, [("Rollator Jazz 1", 1), ("jazz", 3)], requested_by="sykepleier Kari")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Rad 2: Flere produkter passer «jazz»: velg ett i listen. Ingenting er lagret." in page
    assert 'name="rows-1-product_id"' in page and "<select" in page and "Rollator Jazz 2" in page
    assert 'value="jazz"' in page and 'name="rows-1-quantity" type="number" min="1" max="20" value="3"' in page
    assert 'value="sykepleier Kari"' in page and SOON.strftime("%d.%m.%Y") in page
    assert 'aria-invalid="true"' in page and "autofocus" in page
    assert session.scalar(select(Need.id).where(Need.citizen_id == astrid.id)) is None


@pytest.mark.parametrize("fields,message", [
    ({"needed_by": "31.02.2026"}, "Trengs innen"),
    ({"needed_by": "i morgen"}, "Trengs innen"),
    ({"discharge_time": "25:99", "discharge_date": SOON.strftime("%d.%m.%Y")}, "Klokkeslett for utskrivning"),
    ({"urgency": "discharge"}, "Utskrivningsdato"),
])
def test_a_bad_date_or_time_is_named_and_the_basket_kept(signed_in, make_citizen, walkers, fields, message):
    response = basket_form(signed_in, make_citizen(), [("Rollator Jazz 1", 1)], **fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and message in page and 'value="Rollator Jazz 1"' in page


def test_an_unknown_product_is_named_in_its_row(signed_in, make_citizen, walkers):
    response = basket_form(signed_in, make_citizen(), [("Ståstativ", 1)])
    assert response.status_code == 422
    assert "Fant ikke noe produkt som passer «Ståstativ»." in response.get_data(as_text=True)


def test_a_refused_citizen_registration_keeps_every_field_also_the_fnr(signed_in):
    fnr = next(f for f in (make_fnr("120342", f"{n:03d}") for n in range(100, 200)) if f)
    bad = fnr[:-1] + str((int(fnr[-1]) + 1) % 10)
    response = signed_in.post("/terapeut/innbyggere", data={
        "csrf_token": csrf(signed_in, "/terapeut/innbygger/ny"), "fnr": bad, "name": "Kari Nordmann",
        "address": "Storgata 12", "postcode": "6509", "kommunenummer": "1505"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Kontrollsifrene" in page
    assert f'value="{bad}"' in page and 'value="Kari Nordmann"' in page


def test_a_registered_citizen_opens_on_their_page_ready_for_the_basket(signed_in, session):
    fnr = next(f for f in (make_fnr("120342", f"{n:03d}") for n in range(300, 400)) if f)
    response = signed_in.post("/terapeut/innbyggere", data={
        "csrf_token": csrf(signed_in, "/terapeut/innbygger/ny"), "fnr": fnr, "name": "Kari Nordmann",
        "address": "Storgata 12", "postcode": "6509", "kommunenummer": "1505"})
    assert response.status_code == 302 and urlparse(response.location).fragment == "nytt-behov"
    page = signed_in.get(response.location).get_data(as_text=True)
    assert "Kari Nordmann er registrert" in page and fnr not in page


def test_units_and_loans_on_the_citizen_page_link_to_the_device(signed_in, session, actor, therapist, make_citizen,
                                                                 rollator, depot):
    from hjelpemiddel.stock.services import register_device

    astrid = make_citizen()
    device = register_device(session, actor.id, product_id=rollator.id, location_code="A-01-2")
    need = lending.register_need(session, therapist.id, "terapeut", astrid.id, SOON, "normal", "short_term",
                                 product_id=rollator.id)
    lending.decide_need(session, actor.id, "lager", need.id, "approve")
    lending.hand_over(session, actor.id, device_barcode=device.barcode, received_by="datter", loan_days=90)
    page = signed_in.get(f"/terapeut/innbygger/{astrid.id}").get_data(as_text=True)
    assert page.count(f'href="/hjelpemidler/{device.barcode}"') >= 2  # the need's unit, the loan, the history
    assert "Bestill retur" in page and "Hjelpemiddel reservert" in page


def test_an_extension_with_a_norwegian_date_returns_to_the_loans_with_a_confirmation(
        signed_in, session, actor, therapist, make_citizen, rollator, depot):
    from hjelpemiddel.stock.services import register_device

    astrid = make_citizen()
    device = register_device(session, actor.id, product_id=rollator.id, location_code="A-01-2")
    need = lending.register_need(session, therapist.id, "terapeut", astrid.id, SOON, "normal", "short_term",
                                 product_id=rollator.id)
    lending.decide_need(session, actor.id, "lager", need.id, "approve")
    loan = lending.hand_over(session, actor.id, device_barcode=device.barcode, received_by="datter", loan_days=90)
    new_end = date.today() + timedelta(days=200)
    response = signed_in.post(f"/utlan/{loan.id}/forleng", data={
        "csrf_token": csrf(signed_in), "new_end": new_end.strftime("%d.%m.%Y"), "reason": "trenger lenger"})
    assert response.status_code == 302 and urlparse(response.location).fragment == "utlan"
    assert "Utlånet er forlenget." in signed_in.get(response.location).get_data(as_text=True)
    response = signed_in.post(f"/utlan/{loan.id}/forleng", data={
        "csrf_token": csrf(signed_in), "new_end": "32.13.2026", "reason": "trenger lenger"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'value="32.13.2026"' in page and 'value="trenger lenger"' in page


# --- the start page ----------------------------------------------------------------------------------

def test_admin_lands_on_a_start_page_with_what_needs_doing_today(client, session, make_user, therapist, make_citizen,
                                                                 rollator, depot):
    from hjelpemiddel.core.text import local_today

    today = local_today()
    astrid = make_citizen()
    need = lending.register_need(session, therapist.id, "terapeut", astrid.id, today, "discharge", "short_term",
                                 product_id=rollator.id, discharge_date=today, discharge_time=time(12, 0))
    admin = make_user("admin")
    create_run(session, admin.id, today)
    assert post_login(client, admin.username, PASSWORD).location.endswith("/start")
    page = client.get("/start").get_data(as_text=True)
    counts = dict(re.findall(r'data-testid="count-(\w+)"><span class="count">(\d+)', page))
    assert counts == {"undecided": "1", "discharges": "1", "returns": "0", "runs": "1"}
    assert f'data-testid="discharge-{need.id}"' in page and "kl. 12:00" in page
    assert f"/lager/runder?dato={today.isoformat()}" in page


@pytest.mark.parametrize("role,status", [("lager", 200), ("admin", 200), ("terapeut", 403), ("sjafor", 403)])
def test_the_start_page_is_for_the_depot_and_admin(client, make_user, role, status):
    post_login(client, make_user(role).username, PASSWORD)
    assert client.get("/start").status_code == status
