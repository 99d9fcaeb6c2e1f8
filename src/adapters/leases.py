"""The lease of the runs a process trains, and of the jobs it performs: a daemon thread that renews their
heartbeat every few seconds.

A process killed mid-training stops renewing; other processes then see the run's heartbeat grow
older than the lease and fail it (see `ModelRun.is_abandoned`, `Job.is_abandoned`).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from typing import Any

from application.ports import Clock, UnitOfWork
from domain.model_runs import HEARTBEAT_INTERVAL

log = logging.getLogger(__name__)


def this_worker() -> str:
    """This process, as `host:pid`."""
    return f"{socket.gethostname()}:{os.getpid()}"


class ThreadRunLease:
    """Renews the lease in a thread of its own, on a unit of work of its own, so that it keeps beating
    while the training holds the GIL in short stretches or waits on the database."""

    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        clock: Clock,
        interval_s: float = HEARTBEAT_INTERVAL.total_seconds(),
        worker: str | None = None,
    ) -> None:
        self.uow_factory = uow_factory
        self.clock = clock
        self.interval_s = interval_s
        self._worker = worker

    @property
    def worker(self) -> str:
        """Asked each time: a process forked after the container was built has a pid of its own."""
        return self._worker or this_worker()

    def has_stopped(self, worker: str) -> bool:
        host, _, pid = worker.rpartition(":")
        if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
            return False
        try:
            os.kill(int(pid), 0)  # signal 0: only asks whether the process exists
        except ProcessLookupError:
            return True
        except PermissionError:  # it exists, run by another user
            return False
        return False

    @contextmanager
    def holding(self, run_ids: Collection[Any]) -> Iterator[None]:
        ids = list(run_ids)
        self._renew(ids)
        stop = threading.Event()
        beating = threading.Thread(
            target=self._beat, args=(ids, stop), name="prognoza-heartbeat", daemon=True
        )
        beating.start()
        try:
            yield
        finally:
            stop.set()
            beating.join()

    def _beat(self, run_ids: list[Any], stop: threading.Event) -> None:
        while not stop.wait(self.interval_s):
            self._renew(run_ids)

    def _renew(self, run_ids: list[Any]) -> None:
        try:
            with self.uow_factory() as uow:
                self._renew_in(uow, run_ids)
                uow.commit()
        except Exception:  # a missed beat is retried at the next one; the lease outlasts several
            log.warning("could not renew the lease of %s", run_ids, exc_info=True)

    def _renew_in(self, uow: UnitOfWork, run_ids: list[Any]) -> None:
        uow.model_runs.renew_lease(run_ids, self.worker, self.clock.now())


class ThreadJobLease(ThreadRunLease):
    """The same heartbeat, for the jobs a worker performs."""

    def _renew_in(self, uow: UnitOfWork, job_ids: list[Any]) -> None:
        uow.jobs.renew_lease(job_ids, self.worker, self.clock.now())
