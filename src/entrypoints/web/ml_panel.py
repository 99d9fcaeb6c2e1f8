"""What the ML page shows beside the forms: each model's card (its words, icon, key metric, quality and
runs), the threshold curve, and the state of a scoring job."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from domain.candidates import ModelFamily
from domain.jobs import Job, JobState
from domain.model_runs import Evaluation, ModelRun
from domain.predictions import ModelKind
from entrypoints.web.formatting import company_currency, in_company_currency, money, number, percent
from entrypoints.web.labels import (
    BASELINE_LABELS,
    CLOSER_TO_ZERO_IS_BETTER,
    FEATURE_LABELS,
    FEATURE_SET_LABELS,
    LOWER_IS_BETTER,
    METRIC_LABELS,
    METRIC_MEANINGS,
    METRICS_SHOWN,
    MODEL_ALGORITHMS,
    MODEL_FAMILY_LABELS,
    MODEL_LABELS,
    candidate_label,
)

_METRIC_FORMATS: dict[str, Callable[[float], str]] = {
    "r2": lambda v: number(v, decimals=3),
    "mse": lambda v: number(v, decimals=1),
    "mae": money,
    "roc_auc": lambda v: number(v, decimals=3),
}


def metric_text(name: str, value: float | None) -> str:
    if value is None:
        return "—"
    value = round(value, 3) + 0.0  # no "-0.000" for a baseline that scores a hair below zero
    return _METRIC_FORMATS.get(name, lambda v: percent(v, decimals=1))(value)


@dataclass(frozen=True)
class ModelWords:
    """How the page presents one kind of model: its icon, what it does, and the metric that heads it."""

    icon: str
    """A Bootstrap icon's name."""
    description: LazyString
    train_label: LazyString
    baseline_note: LazyString
    key_metric: str
    """The metric a run is summed up by, in the run history and when a training finishes."""
    coefficients_note: Callable[[Evaluation], str]
    """What the coefficients mean, with the intercept in the model's unit."""


MODEL_WORDS = {
    ModelKind.SALES: ModelWords(
        icon="graph-up-arrow",
        description=_l(
            "Predicts each client's sales for the next month in %(currency)s from purchases, basket value, "
            "site visits, days since the last purchase and tenure; the extended features add the past "
            "year's orders."
        ),
        train_label=_l("Train"),
        baseline_note=_l(
            "Baselines on the same month: the average sales of the training months for everyone, zero, "
            "and what each client spent in the 30 days before."
        ),
        key_metric="r2",
        coefficients_note=lambda evaluation: _(
            "%(currency)s added to the forecast by one standard deviation more of each input. "
            "Intercept: %(intercept)s.",
            currency=company_currency(),
            intercept=money(evaluation.intercept),
        ),
    ),
    ModelKind.PURCHASE: ModelWords(
        icon="bullseye",
        description=_l(
            "Gives the chance that a client buys within 14 days from recent visits, newsletter opens, ad "
            "clicks, time on site and purchase history; the extended features add the past year's orders."
        ),
        train_label=_l("Train"),
        baseline_note=_l(
            "Baselines on the same month: the share of buyers in the training months as everyone's "
            "chance, and a sure purchase for a client who bought in the last 30 days, none for the others."
        ),
        key_metric="roc_auc",
        coefficients_note=lambda evaluation: _(
            "Change in the log-odds of buying for one standard deviation more of each input. "
            "Intercept: %(intercept)s.",
            intercept=number(evaluation.intercept, decimals=2),
        ),
    ),
}


@dataclass(frozen=True)
class MetricRow:
    name: str
    label: str
    meaning: str
    model: str
    baseline: str
    """The best baseline's score."""
    beats_baseline: bool | None
    """Better than every baseline."""
    baselines: list[str] = field(default_factory=list)
    """Each baseline's score, in the order of the panel's `baseline_labels`."""


@dataclass(frozen=True)
class ModelPanel:
    """Everything the panel shows about one model: the active version, its quality, and its runs."""

    kind: ModelKind
    runs: list[ModelRun]
    active: ModelRun | None = None
    in_progress: ModelRun | None = None
    metrics: list[MetricRow] = field(default_factory=list)

    @property
    def words(self) -> ModelWords:
        return MODEL_WORDS[self.kind]

    @property
    def label(self) -> str:
        return str(MODEL_LABELS[self.kind])

    @property
    def algorithm(self) -> str:
        """The active version's candidate, or the default family before one is trained."""
        return candidate_label(self.active.candidate) if self.active else str(MODEL_ALGORITHMS[self.kind])

    @property
    def exact_reasons(self) -> bool:
        return self.active is None or self.active.candidate.has_exact_reasons

    @property
    def feature_set_choices(self) -> list[tuple[str, str]]:
        return [(name.value, str(label)) for name, label in FEATURE_SET_LABELS.items()]

    @property
    def model_choices(self) -> list[tuple[str, str]]:
        """The families this kind of model can be (the lifetime model forecasts sales only)."""
        return [
            (family.value, str(label))
            for family, label in MODEL_FAMILY_LABELS.items()
            if family is not ModelFamily.CLV or self.kind is ModelKind.SALES
        ]

    @property
    def backtest(self) -> list[BacktestRow]:
        """The active version's rolling backtest, oldest test month first."""
        evaluation = self.active.evaluation if self.active else None
        if evaluation is None:
            return []
        return [_backtest_row(fold) for fold in evaluation.backtest or []]

    @property
    def comparison(self) -> list[ModelRun]:
        """The runs of the newest comparison, best backtest score first (unfinished and failed last)."""
        newest = max((run.comparison for run in self.runs if run.comparison is not None), default=None)
        compared = [run for run in self.runs if newest is not None and run.comparison == newest]
        return sorted(compared, key=_best_first)

    def candidate_of(self, run: ModelRun) -> str:
        return candidate_label(run.candidate)

    def backtest_score_of(self, run: ModelRun) -> float | None:
        return backtest_score(run)

    @property
    def icon(self) -> str:
        return self.words.icon

    @property
    def description(self) -> str:
        return in_company_currency(self.words.description)

    @property
    def train_label(self) -> str:
        return str(self.words.train_label)

    @property
    def baseline_note(self) -> str:
        return str(self.words.baseline_note)

    @property
    def baseline_labels(self) -> list[str]:
        evaluation = self.active.evaluation if self.active else None
        names = list(evaluation.baseline_metrics) if evaluation else []
        return [str(BASELINE_LABELS.get(name, name)) for name in names]

    @property
    def key_metric_label(self) -> str:
        return str(METRIC_LABELS[self.words.key_metric])

    def key_metric_of(self, run: ModelRun) -> float | None:
        """The run's value of the model's key metric, if it was evaluated."""
        return run.evaluation.metrics.get(self.words.key_metric) if run.evaluation else None

    @property
    def coefficients_note(self) -> str | None:
        evaluation = self.active.evaluation if self.active else None
        if evaluation is None:
            return None
        if not self.exact_reasons:
            return _(
                "This model is not linear: each bar is how much a prediction changes, on average over the "
                "test month's clients, when that input is set to its training mean (an approximation)."
            )
        return self.words.coefficients_note(evaluation)

    @property
    def confusion(self) -> dict[str, int] | None:
        """The hold-out's confusion matrix: rows are what happened, columns what the model said."""
        matrix = self.active.evaluation.confusion_matrix if self.active and self.active.evaluation else None
        if not matrix:
            return None
        (tn, fp), (fn, tp) = matrix
        return {"tn": tn, "fp": fp, "fn": fn, "tp": tp}

    @property
    def coefficients_heading(self) -> str:
        return _("Coefficients") if self.exact_reasons else _("Influence of each input (approximate)")

    @property
    def coefficients_chart(self) -> dict[str, Any] | None:
        evaluation = self.active.evaluation if self.active else None
        if evaluation is None or not evaluation.coefficients:
            return None
        names = list(evaluation.coefficients)
        label = (
            _("Coefficient (per standard deviation)")
            if self.exact_reasons
            else _("Average change of a prediction with the input set to its mean")
        )
        return {
            "labels": [str(FEATURE_LABELS.get(name, name)) for name in names],
            "values": [round(evaluation.coefficients[name], 4) for name in names],
            "label": label,
        }


@dataclass(frozen=True)
class BacktestRow:
    month: str
    model: str
    baseline: str
    """The best baseline's score, with its name."""
    beats_baseline: bool | None
    test_size: int


def _backtest_row(fold: dict[str, Any]) -> BacktestRow:
    metric, score = fold["metric"], fold.get("score")
    scored = [(name, value) for name, value in fold.get("baselines", {}).items() if value is not None]
    best = max(scored, key=lambda pair: pair[1], default=None)
    baseline = (
        "—" if best is None else f"{metric_text(metric, best[1])} ({BASELINE_LABELS.get(best[0], best[0])})"
    )
    beats = None if score is None or best is None else score > best[1]
    return BacktestRow(fold["month"], metric_text(metric, score), baseline, beats, fold.get("test_size", 0))


def backtest_score(run: ModelRun) -> float | None:
    return None if run.evaluation is None else run.evaluation.backtest_score


def _best_first(run: ModelRun) -> float:
    score = backtest_score(run)
    return math.inf if score is None else -score


def model_panel(kind: ModelKind, runs: Sequence[ModelRun]) -> ModelPanel:
    own = [run for run in runs if run.kind is kind]
    active = next((run for run in own if run.is_active), None)
    in_progress = next((run for run in own if not run.status.is_finished), None)
    return ModelPanel(kind, own, active, in_progress, _metric_rows(kind, active))


def _metric_rows(kind: ModelKind, run: ModelRun | None) -> list[MetricRow]:
    if run is None or run.evaluation is None:
        return []
    evaluation = run.evaluation
    rows = []
    for name in METRICS_SHOWN[kind]:
        value = evaluation.metrics.get(name)
        scores = [metrics.get(name) for metrics in evaluation.baseline_metrics.values()]
        known = [score for score in scores if score is not None]
        best = min(known, key=lambda score: _badness(name, score)) if known else None
        beats = None
        if value is not None and best is not None:
            beats = _badness(name, value) < _badness(name, best)
        label, meaning = str(METRIC_LABELS[name]), in_company_currency(METRIC_MEANINGS[name])
        texts = [metric_text(name, score) for score in scores]
        rows.append(
            MetricRow(name, label, meaning, metric_text(name, value), metric_text(name, best), beats, texts)
        )
    return rows


def _badness(name: str, value: float) -> float:
    """Lower is better, whatever the metric."""
    if name in CLOSER_TO_ZERO_IS_BETTER:
        return abs(value)
    return value if name in LOWER_IS_BETTER else -value


def key_metric_text(run: ModelRun) -> str | None:
    """The headline quality of a run, in words: "R² 0.774", "ROC AUC 0.871"."""
    name = MODEL_WORDS[run.kind].key_metric
    value = run.evaluation.metrics.get(name) if run.evaluation else None
    return None if value is None else f"{METRIC_LABELS[name]} {metric_text(name, value)}"


def threshold_effect(run: ModelRun | None, threshold: float) -> dict[str, Any] | None:
    """The hold-out's precision, recall and share of clients selected at each threshold of the active run."""
    curve = run.evaluation.threshold_curve if run and run.evaluation else None
    if not curve:
        return None
    return {
        "thresholds": [point["threshold"] for point in curve],
        "precision": [point["precision"] for point in curve],
        "recall": [point["recall"] for point in curve],
        "share": [point["share_selected"] for point in curve],
        "current": threshold,
        "labels": {
            "precision": _("Precision"),
            "recall": _("Recall"),
            "share": _("Share of clients selected"),
            "threshold": _("Decision threshold"),
            "current": _("Current threshold"),
        },
    }


@dataclass(frozen=True)
class ScoringJob:
    job: Job

    @property
    def finished(self) -> bool:
        return self.job.state.is_finished

    @property
    def report(self) -> Mapping[str, Any] | None:
        """What the scoring reported (`BatchReport`'s fields), once it succeeded."""
        return self.job.result if self.job.state is JobState.SUCCEEDED else None
