"""Background jobs: performed by name with their parameters, their state and progress kept in the
database, and a job whose worker stopped shown failed rather than running forever."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from adapters.clock import FixedClock
from adapters.jobs import ThreadJobRunner
from adapters.leases import ThreadJobLease
from adapters.memory import InMemoryStore, InMemoryUnitOfWork
from application.jobs import get_job, perform_job, submit_job
from application.ports import JobProgress
from domain.jobs import JOB_LEASE, JOB_QUEUE_GRACE, JobNotFound, JobState
from unit.job_fakes import TEST_WORKER, inline_jobs

NOW = datetime(2024, 4, 2, 8, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Answer:
    value: int
    on: date


def answer(value: int, progress: JobProgress) -> Answer:
    progress(1, 2)
    progress(2, 2)
    return Answer(value, date(2024, 3, 31))


def explode(progress: JobProgress) -> None:
    raise ValueError("no data")


@pytest.fixture
def store() -> InMemoryStore:
    return InMemoryStore()


def uow_of(store: InMemoryStore):
    return lambda: InMemoryUnitOfWork(store)


def test_an_inline_job_is_performed_by_its_name_and_keeps_its_report_as_json(store: InMemoryStore) -> None:
    clock = FixedClock(NOW)
    runner = inline_jobs(uow_of(store), clock, answer=answer)

    submitted = submit_job(
        "answer", {"value": 42}, "the answer", InMemoryUnitOfWork(store), clock, runner, "a@b.pl"
    )
    job = get_job(submitted.id, InMemoryUnitOfWork(store), clock)

    assert submitted.state is JobState.QUEUED
    assert (job.state, job.result, job.error) == (JobState.SUCCEEDED, {"value": 42, "on": "2024-03-31"}, None)
    assert (job.done, job.total, job.submitted_by, job.worker) == (2, 2, "a@b.pl", TEST_WORKER)
    assert job.started_at == job.finished_at == NOW


def test_a_failing_background_job_is_recorded_as_failed_with_its_error(store: InMemoryStore) -> None:
    clock = FixedClock(NOW)
    lease = ThreadJobLease(uow_of(store), clock, interval_s=3600)
    done = threading.Event()

    def perform(job_id: str) -> None:
        perform_job(job_id, InMemoryUnitOfWork(store), clock, {"explode": explode}, lease)
        done.set()

    runner = ThreadJobRunner(perform)
    job = submit_job("explode", {}, "explode", InMemoryUnitOfWork(store), clock, runner)
    assert done.wait(5)
    runner.shutdown()

    finished = get_job(job.id, InMemoryUnitOfWork(store), clock)
    assert (finished.state, finished.error) == (JobState.FAILED, "ValueError: no data")


def test_a_job_of_a_name_no_handler_knows_fails_saying_so(store: InMemoryStore) -> None:
    clock = FixedClock(NOW)
    job = submit_job(
        "dance", {}, "dance", InMemoryUnitOfWork(store), clock, inline_jobs(uow_of(store), clock)
    )

    assert get_job(job.id, InMemoryUnitOfWork(store), clock).error == "No work is known by the name 'dance'."


def test_an_unknown_job_is_not_found() -> None:
    with pytest.raises(JobNotFound):
        get_job("nope", InMemoryUnitOfWork(), FixedClock(NOW))


def test_a_job_is_performed_once_even_when_it_is_handed_out_twice(store: InMemoryStore) -> None:
    clock, calls = FixedClock(NOW), []

    def count(progress: JobProgress) -> None:
        calls.append(1)

    runner = inline_jobs(uow_of(store), clock, count=count)
    job = submit_job("count", {}, "count", InMemoryUnitOfWork(store), clock, runner)
    runner.submit(job.id)

    assert calls == [1]


def test_a_job_whose_worker_stopped_is_failed_after_its_lease_and_its_late_end_is_not_recorded(
    store: InMemoryStore,
) -> None:
    clock = FixedClock(NOW)
    job = submit_job("answer", {"value": 1}, "answer", InMemoryUnitOfWork(store), clock, _parked())
    uow = InMemoryUnitOfWork(store)
    with uow:
        uow.jobs.start(job.id, "elsewhere:7", NOW)
        uow.commit()

    clock.moment = NOW + JOB_LEASE
    assert get_job(job.id, InMemoryUnitOfWork(store), clock).state is JobState.RUNNING
    clock.moment = NOW + JOB_LEASE + timedelta(seconds=1)
    failed = get_job(job.id, InMemoryUnitOfWork(store), clock)

    assert failed.state is JobState.FAILED
    assert failed.error == (
        "Abandoned: the worker performing it (elsewhere:7) stopped "
        "(no heartbeat since 2024-04-02 08:00:00 UTC)."
    )
    with uow:
        assert uow.jobs.finish(failed.succeeded({"late": True}, clock.now())) is False


def test_a_job_no_worker_took_is_failed_after_the_queue_grace(store: InMemoryStore) -> None:
    clock = FixedClock(NOW)
    job = submit_job("answer", {}, "answer", InMemoryUnitOfWork(store), clock, _parked())
    clock.moment = NOW + JOB_QUEUE_GRACE + timedelta(seconds=1)

    failed = get_job(job.id, InMemoryUnitOfWork(store), clock)
    assert failed.state is JobState.FAILED
    assert failed.error is not None and failed.error.startswith("Abandoned: no worker started it")
    assert (
        perform_job(job.id, InMemoryUnitOfWork(store), clock, {"answer": answer}, _lease(store, clock))
        is None
    )


def test_a_job_whose_process_is_known_to_have_stopped_is_failed_at_once(store: InMemoryStore) -> None:
    clock = FixedClock(NOW)

    class StoppedLease(ThreadJobLease):
        def has_stopped(self, worker: str) -> bool:
            return worker == "here:9"

    job = submit_job("answer", {}, "answer", InMemoryUnitOfWork(store), clock, _parked())
    uow = InMemoryUnitOfWork(store)
    with uow:
        uow.jobs.start(job.id, "here:9", NOW)
        uow.commit()

    lease = StoppedLease(uow_of(store), clock, interval_s=3600)
    assert get_job(job.id, InMemoryUnitOfWork(store), clock, lease).state is JobState.FAILED


def _lease(store: InMemoryStore, clock: FixedClock) -> ThreadJobLease:
    return ThreadJobLease(uow_of(store), clock, interval_s=3600, worker=TEST_WORKER)


class _Parked:
    """Keeps jobs queued: no worker takes them."""

    shares_work = False

    def submit(self, job_id: str) -> None: ...


def _parked() -> _Parked:
    return _Parked()


def test_an_exclusive_job_is_not_submitted_again_while_one_of_its_name_is_unfinished(
    store: InMemoryStore,
) -> None:
    clock = FixedClock(NOW)
    first = submit_job("score_all", {}, "score", InMemoryUnitOfWork(store), clock, _parked(), exclusive=True)
    again = submit_job("score_all", {}, "score", InMemoryUnitOfWork(store), clock, _parked(), exclusive=True)
    other = submit_job(
        "build_snapshots", {}, "build", InMemoryUnitOfWork(store), clock, _parked(), exclusive=True
    )

    assert again == first and other.id != first.id
    clock.moment = NOW + JOB_QUEUE_GRACE + timedelta(seconds=1)  # nobody took it: it is failed as abandoned
    after = submit_job("score_all", {}, "score", InMemoryUnitOfWork(store), clock, _parked(), exclusive=True)
    assert after.id != first.id
