"""The purchase model's calibration: the active version's hold-out curve from its training, and each
version's realized curve once its predictions' outcomes are known."""

from __future__ import annotations

from dataclasses import replace

import pytest

from adapters.memory import InMemoryUnitOfWork
from application.calibration import purchase_calibration
from domain.calibration import reliability
from domain.model_runs import Activation, ModelNotTrained
from domain.predictions import ModelKind, PurchasePrediction
from unit.ml_fakes import NOW
from unit.test_monitoring import APRIL, MARCH, a_run, clients, predict  # noqa: F401  (a fixture)

HOLD_OUT = reliability([0.1, 0.35, 0.8], [False, False, True])
COMPARED = {"none": {"brier": 0.2, "roc_auc": 0.7}, "sigmoid": {"brier": 0.18, "roc_auc": 0.7}}


def activate_calibrated_version_2(uow: InMemoryUnitOfWork) -> None:
    run = a_run(ModelKind.PURCHASE, 2, key_metric=0.7)
    assert run.evaluation is not None
    evaluation = replace(
        run.evaluation,
        metrics={**run.evaluation.metrics, "brier": HOLD_OUT.brier or 0.0},
        reliability=HOLD_OUT.records(),
        calibration={"method": "sigmoid", "compared": COMPARED},
    )
    with uow:
        uow.model_runs.add(replace(run, evaluation=evaluation))
        uow.model_runs.activate(Activation(ModelKind.PURCHASE, 2, "admin@example.com", NOW))
        uow.commit()


def test_nothing_is_shown_before_a_purchase_model_is_active(
    uow: InMemoryUnitOfWork,
    clients: list[int],  # noqa: F811
) -> None:
    with pytest.raises(ModelNotTrained):
        purchase_calibration(uow)


def test_the_active_versions_hold_out_curve_and_calibration_come_from_its_training(
    uow: InMemoryUnitOfWork,
    clients: list[int],  # noqa: F811
) -> None:
    activate_calibrated_version_2(uow)

    calibration = purchase_calibration(uow)

    assert (calibration.model_version, calibration.method, calibration.compared) == (2, "sigmoid", COMPARED)
    assert calibration.hold_out == HOLD_OUT
    assert calibration.realized == [] and calibration.realized_of_active is None


def test_realized_curves_are_by_version_newest_first_all_months_together(
    uow: InMemoryUnitOfWork,
    clients: list[int],  # noqa: F811
) -> None:
    a, b, c, d = clients
    activate_calibrated_version_2(uow)
    predict(uow, [(a, 0.0, 0.9, True), (b, 0.0, 0.3, False)], MARCH)  # version 1; March's outcomes known
    predict(uow, [(c, 0.0, 0.6, True)], APRIL)  # April's outcomes are not known yet
    with uow:
        uow.predictions.add_many(
            [],
            [
                PurchasePrediction(c, 0.65, False, 0.7, 2, NOW, observed_on=MARCH),
                PurchasePrediction(d, 0.05, False, 0.7, 2, NOW, observed_on=MARCH),
            ],
        )
        uow.commit()

    calibration = purchase_calibration(uow)

    assert [r.model_version for r in calibration.realized] == [2, 1]
    # March: clients a and c bought, b and d did not.
    assert calibration.realized_of_active == reliability([0.65, 0.05], [True, False])
    assert calibration.realized[1].curve == reliability([0.9, 0.3], [True, False])
