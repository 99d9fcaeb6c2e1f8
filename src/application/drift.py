"""Drift and data quality: the newest snapshots beside what the active model of each kind learnt from,
and whether retraining it is advised (a feature shifted, or its realized key metric fell short)."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from application.jobs import PartReport
from application.monitoring import model_performance
from application.ports import TrainingTable, UnitOfWork
from domain.columns import SnapshotColumns
from domain.drift import (
    RETRAINING_FACTOR,
    RETRAINING_MARGIN,
    FeatureDrift,
    ReasonCode,
    RetrainingReason,
    Tally,
    feature_drift,
    profile_of,
    tally,
    with_holdout,
)
from domain.features import feature_set
from domain.model_runs import ModelNotTrained, ModelRun
from domain.performance import SHORTFALL_MARGIN
from domain.predictions import ModelKind

PROFILE_ROWS = 200_000
"""Training rows a profile is computed from at most: a seeded sample of them beyond this."""
CLIENTS_PER_READ = 20_000
"""Newest snapshots read and counted at a time: memory stays bounded whatever the number of clients."""


def training_profile(table: TrainingTable) -> dict[str, dict[str, object]]:
    """Per feature, the profile of the rows the hold-out month's model learnt from: the labelled rows
    observed before the newest test month (a seeded sample of `PROFILE_ROWS` when there are more), with the
    PSI of the hold-out month's labelled rows against it (as many at most)."""
    if not table.test_months:
        return {}
    newest = table.test_months[-1]
    labelled = [
        (row, month)
        for row, (target, month) in enumerate(zip(table.targets, table.months, strict=True))
        if target == target  # NaN is the only value unequal to itself: no example
    ]
    learnt = _at_most(PROFILE_ROWS, [row for row, month in labelled if month < newest])
    holdout = _at_most(PROFILE_ROWS, [row for row, month in labelled if month == newest])
    return {
        name: with_holdout(
            profile_of([column[row] for row in learnt]), [column[row] for row in holdout]
        ).as_document()
        for name, column in zip(table.feature_names, table.features, strict=True)
    }


def _at_most(limit: int, rows: list[int]) -> list[int]:
    return sorted(random.Random(0).sample(rows, limit)) if len(rows) > limit else rows


@dataclass(frozen=True, slots=True)
class DriftReport:
    """The active model of a kind: each feature's drift, and why retraining it is advised (if it is)."""

    kind: ModelKind
    model_version: int
    measured: bool
    """Whether its training kept the profile drift is measured against (models trained before did not)."""
    clients: int
    """Clients whose newest snapshot was compared."""
    features: list[FeatureDrift]
    reasons: list[RetrainingReason] = field(default_factory=list)
    psi_margin: float = RETRAINING_MARGIN
    psi_factor: float = RETRAINING_FACTOR
    margin: float = SHORTFALL_MARGIN

    @property
    def retraining_advised(self) -> bool:
        return bool(self.reasons)


def model_drift(kind: ModelKind, uow: UnitOfWork) -> DriftReport:
    """Compare each client's newest snapshot with the training values of the active model of `kind`,
    feature by feature, and say whether retraining is advised. Refuses (ModelNotTrained) while no
    version is active."""
    with uow:
        run = uow.model_runs.active(kind)
        if run is None or run.evaluation is None:
            raise ModelNotTrained(kind)
    return _reports([run], uow)[0]


def retraining_advice(uow: UnitOfWork) -> list[DriftReport]:
    """The drift report of the active model of each kind, in `ModelKind` order; an untrained kind has none.
    The newest snapshots are read once for all of them."""
    with uow:
        runs = _active_runs(uow)
    return _reports(runs, uow)


def _active_runs(uow: UnitOfWork) -> list[ModelRun]:
    """The active run of each kind that was evaluated, in `ModelKind` order (inside a `with`)."""
    return [run for kind in ModelKind if (run := uow.model_runs.active(kind)) and run.evaluation]


def _reports(runs: Sequence[ModelRun], uow: UnitOfWork) -> list[DriftReport]:
    with uow:
        drifts = _newest_against(runs, uow)
    return [_report(run, run_drifts, uow) for run, run_drifts in zip(runs, drifts, strict=True)]


def _report(run: ModelRun, drifts: list[FeatureDrift], uow: UnitOfWork) -> DriftReport:
    reasons = [RetrainingReason.shifted(d) for d in sorted(drifts, key=_by_psi) if d.advises_retraining]
    if (shortfall := _shortfall(run, uow)) is not None:
        reasons.append(shortfall)
    clients = max((d.clients for d in drifts), default=0)
    measured = bool(run.evaluation and run.evaluation.profiles)
    return DriftReport(run.kind, run.version, measured, clients, drifts, reasons)


def _by_psi(drift: FeatureDrift) -> float:
    return -(drift.psi or 0.0)


def _newest_against(runs: Sequence[ModelRun], uow: UnitOfWork) -> list[list[FeatureDrift]]:
    """For each run, each profiled feature, its newest values counted a chunk of clients at a time, in
    one reading for all the runs."""
    countings = [DriftCounting(run) for run in runs]
    after = 0
    if any(counting.counted for counting in countings):
        while len(data := uow.activity.newest_columns(after_client_id=after, limit=CLIENTS_PER_READ)):
            computed: dict[str, Sequence[float]] = {}
            for counting in countings:
                counting.count(data, computed)
            after = int(data["client_id"][-1])
    return [counting.drifts() for counting in countings]


class DriftCounting:
    """One run's profiled features, their newest values counted into the profiles' bins so far: by the
    drift report, or by a batch scoring's parts as they score the same snapshots."""

    def __init__(self, run: ModelRun) -> None:
        self.run = run
        self.profiles = run.evaluation.profiles if run.evaluation else {}
        self.features = feature_set(run.kind, run.candidate).restricted_to(self.profiles)
        self.counted = {name: Tally.empty(self.profiles[name]) for name in self.features.names}

    def count(self, data: SnapshotColumns, computed: dict[str, Sequence[float]]) -> None:
        """Count a chunk of newest snapshots; the values are computed by the one definition of the
        features training and prediction use, once per chunk for whoever shares `computed`."""
        for name, column in zip(self.features.names, self.features.columns(data, computed), strict=True):
            self.counted[name] += tally(self.profiles[name], column)

    def drifts(self) -> list[FeatureDrift]:
        return [feature_drift(name, self.profiles[name], self.counted[name]) for name in self.features.names]

    def as_counts(self) -> dict[str, list[int]]:
        """The tallies as lists of whole numbers, by run and feature: those of several parts add up."""
        return {self._name(feature): counted.as_counts() for feature, counted in self.counted.items()}

    def took(self, counted: Mapping[str, Sequence[int]], clients: int) -> bool:
        """Take the tallies of `as_counts` added up over a scoring's parts, when they hold every feature
        counted over all its `clients` (no part scored with another version, say)."""
        tallies = {}
        for feature in self.counted:
            counts = counted.get(self._name(feature))
            if counts is None or (tallied := Tally.of_counts(counts)).count != clients:
                return False
            tallies[feature] = tallied
        self.counted = tallies
        return True

    def _name(self, feature: str) -> str:
        return f"drift/{self.run.kind.value}/{self.run.version}/{feature}"


def _shortfall(run: ModelRun, uow: UnitOfWork) -> RetrainingReason | None:
    """The active version's newest month of realized performance, when its key metric falls short."""
    performance = model_performance(run.kind, uow)
    months = [m for m in performance.months if m.model_version == run.version]
    if not months or not months[-1].falls_short:
        return None
    newest = months[-1]
    realized, claimed = newest.realized.key_metric, newest.claimed_key_metric
    assert realized is not None and claimed is not None, "a month falls short only when both are known"
    return RetrainingReason.fell_short(performance.key_metric, realized, claimed, newest.month)


KEPT_ADVICE = "retraining_advice"
"""The name the retraining advice is kept under (`SummaryRepository`)."""


def kept_retraining_advice(uow: UnitOfWork) -> list[DriftReport]:
    """`retraining_advice` as kept since the snapshots, predictions and active models were last what they
    are now; computed (reading every client's newest snapshot) and kept when they changed: the dashboard
    shows it on every visit."""
    with uow:
        state = uow.summaries.state()
        kept = uow.summaries.read(KEPT_ADVICE, state)
    if kept is not None:
        return [_report_of(document) for document in kept]
    reports = retraining_advice(uow)
    with uow:
        uow.summaries.keep(KEPT_ADVICE, state, [_document_of(report) for report in reports])
        uow.commit()
    return reports


def keep_scored_advice(scored: PartReport, inputs: list[Any], uow: UnitOfWork) -> list[DriftReport]:
    """The retraining advice a batch scoring keeps as it ends, from the newest values its parts counted
    as they scored them (`DriftCounting`), so that the snapshots are not read again; read afresh
    (`kept_retraining_advice`) when what the scoring read changed since `inputs`
    (`SummaryRepository.scoring_inputs`, before it began), or its parts counted for other versions."""
    with uow:
        unchanged = uow.summaries.scoring_inputs() == inputs
        state = uow.summaries.state()
        runs = _active_runs(uow)
    countings = [DriftCounting(run) for run in runs]
    if not unchanged or not all(counting.took(scored.counted, scored.done) for counting in countings):
        return kept_retraining_advice(uow)
    reports = [_report(counting.run, counting.drifts(), uow) for counting in countings]
    with uow:
        uow.summaries.keep(KEPT_ADVICE, state, [_document_of(report) for report in reports])
        uow.commit()
    return reports


def _document_of(report: DriftReport) -> dict[str, Any]:
    document = asdict(report)
    document["kind"] = report.kind.value
    for reason in document["reasons"]:
        reason["month"] = None if reason["month"] is None else reason["month"].isoformat()
    return document


def _report_of(document: dict[str, Any]) -> DriftReport:
    reasons = [
        RetrainingReason(**(reason | {"code": ReasonCode(reason["code"]), "month": _day(reason["month"])}))
        for reason in document["reasons"]
    ]
    features = [FeatureDrift(**feature) for feature in document["features"]]
    changed = {"kind": ModelKind(document["kind"]), "features": features, "reasons": reasons}
    return DriftReport(**(document | changed))


def _day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def advised(reports: Sequence[DriftReport]) -> list[DriftReport]:
    """The reports that advise retraining."""
    return [report for report in reports if report.retraining_advised]
