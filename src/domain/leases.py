"""The rule of a lease: work a worker holds stays its own while the worker says it is alive."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta


class WorkStatus(enum.StrEnum):
    """Where work a worker takes stands: a model run's training, a background job."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"

    @property
    def is_finished(self) -> bool:
        return self in (WorkStatus.SUCCEEDED, WorkStatus.FAILED)


def has_lapsed(
    now: datetime, heartbeat_at: datetime | None, waiting_since: datetime, lease: timedelta, grace: timedelta
) -> bool:
    """Whether unfinished work was left: claimed by a worker whose last heartbeat is older than the
    lease, or waiting since longer than the grace with no worker ever claiming it."""
    if heartbeat_at is not None:
        return now - heartbeat_at > lease
    return now - waiting_since > grace
