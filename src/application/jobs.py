"""Use cases of background jobs: submit one by name, perform it in whichever process takes it, and read
its state, which a job whose worker died shows as failed rather than running forever."""

from __future__ import annotations

import dataclasses
import enum
import logging
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from application.commands import KEPT_JOBS_DAYS, JobsPrune
from application.ports import Clock, JobLease, JobProgress, JobRunner, UnitOfWork
from domain.errors import DomainError
from domain.jobs import JOB_LEASE, Job, JobNotFound, JobState

log = logging.getLogger(__name__)

JobHandler = Callable[..., object]
"""What a job's name does: called with its parameters by keyword and `progress=`, it returns its report."""

SCORE_ALL = "score_all"
SCORE_CLIENTS = "score_clients"
"""One part of `score_all`: the clients of an id range."""
BUILD_SNAPSHOTS = "build_snapshots"
TRAIN = "train"

PART_POLL_S = 0.2
"""How often a job that shared out its parts looks whether the other workers' parts are done."""


@dataclass(frozen=True, slots=True)
class PartReport:
    """What one part of a shared job did: how many of the whole job's items (clients, say), and what it
    counted on the way (counts by name, each a list of whole numbers the parts' lists add up to)."""

    done: int
    counted: dict[str, list[int]] = field(default_factory=dict)

    def __add__(self, other: PartReport) -> PartReport:
        counted = dict(self.counted)
        for name, counts in other.counted.items():
            mine = counted.get(name, [0] * len(counts))
            counted[name] = [a + b for a, b in zip(mine, counts, strict=True)]
        return PartReport(self.done + other.done, counted)

    @classmethod
    def of(cls, part: Job) -> PartReport:
        """The report a part's job kept when it succeeded."""
        result = part.result or {}
        return cls(int(result.get("done", 0)), dict(result.get("counted") or {}))


class PartFailed(DomainError):
    code = "job_part_failed"

    def __init__(self, description: str, reason: str) -> None:
        super().__init__(f"{description} failed twice: {reason}", part=description)


@dataclass(frozen=True, slots=True)
class WorkSharing:
    """How a long job splits its work into parts that several workers do at once.

    Each part is a job of its own, stored queued and, when the runner's queue has workers of its own
    (`JobRunner.shares_work`), put on it. The job that split its work then performs the parts in turn
    itself, skipping those another worker took, waits for the others' parts, and does once more any part
    that failed or whose worker stopped. Whatever runs where, the work is done once and completely."""

    uow_factory: Callable[[], UnitOfWork]
    clock: Clock
    runner: JobRunner
    perform: Callable[[str], object]
    """Performs a queued job by its id (`perform_job`), doing nothing when it is not queued."""
    lease: JobLease
    wait: Callable[[float], None] = time.sleep

    def perform_parts(
        self,
        name: str,
        parts: Sequence[Mapping[str, Any]],
        describe: Callable[[Mapping[str, Any]], str],
        progress: JobProgress | None = None,
        total: int | None = None,
    ) -> PartReport:
        """Have every part (the parameters of a job `name`) done; the sum of what they did."""
        now = self.clock.now()
        jobs = [Job(uuid.uuid4().hex, name, describe(part), now, dict(part)) for part in parts]
        with self.uow_factory() as uow:
            for job in jobs:
                uow.jobs.add(job)
            uow.commit()
        if self.runner.shares_work:
            for job in jobs:
                self.runner.submit(job.id)
        for job in jobs:
            self.perform(job.id)
            self._report(jobs, progress, total)
        report = PartReport(0)
        for job in self._finished(jobs, progress, total):
            if job.state is JobState.FAILED:
                job = self._again(job)
            report += PartReport.of(job)
        if progress is not None:
            progress(report.done, total)
        return report

    def _finished(self, jobs: Sequence[Job], progress: JobProgress | None, total: int | None) -> list[Job]:
        """The parts once every one has ended, reporting progress while other workers finish theirs."""
        while True:
            with self.uow_factory() as uow:
                fail_abandoned_jobs_in(uow, self.clock, self.lease)
                now = [uow.jobs.get(job.id) or job for job in jobs]
            if all(job.state.is_finished for job in now):
                return now
            self._report(now, progress, total)
            self.wait(PART_POLL_S)

    def _again(self, failed: Job) -> Job:
        """A part done once more, by this worker, after its first try failed; refused when it fails again."""
        log.warning(
            "job part done again after it failed: %s",
            failed.error,
            extra={"context": {"job": failed.id, "part": failed.description}},
        )
        retry = Job(uuid.uuid4().hex, failed.name, failed.description, self.clock.now(), failed.parameters)
        with self.uow_factory() as uow:
            uow.jobs.add(retry)
            uow.commit()
        self.perform(retry.id)
        with self.uow_factory() as uow:
            ended = uow.jobs.get(retry.id) or retry
        if ended.state is not JobState.SUCCEEDED:
            raise PartFailed(failed.description, ended.error or "it did not finish")
        return ended

    def _report(self, jobs: Sequence[Job], progress: JobProgress | None, total: int | None) -> None:
        if progress is None:
            return
        with self.uow_factory() as uow:
            now = [uow.jobs.get(job.id) or job for job in jobs]
        progress(
            sum(_done_by(job) if job.state is JobState.SUCCEEDED else job.done or 0 for job in now), total
        )


def perform_in_turn(
    handler: Callable[..., PartReport],
    parts: Sequence[Mapping[str, Any]],
    progress: JobProgress | None = None,
    total: int | None = None,
) -> PartReport:
    """Every part done here, one after the other, with no job of its own: how work is shared without a
    `WorkSharing` (tests, and callers that have no jobs); the sum of what the parts did."""
    report = PartReport(0)
    for part in parts:
        report += handler(**part)
        if progress is not None:
            progress(report.done, total)
    return report


def _done_by(part: Job) -> int:
    return PartReport.of(part).done


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
    if job is None:  # a part of a shared job, say, that the job which shared it out did itself
        log.info("job not performed: it is not queued", extra={"context": {"job": job_id}})
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


def prune_jobs(uow: UnitOfWork, clock: Clock, older_than_days: object = KEPT_JOBS_DAYS) -> int:
    """Delete the jobs that finished more than `older_than_days` days ago (every part of a shared job is
    a job too: a large batch scoring leaves dozens); how many. Unfinished jobs are kept whatever their age.
    Refuses an age out of bounds (InvalidInput, field `older_than_days`)."""
    request = JobsPrune.parse({"older_than_days": older_than_days})
    with uow:
        deleted = uow.jobs.delete_finished_before(clock.now() - timedelta(days=request.older_than_days))
        uow.commit()
    return deleted


def unfinished_jobs(
    uow: UnitOfWork, clock: Clock, lease: JobLease | None = None, lease_of: timedelta = JOB_LEASE
) -> list[Job]:
    """Every queued or running job, oldest first; whatever job's worker stopped is failed first, and so
    no longer among them."""
    with uow:
        fail_abandoned_jobs_in(uow, clock, lease, lease_of)
        return sorted(uow.jobs.unfinished(), key=lambda job: job.created_at)


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
