"""Job runners: a background thread for the app, and an inline one for tests and the CLI."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

log = logging.getLogger(__name__)


class ThreadJobRunner:
    """Runs jobs one at a time in a background thread of this process: nothing else to install or run."""

    def __init__(self, workers: int = 1) -> None:
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="prognoza-job")

    def submit(self, job: Callable[[], None], description: str) -> None:
        future = self._executor.submit(job)
        future.add_done_callback(lambda done: _log_failure(done, description))

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True)


class InlineJobRunner:
    """Runs each job at once, in the caller's thread."""

    def submit(self, job: Callable[[], None], description: str) -> None:
        job()


def _log_failure(future: Future[None], description: str) -> None:
    error = future.exception()
    if error is not None:
        log.error("background job failed: %s", description, exc_info=error)
