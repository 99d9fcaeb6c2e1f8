"""Use cases of background jobs: submit one by name, perform it in whichever process takes it, and read
its state, which a job whose worker died shows as failed rather than running forever."""

from __future__ import annotations

import dataclasses
import enum
import logging
import uuid
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from application.ports import Clock, JobLease, JobProgress, JobRunner, UnitOfWork
from domain.errors import DomainError
from domain.jobs import JOB_LEASE, Job, JobNotFound

log = logging.getLogger(__name__)

JobHandler = Callable[..., object]
"""What a job's name does: called with its parameters by keyword and `progress=`, it returns its report."""

SCORE_ALL = "score_all"
BUILD_SNAPSHOTS = "build_snapshots"
TRAIN = "train"


def submit_job(
    name: str,
    parameters: Mapping[str, Any],
    description: str,
    uow: UnitOfWork,
    clock: Clock,
    runner: JobRunner,
    submitted_by: str | None = None,
    exclusive: bool = False,
) -> Job:
    """Record the job queued, then hand it to the runner; its state is read back by its id. With
    `exclusive`, an unfinished job of the same name is returned instead: two would do the same work at
    once, and the one waiting in the queue does it from the newest data anyway."""
    job = Job(uuid.uuid4().hex, name, description, clock.now(), dict(parameters), submitted_by)
    with uow:
        if exclusive and (unfinished := _unfinished_job(name, uow, clock)) is not None:
            return unfinished
        uow.jobs.add(job)
        uow.commit()
    runner.submit(job.id)
    return job


def _unfinished_job(name: str, uow: UnitOfWork, clock: Clock) -> Job | None:
    fail_abandoned_jobs_in(uow, clock)
    return next((job for job in uow.jobs.unfinished() if job.name == name), None)


def perform_job(
    job_id: str,
    uow: UnitOfWork,
    clock: Clock,
    handlers: Mapping[str, JobHandler],
    lease: JobLease,
) -> Job | None:
    """Do the work a queued job names, holding its lease while it runs, and record how it ended; None,
    doing nothing, when the job is not queued (another worker took it, or it was declared abandoned)."""
    with uow:
        job = uow.jobs.start(job_id, lease.worker, clock.now())
        uow.commit()
    if job is None:
        log.warning("job not performed: it is not queued", extra={"context": {"job": job_id}})
        return None
    with lease.holding([job.id]):
        finished = _outcome(job, handlers, _progress_of(job.id, uow), clock)
    with uow:
        recorded = uow.jobs.finish(finished)
        stored = finished if recorded else uow.jobs.get(job.id) or finished
        uow.commit()
    if not recorded:
        log.warning(
            "job ended after it was declared abandoned: its outcome is not recorded",
            extra={"context": {"job": job.id, "name": job.name}},
        )
    return stored


def get_job(
    job_id: str, uow: UnitOfWork, clock: Clock, lease: JobLease | None = None, lease_of: timedelta = JOB_LEASE
) -> Job:
    """A job by its id; whatever job's worker stopped (no heartbeat within `lease_of`) is failed first."""
    with uow:
        fail_abandoned_jobs_in(uow, clock, lease, lease_of)
        job = uow.jobs.get(job_id)
    if job is None:
        raise JobNotFound(job_id)
    return job


def fail_abandoned_jobs_in(
    uow: UnitOfWork, clock: Clock, lease: JobLease | None = None, lease_of: timedelta = JOB_LEASE
) -> list[Job]:
    """Fail, saying why, every job whose worker stopped, inside a unit of work already open; commits only
    when it failed one. Returns the jobs failed."""
    now = clock.now()
    failed = [
        job.abandoned(now)
        for job in uow.jobs.unfinished()
        if job.is_abandoned(
            now,
            lease_of,
            worker_stopped=lease is not None and job.worker is not None and lease.has_stopped(job.worker),
        )
    ]
    for job in failed:
        log.warning("job abandoned: %s", job.error, extra={"context": {"job": job.id, "name": job.name}})
        uow.jobs.finish(job)
    if failed:
        uow.commit()
    return failed


def _outcome(job: Job, handlers: Mapping[str, JobHandler], progress: JobProgress, clock: Clock) -> Job:
    handler = handlers.get(job.name)
    if handler is None:
        return job.failed(f"No work is known by the name {job.name!r}.", clock.now())
    try:
        report = handler(progress=progress, **job.parameters)
    except Exception as error:  # a background failure must be kept and logged, never lost
        log.exception("background job failed: %s", job.description, extra={"context": {"job": job.id}})
        reason = error.message if isinstance(error, DomainError) else f"{type(error).__name__}: {error}"
        return job.failed(reason, clock.now())
    return job.succeeded(as_document(report), clock.now())


def _progress_of(job_id: str, uow: UnitOfWork) -> JobProgress:
    def progress(done: int, total: int | None) -> None:
        with uow:
            uow.jobs.report_progress(job_id, done, total)
            uow.commit()

    return progress


def as_document(report: object) -> dict[str, Any] | None:
    """A job's report as JSON: a dataclass's fields (dates as ISO strings, enums by value); None for
    anything else."""
    if not dataclasses.is_dataclass(report) or isinstance(report, type):
        return None
    return {name: _plain(value) for name, value in dataclasses.asdict(report).items()}


def _plain(value: object) -> object:
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
