"""The model run repository: versions per kind, progress and evaluation, one active version per kind."""

from __future__ import annotations

from dataclasses import replace

import pytest

from contract.examples import (
    UnitOfWorkFactory,
    a_purchase_evaluation,
    a_run,
    a_succeeded_run,
    id_of,
    later,
)
from domain.model_runs import Activation, Artifact, ModelRun, RunNotFound, RunStatus, TrainingAlreadyRunning
from domain.predictions import ModelKind

SALES, PURCHASE = ModelKind.SALES, ModelKind.PURCHASE


def add(uow_factory: UnitOfWorkFactory, *runs: ModelRun) -> list[ModelRun]:
    with uow_factory() as uow:
        stored = [uow.model_runs.add(run) for run in runs]
        uow.commit()
    return stored


def activate(uow_factory: UnitOfWorkFactory, kind: ModelKind, version: int, hour: float = 10) -> None:
    with uow_factory() as uow:
        uow.model_runs.activate(Activation(kind, version, "admin@example.pl", later(hour)))
        uow.commit()


def active_versions(uow_factory: UnitOfWorkFactory, kind: ModelKind) -> list[int]:
    with uow_factory() as uow:
        return [run.version for run in uow.model_runs.list(kind) if run.is_active]


def test_an_added_run_gets_an_id_and_reads_back_equal_by_id_and_by_version(
    uow_factory: UnitOfWorkFactory,
) -> None:
    [run] = add(uow_factory, a_run(SALES, 1))

    assert run.id is not None
    with uow_factory() as uow:
        assert uow.model_runs.get(run.id) == run
        assert uow.model_runs.get_version(SALES, 1) == run
        assert run.status is RunStatus.QUEUED and run.kind is SALES


def test_there_is_no_run_under_an_unknown_id_or_version(uow_factory: UnitOfWorkFactory) -> None:
    add(uow_factory, a_run(SALES, 1))

    with uow_factory() as uow:
        assert uow.model_runs.get(424242) is None
        assert uow.model_runs.get_version(SALES, 2) is None
        assert uow.model_runs.get_version(PURCHASE, 1) is None


def test_a_run_is_stored_inactive_until_it_is_activated(uow_factory: UnitOfWorkFactory) -> None:
    [run] = add(uow_factory, replace(a_succeeded_run(SALES, 1), is_active=True))

    assert not run.is_active
    with uow_factory() as uow:
        assert uow.model_runs.active(SALES) is None


def test_a_version_already_taken_by_the_same_kind_is_refused(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.model_runs.add(a_run(SALES, 1))
        with pytest.raises(TrainingAlreadyRunning):
            uow.model_runs.add(a_run(SALES, 1, requested_by="someone.else@example.pl"))
        uow.model_runs.add(a_run(PURCHASE, 1))
        uow.commit()

    with uow_factory() as uow:
        assert [(r.kind, r.version) for r in uow.model_runs.list()] == [(PURCHASE, 1), (SALES, 1)]


def test_versions_are_numbered_per_kind_starting_at_one(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        assert (uow.model_runs.next_version(SALES), uow.model_runs.next_version(PURCHASE)) == (1, 1)

    add(uow_factory, a_run(SALES, 1), a_run(SALES, 2), a_run(PURCHASE, 1))

    with uow_factory() as uow:
        assert (uow.model_runs.next_version(SALES), uow.model_runs.next_version(PURCHASE)) == (3, 2)


def test_an_update_records_the_progress_the_evaluation_and_the_artifact(
    uow_factory: UnitOfWorkFactory,
) -> None:
    [queued] = add(uow_factory, a_run(PURCHASE, 1))
    running = queued.started(later(2))
    with uow_factory() as uow:
        uow.model_runs.update(running)
        uow.commit()
    with uow_factory() as uow:
        assert uow.model_runs.get(id_of(queued)) == running

    succeeded = running.succeeded(
        a_purchase_evaluation(), Artifact("models/purchase-v1.joblib", "ab" * 32), later(3)
    )
    with uow_factory() as uow:
        uow.model_runs.update(succeeded)
        uow.commit()

    with uow_factory() as uow:
        stored = uow.model_runs.get(id_of(queued))
    assert stored == succeeded
    assert stored is not None and stored.evaluation is not None
    assert stored.evaluation.confusion_matrix == [[40, 4], [7, 9]]
    assert (
        stored.evaluation.threshold_curve is not None
        and stored.evaluation.threshold_curve[1]["recall"] == 0.6
    )


def test_a_sales_evaluation_reads_back_without_the_purchase_only_parts(
    uow_factory: UnitOfWorkFactory,
) -> None:
    [run] = add(uow_factory, a_succeeded_run(SALES, 1))

    with uow_factory() as uow:
        stored = uow.model_runs.get(id_of(run))
    assert stored == run
    assert stored is not None and stored.evaluation is not None
    assert (
        stored.evaluation.confusion_matrix,
        stored.evaluation.threshold,
        stored.evaluation.threshold_curve,
    ) == (
        None,
        None,
        None,
    )


def test_a_failed_run_keeps_its_reason(uow_factory: UnitOfWorkFactory) -> None:
    [run] = add(uow_factory, a_run(SALES, 1))
    failed = run.started(later(2)).failed("Too little data: 12 labelled snapshots.", later(3))
    with uow_factory() as uow:
        uow.model_runs.update(failed)
        uow.commit()

    with uow_factory() as uow:
        stored = uow.model_runs.get(id_of(run))
    assert stored == failed
    assert stored is not None and stored.evaluation is None and stored.artifact is None


def test_updating_a_run_that_does_not_exist_is_refused(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow, pytest.raises(RunNotFound):
        uow.model_runs.update(replace(a_run(SALES, 1), id=424242))


def test_an_update_does_not_change_which_run_is_active(uow_factory: UnitOfWorkFactory) -> None:
    [first, second] = add(uow_factory, a_succeeded_run(SALES, 1), a_succeeded_run(SALES, 2))
    activate(uow_factory, SALES, 1)

    with uow_factory() as uow:
        uow.model_runs.update(replace(first, error="a note", is_active=False))
        uow.model_runs.update(replace(second, is_active=True))
        uow.commit()

    assert active_versions(uow_factory, SALES) == [1]


def test_runs_are_listed_newest_first_all_or_of_one_kind(uow_factory: UnitOfWorkFactory) -> None:
    add(
        uow_factory,
        a_run(SALES, 1, queued_at=later(1)),
        a_run(PURCHASE, 1, queued_at=later(2)),
        a_run(SALES, 2, queued_at=later(3)),
    )

    with uow_factory() as uow:
        everything = [(r.kind, r.version) for r in uow.model_runs.list()]
        sales = [r.version for r in uow.model_runs.list(SALES)]
        purchase = [r.version for r in uow.model_runs.list(PURCHASE)]

    assert everything == [(SALES, 2), (PURCHASE, 1), (SALES, 1)]
    assert (sales, purchase) == ([2, 1], [1])


@pytest.mark.parametrize("status", [RunStatus.QUEUED, RunStatus.RUNNING])
def test_a_queued_or_running_run_is_in_progress(uow_factory: UnitOfWorkFactory, status: RunStatus) -> None:
    [run] = add(uow_factory, a_run(SALES, 1, status=status))

    with uow_factory() as uow:
        assert uow.model_runs.in_progress(SALES) == run
        assert uow.model_runs.in_progress(PURCHASE) is None


def test_finished_runs_are_not_in_progress(uow_factory: UnitOfWorkFactory) -> None:
    failed = a_run(SALES, 2).failed("broken", later(3))
    add(uow_factory, a_succeeded_run(SALES, 1), failed)

    with uow_factory() as uow:
        assert uow.model_runs.in_progress(SALES) is None


def test_no_run_is_active_before_the_first_activation(uow_factory: UnitOfWorkFactory) -> None:
    add(uow_factory, a_succeeded_run(SALES, 1))

    with uow_factory() as uow:
        assert uow.model_runs.active(SALES) is None
        assert uow.model_runs.activations(SALES) == []
        assert uow.model_runs.active_versions() == dict.fromkeys(ModelKind)


def test_activation_makes_the_chosen_version_the_only_active_one_of_its_kind(
    uow_factory: UnitOfWorkFactory,
) -> None:
    add(uow_factory, *(a_succeeded_run(SALES, version) for version in (1, 2, 3)))

    activate(uow_factory, SALES, 2)
    activate(uow_factory, SALES, 3)

    assert active_versions(uow_factory, SALES) == [3]
    with uow_factory() as uow:
        active = uow.model_runs.active(SALES)
    assert active is not None and (active.version, active.is_active) == (3, True)
    with uow_factory() as uow:
        assert uow.model_runs.active_versions() == {SALES: 3, PURCHASE: None}


def test_activating_an_earlier_version_rolls_back_to_it(uow_factory: UnitOfWorkFactory) -> None:
    add(uow_factory, a_succeeded_run(SALES, 1), a_succeeded_run(SALES, 2))
    activate(uow_factory, SALES, 2)

    activate(uow_factory, SALES, 1)

    assert active_versions(uow_factory, SALES) == [1]


def test_activating_the_active_version_again_keeps_it_active(uow_factory: UnitOfWorkFactory) -> None:
    add(uow_factory, a_succeeded_run(SALES, 1))
    activate(uow_factory, SALES, 1, hour=10)

    activate(uow_factory, SALES, 1, hour=11)

    assert active_versions(uow_factory, SALES) == [1]


def test_each_kind_has_its_own_active_version(uow_factory: UnitOfWorkFactory) -> None:
    add(uow_factory, a_succeeded_run(SALES, 1), a_succeeded_run(PURCHASE, 1), a_succeeded_run(PURCHASE, 2))
    activate(uow_factory, SALES, 1)

    activate(uow_factory, PURCHASE, 2)

    assert (active_versions(uow_factory, SALES), active_versions(uow_factory, PURCHASE)) == ([1], [2])


def test_activations_are_recorded_newest_first_per_kind(uow_factory: UnitOfWorkFactory) -> None:
    add(uow_factory, a_succeeded_run(SALES, 1), a_succeeded_run(SALES, 2), a_succeeded_run(PURCHASE, 1))
    activate(uow_factory, SALES, 1, hour=10)
    activate(uow_factory, PURCHASE, 1, hour=11)
    activate(uow_factory, SALES, 2, hour=12)
    activate(uow_factory, SALES, 1, hour=13)

    with uow_factory() as uow:
        sales = uow.model_runs.activations(SALES)
        purchase = uow.model_runs.activations(PURCHASE)

    assert sales == [
        Activation(SALES, 1, "admin@example.pl", later(13)),
        Activation(SALES, 2, "admin@example.pl", later(12)),
        Activation(SALES, 1, "admin@example.pl", later(10)),
    ]
    assert purchase == [Activation(PURCHASE, 1, "admin@example.pl", later(11))]


def test_activating_a_version_that_does_not_exist_is_refused_and_changes_nothing(
    uow_factory: UnitOfWorkFactory,
) -> None:
    add(uow_factory, a_succeeded_run(SALES, 1))
    activate(uow_factory, SALES, 1)

    with uow_factory() as uow:
        with pytest.raises(RunNotFound):
            uow.model_runs.activate(Activation(SALES, 7, "admin@example.pl", later(11)))
        uow.commit()

    assert active_versions(uow_factory, SALES) == [1]
    with uow_factory() as uow:
        assert len(uow.model_runs.activations(SALES)) == 1


def test_an_activation_not_committed_is_rolled_back(uow_factory: UnitOfWorkFactory) -> None:
    add(uow_factory, a_succeeded_run(SALES, 1), a_succeeded_run(SALES, 2))
    activate(uow_factory, SALES, 1)

    with uow_factory() as uow:
        uow.model_runs.activate(Activation(SALES, 2, "admin@example.pl", later(11)))

    assert active_versions(uow_factory, SALES) == [1]
    with uow_factory() as uow:
        assert [a.version for a in uow.model_runs.activations(SALES)] == [1]


def test_a_lease_renewal_records_the_worker_and_never_touches_a_finished_run(
    uow_factory: UnitOfWorkFactory,
) -> None:
    queued, running, done = add(uow_factory, a_run(SALES, 1), a_run(PURCHASE, 1), a_succeeded_run(SALES, 2))
    with uow_factory() as uow:
        uow.model_runs.update(running.started(later(3), "host:1"))
        uow.commit()

    with uow_factory() as uow:
        uow.model_runs.renew_lease([id_of(queued), id_of(running), id_of(done)], "host:2", later(4))
        uow.commit()

    with uow_factory() as uow:
        renewed = [uow.model_runs.get(id_of(run)) for run in (queued, running, done)]
        unfinished = uow.model_runs.unfinished()
    assert [(r.heartbeat_at, r.worker) for r in renewed if r is not None] == [
        (later(4), "host:2"),
        (later(4), "host:2"),
        (later(2.1), None),  # as it was when it started
    ]
    assert sorted(id_of(run) for run in unfinished) == sorted([id_of(queued), id_of(running)])


def test_a_running_run_finishes_once_and_a_run_declared_abandoned_keeps_its_failure(
    uow_factory: UnitOfWorkFactory,
) -> None:
    running, abandoned = add(uow_factory, a_run(SALES, 1), a_run(PURCHASE, 1))
    started = [run.started(later(2), "host:1") for run in (running, abandoned)]
    with uow_factory() as uow:
        for run in started:
            uow.model_runs.update(run)
        uow.model_runs.update(started[1].failed("Its worker stopped sending heartbeats.", later(3)))
        uow.commit()

    late = [run.failed("finished late", later(4)) for run in started]
    with uow_factory() as uow:
        recorded = [uow.model_runs.finish(run) for run in late]
        uow.commit()

    with uow_factory() as uow:
        stored = [uow.model_runs.get(id_of(run)) for run in (running, abandoned)]
        assert recorded == [True, False]
        assert [run.error for run in stored if run is not None] == [
            "finished late",
            "Its worker stopped sending heartbeats.",
        ]
        with pytest.raises(RunNotFound):
            uow.model_runs.finish(replace(late[0], id=424242))
