"""The login form (/login) in a real browser."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import PASSWORD, login_as

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("role", "home"), [("lager", "/skann"), ("sjafor", "/sjafor"), ("terapeut", "/terapeut"),
                                            ("admin", "/start")])
def test_logging_in_through_the_form_lands_on_the_home_page_of_the_role(page, live_server, role, home):
    login_as(page, live_server, role)
    assert page.url == live_server.url + home
    expect(page.locator(".who")).to_contain_text(f"E2E {role.capitalize()}")


def test_a_wrong_password_stays_on_the_login_page_with_an_error(page, live_server):
    page.goto("/login")
    form = page.locator("main form")
    form.get_by_label("Brukernavn").fill(live_server.seed.users["lager"])
    form.get_by_label("Passord").fill("feil-passord")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        form.get_by_role("button", name="Logg inn").click()
    assert posted.value.status == 401
    expect(page.get_by_role("alert")).to_have_text("Feil brukernavn eller passord.")


def test_a_logged_in_user_can_log_in_as_someone_else_from_the_login_page(page, live_server):
    login_as(page, live_server, "lager")
    page.goto("/login")
    form = page.locator("main form")
    form.get_by_label("Brukernavn").fill(live_server.seed.users["sjafor"])
    form.get_by_label("Passord").fill(PASSWORD)
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        form.get_by_role("button", name="Logg inn").click()
    assert posted.value.status == 302
    expect(page.locator(".who")).to_contain_text("E2E Sjafor")
