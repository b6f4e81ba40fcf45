"""The admin's user page in a real browser: a new colleague is created, logs in, and logging out
ends the session, also for a copy of its cookie."""
from __future__ import annotations

import itertools
import os

import pytest
from playwright.sync_api import expect

from .conftest import login, login_as

pytestmark = pytest.mark.browser

_NAMES = itertools.count(1)
COLLEAGUE_PASSWORD = "blaa-kaffekopp-i-vinduet"


def test_admin_creates_a_user_who_logs_in_and_logout_ends_the_session_everywhere(page, new_page, live_server):
    username = f"ny-kollega-{os.getpid()}-{next(_NAMES)}"
    login_as(page, live_server, "admin")
    page.get_by_role("link", name="Brukere").click()
    form = page.get_by_test_id("create-user")
    form.get_by_label("Brukernavn").fill(username)
    form.get_by_label("Fullt navn").fill("Nina Ny")
    form.get_by_label("Rolle").select_option(label="Terapeut")
    form.get_by_label("Passord").fill("passwordpassword")
    form.get_by_role("button", name="Opprett bruker").click()
    expect(page.get_by_role("alert")).to_contain_text("Passordet er for vanlig")
    form.get_by_label("Passord").fill(COLLEAGUE_PASSWORD)
    form.get_by_role("button", name="Opprett bruker").click()
    expect(page.get_by_role("status")).to_have_text(f"Brukeren {username} er opprettet.")
    expect(page.get_by_test_id("user-facts")).to_contain_text("Terapeut")

    colleague = new_page()
    login(colleague, username, COLLEAGUE_PASSWORD)
    assert colleague.url == live_server.url + "/terapeut"
    expect(colleague.locator(".who")).to_contain_text("Nina Ny")
    copied = colleague.context.cookies()

    colleague.get_by_role("button", name="Logg ut").click()
    expect(colleague).to_have_url(live_server.url + "/login")
    colleague.goto("/terapeut")
    expect(colleague).to_have_url(live_server.url + "/login?next=/terapeut")

    thief = new_page()
    thief.context.add_cookies(copied)
    thief.goto("/terapeut")
    expect(thief).to_have_url(live_server.url + "/login?next=/terapeut")

    page.goto("/admin/brukere?q=" + username)
    expect(page.get_by_test_id(f"user-{username}")).to_contain_text("Aktiv")
