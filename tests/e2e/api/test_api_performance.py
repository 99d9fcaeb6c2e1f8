"""Realized performance through the API: train, predict, fill in the outcomes, read the scores."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sklearn.metrics import r2_score, roc_auc_score

from e2e.api.conftest import TODAY, Api, a_snapshot, create_client
from e2e.api.test_api_models_and_predictions import trained_api  # noqa: F401  (a fixture)

OBSERVED_ON = TODAY - timedelta(days=5)
OUTCOMES = [(420.0, True), (35.5, False), (180.0, True), (0.0, False), (260.0, False), (90.0, True)]


def predict_new_clients(api: Api) -> list[dict[str, Any]]:
    """Six new clients with a snapshot of five days ago, each scored (twice: when the snapshot arrived,
    and again on request, which must count once)."""
    predictions = []
    for n, purchases in enumerate((6, 1, 4, 0, 3, 2)):
        client = create_client(api, f"New{n}")
        snapshot = a_snapshot(OBSERVED_ON, purchases_30d=purchases, visits_7d=2 * n, site_visits_30d=20)
        assert api.post(f"/clients/{client['id']}/activity", json=snapshot).status_code == 201
        predicted = api.post(f"/clients/{client['id']}/predictions")
        assert predicted.status_code == 201
        predictions.append(predicted.get_json())
    return predictions


def fill_outcomes(api: Api, predictions: list[dict[str, Any]]) -> None:
    for prediction, (spent, bought) in zip(predictions, OUTCOMES, strict=True):
        outcome = {"sales_next_month": spent, "purchased_next_14d": bought}
        path = f"/clients/{prediction['client_id']}/activity/{OBSERVED_ON}"
        assert api.patch(path, json=outcome).status_code == 200


def test_before_the_outcomes_arrive_nothing_is_scored(trained_api: Api, analyst_api: Api) -> None:  # noqa: F811
    predict_new_clients(trained_api)

    answer = analyst_api.get("/models/sales/performance")

    assert answer.status_code == 200
    assert answer.get_json() == {"kind": "sales", "key_metric": "r2", "margin": 0.05, "months": []}


def test_sales_forecasts_are_scored_against_what_the_clients_spent(trained_api: Api) -> None:  # noqa: F811
    predictions = predict_new_clients(trained_api)
    fill_outcomes(trained_api, predictions)
    claimed = trained_api.get("/models/sales/runs").get_json()["items"][0]["evaluation"]["metrics"]

    [month] = trained_api.get("/models/sales/performance").get_json()["months"]

    forecasts = [p["forecast"]["value"] for p in predictions]
    actuals = [spent for spent, _ in OUTCOMES]
    realized = month["realized"]
    assert (month["model_version"], month["month"], realized["count"]) == (
        1,
        OBSERVED_ON.strftime("%Y-%m"),
        6,
    )
    assert realized["mae"] == pytest.approx(
        sum(abs(f - a) for f, a in zip(forecasts, actuals, strict=True)) / 6
    )
    assert realized["r2"] == pytest.approx(r2_score(actuals, forecasts)) == month["realized_key_metric"]
    assert realized["forecast_total"] == pytest.approx(sum(forecasts))
    assert realized["actual_total"] == pytest.approx(sum(actuals))
    assert realized["revenue_bias"] == pytest.approx(sum(forecasts) / sum(actuals) - 1)
    assert month["claimed"] == claimed and month["claimed_key_metric"] == claimed["r2"]
    assert month["falls_short"] == (realized["r2"] < claimed["r2"] - 0.05)


def test_purchase_predictions_are_scored_against_who_bought(trained_api: Api) -> None:  # noqa: F811
    predictions = predict_new_clients(trained_api)
    fill_outcomes(trained_api, predictions)

    [month] = trained_api.get("/models/purchase/performance").get_json()["months"]

    chances = [p["purchase"]["probability"] for p in predictions]
    said = [p["purchase"]["will_buy"] for p in predictions]
    bought = [b for _, b in OUTCOMES]
    realized = month["realized"]
    hits = sum(s and b for s, b in zip(said, bought, strict=True))
    assert (realized["count"], realized["base_rate"]) == (6, 0.5)
    assert realized["precision"] == (hits / sum(said) if any(said) else None)
    assert realized["recall"] == pytest.approx(hits / 3)
    assert realized["roc_auc"] == pytest.approx(roc_auc_score(bought, chances))
    assert realized["brier"] == pytest.approx(
        sum((c - b) ** 2 for c, b in zip(chances, bought, strict=True)) / 6
    )
    assert [d["clients"] for d in realized["deciles"]] == [1] * 6 + [0] * 4
    assert month["claimed_key_metric"] is not None


def test_an_unknown_model_is_not_found(analyst_api: Api) -> None:
    assert analyst_api.get("/models/churn/performance").status_code == 404
