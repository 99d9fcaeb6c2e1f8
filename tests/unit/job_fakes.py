"""Background jobs performed at once, on an in-memory database, by the handlers a test names."""

from __future__ import annotations

from collections.abc import Callable

from adapters.jobs import InlineJobRunner
from adapters.leases import ThreadJobLease
from application.jobs import JobHandler, perform_job
from application.ports import Clock, UnitOfWork

TEST_WORKER = "tests:1"


def inline_jobs(
    uow_factory: Callable[[], UnitOfWork], clock: Clock, **handlers: JobHandler
) -> InlineJobRunner:
    """Performs each job as it is submitted, as the container's inline runner does."""
    lease = ThreadJobLease(uow_factory, clock, interval_s=3600, worker=TEST_WORKER)
    return InlineJobRunner(lambda job_id: perform_job(job_id, uow_factory(), clock, handlers, lease))
