"""Use cases that apply the active models: one client, or every client in bounded chunks."""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from typing import Any

from application.chunks import refresh_statistics
from application.clients import record_activity
from application.commands import SnapshotChanges, SnapshotEntry
from application.drift import DriftCounting, keep_scored_advice
from application.jobs import SCORE_ALL, SCORE_CLIENTS, PartReport, WorkSharing, perform_in_turn, submit_job
from application.ports import (
    Clock,
    JobProgress,
    JobRunner,
    ModelPredictor,
    ModelStore,
    ScoringRow,
    UnitOfWork,
)
from application.validation import InvalidInput
from domain.activity import ActivitySnapshot
from domain.columns import SnapshotColumns
from domain.errors import ClientNotFound, DomainError, InvalidValue
from domain.features import FeatureSet, feature_set, never_bought_as_one
from domain.jobs import Job
from domain.model_runs import ArtifactMissing, ArtifactTampered, ModelNotTrained, ModelRun
from domain.predictions import (
    DecisionThreshold,
    ModelKind,
    PurchasePrediction,
    SalesForecast,
    ScoredBatch,
    in_probability,
)
from domain.segments import Segment, SegmentRule
from domain.tiers import TierCuts

BATCH_SIZE = 5_000
"""Clients scored, and their predictions written, per transaction."""
CLIENTS_PER_PART = 50_000
"""Clients per part of a batch scoring: each part is a job that any worker may take."""

log = logging.getLogger(__name__)

MODELS_UNAVAILABLE = (ModelNotTrained, ArtifactMissing, ArtifactTampered)
"""Why no prediction can be made now: a model not trained, or its file missing or changed."""


class NoActivityYet(DomainError):
    code = "no_activity_yet"

    def __init__(self, client_id: int) -> None:
        super().__init__(
            f"Client {client_id} has no activity snapshot to predict from yet.", client=client_id
        )
        self.field = "client_id"


@dataclass(frozen=True, slots=True)
class FeatureContribution:
    """How much one feature pushed a prediction up (positive) or down, against an average client."""

    feature: str
    value: float | None
    """None when unknown for this client: the model read it as the training mean."""
    contribution: float
    """In the company's currency for the sales forecast; in probability for the purchase chance
    (0.05: 5 percentage points)."""
    approximate: bool = False
    """True for a non-linear model: the change when the feature is set to its training mean."""


@dataclass(frozen=True, slots=True)
class ClientPrediction:
    forecast: SalesForecast
    purchase: PurchasePrediction
    segment: Segment
    """The forecast's segment under the bands in force."""
    sales_reasons: list[FeatureContribution]
    purchase_reasons: list[FeatureContribution]


@dataclass(frozen=True, slots=True)
class BatchReport:
    clients_scored: int
    sales_version: int
    purchase_version: int
    threshold: float
    fitted_segments: SegmentRule | None = None
    """The bands set from these forecasts, when no bands had been set before."""
    fitted_tiers: TierCuts | None = None
    """The contact tiers' cut points fitted to these predictions (None when no client was scored)."""


class ActiveModels:
    """The active model of each kind, loaded once per process and loaded again (so verified again
    against its SHA-256) when the active version changes or its file does: a file replaced or
    tampered with on disk is refused at the next prediction, not at the next restart."""

    def __init__(self, store: ModelStore) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._loaded: dict[ModelKind, tuple[tuple[int, str, Hashable], object]] = {}

    def model_for(self, run: ModelRun) -> object:
        assert run.artifact is not None
        key = (run.version, run.artifact.sha256, self.store.file_state(run.artifact))
        with self._lock:
            cached = self._loaded.get(run.kind)
            if cached is None or cached[0] != key:
                cached = (key, self.store.load(run.artifact))
                self._loaded[run.kind] = cached
            return cached[1]


@dataclass(frozen=True, slots=True)
class _Scorer:
    """Everything needed to score rows: both active models and the threshold in force."""

    sales_run: ModelRun
    purchase_run: ModelRun
    sales_model: object
    purchase_model: object
    threshold: DecisionThreshold
    predictor: ModelPredictor

    def score(
        self, data: SnapshotColumns, now: datetime, computed: dict[str, Sequence[float]] | None = None
    ) -> ScoredBatch:
        """Both predictions of every snapshot of `data`, made at `now`; the features both models read
        are computed once, and kept in `computed` for whoever reads them next."""
        computed = {} if computed is None else computed
        return ScoredBatch.of(
            data["client_id"],
            data["observed_on"],
            self._predict(self.sales_features, self.sales_model, data, computed),
            self._predict(self.purchase_features, self.purchase_model, data, computed),
            self.threshold,
            (self.sales_run.version, self.purchase_run.version),
            now,
        )

    def score_rows(
        self, rows: Sequence[ScoringRow], now: datetime
    ) -> tuple[list[SalesForecast], list[PurchasePrediction]]:
        return self.score(_columns_of(rows), now).as_predictions()

    @property
    def sales_features(self) -> FeatureSet:
        return _features_of(self.sales_run)

    @property
    def purchase_features(self) -> FeatureSet:
        return _features_of(self.purchase_run)

    def _predict(
        self,
        features: FeatureSet,
        model: object,
        data: SnapshotColumns,
        computed: dict[str, Sequence[float]] | None = None,
    ) -> Sequence[float]:
        columns = features.columns(data, computed)
        return self.predictor.predict_columns(features.kind, model, columns, len(data))

    def reasons(self, row: ScoringRow) -> tuple[list[FeatureContribution], list[FeatureContribution]]:
        """Why each model sees this client as it does, strongest factor first."""
        return (
            self._reasons(self.sales_run, self.sales_model, row),
            self._reasons(self.purchase_run, self.purchase_model, row),
        )

    def _reasons(self, run: ModelRun, model: object, row: ScoringRow) -> list[FeatureContribution]:
        features = _features_of(run)
        values = features.row(row.snapshot, row.registered_on)
        effects = list(zip(features.names, values, self.predictor.contributions(model, values), strict=True))
        if not row.snapshot.has_purchase_history:
            effects = never_bought_as_one(effects)
        shares = [effect for _, _, effect in effects]
        if run.kind is ModelKind.PURCHASE:  # the model's effects are on the log-odds
            shares = in_probability(self._predict(features, model, _columns_of([row]))[0], shares)
        approximate = not run.candidate.has_exact_reasons
        reasons = [
            FeatureContribution(name, None if math.isnan(value) else value, share, approximate)
            for (name, value, _), share in zip(effects, shares, strict=True)
        ]
        return sorted(reasons, key=lambda r: abs(r.contribution), reverse=True)


def _columns_of(rows: Sequence[ScoringRow]) -> SnapshotColumns:
    return SnapshotColumns.of((row.snapshot, row.registered_on) for row in rows)


def _features_of(run: ModelRun) -> FeatureSet:
    """Exactly the features the run's model was trained on, in their defined order."""
    features = feature_set(run.kind, run.candidate)
    return features if run.evaluation is None else features.restricted_to(run.evaluation.features)


def _scorer(uow: UnitOfWork, models: ActiveModels, predictor: ModelPredictor) -> _Scorer:
    sales_run = _active(uow, ModelKind.SALES)
    purchase_run = _active(uow, ModelKind.PURCHASE)
    return _Scorer(
        sales_run,
        purchase_run,
        models.model_for(sales_run),
        models.model_for(purchase_run),
        uow.settings.threshold(),
        predictor,
    )


def _active(uow: UnitOfWork, kind: ModelKind) -> ModelRun:
    run = uow.model_runs.active(kind)
    if run is None:
        raise ModelNotTrained(kind)
    return run


def _newest_row(uow: UnitOfWork, client_id: int) -> ScoringRow:
    """What a client is scored from: its newest snapshot."""
    if uow.clients.get(client_id) is None:
        raise ClientNotFound(client_id)
    row = uow.activity.newest_row(client_id)
    if row is None:
        raise NoActivityYet(client_id)
    return row


def predict_client(
    client_id: int, uow: UnitOfWork, models: ActiveModels, predictor: ModelPredictor, clock: Clock
) -> ClientPrediction:
    """Score one client from its newest snapshot, store the result as its current prediction, say why."""
    with uow:
        row = _newest_row(uow, client_id)
        scorer = _scorer(uow, models, predictor)
        forecasts, predictions = scorer.score_rows([row], clock.now())
        uow.predictions.add_many(forecasts, predictions)
        segment = uow.settings.segment_rule().segment_of(forecasts[0].value)
        uow.commit()
    return ClientPrediction(forecasts[0], predictions[0], segment, *scorer.reasons(row))


@dataclass(frozen=True, slots=True)
class WhatIf:
    """The predictions a client would have with some values of its newest snapshot changed."""

    snapshot: ActivitySnapshot
    """The newest snapshot with the changes applied: the values scored."""
    prediction: ClientPrediction


def what_if(
    client_id: int,
    changes: SnapshotChanges | Mapping[str, Any],
    uow: UnitOfWork,
    models: ActiveModels,
    predictor: ModelPredictor,
    clock: Clock,
) -> WhatIf:
    """Score one client as `predict_client` does, from its newest snapshot with `changes` applied, and
    say why; nothing is stored."""
    command = changes if isinstance(changes, SnapshotChanges) else SnapshotChanges.parse(changes)
    with uow:
        row = _newest_row(uow, client_id)
        scorer = _scorer(uow, models, predictor)
        segment_rule = uow.settings.segment_rule()
    try:
        changed = ScoringRow(replace(row.snapshot, **command.changes()), row.registered_on)
    except InvalidValue as error:  # a rule between two values, one of them the snapshot's
        raise InvalidInput([error.error]) from None
    forecasts, predictions = scorer.score_rows([changed], clock.now())
    prediction = ClientPrediction(
        forecasts[0], predictions[0], segment_rule.segment_of(forecasts[0].value), *scorer.reasons(changed)
    )
    return WhatIf(changed.snapshot, prediction)


def record_activity_and_rescore(
    client_id: int,
    data: SnapshotEntry | Mapping[str, Any],
    uow: UnitOfWork,
    models: ActiveModels,
    predictor: ModelPredictor,
    clock: Clock,
) -> tuple[ActivitySnapshot, ClientPrediction | None]:
    """Store a snapshot (see `record_activity`); when it is the client's newest, score the client again
    at once, so that its predictions are never older than its data. The prediction is None when
    there is none to make (a model not trained, or not loadable: the snapshot is kept and the client
    page says the predictions are out of date)."""
    snapshot = record_activity(client_id, data, uow, clock)
    with uow:
        newest = uow.activity.newest_row(client_id)
    if newest is None or newest.snapshot.observed_on != snapshot.observed_on:
        return snapshot, None
    try:
        return snapshot, predict_client(client_id, uow, models, predictor, clock)
    except MODELS_UNAVAILABLE as error:
        log.warning(
            "client not scored after a new snapshot: %s",
            error.message,
            extra={"context": {"client": client_id}},
        )
        return snapshot, None


def explain_client(
    client_id: int, uow: UnitOfWork, models: ActiveModels, predictor: ModelPredictor
) -> tuple[list[FeatureContribution], list[FeatureContribution]] | None:
    """Top factors behind the active models' view of a client, or None when there is nothing to explain."""
    with uow:
        row = uow.activity.newest_row(client_id)
        if row is None:
            return None
        try:
            scorer = _scorer(uow, models, predictor)
        except ModelNotTrained:
            return None
    return scorer.reasons(row)


def clients_scored(uow: UnitOfWork) -> int:
    """How many clients have a current prediction."""
    with uow:
        summary = uow.predictions.summary(uow.settings.threshold(), uow.settings.segment_rule())
    return summary.clients_scored


def predict_all(
    uow: UnitOfWork,
    models: ActiveModels,
    predictor: ModelPredictor,
    clock: Clock,
    sharing: WorkSharing | None = None,
    clients_per_part: int = CLIENTS_PER_PART,
    progress: JobProgress | None = None,
) -> BatchReport:
    """Score every client with activity: in parts of `clients_per_part` clients by id range, which the
    workers of `sharing` do at once (else done here in turn), all stamped with one moment, telling
    `progress` the clients scored so far; then the client list is prepared for the new predictions
    (`ClientRepository.keep_scored_list`). The first time, when no segment bands were ever set, the
    bands are fitted to these forecasts; every time, the contact tiers' cut points are fitted to what
    contacting each client is now worth. Last, the dashboard's sums and the retraining advice are
    computed and kept, once, for every page that shows them: the advice from the newest values the parts
    counted as they scored them."""
    with uow:
        scorer = _scorer(uow, models, predictor)
        ranges = uow.activity.client_ranges(clients_per_part)
        total = uow.activity.count_clients() if progress is not None else None
        inputs = uow.summaries.scoring_inputs()
    made_at = clock.now().isoformat()
    parts = [{"first_client_id": first, "last_client_id": last, "made_at": made_at} for first, last in ranges]
    if sharing is None:
        handler = partial(score_clients, uow=uow, models=models, predictor=predictor)
        scored = perform_in_turn(handler, parts, progress, total)
    else:
        scored = sharing.perform_parts(SCORE_CLIENTS, parts, _part_described, progress, total)
    with uow:
        uow.clients.keep_scored_list()
        uow.commit()
    refresh_statistics(uow)
    with uow:
        forecasts, worth = uow.predictions.current_values()
    report = BatchReport(
        scored.done,
        scorer.sales_run.version,
        scorer.purchase_run.version,
        scorer.threshold.value,
        _fit_segments_once(uow, forecasts, clock),
        _fit_tiers(uow, worth, clock),
    )
    _summarise(uow)
    keep_scored_advice(scored, inputs, uow)
    return report


def _summarise(uow: UnitOfWork) -> None:
    """Summarise the new predictions (and the snapshots they were made from) now, once, for every
    dashboard that follows: a repository keeps what it summarised until its rows change."""
    with uow:
        uow.predictions.summary(uow.settings.threshold(), uow.settings.segment_rule())
        uow.activity.monthly_sales()
        uow.commit()


def score_clients(
    first_client_id: int,
    last_client_id: int,
    made_at: str,
    uow: UnitOfWork,
    models: ActiveModels,
    predictor: ModelPredictor,
    batch_size: int = BATCH_SIZE,
    progress: JobProgress | None = None,
) -> PartReport:
    """Score the clients with ids from `first_client_id` to `last_client_id` from their newest snapshots
    with the active models, at the moment `made_at` (ISO 8601), `batch_size` at a time, committing each
    batch in bulk: one part of `predict_all`. On the way it counts the scored snapshots' features for the
    retraining advice (`DriftCounting`), which its report carries."""
    with uow:
        scorer = _scorer(uow, models, predictor)
    countings = [DriftCounting(scorer.sales_run), DriftCounting(scorer.purchase_run)]
    now = datetime.fromisoformat(made_at)
    scored, after = 0, first_client_id - 1
    while True:
        with uow:
            data = uow.activity.newest_columns(after, batch_size, up_to_client_id=last_client_id)
            if not len(data):
                break
            computed: dict[str, Sequence[float]] = {}
            batch = scorer.score(data, now, computed)
            uow.predictions.add_batch(batch)
            uow.commit()
        for counting in countings:
            counting.count(data, computed)
        scored += len(batch)
        after = batch.client_ids[-1]
        if progress is not None:
            progress(scored, None)
    return PartReport(
        scored, {name: counts for each in countings for name, counts in each.as_counts().items()}
    )


def _part_described(part: Mapping[str, Any]) -> str:
    return f"score clients {part['first_client_id']}-{part['last_client_id']}"


SEGMENTS_FITTED_BY = "forecast quantiles"
"""Who set the segment bands, when they were fitted to the first forecasts of every client."""


def _fit_segments_once(uow: UnitOfWork, forecasts: Sequence[float], clock: Clock) -> SegmentRule | None:
    """Bands that fit the company (`SegmentRule.fitted_to`), unless bands were set before."""
    with uow:
        if uow.settings.segment_rule_is_set():
            return None
        rule = SegmentRule.fitted_to(forecasts)
        if rule is not None:
            uow.settings.set_segment_rule(rule, SEGMENTS_FITTED_BY, clock.now())
            uow.commit()
    return rule


TIERS_FITTED_BY = "batch scoring"
"""Who set the contact tiers' cut points: every batch scoring fits them again, since they are ranks."""


def _fit_tiers(uow: UnitOfWork, worth: Sequence[float], clock: Clock) -> TierCuts | None:
    """Cut points that split these expected values into the contact tiers (`TierCuts.fitted_to`)."""
    cuts = TierCuts.fitted_to(worth)
    if cuts is not None:
        with uow:
            uow.settings.set_tier_cuts(cuts, TIERS_FITTED_BY, clock.now())
            uow.commit()
    return cuts


def rescore_if_trained(score_all: Callable[[], BatchReport]) -> BatchReport | None:
    """Score every client again (`score_all`: `predict_all` as the app runs it, its parts shared and its
    summaries kept) after new data made their predictions out of date; None, and the predictions left
    marked out of date, when a model is not trained or cannot be loaded."""
    try:
        return score_all()
    except MODELS_UNAVAILABLE as error:
        log.warning("clients not scored after new data: %s", error.message)
        return None


def start_rescore_if_trained(
    uow_factory: Callable[[], UnitOfWork],
    models: ActiveModels,
    predictor: ModelPredictor,
    clock: Clock,
    jobs: JobRunner,
) -> Job | None:
    """After new data, score every client again in the background (`start_batch_prediction`); None
    when no prediction can be made now."""
    try:
        return start_batch_prediction(uow_factory, models, predictor, clock, jobs)
    except MODELS_UNAVAILABLE as error:
        log.warning("clients not scored after new data: %s", error.message)
        return None


def start_batch_prediction(
    uow_factory: Callable[[], UnitOfWork],
    models: ActiveModels,
    predictor: ModelPredictor,
    clock: Clock,
    jobs: JobRunner,
    submitted_by: str | None = None,
) -> Job:
    """Score every client in the background (the job `score_all`, performed by `predict_all`), unless a
    scoring is queued or running already, which is returned then (two at once would both write every
    client's current prediction); refuses at once when a model is not trained yet."""
    with uow_factory() as uow:
        _scorer(uow, models, predictor)
    described = "score every client"
    return submit_job(SCORE_ALL, {}, described, uow_factory(), clock, jobs, submitted_by, exclusive=True)
