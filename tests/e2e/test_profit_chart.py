"""The threshold priced on the known outcomes too: once a month has passed for the demo company, the
threshold advice gives the realized profit curve beside the hold-out's, and the panel draws both."""

from __future__ import annotations

import json
import re

import numpy as np
from flask import Flask
from flask.testing import FlaskClient

from domain.users import User
from e2e.conftest import AuthActions
from e2e.test_demo_advance import PURCHASES, advanced, api_of, stored_rows  # noqa: F401  (a fixture)

ECONOMICS = {"cost_per_contact": 5, "value_per_conversion": 120}


PRICED = """
    SELECT p.probability, a.purchased_next_14d, s.value
    FROM purchase_predictions p
    JOIN client_activity a ON a.client_id = p.client_id AND a.observed_on = p.observed_on
    JOIN sales_predictions s
      ON s.client_id = p.client_id AND s.observed_on = p.observed_on AND s.made_at = p.made_at
    WHERE a.purchased_next_14d IS NOT NULL
"""


def best_by_brute_force(
    rows: list[tuple[float, bool, float]], thresholds: list[float]
) -> tuple[float, list[float]]:
    """Contact everyone at or above each threshold, count the cost and what the buyers bring (each
    row's probability, whether the client bought, and what a conversion of theirs is worth)."""
    probability = np.array([row[0] for row in rows], dtype=float)
    bought = np.array([bool(row[1]) for row in rows])
    worth = np.array([row[2] for row in rows], dtype=float)
    profits = []
    for threshold in thresholds:
        contacted = probability >= threshold
        profit = worth[contacted & bought].sum() - ECONOMICS["cost_per_contact"] * contacted.sum()
        profits.append(float(profit) / len(rows))
    best = max(zip(profits, thresholds, strict=True), key=lambda pair: (round(pair[0], 9), pair[1]))
    return best[1], profits


def assert_realized_as_by_brute_force(advice: dict, rows: list[tuple[float, bool, float]]) -> None:
    realized = advice["realized"]
    thresholds = [point["threshold"] for point in advice["points"]]
    best, profits = best_by_brute_force(rows, thresholds)
    assert realized["clients"] == len(rows)
    assert [point["threshold"] for point in realized["points"]] == thresholds
    for point, profit in zip(realized["points"], profits, strict=True):
        assert abs(point["profit_per_client"] - profit) < 1e-6
    assert realized["best"]["threshold"] == best


def test_before_any_outcome_is_known_there_is_no_realized_curve(demo_app: Flask, demo_admin: User) -> None:
    advice = api_of(demo_app, demo_admin).post("/models/purchase/threshold-advice", json=ECONOMICS)

    assert advice.status_code == 200
    assert advice.get_json()["realized"] is None


def test_the_best_realized_threshold_is_the_one_a_brute_force_finds(
    advanced: Flask,  # noqa: F811
    demo_admin: User,
) -> None:
    rows = [(row[2], row[4], ECONOMICS["value_per_conversion"]) for row in stored_rows(advanced, PURCHASES)]

    advice = api_of(advanced, demo_admin).post("/models/purchase/threshold-advice", json=ECONOMICS).get_json()

    assert_realized_as_by_brute_force(advice, rows)
    assert (advice["value_per_conversion_used"], advice["value_source"]) == (120, "given")
    thresholds = [point["threshold"] for point in advice["points"]]
    current = min(thresholds, key=lambda t: abs(t - advice["current_threshold"]))
    assert advice["realized"]["current"]["threshold"] == current


def test_valued_at_the_forecasts_each_buyer_brings_the_forecast_made_with_their_prediction(
    advanced: Flask,  # noqa: F811
    demo_admin: User,
) -> None:
    rows = stored_rows(advanced, PRICED)
    [(mean_forecast,)] = stored_rows(advanced, "SELECT AVG(value) FROM sales_predictions WHERE is_current")

    advice = (
        api_of(advanced, demo_admin)
        .post(
            "/models/purchase/threshold-advice",
            json={"cost_per_contact": ECONOMICS["cost_per_contact"], "value_from_forecast": True},
        )
        .get_json()
    )

    assert_realized_as_by_brute_force(advice, rows)  # type: ignore[arg-type]
    assert advice["value_source"] == "mean_forecast"
    assert abs(advice["value_per_conversion_used"] - mean_forecast) < 0.01


def test_the_panel_draws_both_curves_and_names_the_best_realized_threshold(
    advanced: Flask,  # noqa: F811
    demo_client: FlaskClient,
    demo_auth: AuthActions,
    demo_admin: User,
) -> None:
    demo_auth.login(demo_admin.email)

    html = demo_client.get(
        "/ml/threshold-advice", query_string={f"advice-{name}": value for name, value in ECONOMICS.items()}
    ).get_data(as_text=True)

    assert 'id="profit-chart"' in html and 'id="advice-realized-best"' in html
    found = re.search(r'<script type="application/json" id="profit-data">(.*?)</script>', html, re.S)
    assert found is not None
    chart = json.loads(found.group(1))
    assert len(chart["expected"]) == len(chart["realized"]) == len(chart["thresholds"])
    assert chart["realizedBest"] in chart["thresholds"] and chart["best"] in chart["thresholds"]
    assert chart["current"] == 0.7


def test_the_panel_says_the_test_month_is_valued_at_the_average_forecast(
    advanced: Flask,  # noqa: F811
    demo_client: FlaskClient,
    demo_auth: AuthActions,
    demo_admin: User,
) -> None:
    demo_auth.login(demo_admin.email)

    html = demo_client.get(
        "/ml/threshold-advice",
        query_string={"advice-cost_per_contact": "5", "advice-value_from_forecast": "y"},
    ).get_data(as_text=True)

    assert 'id="profit-chart"' in html and 'id="advice-realized-best"' in html
    assert 'id="advice-value-source"' in html and "valued at the average forecast" in html
    checkbox = re.search(r'<input[^>]*id="advice-value_from_forecast"[^>]*>', html)
    assert checkbox is not None and "checked" in checkbox.group(0)
