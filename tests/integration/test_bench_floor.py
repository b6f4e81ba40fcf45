"""The benchmark's floor (``bench/bare_app.py``) does the real scan's work and answers the same
JSON, so the ratio in ``bench/run.py`` measures only the app's own overhead."""
from __future__ import annotations

import importlib.util
from contextlib import contextmanager
from pathlib import Path

import pytest

from hjelpemiddel.core.auth import create_token
from hjelpemiddel.stock.lifecycle import EVENT_LABELS, STATE_LABELS

BARE_APP = Path(__file__).resolve().parents[2] / "bench" / "bare_app.py"


def load_bare_app():
    spec = importlib.util.spec_from_file_location("bare_app", BARE_APP)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class SharedConnection:
    """The test's connection as the bare app's engine: it sees the test's rows, and its commit
    stays inside the test's transaction."""

    def __init__(self, session):
        self.session = session

    @contextmanager
    def connect(self):
        connection = self.session.connection()
        commit, connection.commit = connection.commit, lambda: None
        try:
            yield connection
        finally:
            connection.commit = commit


@pytest.fixture
def bare(session):
    return load_bare_app().create_app(engine=SharedConnection(session)).test_client()


@pytest.fixture
def token(session, actor):
    return create_token(session, actor.username)


def test_the_floor_answers_the_same_json_as_the_app_for_a_unit_in_every_situation(client, bare, units, token):
    headers = {"Authorization": f"Bearer {token}"}
    for which, barcode in units.items():
        real = client.get(f"/api/v1/scan/{barcode.lower()}", headers=headers)
        floor = bare.get(f"/api/v1/scan/{barcode.lower()}", headers=headers)
        assert (real.status_code, floor.status_code) == (200, 200), which
        assert floor.get_json() == real.get_json(), which


def test_the_floor_refuses_a_missing_or_unknown_token_as_the_app_does(client, bare, units):
    barcode = units["on loan"]
    for headers in ({}, {"Authorization": "Bearer nope"}):
        assert bare.get(f"/api/v1/scan/{barcode}", headers=headers).status_code == 401
        assert client.get(f"/api/v1/scan/{barcode}", headers=headers).status_code == 401


def test_the_floors_labels_are_the_apps():
    bare_app = load_bare_app()
    assert bare_app.STATE_LABELS == {str(state): label for state, label in STATE_LABELS.items()}
    assert bare_app.EVENT_LABELS == EVENT_LABELS
