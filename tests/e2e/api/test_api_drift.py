"""GET /api/v1/models/{kind}/drift: the active model's features, newest snapshots beside training data."""

from __future__ import annotations

from flask import Flask

from e2e.api.conftest import Api, issue_token, problem
from e2e.conftest import ADMIN_EMAIL, ANALYST_EMAIL, add_user
from e2e.drift_companies import (  # noqa: F401  (fixtures)
    SHIFTED_BEHAVIOUR,
    drifting_app,
    drifting_template,
    plain_app,
    plain_template,
)


def api_of(app: Flask, email: str, role: str) -> Api:
    add_user(app, email, role)
    client = app.test_client()
    return Api(client, issue_token(client, email))


def psi_by_feature(answer: dict) -> dict[str, float]:  # type: ignore[type-arg]
    return {row["feature"]: row["psi"] for row in answer["features"]}


def test_a_drifting_company_is_advised_to_retrain_for_the_behaviour_that_shifted(drifting_app: Flask) -> None:  # noqa: F811
    answer = api_of(drifting_app, ANALYST_EMAIL, "analyst").get("/models/sales/drift")

    assert answer.status_code == 200
    drift = answer.get_json()
    assert (drift["kind"], drift["model_version"], drift["measured"]) == ("sales", 1, True)
    assert drift["clients"] > 250 and drift["retraining_advised"]
    assert (drift["psi_margin"], drift["psi_factor"]) == (0.2, 2.0)
    shifted = {r["feature"] for r in drift["reasons"] if r["code"] == "feature_drift"}
    assert {"avg_basket_value", "site_visits_30d"} <= shifted
    assert all(
        r["psi"] >= r["holdout_psi"] + 0.2
        and r["psi"] >= 2 * r["holdout_psi"]
        and r["feature"] in r["message"]
        for r in drift["reasons"]
    )
    row = next(row for row in drift["features"] if row["feature"] == "avg_basket_value")
    assert row["level"] == "significant" and row["missing_at_training"] == row["missing_now"] == 0
    assert 0 <= row["holdout_psi"] < 0.1  # the hold-out month had not moved yet
    assert 0 <= row["outside_range"] < 0.1


def test_the_plain_company_keeps_that_behaviour_stable(plain_app: Flask) -> None:  # noqa: F811
    drift = api_of(plain_app, ADMIN_EMAIL, "admin").get("/models/sales/drift").get_json()

    stable = {feature: psi for feature, psi in psi_by_feature(drift).items() if feature in SHIFTED_BEHAVIOUR}
    assert stable and all(psi < 0.1 for psi in stable.values()), stable
    assert not {r["feature"] for r in drift["reasons"]} & SHIFTED_BEHAVIOUR


def test_the_plain_company_is_not_advised_to_retrain(plain_app: Flask) -> None:  # noqa: F811
    api = api_of(plain_app, ADMIN_EMAIL, "admin")

    for kind in ("sales", "purchase"):
        drift = api.get(f"/models/{kind}/drift").get_json()
        assert not drift["retraining_advised"] and drift["reasons"] == [], drift["reasons"]
    # tenure grows with the calendar: it drifts, but no further than on the hold-out month tested on
    tenure = next(
        row
        for row in api.get("/models/sales/drift").get_json()["features"]
        if row["feature"] == "tenure_months"
    )
    assert 0 < tenure["holdout_psi"] < tenure["psi"] < tenure["holdout_psi"] + 0.2


def test_the_purchase_model_sees_the_drift_in_visits_too(drifting_app: Flask, plain_app: Flask) -> None:  # noqa: F811
    drifting = psi_by_feature(
        api_of(drifting_app, ADMIN_EMAIL, "admin").get("/models/purchase/drift").get_json()
    )
    plain = psi_by_feature(api_of(plain_app, ADMIN_EMAIL, "admin").get("/models/purchase/drift").get_json())

    for feature in ("visits_7d", "time_on_site_7d"):
        assert drifting[feature] > 2 * plain[feature], feature


def test_an_unknown_model_is_not_found(analyst_api: Api) -> None:
    problem(analyst_api.get("/models/churn/drift"), 404)


def test_without_an_active_model_the_answer_says_so(analyst_api: Api) -> None:
    found = problem(analyst_api.get("/models/sales/drift"), 409)

    assert found["code"] == "model_not_trained" and "not trained" in found["detail"]


def test_signing_in_is_required(anonymous_api: Api) -> None:
    assert anonymous_api.get("/models/sales/drift").status_code == 401
