"""A run in progress is one whose worker is alive: its lease, and what happens when the worker dies."""

from __future__ import annotations

import os
import threading
from dataclasses import replace
from datetime import timedelta

import pytest

from adapters.clock import FixedClock
from adapters.leases import ThreadRunLease
from adapters.memory import InMemoryUnitOfWork
from application.leases import fail_abandoned_runs
from application.predicting import ActiveModels
from application.queries import ml_panel
from application.training import get_run, list_runs, queue_training, run_training
from domain.model_runs import QUEUE_GRACE, RUN_LEASE, ModelRun, RunStatus, TrainingAlreadyRunning
from domain.predictions import ModelKind
from unit.ml_fakes import NOW, FakeModelStore, FakeTrainer, add_client_with_history

SALES = ModelKind.SALES
SECOND = timedelta(seconds=1)


def a_run(**changes: object) -> ModelRun:
    return replace(ModelRun(SALES, 1, "admin@example.com", NOW - 10 * RUN_LEASE), **changes)  # type: ignore[arg-type]


def running(heartbeat_at=NOW, worker="host:7") -> ModelRun:
    return replace(a_run().started(NOW - 5 * RUN_LEASE, worker), heartbeat_at=heartbeat_at)


# --- the rule --------------------------------------------------------------------------------------


def test_a_running_run_with_a_recent_heartbeat_is_alive() -> None:
    assert not running(heartbeat_at=NOW).is_abandoned(NOW + RUN_LEASE)


def test_a_running_run_whose_heartbeat_is_older_than_the_lease_is_abandoned() -> None:
    assert running(heartbeat_at=NOW).is_abandoned(NOW + RUN_LEASE + SECOND)


def test_a_running_run_that_never_beat_is_judged_by_when_it_started() -> None:
    run = replace(a_run().started(NOW), heartbeat_at=None)

    assert not run.is_abandoned(NOW + RUN_LEASE)
    assert run.is_abandoned(NOW + RUN_LEASE + SECOND)


def test_a_queued_run_waits_for_a_worker_for_the_queues_grace_not_the_lease() -> None:
    run = replace(a_run(), queued_at=NOW)

    assert not run.is_abandoned(NOW + QUEUE_GRACE)
    assert run.is_abandoned(NOW + QUEUE_GRACE + SECOND)
    assert QUEUE_GRACE > RUN_LEASE


def test_a_queued_run_claimed_by_a_worker_lives_by_its_heartbeat() -> None:
    claimed = replace(a_run(), queued_at=NOW - 2 * QUEUE_GRACE, heartbeat_at=NOW, worker="host:7")

    assert not claimed.is_abandoned(NOW + SECOND)
    assert claimed.is_abandoned(NOW + RUN_LEASE + SECOND)


def test_a_finished_run_is_never_abandoned() -> None:
    done = running(heartbeat_at=NOW - 100 * RUN_LEASE).failed("boom", NOW)

    assert not done.is_abandoned(NOW)


def test_an_abandoned_run_fails_naming_its_worker_and_its_last_heartbeat() -> None:
    failed = running(heartbeat_at=NOW).abandoned(NOW + 2 * RUN_LEASE)

    assert failed.status is RunStatus.FAILED and not failed.is_active
    assert failed.finished_at == NOW + 2 * RUN_LEASE
    assert failed.error == (
        "The process training it (host:7) stopped (no heartbeat since 2026-06-30 12:00:00 UTC)."
    )


def test_a_run_never_started_fails_saying_no_process_started_it() -> None:
    failed = replace(a_run(), queued_at=NOW).abandoned(NOW + 2 * QUEUE_GRACE)

    assert failed.error == "No process started it (queued since 2026-06-30 12:00:00 UTC)."


# --- the use cases ---------------------------------------------------------------------------------


def stored(uow: InMemoryUnitOfWork, run: ModelRun) -> ModelRun:
    with uow:
        added = uow.model_runs.add(run)
        uow.model_runs.update(replace(run, id=added.id))
        uow.commit()
    return replace(run, id=added.id)


def test_a_new_training_fails_the_run_whose_worker_died_and_is_queued_at_once(uow) -> None:
    dead = stored(uow, running(heartbeat_at=NOW - RUN_LEASE - SECOND))

    run = queue_training(SALES, "admin@example.com", uow, FixedClock(NOW))

    assert run.version == 2
    failed = get_run(dead.id, uow)
    assert failed.status is RunStatus.FAILED and "stopped (no heartbeat since" in (failed.error or "")


def test_a_training_whose_worker_is_alive_is_still_in_progress(uow) -> None:
    stored(uow, running(heartbeat_at=NOW - RUN_LEASE + SECOND))

    with pytest.raises(TrainingAlreadyRunning):
        queue_training(SALES, "admin@example.com", uow, FixedClock(NOW))


@pytest.mark.parametrize(
    "look",
    [
        lambda run_id, uow, clock: get_run(run_id, uow, clock),
        lambda run_id, uow, clock: list_runs(None, uow, clock)[0],
        lambda run_id, uow, clock: ml_panel(uow, clock).runs[0],
        lambda run_id, uow, clock: fail_abandoned_runs(uow, clock)[0],
    ],
    ids=["get_run", "list_runs", "ml_panel", "at_start"],
)
def test_every_look_at_the_runs_fails_an_abandoned_one(uow, look) -> None:
    dead = stored(uow, running(heartbeat_at=NOW - 2 * RUN_LEASE))

    seen = look(dead.id, uow, FixedClock(NOW))

    assert seen.status is RunStatus.FAILED
    assert get_run(dead.id, uow).status is RunStatus.FAILED


def test_a_training_with_a_lease_records_its_worker_and_heartbeat(uow) -> None:
    for n in range(60):
        add_client_with_history(uow, n)
    clock = FixedClock(NOW)
    lease = ThreadRunLease(lambda: uow, clock, interval_s=3600, worker="host:42")
    run = queue_training(SALES, "admin@example.com", uow, clock)

    finished = run_training(run.id, uow, FakeTrainer(), FakeModelStore(), clock, lease)

    assert finished.status is RunStatus.SUCCEEDED
    assert (finished.worker, finished.heartbeat_at) == ("host:42", NOW)
    assert not [t for t in threading.enumerate() if t.name == "prognoza-lease"]


def test_the_lease_thread_renews_until_the_block_ends(uow) -> None:
    run = stored(uow, replace(a_run(), queued_at=NOW))
    renewals = threading.Semaphore(0)

    class CountingClock(FixedClock):
        def now(self):  # type: ignore[no-untyped-def]
            renewals.release()
            return super().now()

    lease = ThreadRunLease(lambda: InMemoryUnitOfWork(uow.committed), CountingClock(NOW), interval_s=0.01)
    with lease.holding([run.id]):
        assert all(renewals.acquire(timeout=5) for _ in range(3))  # at once, then twice in the thread

    assert get_run(run.id, uow).heartbeat_at == NOW
    assert lease.worker.endswith(f":{os.getpid()}")


# --- a model file changed on disk is verified again -------------------------------------------------


def test_the_active_model_is_loaded_and_verified_again_when_its_file_changes() -> None:
    store = FakeModelStore()
    artifact = store.save(SALES, 1, {"weights": [1]})
    models = ActiveModels(store)
    run = replace(a_run().started(NOW).succeeded(None, artifact, NOW), is_active=True)  # type: ignore[arg-type]

    models.model_for(run)
    models.model_for(run)
    assert store.loads == 1

    store.files[artifact.path] = {"weights": [666]}  # rewritten on disk behind the process's back
    with pytest.raises(Exception, match="does not match its recorded SHA-256"):
        models.model_for(run)
    assert store.loads == 2


def test_a_worker_of_this_machine_whose_process_ended_has_stopped_and_no_other_is_known_to(
    uow, clock
) -> None:
    import os
    import socket
    import subprocess
    import sys

    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    lease = ThreadRunLease(lambda: uow, clock)
    host = socket.gethostname()

    assert lease.has_stopped(f"{host}:{ended.stdout.strip()}")
    assert not lease.has_stopped(f"{host}:{os.getpid()}")
    assert not lease.has_stopped(f"another-machine:{ended.stdout.strip()}")
    assert not lease.has_stopped("not a worker")
