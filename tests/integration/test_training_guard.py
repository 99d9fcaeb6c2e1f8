"""The no-signal guard with real scikit-learn: a model without signal is never made active silently."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date

from adapters.clock import FixedClock
from adapters.memory import InMemoryUnitOfWork
from adapters.sklearn_models import SklearnModelTrainer
from application.training import activate_version, queue_training, run_training
from domain.activity import ActivitySnapshot
from domain.clients import Client
from domain.model_runs import RunStatus
from domain.predictions import ModelKind
from unit.ml_fakes import NOW, FakeModelStore

PURCHASE = ModelKind.PURCHASE


def company(uow: InMemoryUnitOfWork, *, constant: bool, seed: int = 3) -> None:
    """120 clients, three months (January and February labelled); who buys depends on whether they
    bought in the last 30 days, nothing else: the behavioural features are noise (or constant)."""
    rng = random.Random(seed)
    with uow:
        for n in range(120):
            client = uow.clients.add(Client("Jan", f"Kowalski{n}", f"jan{n}@example.com", date(2024, 3, 1)))
            for month in (1, 2, 3):
                bought = rng.random() < 0.5
                snapshot = ActivitySnapshot(
                    client_id=client.id or 0,
                    observed_on=date(2026, month, 28),
                    purchases_30d=rng.randint(1, 3) if bought else 0,
                    avg_basket_value=120.0,
                    site_visits_30d=10,
                    days_since_last_purchase=10,
                    visits_7d=rng.randint(0, 9),
                    newsletter_opened=rng.random() < 0.5,
                    ad_clicks_7d=rng.randint(0, 4),
                    time_on_site_7d=rng.uniform(0, 60),
                    purchased_next_14d=None if month == 3 else rng.random() < (0.7 if bought else 0.1),
                    sales_next_month=None if month == 3 else 100.0,
                )
                if constant:
                    snapshot = replace(
                        snapshot,
                        visits_7d=2,
                        newsletter_opened=True,
                        ad_clicks_7d=1,
                        time_on_site_7d=15.0,
                    )
                uow.activity.add(snapshot)
        uow.commit()


def train(uow: InMemoryUnitOfWork, clock: FixedClock):
    run = queue_training(PURCHASE, "admin@example.com", uow, clock)
    return run_training(run.id or 0, uow, SklearnModelTrainer(), FakeModelStore(), clock)


def test_a_purchase_model_fed_only_constant_inputs_is_refused_naming_each_feature() -> None:
    uow, clock = InMemoryUnitOfWork(), FixedClock(NOW)
    company(uow, constant=True)

    run = train(uow, clock)

    assert run.status is RunStatus.FAILED
    assert "No feature is known and varies" in (run.error or "")
    with uow:
        assert uow.model_runs.active(PURCHASE) is None


def test_a_purchase_model_of_noise_succeeds_but_is_not_made_active_until_an_admin_says_so() -> None:
    uow, clock = InMemoryUnitOfWork(), FixedClock(NOW)
    company(uow, constant=False)

    run = train(uow, clock)

    assert run.status is RunStatus.SUCCEEDED and not run.is_active
    assert run.evaluation is not None and set(run.evaluation.baseline_metrics) == {
        "base_rate",
        "bought_last_30d",
    }
    assert run.beats_baselines is False
    assert any(w.startswith("Not better than the baseline") for w in run.warnings)
    with uow:
        assert uow.model_runs.active(PURCHASE) is None

    activated = activate_version(PURCHASE, run.version, "boss@example.com", uow, clock)
    assert activated.is_active and activated.warnings == run.warnings
