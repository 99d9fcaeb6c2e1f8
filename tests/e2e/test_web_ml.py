"""The ML panel: training from the page, polling a run, versions and rollback, threshold and segments."""

from __future__ import annotations

import json
import re

import pytest
from dependency_injector import providers
from flask import Flask

from application.commands import ThresholdAdviceRequest
from domain.currency import OFFERED_CURRENCIES
from domain.model_runs import RunStatus
from domain.predictions import ModelKind
from domain.users import User
from e2e.conftest import clients_with_snapshots, with_bands
from entrypoints.container import container_of


class ParkedJobRunner:
    """Accepts jobs and never runs them: a training stays queued, as if the worker were busy."""

    shares_work = False

    def __init__(self) -> None:
        self.jobs: list[str] = []

    def submit(self, job_id: str) -> None:
        self.jobs.append(job_id)


def run_jobs_inline(app: Flask) -> None:
    container_of(app).job_runner.override(container_of(app).inline_job_runner)


def runs(app: Flask, kind: ModelKind):  # type: ignore[no-untyped-def]
    return container_of(app).list_runs()(kind)


@pytest.fixture
def admin_in(demo_client, demo_auth, demo_admin: User):  # type: ignore[no-untyped-def]
    demo_auth.login(demo_admin.email)
    return demo_client


def test_panel_shows_each_active_model_with_metrics_beside_the_baseline(admin_in):
    html = admin_in.get("/ml").get_data(as_text=True)

    sales = html[html.index('id="model-sales"') : html.index('id="model-purchase"')]
    purchase = html[html.index('id="model-purchase"') : html.index('id="threshold"')]
    assert 'data-active-version="1"' in sales and 'data-active-version="1"' in purchase
    assert "seed@prognoza.example" in sales
    for metric in ("r2", "mse", "mae"):
        assert f'data-metric="{metric}"' in sales
    for metric in ("accuracy", "precision", "recall", "f1", "roc_auc"):
        assert f'data-metric="{metric}"' in purchase
    assert "Baseline: Last 30 days" in sales and "Share of the variation in sales the model explains" in sales
    assert 'data-train="sales"' in sales and 'data-compare="purchase"' in purchase
    assert 'value="clv"' in sales and 'value="clv"' not in purchase  # the lifetime model forecasts sales only
    assert 'data-backtest="sales"' in sales and 'data-month="' in sales


def test_a_model_activated_although_not_better_than_its_baseline_shows_the_warning(admin_in, demo_app):
    html = admin_in.get("/ml").get_data(as_text=True)
    purchase = html[html.index('id="model-purchase"') : html.index('id="threshold"')]
    [run] = runs(demo_app, ModelKind.PURCHASE)

    assert run.is_active and run.beats_baselines is False  # the demo activates it anyway
    assert "Baseline: Bought in 30 days" in purchase and "Baseline: Base rate" in purchase
    assert 'class="alert alert-warning small py-2 run-warnings"' in purchase
    assert "Not better than the baseline: ROC AUC" in purchase and "run-not-better" in purchase


def test_purchase_model_shows_its_confusion_matrix_and_both_show_coefficients(admin_in, demo_app):
    html = admin_in.get("/ml").get_data(as_text=True)
    [run] = runs(demo_app, ModelKind.PURCHASE)
    (tn, fp), (fn, tp) = run.evaluation.confusion_matrix

    for cell, count in {"tn": tn, "fp": fp, "fn": fn, "tp": tp}.items():
        assert re.search(rf'data-cell="{cell}"><span class="cm-count">{count:,}</span>', html)
    assert "True negatives" in html and "False positives" in html
    chart = json.loads(re.search(r'id="coefficients-sales-data">(.*?)</script>', html, re.S).group(1))  # type: ignore[union-attr]
    assert chart["labels"][0] == "Purchases in the last 30 days"
    assert len(chart["values"]) == 5
    assert 'id="coefficients-purchase"' in html


def test_threshold_effect_comes_from_the_active_purchase_run(admin_in, demo_app):
    html = admin_in.get("/ml").get_data(as_text=True)

    data = json.loads(re.search(r'id="threshold-data">(.*?)</script>', html, re.S).group(1))  # type: ignore[union-attr]
    [run] = runs(demo_app, ModelKind.PURCHASE)
    assert data["thresholds"] == [point["threshold"] for point in run.evaluation.threshold_curve]
    assert data["current"] == 0.7
    assert '<tr class="table-primary" aria-current="true">' in html  # the row of the current threshold


def test_training_from_the_panel_records_a_succeeded_run_and_activates_it(
    admin_in, demo_auth, demo_app, demo_admin: User
):
    run_jobs_inline(demo_app)

    response = demo_auth.post("/ml/train/sales")

    assert response.status_code == 302
    newest = runs(demo_app, ModelKind.SALES)[0]
    assert (newest.version, newest.status, newest.is_active) == (2, RunStatus.SUCCEEDED, True)
    assert newest.requested_by == demo_admin.email
    html = admin_in.get("/ml").get_data(as_text=True)
    assert "Sales forecast: training of version 2 (Linear · Basic features) has started." in html
    assert 'data-active-version="2"' in html
    assert 'data-activate="1"' in html  # the earlier version can be brought back


def test_a_second_training_while_one_runs_is_a_friendly_warning(admin_in, demo_auth, demo_app):
    container_of(demo_app).job_runner.override(providers.Object(ParkedJobRunner()))
    demo_auth.post("/ml/train/purchase")

    response = demo_auth.post("/ml/train/purchase", follow_redirects=True)

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Purchase propensity: a training run is already in progress" in html
    assert len(runs(demo_app, ModelKind.PURCHASE)) == 2
    assert re.search(r'data-poll-url="/ml/runs/\d+/status"', html)
    assert 'data-train="purchase" disabled' in html


def test_run_status_is_polled_as_json(admin_in, demo_auth, demo_app):
    container_of(demo_app).job_runner.override(providers.Object(ParkedJobRunner()))
    demo_auth.post("/ml/train/sales")
    queued = runs(demo_app, ModelKind.SALES)[0]

    status = admin_in.get(f"/ml/runs/{queued.id}/status").get_json()

    assert status == {
        "id": queued.id,
        "kind": "sales",
        "version": 2,
        "status": "queued",
        "label": "Queued",
        "tone": "secondary",
        "finished": False,
        "error": None,
    }
    assert admin_in.get("/ml/runs/999999/status").status_code == 404


def test_finished_run_status_says_so(admin_in, demo_app):
    [run] = runs(demo_app, ModelKind.SALES)

    status = admin_in.get(f"/ml/runs/{run.id}/status").get_json()

    assert status["finished"] is True and status["status"] == "succeeded" and status["tone"] == "success"


def test_rolling_back_activates_an_earlier_version(admin_in, demo_auth, demo_app):
    run_jobs_inline(demo_app)
    demo_auth.post("/ml/train/purchase")

    response = demo_auth.post("/ml/models/purchase/versions/1/activate", follow_redirects=True)

    assert "Purchase propensity: version 1 is now active." in response.get_data(as_text=True)
    active = [run.version for run in runs(demo_app, ModelKind.PURCHASE) if run.is_active]
    assert active == [1]


def test_activating_an_unknown_version_or_kind_is_not_found(admin_in, demo_auth):
    assert demo_auth.post("/ml/models/purchase/versions/9/activate").status_code == 404
    assert demo_auth.post("/ml/models/weather/versions/1/activate").status_code == 404
    assert demo_auth.post("/ml/train/weather").status_code == 404


def test_a_failed_run_shows_its_error_and_cannot_be_activated(client, auth, admin: User, app):
    run_jobs_inline(app)
    auth.login(admin.email)

    auth.post("/ml/train/sales")

    html = client.get("/ml").get_data(as_text=True)
    history = html[html.index('data-runs="sales"') :]
    assert "Failed" in history and "Too little data" in history
    assert "data-activate" not in history
    response = auth.post("/ml/models/sales/versions/1/activate", follow_redirects=True)
    assert "did not train successfully" in response.get_data(as_text=True)


def test_changing_the_threshold_saves_it_and_confirms(admin_in, demo_auth, demo_app):
    response = demo_auth.post("/ml/threshold", {"threshold-threshold": "0.55"}, follow_redirects=True)

    assert "The decision threshold is now 55%." in response.get_data(as_text=True)
    assert container_of(demo_app).current_threshold()().value == 0.55


@pytest.mark.parametrize(
    ("value", "message"), [("1.5", "Enter less than 1."), ("much", "Enter a number, such as 149.90.")]
)
def test_a_bad_threshold_is_refused_next_to_the_field(
    admin_in, demo_auth, demo_app, value: str, message: str
):
    response = demo_auth.post("/ml/threshold", {"threshold-threshold": value})

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="threshold-threshold-errors"' in html and message in html
    assert f'value="{value}"' in html
    assert container_of(demo_app).current_threshold()().value == 0.7


def test_segment_bands_change_and_their_order_is_checked(admin_in, demo_auth, demo_app):
    refused = demo_auth.post("/ml/segments", {"segments-medium_from": "800", "segments-high_from": "500"})
    accepted = demo_auth.post(
        "/ml/segments", {"segments-medium_from": "250", "segments-high_from": "600"}, follow_redirects=True
    )

    assert refused.status_code == 422
    assert 'id="segments-high_from-errors"' in refused.get_data(as_text=True)
    assert "Segments changed: high from PLN\N{NO-BREAK SPACE}600" in accepted.get_data(as_text=True)
    rule = container_of(demo_app).current_segment_rule()()
    assert (rule.medium_from, rule.high_from) == (250, 600)


def test_the_currency_is_changed_on_the_panel_and_every_amount_follows_it(admin_in, demo_auth, demo_app):
    with_bands(demo_app, 300, 1000)
    offered = admin_in.get("/ml").get_data(as_text=True)
    response = demo_auth.post("/ml/currency", {"currency-currency": "EUR"}, follow_redirects=True)

    html = response.get_data(as_text=True)
    assert all(re.search(f'<option[^>]* value="{code}"', offered) for code in OFFERED_CURRENCIES)
    assert "Amounts are now in EUR." in html
    assert "Mean squared error, in EUR²" in html
    assert not re.search(r"PLN\s?[\d²)]|in PLN|\(PLN\)", html)
    assert "high from €1,000" in html and "High from (EUR)" in html
    assert '"currency": "EUR"' in admin_in.get("/").get_data(as_text=True)
    assert container_of(demo_app).current_currency()().code == "EUR"


def test_euros_are_written_the_polish_way_on_the_polish_panel(admin_in, demo_auth, demo_app):
    with_bands(demo_app, 300, 1000)
    demo_auth.post("/ml/currency", {"currency-currency": "EUR"})
    demo_auth.post("/language/pl")

    html = admin_in.get("/").get_data(as_text=True)

    assert "od 1\N{NO-BREAK SPACE}000\N{NO-BREAK SPACE}€" in html and "Kwoty w EUR" in html


def test_an_unknown_currency_is_refused_next_to_the_field_in_polish(admin_in, demo_auth, demo_app):
    demo_auth.post("/language/pl")

    response = demo_auth.post("/ml/currency", {"currency-currency": "XYZ"})

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="currency-currency-errors"' in html and "Wybierz walutę po kodzie ISO 4217" in html
    assert container_of(demo_app).current_currency()().code == "PLN"


def test_scoring_every_client_from_the_panel_reports_what_it_did(admin_in, demo_auth, demo_app):
    run_jobs_inline(demo_app)

    response = demo_auth.post("/ml/score", follow_redirects=True)

    html = response.get_data(as_text=True)
    assert "Scoring every client has started" in html
    scored = clients_with_snapshots(demo_app)
    assert f"{scored} clients scored with sales v1 and purchase v1 at the threshold of 70%." in html


def test_the_scoring_badge_follows_the_job_with_how_many_clients_are_done(admin_in, demo_auth, demo_app):
    parked = ParkedJobRunner()
    container_of(demo_app).job_runner.override(providers.Object(parked))
    demo_auth.post("/ml/score")
    [job_id] = parked.jobs
    uow = container_of(demo_app).uow()
    with uow:  # a worker elsewhere took the job and scored a first chunk
        uow.jobs.start(job_id, "elsewhere:7", container_of(demo_app).clock().now())
        uow.jobs.report_progress(job_id, 1_200, 2_000)
        uow.commit()

    status = admin_in.get(f"/ml/jobs/{job_id}/status").get_json()

    assert status == {
        "id": job_id,
        "state": "running",
        "label": "Running (1,200 of 2,000)",
        "done": 1_200,
        "total": 2_000,
        "finished": False,
        "error": None,
    }
    assert "Running (1,200 of 2,000)" in admin_in.get("/ml").get_data(as_text=True)
    assert admin_in.get("/ml/jobs/no-such-job/status").status_code == 404


def test_a_new_threshold_offers_to_score_every_client_until_they_are(admin_in, demo_auth, demo_app):
    run_jobs_inline(demo_app)
    assert 'id="rescore-offer"' not in admin_in.get("/ml").get_data(as_text=True)

    html = demo_auth.post("/ml/threshold", {"threshold-threshold": "0.55"}, follow_redirects=True).get_data(
        as_text=True
    )
    assert 'id="rescore-offer"' in html and 'id="rescore-now"' in html
    assert f"{clients_with_snapshots(demo_app)} clients' predictions are out of date" in html

    html = demo_auth.post("/ml/score", follow_redirects=True).get_data(as_text=True)
    assert 'id="rescore-offer"' not in html


def test_scoring_without_models_is_a_friendly_warning(client, auth, admin: User):
    auth.login(admin.email)

    html = auth.post("/ml/score", follow_redirects=True).get_data(as_text=True)

    assert "Train both models before scoring the clients." in html
    assert 'id="score-all" disabled' in html


def test_empty_panel_invites_training(client, auth, admin: User):
    auth.login(admin.email)

    html = client.get("/ml").get_data(as_text=True)

    assert html.count("No model trained yet") == 2
    assert "No threshold curve yet" in html


def test_comparing_every_candidate_from_the_panel_lists_them_best_first(admin_in, demo_auth, demo_app):
    run_jobs_inline(demo_app)

    demo_auth.post("/ml/train/sales", data={"compare": "1"})

    html = admin_in.get("/ml").get_data(as_text=True)
    assert "Sales forecast: 5 candidates are being compared, versions 2 to 6." in html
    table = html[html.index('data-comparison="sales"') : html.index('data-runs="sales"')]
    assert re.findall(r'data-candidate="([^"]+)"', table)[0] == next(
        run.candidate.name
        for run in sorted(
            (run for run in runs(demo_app, ModelKind.SALES) if run.comparison is not None),
            key=lambda run: -(run.evaluation.backtest_score if run.evaluation else -9),
        )
    )
    assert set(re.findall(r'data-candidate="([^"]+)"', table)) == {
        "linear/basic",
        "linear/extended",
        "boosted/basic",
        "boosted/extended",
        "clv",
    }


def test_a_chosen_candidate_is_trained_from_the_panel(admin_in, demo_auth, demo_app):
    run_jobs_inline(demo_app)

    demo_auth.post("/ml/train/purchase", data={"model": "boosted", "features": "extended"})

    newest = runs(demo_app, ModelKind.PURCHASE)[0]
    assert (newest.candidate.name, newest.status) == ("boosted/extended", RunStatus.SUCCEEDED)
    refused = demo_auth.post("/ml/train/purchase", data={"model": "clv"}, follow_redirects=True)
    assert "The customer-lifetime model forecasts sales only." in refused.get_data(as_text=True)


@pytest.mark.parametrize(("language", "who"), [("en", "command line"), ("pl", "wiersz poleceń")])
def test_a_run_started_from_the_command_line_says_so_and_a_users_run_names_them(
    client, auth, admin: User, app, language: str, who: str
):
    container_of(app).queue_training()(ModelKind.SALES, "cli:root")
    container_of(app).queue_training()(ModelKind.PURCHASE, admin.email)
    auth.login(admin.email)
    if language == "pl":
        client.post("/language/pl", data={"csrf_token": auth.csrf_token("/"), "next": "/"})

    html = client.get("/ml").get_data(as_text=True)

    sales = html[html.index('id="model-sales"') : html.index('id="model-purchase"')]
    purchase = html[html.index('id="model-purchase"') :]
    assert who in sales and "cli:root" not in html
    assert admin.email in purchase


CONTROLS = ("data-train=", "data-compare=", "data-activate=", 'id="threshold-form"', 'id="segments-form"')
MORE_CONTROLS = ('id="currency-form"', 'id="score-all"', 'method="post" action="/ml')


def test_an_analyst_reads_the_models_quality_without_a_single_control(
    admin_in, demo_auth, demo_app, demo_analyst: User
):
    run_jobs_inline(demo_app)
    demo_auth.post("/ml/train/purchase")  # a version that is not active: an admin may activate it
    seen_by_admin = admin_in.get("/ml").get_data(as_text=True)
    demo_auth.logout()
    demo_auth.login(demo_analyst.email)

    response = admin_in.get("/ml")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    facts = ('data-metric="f1"', 'data-backtest="purchase"', 'data-cell="tp"', 'data-runs="purchase"')
    for fact in (*facts, 'id="current-threshold"', "Segments", "Amounts are in PLN."):
        assert fact in html
    for control in (*CONTROLS, *MORE_CONTROLS):
        assert control in seen_by_admin and control not in html
    assert 'href="/ml"' in html.split("</nav>", 1)[0]  # the navbar leads analysts here too
    assert 'id="advice-form"' in html  # pricing the threshold only reads


def test_an_analyst_follows_a_run_in_progress(demo_client, demo_auth, demo_app, demo_analyst: User):
    [run] = runs(demo_app, ModelKind.SALES)
    demo_auth.login(demo_analyst.email)

    status = demo_client.get(f"/ml/runs/{run.id}/status")

    assert status.status_code == 200 and status.get_json()["finished"] is True


def test_the_threshold_is_priced_in_money_and_the_best_one_applied_in_one_click(
    admin_in, demo_auth, demo_app
):
    html = admin_in.get(
        "/ml/threshold-advice",
        query_string={"advice-cost_per_contact": "5", "advice-value_per_conversion": "120"},
    ).get_data(as_text=True)

    assert 'id="advice-table"' in html and 'id="advice-best"' in html
    advice = container_of(demo_app).threshold_advice()(
        ThresholdAdviceRequest.parse({"cost_per_contact": 5, "value_per_conversion": 120})
    )
    assert abs(advice.best.threshold - 0.7) > 1e-9, "the demo's best threshold is not the one in force"
    applied = re.search(r'name="threshold-threshold" value="([^"]+)"', html)
    assert applied and 'id="apply-best-threshold"' in html
    demo_auth.post("/ml/threshold", {"threshold-threshold": applied.group(1)})
    assert container_of(demo_app).current_threshold()().value == pytest.approx(advice.best.threshold)


def test_a_threshold_priced_with_a_bad_amount_says_which_in_polish(admin_in, demo_auth, demo_app):
    demo_auth.post("/language/pl")

    response = admin_in.get(
        "/ml/threshold-advice",
        query_string={"advice-cost_per_contact": "-5", "advice-value_per_conversion": "120,5"},
    )

    assert response.status_code == 422
    assert 'id="advice-cost_per_contact-errors"' in response.get_data(as_text=True)


def test_a_threshold_priced_without_a_worth_asks_for_one_or_the_forecasts(admin_in):
    response = admin_in.get("/ml/threshold-advice", query_string={"advice-cost_per_contact": "5"})

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="advice-value_per_conversion-errors"' in html and "sales forecast" in html


def test_a_threshold_priced_at_the_forecasts_needs_no_worth(admin_in):
    response = admin_in.get(
        "/ml/threshold-advice",
        query_string={"advice-cost_per_contact": "5", "advice-value_from_forecast": "y"},
    )

    assert response.status_code == 200
    assert 'id="advice-table"' in response.get_data(as_text=True)
