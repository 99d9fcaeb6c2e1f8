"""Background jobs in memory."""

from __future__ import annotations

import builtins
from collections.abc import Collection
from dataclasses import replace
from datetime import datetime

from adapters.memory.store import InMemoryStore, in_utc
from domain.jobs import Job, JobState


class InMemoryJobRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self.store = store

    def add(self, job: Job) -> None:
        self.store.jobs[job.id] = in_utc(job)

    def get(self, job_id: str) -> Job | None:
        return self.store.jobs.get(job_id)

    def start(self, job_id: str, worker: str, at: datetime) -> Job | None:
        job = self.store.jobs.get(job_id)
        if job is None or job.state is not JobState.QUEUED:
            return None
        started = self.store.jobs[job_id] = in_utc(job.started(at, worker))
        return started

    def report_progress(self, job_id: str, done: int, total: int | None) -> None:
        job = self.store.jobs.get(job_id)
        if job is not None and not job.state.is_finished:
            self.store.jobs[job_id] = replace(job, done=done, total=total)

    def finish(self, job: Job) -> bool:
        stored = self.store.jobs.get(job.id)
        if stored is None or stored.state.is_finished:
            return False
        ended = replace(
            stored, state=job.state, finished_at=job.finished_at, error=job.error, result=job.result
        )
        self.store.jobs[job.id] = in_utc(ended)
        return True

    def delete_finished_before(self, moment: datetime) -> int:
        ended = [
            job.id
            for job in self.store.jobs.values()
            if job.state.is_finished and job.finished_at is not None and job.finished_at < moment
        ]
        for job_id in ended:
            del self.store.jobs[job_id]
        return len(ended)

    def unfinished(self) -> builtins.list[Job]:
        return [job for job in self.store.jobs.values() if not job.state.is_finished]

    def renew_lease(self, job_ids: Collection[str], worker: str, at: datetime) -> None:
        for job_id in job_ids:
            job = self.store.jobs.get(job_id)
            if job is not None and not job.state.is_finished:
                self.store.jobs[job_id] = in_utc(replace(job, heartbeat_at=at, worker=worker))
