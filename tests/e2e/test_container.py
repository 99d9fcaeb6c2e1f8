"""One app's container can stand in a use case or an adapter for its own pages and API alone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from dependency_injector import providers
from flask import Flask
from flask.testing import FlaskClient

from adapters.clock import FixedClock
from adapters.sqlalchemy import upgrade_database
from application.queries import Dashboard, PredictionSummary
from domain.currency import Currency
from domain.predictions import DecisionThreshold
from domain.segments import SegmentRule
from domain.users import User
from e2e.conftest import ADMIN_EMAIL, AuthActions, add_user, app_on_instance
from entrypoints.container import Container, container_of

FAR_FUTURE = datetime(2031, 5, 4, 12, 0, tzinfo=UTC)


def fake_dashboard() -> Dashboard:
    return Dashboard(
        client_count=424_242,
        threshold=DecisionThreshold(0.5),
        segment_rule=SegmentRule(),
        currency=Currency(),
        predictions=PredictionSummary(0, None, 0.0, 0, {}),
        monthly_sales=[],
        forecast_month=None,
        models_trained=False,
    )


@pytest.fixture
def other_app(tmp_path: Path) -> Iterator[Flask]:
    """A second app in the same process, on a database of its own, with the same admin."""
    instance = tmp_path / "other"
    instance.mkdir()
    upgrade_database(f"sqlite:///{instance}/prognoza.sqlite3")
    app = app_on_instance(instance)
    add_user(app, ADMIN_EMAIL, "admin")
    yield app
    container_of(app).engine().dispose()


@pytest.fixture
def overridden(app: Flask) -> Iterator[Container]:
    """The first app's container with its dashboard use case and its clock stood in for."""
    container = container_of(app)
    container.dashboard.override(providers.Object(fake_dashboard))
    container.clock.override(providers.Object(FixedClock(FAR_FUTURE)))
    yield container
    container.dashboard.reset_override()
    container.clock.reset_override()


def signed_in(app: Flask) -> FlaskClient:
    client = app.test_client()
    assert AuthActions(client).login(ADMIN_EMAIL).status_code == 302
    return client


def client_count(client: FlaskClient) -> int:
    response = client.get("/api/v1/dashboard")
    assert response.status_code == 200
    return int(response.get_json()["client_count"])


def export_filename(client: FlaskClient) -> str:
    response = client.get("/clients/export.csv")
    assert response.status_code == 200
    return response.headers["Content-Disposition"]


def test_an_overridden_use_case_and_adapter_serve_one_app_only(
    app: Flask, other_app: Flask, admin: User, overridden: Container
):
    first, second = signed_in(app), signed_in(other_app)

    assert client_count(first) == 424_242
    assert "prognoza-clients-2031-05-04-PLN.csv" in export_filename(first)
    assert "424,242" in first.get("/").get_data(as_text=True)

    assert client_count(second) == 0
    assert f"prognoza-clients-{datetime.now(UTC).date().isoformat()}-PLN.csv" in export_filename(second)


def test_resetting_the_overrides_brings_the_real_use_case_and_adapter_back(
    app: Flask, admin: User, overridden: Container
):
    client = signed_in(app)
    assert client_count(client) == 424_242

    overridden.dashboard.reset_override()
    overridden.clock.reset_override()

    assert client_count(client) == 0
    assert f"prognoza-clients-{datetime.now(UTC).date().isoformat()}-PLN.csv" in export_filename(client)
