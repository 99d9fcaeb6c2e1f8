"""Job runners: a background thread of this process for the app, and an inline one for tests and the CLI.

Both remember the jobs they ran in this process, so a client can poll a job's state.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from application.ports import JobStatus

log = logging.getLogger(__name__)

REMEMBERED_JOBS = 1_000


class _JobBook:
    """The states of recent jobs, thread-safe, forgetting the oldest beyond a bound."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: OrderedDict[str, JobStatus] = OrderedDict()

    def record(self, status: JobStatus) -> JobStatus:
        with self._lock:
            self._jobs[status.id] = status
            while len(self._jobs) > REMEMBERED_JOBS:
                self._jobs.popitem(last=False)
        return status

    def get(self, job_id: str) -> JobStatus | None:
        with self._lock:
            return self._jobs.get(job_id)

    def run(self, status: JobStatus, job: Callable[[], object]) -> None:
        self.record(replace(status, state="running"))
        try:
            result = job()
        except Exception as error:  # a background failure must be kept and logged, never lost
            log.exception("background job failed: %s", status.description)
            self.record(replace(status, state="failed", error=f"{type(error).__name__}: {error}"))
        else:
            self.record(replace(status, state="succeeded", result=result))


class ThreadJobRunner:
    """Runs jobs one at a time in a background thread: nothing else to install or run beside the app."""

    def __init__(self, workers: int = 1) -> None:
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="prognoza-job")
        self._book = _JobBook()

    def submit(self, job: Callable[[], object], description: str) -> JobStatus:
        status = self._book.record(JobStatus(uuid.uuid4().hex, description, "queued"))
        self._executor.submit(self._book.run, status, job)
        return status

    def status(self, job_id: str) -> JobStatus | None:
        return self._book.get(job_id)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True)


class InlineJobRunner:
    """Runs each job at once, in the caller's thread."""

    def __init__(self) -> None:
        self._book = _JobBook()

    def submit(self, job: Callable[[], object], description: str) -> JobStatus:
        status = self._book.record(JobStatus(uuid.uuid4().hex, description, "queued"))
        self._book.run(status, job)
        return self._book.get(status.id) or status

    def status(self, job_id: str) -> JobStatus | None:
        return self._book.get(job_id)
