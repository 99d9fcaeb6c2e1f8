"""Training, model versions and predictions through the API, and the script a consumer would write."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from dependency_injector import providers
from flask import Flask
from flask.testing import FlaskClient

from e2e.api.conftest import (
    TODAY,
    V1,
    Api,
    a_client,
    a_snapshot,
    company_csvs,
    create_client,
    fields,
    problem,
)
from e2e.conftest import ADMIN_EMAIL, PASSWORD, add_user
from entrypoints.container import container_of

FINISHED = {"succeeded", "failed"}


def poll(api: Api, url: str, done: Callable[[dict[str, Any]], bool], attempts: int = 200) -> dict[str, Any]:
    """GET `url` until `done` says so, as a client of a background job would."""
    for _ in range(attempts):
        body = dict(api.get(url).get_json())
        if done(body):
            return body
        time.sleep(0.05)
    raise AssertionError(f"{url} did not finish: {body}")


def import_company(api: Api) -> None:
    clients_csv, activity_csv = company_csvs()
    assert api.upload("/imports/clients", clients_csv).get_json()["imported"] == 80
    assert api.upload("/imports/activity", activity_csv).get_json()["imported"] == 160


def train(api: Api, kind: str) -> dict[str, Any]:
    started = api.post(f"/models/{kind}/training")
    assert started.status_code == 202, started.get_json()
    return poll(api, started.headers["Location"], lambda run: run["status"] in FINISHED)


@pytest.fixture
def trained_api(admin_api: Api) -> Api:
    """An admin's API on a company of 80 clients with labelled activity and both models trained."""
    import_company(admin_api)
    for kind in ("sales", "purchase"):
        assert train(admin_api, kind)["status"] == "succeeded"
    return admin_api


def test_a_script_with_a_token_creates_trains_predicts_and_reads_the_dashboard(
    app: Flask, client: FlaskClient
) -> None:
    add_user(app, ADMIN_EMAIL, "admin")
    token = client.post(f"{V1}/auth/tokens", json={"email": ADMIN_EMAIL, "password": PASSWORD}).get_json()[
        "token"
    ]
    api = Api(client, token)
    import_company(api)  # the history the models learn from, as another system would send it

    created = api.post("/clients", json=a_client("Zofia", registered_on="2022-06-01"))
    client_url = created.headers["Location"]
    for days_ago, outcomes in ((65, {"sales_next_month": 310.0, "purchased_next_14d": True}), (5, {})):
        observed_on = TODAY - timedelta(days=days_ago)
        snapshot = api.post(f"{client_url}/activity", json=a_snapshot(observed_on, **outcomes))
        assert snapshot.status_code == 201
    runs = {}
    for kind in ("sales", "purchase"):
        started = api.post(f"/models/{kind}/training")
        assert started.status_code == 202
        assert started.get_json()["status"] in {"queued", "running", "succeeded"}
        assert (
            started.headers["Location"]
            == started.get_json()["url"]
            == f"{V1}/models/{kind}/runs/{started.get_json()['id']}"
        )
        runs[kind] = poll(api, started.get_json()["url"], lambda run: run["status"] in FINISHED)
    prediction = api.post(f"{client_url}/predictions")
    board = api.get("/dashboard")

    for kind, metric in (("sales", "r2"), ("purchase", "roc_auc")):
        run = runs[kind]
        assert (run["status"], run["is_active"], run["version"], run["error"]) == ("succeeded", True, 1, None)
        assert metric in run["evaluation"]["metrics"]
        assert all(metric in scores for scores in run["evaluation"]["baseline_metrics"].values())
        assert run["beats_baselines"] is True and isinstance(run["warnings"], list)
        assert len(run["artifact_sha256"]) == 64
        assert run["worker"].endswith(f":{os.getpid()}") and run["heartbeat_at"] is not None
    assert runs["purchase"]["evaluation"]["confusion_matrix"] is not None
    assert prediction.status_code == 201
    result = prediction.get_json()
    purchase = result["purchase"]
    assert result["forecast"]["value"] >= 0 and 0 <= purchase["probability"] <= 1
    assert purchase["will_buy"] == (purchase["probability"] >= purchase["threshold"] == 0.7)
    assert (result["forecast"]["model_version"], purchase["model_version"]) == (1, 1)
    assert {r["feature"] for r in result["reasons"]["sales"]} == {
        "purchases_30d",
        "avg_basket_value",
        "site_visits_30d",
        "days_since_last_purchase",
        "tenure_months",
    }
    assert len(result["reasons"]["purchase"]) == 5
    dashboard = board.get_json()
    assert (dashboard["client_count"], dashboard["clients_scored"], dashboard["threshold"]) == (81, 1, 0.7)
    assert dashboard["average_forecast"] == pytest.approx(result["forecast"]["value"])
    assert dashboard["likely_buyer_share"] == (1.0 if purchase["will_buy"] else 0.0)
    assert sum(dashboard["segment_counts"].values()) == 1
    assert dashboard["segment_counts"][result["segment"]] == 1
    assert dashboard["models_trained"] is True
    actual = dashboard["trend"]["actual"]
    assert actual and dashboard["trend"]["forecast"]["month"] == str(
        month_after(date.fromisoformat(actual[-1]["month"]))
    )


def month_after(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def test_training_on_too_little_data_fails_with_the_reason_and_activates_nothing(admin_api: Api) -> None:
    run = train(admin_api, "sales")

    assert run["status"] == "failed"
    assert run["error"].startswith("Too little data: 0 labelled snapshots")
    assert (run["is_active"], run["evaluation"], run["artifact_sha256"]) == (False, None, None)
    client = create_client(admin_api)
    admin_api.post(f"/clients/{client['id']}/activity", json=a_snapshot())
    problem(admin_api.post(f"/clients/{client['id']}/predictions"), 409)
    problem(admin_api.post("/predictions/batch"), 409)


class ParkedJobRunner:
    """Accepts jobs and never runs them: a training stays queued."""

    shares_work = False

    def submit(self, job_id: str) -> None: ...


def test_a_second_training_while_one_is_queued_is_a_409(app: Flask, admin_api: Api) -> None:
    container_of(app).job_runner.override(providers.Object(ParkedJobRunner()))

    first = admin_api.post("/models/purchase/training")
    second = admin_api.post("/models/purchase/training")
    other_kind = admin_api.post("/models/sales/training")

    assert first.status_code == 202 and first.get_json()["status"] == "queued"
    assert "already in progress" in problem(second, 409)["detail"]
    assert other_kind.status_code == 202


def test_the_jobs_queued_or_running_are_listed_oldest_first_and_a_finished_one_is_not(
    app: Flask, admin_api: Api, analyst_api: Api
) -> None:
    assert analyst_api.get("/jobs").get_json() == {"items": []}
    container_of(app).job_runner.override(providers.Object(ParkedJobRunner()))

    admin_api.post("/models/purchase/training")
    admin_api.post("/models/sales/training")

    listed = analyst_api.get("/jobs").get_json()["items"]
    assert ["purchase" in job["description"] for job in listed] == [True, False]
    assert {(job["state"], job["done"]) for job in listed} == {("queued", None)}
    assert [analyst_api.get(job["url"]).get_json() for job in listed] == listed
    with container_of(app).uow() as uow:
        job = uow.jobs.get(listed[0]["id"])
        assert job is not None
        uow.jobs.finish(job.failed("stopped for the test", job.created_at))
        uow.commit()
    assert [job["id"] for job in analyst_api.get("/jobs").get_json()["items"]] == [listed[1]["id"]]


def test_an_earlier_version_can_be_made_active_again(trained_api: Api) -> None:
    second = train(trained_api, "sales")
    assert (second["version"], second["is_active"]) == (2, True)

    response = trained_api.post("/models/sales/active", json={"version": 1})

    assert response.status_code == 200
    assert (response.get_json()["version"], response.get_json()["is_active"]) == (1, True)
    runs = trained_api.get("/models/sales/runs").get_json()["items"]
    assert [(r["version"], r["is_active"]) for r in runs] == [(2, False), (1, True)]


def test_activating_a_failed_unknown_or_malformed_version_is_refused(admin_api: Api) -> None:
    failed = train(admin_api, "sales")

    problem(admin_api.post("/models/sales/active", json={"version": failed["version"]}), 409)
    problem(admin_api.post("/models/sales/active", json={"version": 99}), 404)
    assert fields(admin_api.post("/models/sales/active", json={"version": 0})) == ["version"]
    assert fields(admin_api.post("/models/sales/active", json={})) == ["version"]


def test_a_run_is_found_only_under_its_own_kind(admin_api: Api) -> None:
    run = train(admin_api, "sales")

    assert admin_api.get(f"/models/sales/runs/{run['id']}").status_code == 200
    problem(admin_api.get(f"/models/purchase/runs/{run['id']}"), 404)
    problem(admin_api.get("/models/sales/runs/424242"), 404)
    problem(admin_api.get("/models/churn/runs"), 404)
    problem(admin_api.post("/models/churn/training"), 404)


def test_each_prediction_is_kept_and_the_newest_is_current(trained_api: Api) -> None:
    client = create_client(trained_api, "Zofia")
    trained_api.post(f"/clients/{client['id']}/activity", json=a_snapshot())

    first = trained_api.post(f"/clients/{client['id']}/predictions").get_json()
    trained_api.put("/settings/threshold", json={"threshold": 0.05})
    second = trained_api.post(f"/clients/{client['id']}/predictions")

    assert second.headers["Location"] == f"{V1}/clients/{client['id']}/predictions"
    history = trained_api.get(second.headers["Location"]).get_json()["items"]
    # The first was made on its own when the snapshot arrived.
    assert [h["purchase"]["threshold"] for h in history] == [0.05, *[first["purchase"]["threshold"]] * 2]
    assert history[0]["forecast"] == second.get_json()["forecast"]
    detail = trained_api.get(f"/clients/{client['id']}").get_json()
    assert detail["forecast"] == second.get_json()["forecast"] and detail["purchase"]["will_buy"] is True
    assert detail["segment"] == second.get_json()["segment"]
    assert detail["out_of_date"] == []


def test_a_new_snapshot_scores_its_client_and_a_new_threshold_shows_the_prediction_out_of_date(
    trained_api: Api,
) -> None:
    client = create_client(trained_api, "Zofia")
    url = f"/clients/{client['id']}"
    newest, older = TODAY - timedelta(days=10), TODAY - timedelta(days=70)
    trained_api.post(f"{url}/activity", json=a_snapshot(observed_on=newest))
    scored = trained_api.get(url).get_json()
    assert scored["forecast"]["observed_on"] == newest.isoformat() and scored["out_of_date"] == []

    trained_api.post(f"{url}/activity", json=a_snapshot(observed_on=older))
    assert trained_api.get(url).get_json()["forecast"] == scored["forecast"]  # an older one changes nothing

    trained_api.put("/settings/threshold", json={"threshold": 0.05})
    assert trained_api.get(url).get_json()["out_of_date"] == ["threshold_changed"]
    trained_api.post(f"{url}/predictions")
    assert trained_api.get(url).get_json()["out_of_date"] == []


def test_a_client_without_activity_or_unknown_gets_no_prediction(trained_api: Api) -> None:
    client = create_client(trained_api, "Zofia")

    body = problem(trained_api.post(f"/clients/{client['id']}/predictions"), 409)

    assert "no activity snapshot" in body["detail"]
    problem(trained_api.post("/clients/424242/predictions"), 404)
    problem(trained_api.get("/clients/424242/predictions"), 404)


def test_only_an_admin_scores_every_client_an_analyst_predicts_one_at_a_time(
    trained_api: Api, analyst_api: Api
) -> None:
    body = problem(analyst_api.post("/predictions/batch"), 403)

    assert "score every client" in body["detail"]
    client_id = analyst_api.get("/clients", query_string={"per_page": 1}).get_json()["items"][0]["id"]
    assert analyst_api.post(f"/clients/{client_id}/predictions").status_code == 201


def test_a_batch_scores_every_client_in_the_background_and_its_job_can_be_polled(
    trained_api: Api, analyst_api: Api
) -> None:
    response = trained_api.post("/predictions/batch")

    assert response.status_code == 202
    job = response.get_json()
    assert response.headers["Location"] == job["url"] == f"{V1}/jobs/{job['id']}"
    finished = poll(analyst_api, job["url"], lambda j: j["state"] in FINISHED)
    assert finished["state"] == "succeeded" and finished["error"] is None
    assert (finished["done"], finished["total"]) == (80, 80)
    # The first scoring of every client fits the segments to the forecasts, as the rule in force says.
    bands = analyst_api.get("/settings/segments").get_json()
    assert finished["result"] == {
        "clients_scored": 80,
        "sales_version": 1,
        "purchase_version": 1,
        "threshold": 0.7,
        "fitted_segments": {"medium_from": bands["medium_from"], "high_from": bands["high_from"]},
        "fitted_tiers": finished["result"]["fitted_tiers"],
    }
    cuts = finished["result"]["fitted_tiers"]
    assert cuts["third_above"] <= cuts["next_above"] <= cuts["top_above"]
    top = analyst_api.get("/clients", query_string={"tier": 1, "per_page": 100}).get_json()
    assert top["total"] == 8 and {c["tier"] for c in top["items"]} == {1}
    assert analyst_api.get(top["items"][0]["url"]).get_json()["tier"] == 1
    listed = analyst_api.get(
        "/clients", query_string={"sort": "-predicted_sales", "per_page": 100}
    ).get_json()
    forecasts = [c["predicted_sales"] for c in listed["items"]]
    assert None not in forecasts and forecasts == sorted(forecasts, reverse=True)
    assert problem(analyst_api.get("/jobs/no-such-job"), 404)["code"] == "job_not_found"


def test_a_named_candidate_is_trained_and_its_run_says_which_with_its_backtest(trained_api: Api) -> None:
    started = trained_api.post("/models/purchase/training", json={"model": "boosted", "features": "basic"})
    assert started.status_code == 202

    run = poll(trained_api, started.headers["Location"], lambda run: run["status"] in FINISHED)

    assert (run["status"], run["model"], run["features"], run["comparison"]) == (
        "succeeded",
        "boosted",
        "basic",
        None,
    )
    [fold] = run["evaluation"]["backtest"]  # two labelled months: one to learn from, one to test on
    assert fold["metric"] == "roc_auc" and fold["score"] == run["evaluation"]["metrics"]["roc_auc"]
    assert set(fold["baselines"]) == {"base_rate", "bought_last_30d"}


def test_the_lifetime_model_is_refused_for_purchases_naming_the_field(admin_api: Api) -> None:
    body = problem(admin_api.post("/models/purchase/training", json={"model": "clv"}), 422)
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("model", "sales_only")]
    bad = problem(admin_api.post("/models/sales/training", json={"model": "forest"}), 422)
    assert [e["field"] for e in bad["errors"]] == ["model"]
    assert admin_api.get("/models/sales/runs").get_json()["items"] == []


def test_a_comparison_trains_every_candidate_and_activates_the_best_that_beats_its_baselines(
    admin_api: Api,
) -> None:
    import_company(admin_api)

    started = admin_api.post("/models/sales/comparisons")

    assert started.status_code == 202
    queued = started.get_json()["runs"]
    assert [run["version"] for run in queued] == [1, 2, 3, 4, 5]
    runs = [poll(admin_api, run["url"], lambda run: run["status"] in FINISHED) for run in queued]
    assert {run["comparison"] for run in runs} == {started.get_json()["comparison"]}
    assert [(run["model"], run["features"]) for run in runs] == [
        ("linear", "basic"),
        ("linear", "extended"),
        ("boosted", "basic"),
        ("boosted", "extended"),
        ("clv", "extended"),
    ]
    # Entered snapshots have no order history: the lifetime model is refused, saying why.
    assert runs[-1]["status"] == "failed" and "order history" in runs[-1]["error"]
    runs = admin_api.get("/models/sales/runs").get_json()["items"]
    active = [run for run in runs if run["is_active"]]
    eligible = [run for run in runs if run["beats_baselines"]]
    best = max(eligible, key=lambda run: run["evaluation"]["backtest_score"])
    assert [run["version"] for run in active] == [best["version"]]


def test_a_what_if_changes_the_predictions_and_stores_nothing(trained_api: Api, analyst_api: Api) -> None:
    client = create_client(trained_api, "Zofia")
    url = f"/clients/{client['id']}"
    trained_api.post(f"{url}/activity", json=a_snapshot())
    current = trained_api.get(url).get_json()
    history = trained_api.get(f"{url}/predictions").get_json()

    changes = {"purchases_30d": 9, "avg_basket_value": 900.5, "days_since_last_purchase": 1, "visits_7d": 12}
    answer = analyst_api.post(f"{url}/what-if", json=changes)

    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert {name: body["snapshot"][name] for name in changes} == changes
    assert body["snapshot"]["site_visits_30d"] == 12  # unchanged: the snapshot's
    assert body["forecast"]["value"] != current["forecast"]["value"]
    assert body["purchase"]["probability"] != current["purchase"]["probability"]
    assert {r["feature"] for r in body["reasons"]["sales"]} >= {"purchases_30d", "avg_basket_value"}
    assert trained_api.get(f"{url}/predictions").get_json() == history
    assert trained_api.get(url).get_json()["forecast"] == current["forecast"]
    assert trained_api.get(f"{url}/activity").get_json()["items"][0]["purchases_30d"] == 2


def test_a_what_if_is_refused_naming_the_field(trained_api: Api) -> None:
    client = create_client(trained_api, "Zofia")
    url = f"/clients/{client['id']}/what-if"
    problem(trained_api.post(url, json={"visits_7d": 1}), 409)  # no snapshot yet
    trained_api.post(f"/clients/{client['id']}/activity", json=a_snapshot())

    assert fields(trained_api.post(url, json={"site_visits": 3})) == ["site_visits"]
    assert fields(trained_api.post(url, json={"observed_on": "2026-01-01"})) == ["observed_on"]
    assert fields(trained_api.post(url, json={"avg_basket_value": -1})) == ["avg_basket_value"]
    assert fields(trained_api.post(url, json={"site_visits_30d": 2})) == ["visits_7d"]  # the snapshot's 4
    problem(trained_api.post("/clients/424242/what-if", json={}), 404)


def test_the_threshold_is_priced_in_money_on_the_active_models_test_month(trained_api: Api) -> None:
    response = trained_api.post(
        "/models/purchase/threshold-advice", json={"cost_per_contact": 5, "value_per_conversion": 120}
    )

    assert response.status_code == 200, response.get_json()
    advice = response.get_json()
    profits = [point["profit_per_client"] for point in advice["points"]]
    assert advice["best"]["profit_per_client"] == max(profits) and advice["current_threshold"] == 0.7
    assert advice["clients"] > 0 and all(0 <= p["converted"] <= p["contacted"] <= 1 for p in advice["points"])
    assert trained_api.get("/settings/threshold").get_json()["threshold"] == 0.7  # advice changes nothing
    assert fields(trained_api.post("/models/purchase/threshold-advice", json={"cost_per_contact": -1})) == [
        "cost_per_contact",
        "value_per_conversion",
    ]
    assert (advice["value_per_conversion_used"], advice["value_source"]) == (120, "given")


def test_a_value_per_conversion_is_required_unless_it_comes_from_the_forecasts(trained_api: Api) -> None:
    refused = problem(
        trained_api.post("/models/purchase/threshold-advice", json={"cost_per_contact": 5}), 422
    )

    assert [(e["field"], e["code"]) for e in refused["errors"]] == [
        ("value_per_conversion", "value_required")
    ]


def test_the_threshold_is_priced_at_the_clients_forecasts_on_request(trained_api: Api) -> None:
    scoring = trained_api.post("/predictions/batch")
    poll(trained_api, scoring.headers["Location"], lambda job: job["state"] in FINISHED)

    response = trained_api.post(
        "/models/purchase/threshold-advice", json={"cost_per_contact": 5, "value_from_forecast": True}
    )

    assert response.status_code == 200, response.get_json()
    advice = response.get_json()
    average = trained_api.get("/dashboard").get_json()["average_forecast"]
    assert advice["value_source"] == "mean_forecast"
    assert advice["value_per_conversion_used"] == pytest.approx(average)


def test_no_threshold_is_priced_before_a_purchase_model_is_trained(admin_api: Api) -> None:
    advice = admin_api.post(
        "/models/purchase/threshold-advice", json={"cost_per_contact": 5, "value_per_conversion": 120}
    )
    problem(advice, 409)
