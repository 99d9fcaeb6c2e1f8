"""Example entities for the contract tests: valid by default, changed through keyword arguments."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from application.ports import UnitOfWork
from domain.activity import ActivitySnapshot
from domain.clients import Client
from domain.model_runs import Artifact, Evaluation, ModelRun
from domain.predictions import ModelKind, PurchasePrediction, SalesForecast
from domain.users import Role, User

UnitOfWorkFactory = Callable[[], UnitOfWork]


class Stored(Protocol):
    @property
    def id(self) -> int | None: ...


def id_of(entity: Stored) -> int:
    """The id of an entity read back from a repository, which always has one."""
    assert entity.id is not None
    return entity.id


def a_client(name: str = "Anna", **changes: Any) -> Client:
    client = Client(
        first_name=name,
        last_name="Nowak",
        email=f"{name.lower()}@example.pl",
        registered_on=date(2023, 1, 15),
    )
    return replace(client, **changes)


def a_snapshot(client_id: int, observed_on: date = date(2024, 3, 1), **changes: Any) -> ActivitySnapshot:
    snapshot = ActivitySnapshot(
        client_id=client_id,
        observed_on=observed_on,
        purchases_30d=3,
        avg_basket_value=149.99,
        site_visits_30d=12,
        days_since_last_purchase=4,
        visits_7d=5,
        newsletter_opened=True,
        ad_clicks_7d=2,
        time_on_site_7d=37.5,
    )
    return replace(snapshot, **changes)


def a_user(email: str = "ewa@example.pl", role: Role = Role.ANALYST, **changes: Any) -> User:
    return replace(User(email=email, password_hash="scrypt:hash-of-a-password", role=role), **changes)


MORNING = datetime(2024, 4, 2, 8, 0, tzinfo=UTC)


def later(hours: float) -> datetime:
    """A moment `hours` after MORNING."""
    return MORNING + timedelta(hours=hours)


def a_forecast(client_id: int, value: float = 420.5, **changes: Any) -> SalesForecast:
    return replace(SalesForecast(client_id, value, model_version=1, made_at=MORNING), **changes)


def a_purchase_prediction(client_id: int, probability: float = 0.8, **changes: Any) -> PurchasePrediction:
    prediction = PurchasePrediction(
        client_id, probability, will_buy=probability >= 0.7, threshold=0.7, model_version=1, made_at=MORNING
    )
    return replace(prediction, **changes)


def a_run(kind: ModelKind = ModelKind.SALES, version: int = 1, **changes: Any) -> ModelRun:
    return replace(
        ModelRun(kind, version, requested_by="admin@example.pl", queued_at=later(version)), **changes
    )


def an_evaluation(**changes: Any) -> Evaluation:
    evaluation = Evaluation(
        train_size=240,
        test_size=60,
        metrics={"r2": 0.71, "mse": 1520.25, "mae": 28.5},
        baseline_metrics={
            "mean": {"r2": 0.0, "mse": 5210.0, "mae": 61.75},
            "zero": {"r2": -1.2, "mse": 9800.0, "mae": 80.0},
            "last_month": {"r2": 0.42, "mse": 3020.0, "mae": 40.5},
        },
        coefficients={"purchases_30d": 41.2, "avg_basket_value": 0.85, "tenure_months": -1.5},
        intercept=12.5,
    )
    return replace(evaluation, **changes)


def a_purchase_evaluation(**changes: Any) -> Evaluation:
    evaluation = an_evaluation(
        metrics={"accuracy": 0.82, "precision": 0.75, "recall": 0.6, "f1": 0.6667, "roc_auc": 0.88},
        baseline_metrics={
            "base_rate": {"accuracy": 0.7, "precision": 0.0, "recall": 0.0, "f1": 0.0, "roc_auc": 0.5},
            "bought_last_30d": {
                "accuracy": 0.72,
                "precision": 0.55,
                "recall": 0.5,
                "f1": 0.52,
                "roc_auc": 0.66,
            },
        },
        confusion_matrix=[[40, 4], [7, 9]],
        threshold=0.7,
        threshold_curve=[
            {"threshold": 0.5, "precision": 0.61, "recall": 0.81},
            {"threshold": 0.7, "precision": 0.75, "recall": 0.6},
        ],
    )
    return replace(evaluation, **changes)


def a_succeeded_run(kind: ModelKind = ModelKind.SALES, version: int = 1) -> ModelRun:
    evaluation = an_evaluation() if kind is ModelKind.SALES else a_purchase_evaluation()
    artifact = Artifact(f"models/{kind.value}-v{version}.joblib", f"{version:064x}")
    return (
        a_run(kind, version)
        .started(later(version + 0.1))
        .succeeded(evaluation, artifact, later(version + 0.2))
    )
