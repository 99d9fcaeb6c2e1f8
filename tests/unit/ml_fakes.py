"""Fakes for the model ports: fast, deterministic stand-ins for scikit-learn and joblib."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime

from adapters.memory import InMemoryUnitOfWork
from application.ports import TrainingTable
from domain.activity import ActivitySnapshot
from domain.candidates import Candidate
from domain.clients import Client
from domain.model_runs import Artifact, ArtifactTampered, Evaluation
from domain.predictions import ModelKind

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)


class FakeTrainer:
    """Learns a 'model' that is just a weight; can be told to fail, or to score a given key metric."""

    def __init__(self) -> None:
        self.fail_with: Exception | None = None
        self.fits = 0
        self.rows: list[Sequence[float]] = []
        """The training rows (of the hold-out month's fit) of the last fit."""
        self.data: TrainingTable | None = None
        """What the last fit was given."""
        self.candidates: list[Candidate] = []
        """The candidate of every fit, in order."""
        self.calibrated: list[bool] = []
        """Whether each fit was asked to compare calibrations, in order."""
        self.calibration: str | None = None
        """The calibration a purchase fit asked to compare them keeps; None: the model stays as fitted."""
        self.score: float | None = None
        """The model's R² (sales) or ROC AUC (purchase); 0.7 / 0.8 unless set."""
        self.scores: dict[str, float] = {}
        """The score of a candidate by its name, where it differs from `score`."""

    def fit(
        self,
        kind: ModelKind,
        candidate: Candidate,
        table: TrainingTable,
        threshold: float,
        calibrate: bool = True,
    ) -> tuple[object, Evaluation]:
        if self.fail_with:
            raise self.fail_with
        self.fits += 1
        self.candidates.append(candidate)
        self.calibrated.append(calibrate)
        self.data = table
        hold_out = table.test_months[-1]
        self.rows = [
            tuple(column[i] for column in table.features)
            for i, (month, outcome) in enumerate(zip(table.months, table.targets, strict=True))
            if month < hold_out and not math.isnan(outcome)
        ]
        tested = sum(
            1
            for month, outcome in zip(table.months, table.targets, strict=True)
            if month == hold_out and not math.isnan(outcome)
        )
        weight = 0.01 * self.fits
        metric = "r2" if kind is ModelKind.SALES else "roc_auc"
        default = self.score if self.score is not None else (0.7 if kind is ModelKind.SALES else 0.8)
        score = self.scores.get(candidate.name, default)
        baseline = 0.0 if metric == "r2" else 0.5
        evaluation = Evaluation(
            train_size=len(self.rows),
            test_size=tested,
            metrics={metric: score},
            baseline_metrics={name: {metric: baseline} for name in table.baselines},
            coefficients={name: weight for name in table.feature_names},
            intercept=0.0,
            threshold=threshold if kind is ModelKind.PURCHASE else None,
            backtest=[
                {"month": str(month), "metric": metric, "score": score, "baselines": {}}
                for month in table.test_months
            ],
            calibration=(
                {"method": self.calibration, "compared": {"none": {"brier": 0.2, "roc_auc": score}}}
                if calibrate and kind is ModelKind.PURCHASE
                else None
            ),
        )
        return {"kind": kind.value, "weight": weight}, evaluation


class FakePredictor:
    """Sales = weight x sum of known features x 100; probability = the first feature / 10, capped at 1.

    Like the real pipelines it reads an unknown (NaN) as no push either way; it keeps every row it gets."""

    def __init__(self) -> None:
        self.rows: dict[ModelKind, list[Sequence[float]]] = {kind: [] for kind in ModelKind}

    def predict(self, kind: ModelKind, model: object, rows: Sequence[Sequence[float]]) -> list[float]:
        self.rows[kind].extend(rows)
        weight = model["weight"]  # type: ignore[index]
        if kind is ModelKind.SALES:
            return [weight * sum(_known(row)) * 100 for row in rows]
        return [min(1.0, _known(row)[0] / 10) for row in rows]

    def predict_columns(
        self, kind: ModelKind, model: object, columns: Sequence[Sequence[float]], count: int
    ) -> list[float]:
        rows = list(zip(*columns, strict=True)) if columns else [() for _ in range(count)]
        return self.predict(kind, model, rows)

    def contributions(self, model: object, row: Sequence[float]) -> list[float]:
        return [model["weight"] * value for value in _known(row)]  # type: ignore[index]


def _known(row: Sequence[float]) -> list[float]:
    return [0.0 if math.isnan(value) else value for value in row]


class FakeModelStore:
    def __init__(self) -> None:
        self.files: dict[str, object] = {}
        self.loads = 0

    def save(self, kind: ModelKind, version: int, model: object) -> Artifact:
        path = f"{kind.value}/v{version:04d}.joblib"
        self.files[path] = model
        return Artifact(path, hashlib.sha256(repr(model).encode()).hexdigest())

    def load(self, artifact: Artifact) -> object:
        self.loads += 1
        model = self.files[artifact.path]
        if hashlib.sha256(repr(model).encode()).hexdigest() != artifact.sha256:
            raise ArtifactTampered(artifact.path)
        return model

    def file_state(self, artifact: Artifact) -> Hashable:
        model = self.files.get(artifact.path)
        return None if model is None else repr(model)


def add_client_with_history(
    uow: InMemoryUnitOfWork,
    n: int,
    *,
    months: int = 3,
    labelled: bool = True,
    unknown: Iterable[str] = (),
    unknown_in_newest: Iterable[str] = (),
) -> Client:
    """A client with `months` monthly snapshots; all but the newest carry outcomes when `labelled`.
    The behavioural features named in `unknown` are unknown in every snapshot, those in
    `unknown_in_newest` in the newest one only."""
    unknown, unknown_in_newest = tuple(unknown), tuple(unknown_in_newest)
    with uow:
        client = uow.clients.add(
            Client("Anna", f"Nowak{n}", f"anna{n}@example.com", date(2024, 1 + n % 12, 15))
        )
        for month in range(months):
            newest = month == months - 1
            snapshot = ActivitySnapshot(
                client_id=client.id or 0,
                observed_on=date(2026, 1 + month, 28),
                purchases_30d=n % 4,
                avg_basket_value=100.0 + n,
                site_visits_30d=10 + n % 7,
                days_since_last_purchase=None if n % 5 == 0 else 3 + n % 20,
                visits_7d=n % 10,
                newsletter_opened=n % 2 == 0,
                ad_clicks_7d=n % 3,
                time_on_site_7d=12.5 + n % 4,
                sales_next_month=None if newest or not labelled else 50.0 * (n % 6),
                purchased_next_14d=None if newest or not labelled else n % 3 == 0,
            )
            blanks = unknown + (unknown_in_newest if newest else ())
            uow.activity.add(replace(snapshot, **dict.fromkeys(blanks)))
        uow.commit()
    return client
