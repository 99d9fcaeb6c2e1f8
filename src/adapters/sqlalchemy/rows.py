"""Explicit conversion between table rows and domain entities, which know nothing of SQLAlchemy."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row

from application.ports import ScoringRow
from domain.activity import ActivitySnapshot
from domain.clients import Client
from domain.model_runs import Activation, Artifact, Evaluation, ModelRun, RunStatus
from domain.predictions import ModelKind, PurchasePrediction, SalesForecast
from domain.tokens import ApiToken
from domain.users import Role, User

Values = dict[str, Any]


def client_values(client: Client) -> Values:
    return {
        "first_name": client.first_name,
        "last_name": client.last_name,
        "email": client.email,
        "registered_on": client.registered_on,
    }


def client_from_row(row: Row[Any]) -> Client:
    return Client(
        first_name=row.first_name,
        last_name=row.last_name,
        email=row.email,
        registered_on=row.registered_on,
        id=row.id,
    )


def snapshot_values(snapshot: ActivitySnapshot) -> Values:
    """Money and minutes are kept to two decimals, as the columns hold them on every database."""
    return {
        "client_id": snapshot.client_id,
        "observed_on": snapshot.observed_on,
        "purchases_30d": snapshot.purchases_30d,
        "avg_basket_value": _cents(snapshot.avg_basket_value),
        "site_visits_30d": snapshot.site_visits_30d,
        "days_since_last_purchase": snapshot.days_since_last_purchase,
        "visits_7d": snapshot.visits_7d,
        "newsletter_opened": snapshot.newsletter_opened,
        "ad_clicks_7d": snapshot.ad_clicks_7d,
        "time_on_site_7d": _cents(snapshot.time_on_site_7d),
        **outcome_values(snapshot),
    }


def outcome_values(snapshot: ActivitySnapshot) -> Values:
    return {
        "sales_next_month": _cents(snapshot.sales_next_month),
        "purchased_next_14d": snapshot.purchased_next_14d,
    }


def snapshot_from_row(row: Row[Any]) -> ActivitySnapshot:
    return ActivitySnapshot(
        client_id=row.client_id,
        observed_on=row.observed_on,
        purchases_30d=row.purchases_30d,
        avg_basket_value=float(row.avg_basket_value),
        site_visits_30d=row.site_visits_30d,
        days_since_last_purchase=row.days_since_last_purchase,
        visits_7d=row.visits_7d,
        newsletter_opened=row.newsletter_opened,
        ad_clicks_7d=row.ad_clicks_7d,
        time_on_site_7d=float(row.time_on_site_7d),
        sales_next_month=None if row.sales_next_month is None else float(row.sales_next_month),
        purchased_next_14d=row.purchased_next_14d,
        id=row.id,
    )


def scoring_row_from_row(row: Row[Any]) -> ScoringRow:
    """A snapshot's row joined with its client's `registered_on`."""
    return ScoringRow(snapshot=snapshot_from_row(row), registered_on=row.registered_on)


def user_values(user: User) -> Values:
    return {
        "email": user.email,
        "password_hash": user.password_hash,
        "role": user.role.value,
        "is_active": user.is_active,
    }


def user_from_row(row: Row[Any]) -> User:
    return User(
        email=row.email,
        password_hash=row.password_hash,
        role=Role(row.role),
        is_active=row.is_active,
        id=row.id,
    )


def token_values(token: ApiToken) -> Values:
    return {
        "user_id": token.user_id,
        "token_hash": token.token_hash,
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "revoked_at": token.revoked_at,
    }


def token_from_row(row: Row[Any]) -> ApiToken:
    return ApiToken(
        user_id=row.user_id,
        token_hash=row.token_hash,
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        id=row.id,
    )


def forecast_values(forecast: SalesForecast, *, is_current: bool) -> Values:
    return {
        "client_id": forecast.client_id,
        "value_pln": _cents(forecast.value_pln),
        "model_version": forecast.model_version,
        "made_at": forecast.made_at,
        "is_current": is_current,
    }


def forecast_from_row(row: Row[Any]) -> SalesForecast:
    return SalesForecast(
        client_id=row.client_id,
        value_pln=float(row.value_pln),
        model_version=row.model_version,
        made_at=row.made_at,
        id=row.id,
    )


def purchase_values(prediction: PurchasePrediction, *, is_current: bool) -> Values:
    return {
        "client_id": prediction.client_id,
        "probability": prediction.probability,
        "will_buy": prediction.will_buy,
        "threshold": prediction.threshold,
        "model_version": prediction.model_version,
        "made_at": prediction.made_at,
        "is_current": is_current,
    }


def purchase_from_row(row: Row[Any]) -> PurchasePrediction:
    return PurchasePrediction(
        client_id=row.client_id,
        probability=row.probability,
        will_buy=row.will_buy,
        threshold=row.threshold,
        model_version=row.model_version,
        made_at=row.made_at,
        id=row.id,
    )


def run_values(run: ModelRun) -> Values:
    """Everything about a run but whether it is active, which only an activation changes."""
    return {
        "kind": run.kind.value,
        "version": run.version,
        "requested_by": run.requested_by,
        "status": run.status.value,
        "queued_at": run.queued_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "error": run.error,
        **evaluation_values(run.evaluation),
        "artifact_path": None if run.artifact is None else run.artifact.path,
        "artifact_sha256": None if run.artifact is None else run.artifact.sha256,
    }


def evaluation_values(evaluation: Evaluation | None) -> Values:
    if evaluation is None:
        return dict.fromkeys(_EVALUATION_FIELDS)
    return {field: getattr(evaluation, field) for field in _EVALUATION_FIELDS}


def run_from_row(row: Row[Any]) -> ModelRun:
    return ModelRun(
        kind=ModelKind(row.kind),
        version=row.version,
        requested_by=row.requested_by,
        queued_at=row.queued_at,
        status=RunStatus(row.status),
        started_at=row.started_at,
        finished_at=row.finished_at,
        error=row.error,
        evaluation=_evaluation_from_row(row),
        artifact=None if row.artifact_path is None else Artifact(row.artifact_path, row.artifact_sha256),
        is_active=row.is_active,
        id=row.id,
    )


def _evaluation_from_row(row: Row[Any]) -> Evaluation | None:
    if row.train_size is None:
        return None
    return Evaluation(**{field: getattr(row, field) for field in _EVALUATION_FIELDS})


_EVALUATION_FIELDS = (
    "train_size",
    "test_size",
    "metrics",
    "baseline_metrics",
    "coefficients",
    "intercept",
    "confusion_matrix",
    "threshold",
    "threshold_curve",
)


def activation_values(activation: Activation) -> Values:
    return {
        "kind": activation.kind.value,
        "version": activation.version,
        "activated_by": activation.activated_by,
        "activated_at": activation.activated_at,
    }


def activation_from_row(row: Row[Any]) -> Activation:
    return Activation(
        kind=ModelKind(row.kind),
        version=row.version,
        activated_by=row.activated_by,
        activated_at=row.activated_at,
    )


def _cents(amount: float | None) -> float | None:
    return None if amount is None else round(amount, 2)
