"""The job repository: a job read back as stored, started by one worker only, its progress and lease
recorded while it runs, and its end written once."""

from __future__ import annotations

from typing import Any

from contract.examples import MORNING, UnitOfWorkFactory, later
from domain.jobs import Job, JobState


def a_job(job_id: str = "j1", **changes: Any) -> Job:
    values: dict[str, Any] = {
        "id": job_id,
        "name": "score_all",
        "description": "score every client",
        "created_at": MORNING,
        "parameters": {"through": "2024-03-31", "run_ids": [3, 4]},
        "submitted_by": "ewa@example.pl",
    }
    return Job(**(values | changes))


def add(uow_factory: UnitOfWorkFactory, *jobs: Job) -> None:
    with uow_factory() as uow:
        for job in jobs:
            uow.jobs.add(job)
        uow.commit()


def stored(uow_factory: UnitOfWorkFactory, job_id: str = "j1") -> Job | None:
    with uow_factory() as uow:
        return uow.jobs.get(job_id)


def test_an_added_job_reads_back_equal_and_an_unknown_one_is_none(uow_factory: UnitOfWorkFactory) -> None:
    add(uow_factory, a_job())

    assert stored(uow_factory) == a_job()
    assert stored(uow_factory, "nope") is None


def test_a_job_not_committed_is_rolled_back(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.jobs.add(a_job())

    assert stored(uow_factory) is None


def test_a_queued_job_is_started_once_by_one_worker(uow_factory: UnitOfWorkFactory) -> None:
    add(uow_factory, a_job())

    with uow_factory() as uow:
        first = uow.jobs.start("j1", "host:1", later(1))
        second = uow.jobs.start("j1", "host:2", later(2))
        missing = uow.jobs.start("nope", "host:2", later(2))
        uow.commit()

    assert first == a_job().started(later(1), "host:1")
    assert second is None and missing is None
    assert stored(uow_factory) == first


def test_progress_is_recorded_while_the_job_is_unfinished_and_kept_when_it_ends(
    uow_factory: UnitOfWorkFactory,
) -> None:
    add(uow_factory, a_job())
    with uow_factory() as uow:
        started = uow.jobs.start("j1", "host:1", later(1))
        uow.jobs.report_progress("j1", 5_000, 12_000)
        uow.commit()
    assert started is not None

    with uow_factory() as uow:
        assert uow.jobs.finish(started.succeeded({"clients_scored": 12_000, "fitted": None}, later(2)))
        uow.jobs.report_progress("j1", 1, 2)
        uow.commit()

    job = stored(uow_factory)
    assert job is not None
    assert (job.state, job.done, job.total) == (JobState.SUCCEEDED, 5_000, 12_000)
    assert (job.result, job.finished_at) == ({"clients_scored": 12_000, "fitted": None}, later(2))


def test_a_job_ends_once_and_one_declared_abandoned_keeps_its_failure(uow_factory: UnitOfWorkFactory) -> None:
    add(uow_factory, a_job("running"), a_job("abandoned"))
    with uow_factory() as uow:
        started = [uow.jobs.start(job_id, "host:1", later(1)) for job_id in ("running", "abandoned")]
        uow.commit()
    running, abandoned = (job for job in started if job is not None)
    with uow_factory() as uow:
        assert uow.jobs.finish(abandoned.abandoned(later(3)))
        uow.commit()

    with uow_factory() as uow:
        recorded = [uow.jobs.finish(job.succeeded({"late": True}, later(4))) for job in (running, abandoned)]
        uow.commit()

    assert recorded == [True, False]
    ended = [stored(uow_factory, job_id) for job_id in ("running", "abandoned")]
    assert [(job.state, job.result) for job in ended if job is not None] == [
        (JobState.SUCCEEDED, {"late": True}),
        (JobState.FAILED, None),
    ]


def test_a_lease_renewal_records_the_worker_and_never_touches_a_finished_job(
    uow_factory: UnitOfWorkFactory,
) -> None:
    add(uow_factory, a_job("queued"), a_job("running"), a_job("done"))
    with uow_factory() as uow:
        uow.jobs.start("running", "host:1", later(1))
        done = uow.jobs.start("done", "host:1", later(1))
        assert done is not None
        uow.jobs.finish(done.failed("no data", later(2)))
        uow.commit()

    with uow_factory() as uow:
        uow.jobs.renew_lease(["queued", "running", "done"], "host:2", later(3))
        uow.commit()

    renewed = [stored(uow_factory, job_id) for job_id in ("queued", "running", "done")]
    assert [(job.heartbeat_at, job.worker) for job in renewed if job is not None] == [
        (later(3), "host:2"),
        (later(3), "host:2"),
        (later(1), "host:1"),
    ]
    with uow_factory() as uow:
        assert sorted(job.id for job in uow.jobs.unfinished()) == ["queued", "running"]


def test_jobs_that_finished_before_a_moment_are_deleted_and_unfinished_ones_never(
    uow_factory: UnitOfWorkFactory,
) -> None:
    old = a_job("old").started(MORNING, "host:1").succeeded(None, later(1))
    failed = a_job("failed").started(MORNING, "host:1").failed("no data", later(2))
    recent = a_job("recent").started(MORNING, "host:1").succeeded(None, later(48))
    running = a_job("running").started(MORNING, "host:1")
    add(uow_factory, old, failed, recent, running, a_job("queued"))

    with uow_factory() as uow:
        deleted = uow.jobs.delete_finished_before(later(24))
        uow.commit()

    assert deleted == 2
    assert [
        stored(uow_factory, job_id) is None for job_id in ("old", "failed", "recent", "running", "queued")
    ] == [
        True,
        True,
        False,
        False,
        False,
    ]
