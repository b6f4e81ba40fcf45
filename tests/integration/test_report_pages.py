"""The report pages and API over whatever areas are set up (here with a hand-made area beside the
real ones): who may see them, the scope people type refused naming the field, figures with how they
are computed and the rows behind them, charts with their numbers beside, and the monthly report made
on demand, by the CLI and once a month by the worker, read back with pdftotext."""
import html
from datetime import date, datetime, timezone
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo
from sqlalchemy import func, select

from hjelpemiddel.cli import cli
from hjelpemiddel.core.errors import NotFound
from hjelpemiddel.reports import monthly, services
from hjelpemiddel.reports.areas import AREAS
from hjelpemiddel.reports.model import Chart, Figure, RowsPage, Scope, Section, Series
from hjelpemiddel.reports.models import MonthlyReport

from ..support import ROLES, assert_role_answer, error_of, pdf_text, post_login

SEEN = []


def _build(session, scope):
    SEEN.append(scope)
    days = float(scope.days)
    return Section("prove", "Prøveområde", (
        Figure("days", "Dager i perioden", days, "dager", "Antall dager fra første til siste dag i utvalget.", 3),
        Figure("nothing", "Uten data", None, "%", "Ingenting å regne av.", 0)),
        (Chart("trend", "Utvikling <per> måned", "line", ("jan", "feb"), (Series("Median", (1.5, None)),), "dager"),))


def _rows(session, scope, figure_key, page):
    if figure_key not in ("days", "nothing"):
        raise NotFound("Ukjent tall.", {"figure": figure_key})
    return RowsPage("Dagene", ("Dag", "Antall"), [(scope.start, 1), (scope.last_day, 2.5)], 2, page)


@pytest.fixture
def trial_area(monkeypatch):
    SEEN.clear()
    monkeypatch.setitem(AREAS, "prove", SimpleNamespace(KEY="prove", TITLE="Prøveområde", build=_build, rows=_rows))


def logged_in(client, user):
    assert post_login(client, user.username, "test-passord-123").status_code == 302
    return client


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


ENDPOINTS = ["/api/v1/reports", "/api/v1/reports/prove", "/api/v1/reports/prove/days/rows",
             "/api/v1/reports/product-groups?q=12", "/api/v1/reports/monthly.pdf?month=2026-11"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", ENDPOINTS)
def test_reports_are_for_the_depot_and_the_admin(api_as, trial_area, role, url):
    assert_role_answer(api_as(role).get(url), role, {"lager"})


def test_an_area_answers_its_figures_and_charts_for_the_scope_asked(lager_api, trial_area):
    body = lager_api.get("/api/v1/reports/prove?fra=01.03.2026&til=31.03.2026&postnummer=65&produktgruppe=12 22")
    assert body.status_code == 200, body.get_json()
    answer = body.get_json()
    assert answer["scope"] == {"start": "2026-03-01", "end": "2026-03-31", "postcode_area": "65", "product_group": "1222"}
    assert answer["figures"][0] == {"key": "days", "title": "Dager i perioden", "value": 31.0, "unit": "dager",
                                    "how": "Antall dager fra første til siste dag i utvalget.", "count": 3}
    assert answer["figures"][1]["value"] is None
    assert answer["charts"][0]["series"][0]["values"] == [1.5, None]
    rows = lager_api.get("/api/v1/reports/prove/days/rows?periode=i-fjor&side=2").get_json()
    assert rows["columns"] == ["Dag", "Antall"] and rows["page"] == 2 and rows["rows"][0][0].endswith("-01-01")


@pytest.mark.parametrize("query,field", [
    ("fra=31.02.2026", "fra"), ("til=2026-13-01", "til"), ("fra=01.01.1999", "fra"),
    ("fra=01.03.2026&til=01.02.2026", "til"), ("fra=01.01.2020&til=01.01.2026", "til"),
    ("postnummer=oslo", "postnummer"), ("postnummer=12345", "postnummer"), ("produktgruppe=123", "produktgruppe"),
    ("periode=uke", "periode"), ("fra=%00", "fra")])
def test_a_bad_scope_is_refused_naming_the_field(lager_api, trial_area, query, field):
    response = lager_api.get(f"/api/v1/reports/prove?{query}")
    assert response.status_code in (400, 422) and field in error_of(response)["details"], response.get_json()


@pytest.mark.parametrize("url", ["/api/v1/reports/ukjent", "/api/v1/reports/prove/ukjent/rows",
                                 "/api/v1/reports/ukjent/days/rows"])
def test_an_unknown_area_or_figure_is_not_found(lager_api, trial_area, url):
    assert lager_api.get(url).status_code == 404


@pytest.mark.parametrize("query,error", [("month=2026-13", "month"), ("month=nov", "month"), ("", "month"),
                                         ("month=0000-01", "month"), ("month=2100-01", "month")])
def test_the_monthly_report_asks_for_a_real_month(lager_api, query, error):
    response = lager_api.get(f"/api/v1/reports/monthly.pdf?{query}")
    assert response.status_code == 422 and error in error_of(response)["details"]


def test_presets_cover_whole_months_and_years():
    today = date(2026, 12, 4)
    assert services.scope_for({"periode": "forrige-maned"}, today) == Scope(date(2026, 11, 1), date(2026, 12, 1))
    assert services.scope_for({"periode": "i-fjor"}, today) == Scope(date(2025, 1, 1), date(2026, 1, 1))
    assert services.scope_for({}, today) == Scope(date(2026, 1, 1), date(2026, 12, 5))
    assert services.scope_for({"til": date(2026, 6, 30)}, today).start == date(2025, 7, 1)
    assert services.month_scope("2026-12") == Scope(date(2026, 12, 1), date(2027, 1, 1))


def test_the_pages_show_figures_how_they_are_computed_their_rows_and_each_chart_with_its_numbers(
        client, actor, trial_area):
    logged_in(client, actor)
    overview = client.get("/rapporter?periode=i-ar&postnummer=65")
    assert overview.status_code == 200
    page = text_of(overview)
    assert "Prøveområde" in page and "Dager i perioden" in page and "Slik regnes det" in page
    assert "/rapporter/prove?periode=i-ar&amp;postnummer=65" in overview.get_data(as_text=True)
    area = text_of(client.get("/rapporter/prove?fra=01.03.2026&til=31.03.2026"))
    assert "31,0 dager" in area and "–" in area and "<svg" in area and "Utvikling <per> måned" in area
    assert "Tallene i diagrammet" in area and "1,5" in area
    assert "/rapporter/prove/days?fra=01.03.2026&til=31.03.2026" in area
    rows = text_of(client.get("/rapporter/prove/days?fra=01.03.2026&til=31.03.2026"))
    assert "01.03.2026" in rows and "31.03.2026" in rows and "2,5" in rows and "Dagene" in rows


def test_a_bad_scope_on_the_page_is_a_friendly_error_naming_the_field_with_the_default_scope_shown(
        client, actor, trial_area):
    logged_in(client, actor)
    response = client.get("/rapporter/prove?postnummer=oslo")
    assert response.status_code == 422
    assert "Postnummerområde" in text_of(response) and "Dager i perioden" in text_of(response)
    assert client.get("/rapporter/finnesikke").status_code == 404
    assert client.get("/rapporter/prove/finnesikke").status_code == 404


def test_the_product_group_picker_finds_groups_by_digits_and_by_name(lager_api):
    by_digits = lager_api.get("/api/v1/reports/product-groups?q=1236").get_json()
    assert by_digits[0] == {"id": "1236", "code": "12 36", "name": "Personløftere"}
    by_name = lager_api.get("/api/v1/reports/product-groups?q=rullestol").get_json()
    assert {"1222", "1223"} <= {group["id"] for group in by_name}


def test_the_monthly_report_holds_every_areas_figures_beside_earlier_months(session, lager_api, trial_area, tmp_path):
    response = lager_api.get("/api/v1/reports/monthly.pdf?month=2026-02")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data, tmp_path)
    assert "Månedsrapport februar 2026" in text and "Prøveområde" in text and "Dager i perioden" in text
    assert "28,0 dager" in text and "31,0 dager" in text  # February beside January (and February 2025)
    assert "Utvikling <per> måned" in text and "Måneden før" in text
    assert {scope.start for scope in SEEN} >= {date(2026, 2, 1), date(2026, 1, 1), date(2025, 2, 1)}
    assert session.scalar(select(func.count()).select_from(MonthlyReport)) == 0  # on demand: made, not kept


def test_the_worker_makes_last_months_report_once_and_the_overview_lists_it(session, client, actor, trial_area):
    now = datetime(2026, 12, 1, 6, tzinfo=timezone.utc)
    assert monthly.make_due_monthly_report(session, date(2026, 12, 1), "Lageret", now) == "2026-11"
    assert monthly.make_due_monthly_report(session, date(2026, 12, 2), "Lageret", now) is None
    assert session.scalar(select(func.count()).select_from(MonthlyReport)) == 1
    logged_in(client, actor)
    assert "Månedsrapport november 2026" in text_of(client.get("/rapporter"))
    stored = client.get("/rapporter/arkiv/2026-11.pdf")
    assert stored.status_code == 200 and stored.data.startswith(b"%PDF")
    assert client.get("/rapporter/arkiv/2026-10.pdf").status_code == 404


def test_the_cli_makes_and_keeps_a_months_report_and_refuses_a_month_that_is_not_one(app, session, trial_area):
    runner = CliRunner()
    info = ScriptInfo(create_app=lambda: app)
    result = runner.invoke(cli, ["reports", "monthly", "--month", "2026-10"], obj=info)
    assert result.exit_code == 0, result.output
    assert "oktober 2026" in result.output
    bad = runner.invoke(cli, ["reports", "monthly", "--month", "2026-13"], obj=info)
    assert bad.exit_code != 0 and "Måned" in bad.output


def test_the_rows_behind_a_figure_download_as_csv_and_xlsx_with_the_scope(client, actor, trial_area):
    logged_in(client, actor)
    csv = client.get("/rapporter/prove/days?fra=01.03.2026&til=31.03.2026&format=csv")
    assert csv.status_code == 200 and "attachment" in csv.headers["Content-Disposition"]
    text = csv.get_data().decode("utf-8-sig")
    assert text.splitlines()[0] == "Dag;Antall" and "01.03.2026" in text and "31.03.2026" in text
    xlsx = client.get("/rapporter/prove/days?fra=01.03.2026&format=xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert client.get("/rapporter/prove/days?format=pdf").status_code == 400


def test_the_admin_sets_the_targets_on_a_page_and_a_bad_number_is_named(client, make_user):
    import re
    logged_in(client, make_user("admin"))
    page = client.get("/admin/rapportmal")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    form = {"csrf_token": token, "normal_amount": "5", "normal_unit": "working_days", "urgent_amount": "12",
            "urgent_unit": "hours", "discharge_amount": "24", "discharge_unit": "hours"}
    saved = client.post("/admin/rapportmal", data=form)
    assert saved.status_code == 200 and "Målene er lagret" in text_of(saved)
    assert 'value="12"' in saved.get_data(as_text=True)
    bad = client.post("/admin/rapportmal", data={**form, "urgent_amount": "0"})
    assert bad.status_code == 422 and "Sjekk feltene: Haster" in text_of(bad)


def test_the_cli_rebuilds_the_waits_after_a_bulk_load(app, session, desk):
    desk.loan(desk.citizen("Kari Nordmann"))
    result = CliRunner().invoke(cli, ["reports", "rebuild"], obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0 and "Ventetid skrevet for 1 leverte behov" in result.output, result.output
