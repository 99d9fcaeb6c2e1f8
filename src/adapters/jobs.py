"""Job runners: a background thread of this process (the embedded default), Redis through RQ (workers of
their own, `prognoza worker`), and an inline one for tests and the command line.

A runner only has a job performed; the job's state is in the database, recorded by whoever performs it
(`application.jobs.perform_job`), so any process can report it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rq import Queue

log = logging.getLogger(__name__)

RESULT_TTL_S = 3_600
"""How long RQ keeps what a job returned: nothing reads it (the job's outcome is in the database)."""

Perform = Callable[[str], object]
"""Performs the job stored under an id."""


class ThreadJobRunner:
    """Performs jobs one at a time in a background thread: nothing else to install or run beside the app."""

    shares_work = False

    def __init__(self, perform: Perform, workers: int = 1) -> None:
        self._perform = perform
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="prognoza-job")

    def submit(self, job_id: str) -> None:
        self._executor.submit(self._perform_logged, job_id)

    def _perform_logged(self, job_id: str) -> None:
        try:
            self._perform(job_id)
        except Exception:  # the job's own failure is recorded on it; this is the database failing under it
            log.exception("could not perform job %s", job_id)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True)


class InlineJobRunner:
    """Performs each job at once, in the caller's thread."""

    shares_work = False

    def __init__(self, perform: Perform) -> None:
        self._perform = perform

    def submit(self, job_id: str) -> None:
        self._perform(job_id)


class RqJobRunner:
    """Puts each job on a Redis queue, under the job's own id, for `prognoza worker` (an RQ worker) to
    perform by calling `function` (an importable path, e.g. `entrypoints.worker.perform`) with the id."""

    shares_work = True

    def __init__(self, redis_url: str, queue: str, function: str, timeout_s: int) -> None:
        self.redis_url = redis_url
        self.queue_name = queue
        self.function = function
        self.timeout_s = timeout_s
        self._queue: Queue | None = None

    def submit(self, job_id: str) -> None:
        self.queue().enqueue(
            self.function,
            job_id,
            job_id=job_id,
            job_timeout=self.timeout_s,
            result_ttl=RESULT_TTL_S,
            description=f"prognoza job {job_id}",
        )

    def queue(self) -> Queue:
        """The RQ queue, made at the first job: its Redis connection opens only when used."""
        if self._queue is None:
            from redis import Redis
            from rq import Queue

            self._queue = Queue(self.queue_name, connection=Redis.from_url(self.redis_url))
        return self._queue
