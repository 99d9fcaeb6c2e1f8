"""Jobs: long work done outside the request (scoring every client, building snapshots, training), named
with its parameters so that any process can perform it, and its state kept where every process reads it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from domain.errors import NotFound
from domain.leases import WorkStatus, has_lapsed

JOB_LEASE = timedelta(seconds=60)
"""How long the worker performing a job may go without a heartbeat before the job counts as abandoned."""
JOB_QUEUE_GRACE = timedelta(hours=1)
"""How long a job may wait in the queue, unclaimed by any worker, before it counts as abandoned: long
enough to wait behind a training."""
JOB_ID_MAX_LENGTH = 64
HEARTBEATS_PER_LEASE = 6
"""How many heartbeats a worker sends within one lease: a few missed beats never lose it."""


def heartbeat_interval(lease: timedelta) -> timedelta:
    """How often the worker of a job renews its lease."""
    return lease / HEARTBEATS_PER_LEASE


JobState = WorkStatus
"""Where a job stands."""


class JobNotFound(NotFound):
    code = "job_not_found"

    def __init__(self, job_id: str) -> None:
        super().__init__(f"Job {job_id} not found.", job=job_id)


@dataclass(frozen=True, slots=True)
class Job:
    """One piece of background work: what it does (`name`, with its JSON `parameters`), for whom, and
    how far it got."""

    id: str
    """Opaque and unique, given when the job is submitted."""
    name: str
    """What the job does, e.g. `score_all`, `build_snapshots`, `train`."""
    description: str
    created_at: datetime
    parameters: dict[str, Any] = field(default_factory=dict)
    submitted_by: str | None = None
    state: JobState = JobState.QUEUED
    started_at: datetime | None = None
    finished_at: datetime | None = None
    done: int | None = None
    total: int | None = None
    """How much of the work is done, out of how much, once the job knows."""
    error: str | None = None
    result: dict[str, Any] | None = None
    """What the job reported once it succeeded, as JSON."""
    worker: str | None = None
    """The process performing the job: host and process id."""
    heartbeat_at: datetime | None = None
    """When that process last said it was alive."""

    def started(self, at: datetime, worker: str) -> Job:
        return replace(self, state=JobState.RUNNING, started_at=at, heartbeat_at=at, worker=worker)

    def succeeded(self, result: dict[str, Any] | None, at: datetime) -> Job:
        return replace(self, state=JobState.SUCCEEDED, result=result, finished_at=at)

    def failed(self, reason: str, at: datetime) -> Job:
        return replace(self, state=JobState.FAILED, error=reason, finished_at=at)

    def is_abandoned(
        self,
        now: datetime,
        lease: timedelta = JOB_LEASE,
        grace: timedelta = JOB_QUEUE_GRACE,
        worker_stopped: bool = False,
    ) -> bool:
        """Unfinished, but its worker stopped: known to have stopped (`worker_stopped`), no heartbeat
        within the lease (a job claimed by a worker), or never claimed within the queue's grace."""
        if self.state.is_finished:
            return False
        if worker_stopped and self.worker is not None:
            return True
        return has_lapsed(now, self.heartbeat_at, self.created_at, lease, grace)

    def abandoned(self, at: datetime) -> Job:
        """Failed, saying why: no worker took it, or the one that did stopped."""
        if self.heartbeat_at is None:
            return self.failed(
                f"Abandoned: no worker started it (queued since {_moment(self.created_at)}).", at
            )
        holder = f" ({self.worker})" if self.worker else ""
        return self.failed(
            f"Abandoned: the worker performing it{holder} stopped "
            f"(no heartbeat since {_moment(self.heartbeat_at)}).",
            at,
        )


def _moment(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S %Z").strip()
