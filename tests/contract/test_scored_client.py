"""A client read with what its overview is made of: the same facts as the repositories give one by one."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from contract.examples import (
    UnitOfWorkFactory,
    a_client,
    a_forecast,
    a_purchase_prediction,
    a_snapshot,
    a_succeeded_run,
    id_of,
    later,
)
from domain.model_runs import Activation
from domain.predictions import ModelKind


def test_an_unknown_client_is_none(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        assert uow.clients.scored(424242) is None


def test_a_client_never_scored_comes_alone(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        anna = uow.clients.add(a_client("Anna"))
        uow.commit()

    with uow_factory() as uow:
        scored = uow.clients.scored(id_of(anna))

    assert scored is not None
    assert (scored.client, scored.forecast, scored.purchase, scored.latest_observed_on) == (
        anna,
        None,
        None,
        None,
    )
    assert scored.active_versions == dict.fromkeys(ModelKind)


def test_a_scored_client_comes_with_its_current_predictions_newest_snapshot_and_the_active_versions(
    uow_factory: UnitOfWorkFactory,
) -> None:
    with uow_factory() as uow:
        anna, beata = uow.clients.add_many([a_client("Anna"), a_client("Beata")])
        for day in (date(2024, 1, 31), date(2024, 3, 31), date(2024, 2, 29)):
            uow.activity.add(a_snapshot(id_of(anna), day))
        uow.activity.add(a_snapshot(id_of(beata), date(2024, 6, 30)))
        for version in (1, 2):
            uow.model_runs.add(a_succeeded_run(ModelKind.SALES, version))
        uow.model_runs.add(a_succeeded_run(ModelKind.PURCHASE, 1))
        uow.model_runs.activate(Activation(ModelKind.SALES, 2, "admin@example.pl", later(1)))
        uow.predictions.add_many(
            [a_forecast(id_of(anna), 100.0), a_forecast(id_of(beata), 5.0)],
            [a_purchase_prediction(id_of(anna), 0.2)],
        )
        uow.commit()
    with uow_factory() as uow:
        newer = [a_forecast(id_of(anna), 250.0, model_version=2, made_at=later(24))]
        uow.predictions.add_many(newer, [a_purchase_prediction(id_of(anna), 0.9, made_at=later(24))])
        uow.commit()

    with uow_factory() as uow:
        scored = uow.clients.scored(id_of(anna))
        one_by_one = uow.predictions.current(id_of(anna))

    assert scored is not None
    assert scored.client == anna
    assert (scored.forecast, scored.purchase) == one_by_one
    assert scored.forecast is not None and scored.forecast.id is not None
    assert replace(scored.forecast, id=None) == newer[0]
    assert scored.purchase is not None and scored.purchase.probability == 0.9
    assert scored.latest_observed_on == date(2024, 3, 31)
    assert scored.active_versions == {ModelKind.SALES: 2, ModelKind.PURCHASE: None}
