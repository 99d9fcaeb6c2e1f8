"""`prognoza demo advance` closes the loop: a month passes for the demo company, the predictions made
before meet their outcomes, and the Monitoring card and the API score them as a recomputation does."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime

import numpy as np
import pytest
from click.testing import CliRunner, Result
from flask import Flask
from flask.testing import FlaskClient
from sklearn.metrics import (
    brier_score_loss,
    mean_absolute_error,
    precision_score,
    r2_score,
    recall_score,
    roc_auc_score,
)

from domain.users import User
from e2e.api.conftest import Api, issue_token
from e2e.conftest import AuthActions
from e2e.test_web_monitoring import monitoring
from entrypoints.cli import cli
from entrypoints.container import container_of
from entrypoints.web.ml_panel import metric_text

SALES = """
    SELECT p.model_version, p.observed_on, p.value, a.sales_next_month
    FROM sales_predictions p
    JOIN client_activity a ON a.client_id = p.client_id AND a.observed_on = p.observed_on
    WHERE a.sales_next_month IS NOT NULL
"""
PURCHASES = """
    SELECT p.model_version, p.observed_on, p.probability, p.will_buy, a.purchased_next_14d
    FROM purchase_predictions p
    JOIN client_activity a ON a.client_id = p.client_id AND a.observed_on = p.observed_on
    WHERE a.purchased_next_14d IS NOT NULL
"""


def advance(app: Flask, months: int = 1) -> Result:
    """`prognoza demo advance` in a process of its own, as a user runs it, on the app's database."""
    settings = container_of(app).settings()
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PROGNOZA_DATABASE_URL", settings.database_url)
        env.setenv("PROGNOZA_INSTANCE_DIR", str(settings.instance_dir))
        env.setenv("PROGNOZA_ENV", "development")
        env.setenv("FLASK_RUN_FROM_CLI", "false")
        result = CliRunner().invoke(cli, ["demo", "advance", "--months", str(months)], prog_name="prognoza")
    root.handlers[:], root.level = handlers, level
    return result


def stored_rows(app: Flask, query: str) -> list[tuple[object, ...]]:
    """The rows straight from the database file, not through the app."""
    path = container_of(app).settings().database_url.removeprefix("sqlite:///")
    with closing(sqlite3.connect(path)) as connection:
        return connection.execute(query).fetchall()


def api_of(app: Flask, user: User) -> Api:
    client = app.test_client()
    return Api(client, issue_token(client, user.email))


@pytest.fixture
def advanced(demo_app: Flask, demo_admin: User) -> Iterator[Flask]:
    result = advance(demo_app)
    assert result.exit_code == 0, result.output
    yield demo_app


def test_before_a_month_passes_no_prediction_of_the_demo_is_realized(demo_app: Flask) -> None:
    assert stored_rows(demo_app, SALES) == []
    assert stored_rows(demo_app, PURCHASES) == []


def test_the_command_says_what_it_added_and_scores_every_client_again(demo_app: Flask) -> None:
    with container_of(demo_app).uow() as uow:
        through = uow.settings.demo_company().through  # type: ignore[union-attr]

    result = advance(demo_app)

    assert result.exit_code == 0, result.output
    first, second = result.output.splitlines()
    assert first.startswith(f"Moved the demo company on from {through} to ")
    assert " orders and " in first and " activity snapshots derived" in first
    with container_of(demo_app).uow() as uow:
        newest = uow.activity.newest_rows(after_client_id=0, limit=10_000)
    assert max(row.snapshot.observed_on for row in newest) > through
    assert second.startswith(f"Scored {len(newest):,} clients again with sales v")
    scored = stored_rows(demo_app, "SELECT client_id, observed_on FROM sales_predictions WHERE is_current")
    assert sorted(scored) == sorted((row.snapshot.client_id, str(row.snapshot.observed_on)) for row in newest)


def test_months_out_of_bounds_are_refused_naming_the_field(demo_app: Flask) -> None:
    result = advance(demo_app, months=13)

    assert result.exit_code == 1
    assert "months:" in result.output
    assert stored_rows(demo_app, SALES) == []


def test_the_sales_forecasts_made_before_are_scored_as_a_recomputation_scores_them(
    advanced: Flask, demo_admin: User
) -> None:
    rows = stored_rows(advanced, SALES)
    [(version, observed_on)] = {(row[0], row[1]) for row in rows}
    forecast = np.array([row[2] for row in rows], dtype=float)
    actual = np.array([row[3] for row in rows], dtype=float)
    answer = api_of(advanced, demo_admin).get("/models/sales/performance")

    [month] = answer.get_json()["months"]
    realized = month["realized"]
    assert (month["model_version"], month["month"]) == (version, str(observed_on)[:7])
    assert realized["count"] == len(rows) > 100
    assert realized["mae"] == pytest.approx(mean_absolute_error(actual, forecast))
    assert realized["r2"] == pytest.approx(r2_score(actual, forecast))
    assert realized["revenue_bias"] == pytest.approx(forecast.sum() / actual.sum() - 1)


def test_the_purchase_predictions_made_before_are_scored_as_a_recomputation_scores_them(
    advanced: Flask, demo_admin: User
) -> None:
    rows = stored_rows(advanced, PURCHASES)
    probability = np.array([row[2] for row in rows], dtype=float)
    will_buy = np.array([bool(row[3]) for row in rows])
    bought = np.array([bool(row[4]) for row in rows])
    answer = api_of(advanced, demo_admin).get("/models/purchase/performance")

    [month] = answer.get_json()["months"]
    realized = month["realized"]
    assert realized["count"] == len(rows) > 100
    assert realized["base_rate"] == pytest.approx(bought.mean())
    if will_buy.any():
        assert realized["precision"] == pytest.approx(precision_score(bought, will_buy))
    else:
        assert realized["precision"] is None
    assert realized["recall"] == pytest.approx(recall_score(bought, will_buy, zero_division=0))
    assert realized["roc_auc"] == pytest.approx(roc_auc_score(bought, probability))
    assert realized["brier"] == pytest.approx(brier_score_loss(bought, probability))


def test_the_monitoring_card_shows_the_realized_month_of_each_model(
    advanced: Flask, demo_client: FlaskClient, demo_auth: AuthActions, demo_admin: User
) -> None:
    sales = stored_rows(advanced, SALES)
    r2 = r2_score([row[3] for row in sales], [row[2] for row in sales])
    demo_auth.login(demo_admin.email)

    card = monitoring(demo_client.get("/ml").get_data(as_text=True))

    sales_table = card[card.index('data-model="sales"') : card.index('data-model="purchase"')]
    purchase_table = card[card.index('data-model="purchase"') :]
    with advanced.test_request_context():
        r2_text = metric_text("r2", r2)
    for table in (sales_table, purchase_table):
        assert table.count('<th scope="row">v') == 1
        assert f'<td class="text-end">{len(sales)}</td>' in table
    assert f'<td class="text-end fw-semibold">{r2_text}</td>' in sales_table


def test_the_company_s_today_moves_with_it(advanced: Flask) -> None:
    with container_of(advanced).uow() as uow:
        through = uow.settings.demo_company().through  # type: ignore[union-attr]

    today = container_of(advanced).clock().today()

    assert today == max(datetime.now(UTC).date(), through)


def test_a_database_without_a_demo_company_is_told_how_to_get_one(app: Flask) -> None:
    result = advance(app)

    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: No demo company is recorded in this database: seed one with `prognoza demo seed` first."
    )
