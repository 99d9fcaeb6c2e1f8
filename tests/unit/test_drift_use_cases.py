"""Drift use cases: the training profile kept with a run, the newest snapshots measured against it, the
advice to retrain, and the pages' reuse of the advice."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import date

import pytest

from adapters.memory import InMemoryUnitOfWork
from application.drift import (
    DriftReport,
    _document_of,
    _report_of,
    model_drift,
    retraining_advice,
    training_profile,
)
from application.ports import TrainingTable
from domain.drift import FeatureDrift, ReasonCode, RetrainingReason, profile_of, with_holdout
from domain.model_runs import Activation, ModelNotTrained
from domain.predictions import ModelKind
from unit.ml_fakes import NOW
from unit.test_monitoring import MARCH, clients, predict  # noqa: F401  (a fixture)

NAN = math.nan


def test_the_profile_covers_the_rows_the_hold_out_model_learnt_from() -> None:
    table = TrainingTable(
        feature_names=("x",),
        features=[[1.0, 2.0, 3.0, 50.0, 60.0, 99.0]],
        targets=[1.0, 0.0, NAN, 1.0, 0.0, NAN],
        months=[1.0, 1.0, 1.0, 2.0, 2.0, 3.0],
        test_months=(1, 2),
        baselines={},
    )

    profile = training_profile(table)["x"]

    # labelled, before the newest test month; beside it, the labelled rows of the newest test month
    assert profile == with_holdout(profile_of([1.0, 2.0]), [50.0, 60.0]).as_document()
    assert isinstance(profile["holdout_psi"], float) and profile["holdout_psi"] > 0.2


def activate_with_profile(uow: InMemoryUnitOfWork, kind: ModelKind, values: dict[str, list[float]]) -> None:
    with uow:
        run = uow.model_runs.get_version(kind, 1)
        assert run is not None and run.evaluation is not None
        profiles = {name: profile_of(column).as_document() for name, column in values.items()}
        run = replace(run, evaluation=replace(run.evaluation, training_profile=profiles))
        uow.model_runs.update(run)
        uow.model_runs.activate(Activation(kind, 1, "admin@example.com", NOW))
        uow.commit()


def test_newest_snapshots_like_the_training_values_do_not_drift(
    uow: InMemoryUnitOfWork,
    clients: list[int],  # noqa: F811
) -> None:
    activate_with_profile(
        uow, ModelKind.SALES, {"purchases_30d": [1.0] * 10, "avg_basket_value": [100.0] * 10}
    )

    report = model_drift(ModelKind.SALES, uow)

    assert (report.model_version, report.measured, report.clients) == (1, True, 4)
    assert [(d.feature, d.psi, d.outside_range) for d in report.features] == [
        ("purchases_30d", 0.0, 0.0),
        ("avg_basket_value", 0.0, 0.0),
    ]
    assert not report.retraining_advised


def test_a_shifted_feature_advises_retraining_naming_it(
    uow: InMemoryUnitOfWork,
    clients: list[int],  # noqa: F811
) -> None:
    activate_with_profile(uow, ModelKind.SALES, {"avg_basket_value": [20.0, 30.0, 40.0, 50.0] * 5})

    report = model_drift(ModelKind.SALES, uow)

    [reason] = report.reasons
    assert (reason.code, reason.feature) == (ReasonCode.FEATURE_DRIFT, "avg_basket_value")
    assert reason.psi is not None and reason.psi >= 0.2
    assert report.features[0].outside_range == 1.0  # every basket of 100 is above the training maximum


def test_a_realized_metric_below_the_claimed_one_advises_retraining(
    uow: InMemoryUnitOfWork,
    clients: list[int],  # noqa: F811
) -> None:
    a, b, c, d = clients
    activate_with_profile(uow, ModelKind.SALES, {"purchases_30d": [1.0] * 10})
    predict(
        uow, [(a, 100.0, 0.9, True), (b, 60.0, 0.3, False), (c, 0.0, 0.6, True), (d, 10.0, 0.1, False)], MARCH
    )

    [reason] = model_drift(ModelKind.SALES, uow).reasons

    assert (reason.code, reason.metric, reason.claimed) == (ReasonCode.REALIZED_SHORTFALL, "r2", 0.9)
    assert reason.realized == pytest.approx(1 - 1300 / 8300) and reason.month == MARCH.replace(day=1)
    assert "below the 0.900 claimed" in reason.message


def test_a_version_trained_before_profiles_were_kept_is_not_measured(
    uow: InMemoryUnitOfWork,
    clients: list[int],  # noqa: F811
) -> None:
    with uow:
        uow.model_runs.activate(Activation(ModelKind.PURCHASE, 1, "admin@example.com", NOW))
        uow.commit()

    report = model_drift(ModelKind.PURCHASE, uow)

    assert (report.measured, report.features, report.reasons) == (False, [], [])


def test_without_an_active_version_there_is_nothing_to_measure(
    uow: InMemoryUnitOfWork,
    clients: list[int],  # noqa: F811
) -> None:
    with pytest.raises(ModelNotTrained):
        model_drift(ModelKind.SALES, uow)
    assert retraining_advice(uow) == []


def test_kept_advice_reads_back_as_the_reports_it_was_computed_as() -> None:
    drifted = FeatureDrift("visits_7d", 0.31, 0.0, 0.01, 0.02, 1200, holdout_psi=0.02)
    report = DriftReport(
        ModelKind.PURCHASE,
        3,
        True,
        1200,
        [drifted],
        [
            RetrainingReason.shifted(drifted),
            RetrainingReason.fell_short("roc_auc", 0.61, 0.70, date(2026, 10, 1)),
        ],
    )

    assert _report_of(json.loads(json.dumps(_document_of(report)))) == report
