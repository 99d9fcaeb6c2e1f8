"""The purchase model's calibration through the API: its hold-out curve from training, and the
realized one once the outcomes of its predictions arrive."""

from __future__ import annotations

import pytest

from e2e.api.conftest import Api, problem
from e2e.api.test_api_models_and_predictions import trained_api  # noqa: F401  (a fixture)
from e2e.api.test_api_performance import OUTCOMES, fill_outcomes, predict_new_clients


def test_the_active_models_hold_out_curve_comes_from_its_training(
    trained_api: Api,  # noqa: F811
    analyst_api: Api,
) -> None:
    run = trained_api.get("/models/purchase/runs").get_json()["items"][0]

    answer = analyst_api.get("/models/purchase/calibration")

    assert answer.status_code == 200, answer.get_json()
    calibration = answer.get_json()
    hold_out = calibration["hold_out"]
    assert calibration["model_version"] == run["version"]
    assert calibration["method"] == run["evaluation"]["calibration"]["method"]
    assert (
        set(calibration["compared"]) <= {"none", "sigmoid", "isotonic"} and "none" in calibration["compared"]
    )
    assert [(b["lower"], b["upper"]) for b in hold_out["bins"]] == [
        pytest.approx((i / 10, (i + 1) / 10)) for i in range(10)
    ]
    assert (
        hold_out["clients"] == sum(b["clients"] for b in hold_out["bins"]) == run["evaluation"]["test_size"]
    )
    assert hold_out["brier"] == run["evaluation"]["metrics"]["brier"]
    assert calibration["realized"] == []


def test_the_realized_curve_scores_the_predictions_whose_outcome_is_known(
    trained_api: Api,  # noqa: F811
) -> None:
    predictions = predict_new_clients(trained_api)
    fill_outcomes(trained_api, predictions)

    [realized] = trained_api.get("/models/purchase/calibration").get_json()["realized"]

    chances = [p["purchase"]["probability"] for p in predictions]
    bought = [b for _, b in OUTCOMES]
    curve = realized["curve"]
    assert realized["model_version"] == predictions[0]["purchase"]["model_version"]
    assert curve["clients"] == 6
    assert curve["brier"] == pytest.approx(
        sum((c - b) ** 2 for c, b in zip(chances, bought, strict=True)) / 6
    )
    for chance in chances:
        [holding] = [
            b for b in curve["bins"] if b["lower"] <= chance < b["upper"] or chance == b["upper"] == 1
        ]
        assert holding["clients"] >= 1 and 0 <= holding["buy_rate"] <= 1
    performance = trained_api.get("/models/purchase/performance").get_json()["months"][0]["realized"]
    assert curve["brier"] == pytest.approx(performance["brier"])


def test_no_calibration_is_shown_before_a_purchase_model_is_trained(admin_api: Api) -> None:
    problem(admin_api.get("/models/purchase/calibration"), 409)
