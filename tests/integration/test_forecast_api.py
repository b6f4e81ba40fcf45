"""The forecast over HTTP: the API and the page."""
import pytest


from ..support import error_of
from .desk import TOMORROW
from .test_web import login


def test_the_api_answers_a_product_forecast_with_its_flagged_days_and_the_backtest(lager_api, desk, rollator):
    desk.units(1)
    desk.need(desk.citizen("Astrid Olsen"))
    waiting = desk.need(desk.citizen("Per Hansen"), urgency="urgent")
    response = lager_api.get(f"/api/v1/forecast?product_id={rollator.id}&days=7")
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    [product] = body["products"]
    assert product["product"]["name"] == rollator.name and len(product["series"]) == 7
    assert product["first_shortfall"] == TOMORROW.isoformat()
    assert product["series"][1]["needs_affected"][0]["need_id"] == waiting.id
    whole = lager_api.get("/api/v1/forecast?iso_class=12 06 06&days=3").get_json()
    assert whole["iso_class_total"]["series"][1]["shortfall"] is True
    backtest = lager_api.get("/api/v1/forecast/backtest?days=5").get_json()
    assert backtest["groups"][0]["group"] == "1206"


@pytest.mark.parametrize("query, field", [
    ("days=0", "days"), ("days=61", "days"), ("days=abc", "days"), ("product_id=-1", "product_id"),
    ("product_id=99999999999999999999", "product_id"), ("iso_class=12a", "iso_class"),
    ("product_id=1&iso_class=1206", "iso_class"), ("shortfall_only=kanskje", "shortfall_only"),
])
def test_bad_input_is_refused_naming_the_field_never_a_500(lager_api, rollator, query, field):
    for path in ("/api/v1/forecast", "/api/v1/forecast/backtest"):
        if field == "shortfall_only" and path.endswith("backtest"):
            continue
        response = lager_api.get(f"{path}?{query}")
        assert response.status_code in (400, 422), response.get_data(as_text=True)
        assert field in error_of(response)["details"]


def test_an_unknown_product_is_a_404_and_a_therapist_may_not_ask(lager_api, api_as, rollator):
    assert lager_api.get("/api/v1/forecast?product_id=987654").status_code == 404
    assert api_as("terapeut").get("/api/v1/forecast").status_code == 403


def test_the_page_lists_shortfalls_first_and_shows_a_product_s_days_with_the_needs_affected(client, make_user, desk, rollator):
    desk.units(1)
    desk.need(desk.citizen("Astrid Olsen"))
    waiting = desk.need(desk.citizen("Per Hansen"))
    login(client, make_user("lager"))
    page = client.get("/lager/prognose").get_data(as_text=True)
    assert "Produkter, mangel først" in page and rollator.name in page and "Tilbaketest" in page
    page = client.get(f"/lager/prognose?product={rollator.name}").get_data(as_text=True)
    assert f'data-testid="shortfall-{TOMORROW.isoformat()}"' in page
    assert f"#behov-{waiting.id}" in page
    response = client.get("/lager/prognose?days=500&iso_class=x")
    assert response.status_code == 422 and "Antall dager" in response.get_data(as_text=True)
