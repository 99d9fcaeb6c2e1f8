"""Runs whose worker stopped: found by their lease and failed, so "already in progress" holds only
while a worker is alive."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from domain.model_runs import ModelRun

if TYPE_CHECKING:
    from application.ports import Clock, RunLease, UnitOfWork

log = logging.getLogger(__name__)


def fail_abandoned_runs(uow: UnitOfWork, clock: Clock, lease: RunLease | None = None) -> list[ModelRun]:
    """Fail every run whose worker stopped (no heartbeat within the lease, never claimed from the
    queue, or, with `lease`, a process of this machine that no longer runs), saying so: a training
    in progress is one whose worker is alive. Returns the runs failed."""
    with uow:
        return fail_abandoned_runs_in(uow, clock, lease)


def fail_abandoned_runs_in(uow: UnitOfWork, clock: Clock, lease: RunLease | None = None) -> list[ModelRun]:
    """`fail_abandoned_runs` inside a unit of work already open; commits only when it failed a run."""
    now = clock.now()
    failed = [
        run.abandoned(now)
        for run in uow.model_runs.unfinished()
        if run.is_abandoned(
            now, worker_stopped=lease is not None and run.worker is not None and lease.has_stopped(run.worker)
        )
    ]
    for run in failed:
        log.warning(
            "training abandoned: %s",
            run.error,
            extra={"context": {"kind": run.kind.value, "version": run.version, "worker": run.worker}},
        )
        uow.model_runs.update(run)
    if failed:
        uow.commit()
    return failed
