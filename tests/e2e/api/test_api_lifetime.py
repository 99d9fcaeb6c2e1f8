"""A client's customer lifetime through the API: GET /clients/{id}/lifetime."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from domain.predictions import ModelKind
from domain.users import User
from e2e.api.conftest import Api, create_client, issue_token, problem
from e2e.conftest import train_lifetime_model
from entrypoints.container import container_of


@pytest.fixture
def demo_api(demo_client: FlaskClient, demo_analyst: User) -> Api:
    return Api(demo_client, issue_token(demo_client, demo_analyst.email))


def scored_client(app: Flask) -> int:
    """The first client whose newest snapshot shows a purchase."""
    with container_of(app).uow() as uow:
        rows = uow.activity.newest_rows(after_client_id=0, limit=1000)
    return next(r.snapshot.client_id for r in rows if r.snapshot.history and r.snapshot.history.purchase_days)


def test_a_client_s_lifetime_comes_from_the_newest_lifetime_model_with_its_backtest(
    demo_api: Api, demo_app: Flask
) -> None:
    version = train_lifetime_model(demo_app)
    container_of(demo_app).activate_version()(ModelKind.SALES, 1, "admin@example.com")  # read all the same
    client_id = scored_client(demo_app)

    body = demo_api.get(f"/clients/{client_id}/lifetime").get_json()

    assert body["client_id"] == client_id and body["unavailable"] is None
    assert 0 <= body["probability_alive"] <= 1
    assert 0 <= body["expected_orders_90d"] <= body["expected_orders_365d"]
    assert body["value_12m"] == pytest.approx(
        body["expected_orders_365d"] * body["expected_order_value"], rel=1e-3
    )
    assert 0 <= body["value_12m_likely"]["low"] <= body["value_12m_likely"]["high"]
    assert body["orders_90d_likely"]["low"] <= body["orders_90d_likely"]["high"]
    if body["next_order_by"] is not None:
        observed_on = date.fromisoformat(body["observed_on"])
        assert observed_on < date.fromisoformat(body["next_order_by"]) <= observed_on + timedelta(days=365)
    model = body["model"]
    assert (model["version"], model["is_active"]) == (version, False)
    assert model["hold_out_r2"] is not None and model["hold_out_mae"] >= 0


def test_without_a_lifetime_model_every_figure_is_null_and_it_says_why(
    demo_api: Api, demo_app: Flask
) -> None:
    body = demo_api.get(f"/clients/{scored_client(demo_app)}/lifetime").get_json()

    assert (body["unavailable"], body["model"], body["probability_alive"], body["value_12m"]) == (
        "no_lifetime_model",
        None,
        None,
        None,
    )


def test_a_client_without_snapshots_or_unknown_is_told_apart(demo_api: Api, demo_app: Flask) -> None:
    train_lifetime_model(demo_app)
    client = create_client(demo_api, "Zofia")

    assert demo_api.get(f"/clients/{client['id']}/lifetime").get_json()["unavailable"] == "no_snapshot"
    problem(demo_api.get("/clients/424242/lifetime"), 404)
