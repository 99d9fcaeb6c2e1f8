"""Background jobs on SQLAlchemy Core."""

from __future__ import annotations

import builtins
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from adapters.sqlalchemy.rows import JOBS
from adapters.sqlalchemy.statements import rows_changed
from adapters.sqlalchemy.tables import jobs
from domain.jobs import Job, JobState

_UNFINISHED = (JobState.QUEUED.value, JobState.RUNNING.value)


class SqlAlchemyJobRepository:
    """Jobs in `jobs`. Each change of state is one conditional UPDATE, so two processes never both
    start a job, and a job's own end never overwrites its being declared abandoned. Never commits."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, job: Job) -> None:
        self.session.execute(insert(jobs).values(JOBS.values(job)))

    def get(self, job_id: str) -> Job | None:
        row = self.session.execute(select(jobs).where(jobs.c.id == job_id)).one_or_none()
        return None if row is None else JOBS.from_row(row)

    def start(self, job_id: str, worker: str, at: datetime) -> Job | None:
        statement = (
            update(jobs)
            .where(jobs.c.id == job_id, jobs.c.state == JobState.QUEUED.value)
            .values(state=JobState.RUNNING.value, started_at=at, heartbeat_at=at, worker=worker)
        )
        return self.get(job_id) if rows_changed(self.session, statement) == 1 else None

    def report_progress(self, job_id: str, done: int, total: int | None) -> None:
        statement = (
            update(jobs)
            .where(jobs.c.id == job_id, jobs.c.state.in_(_UNFINISHED))
            .values(done=done, total=total)
        )
        self.session.execute(statement)

    def finish(self, job: Job) -> bool:
        """Writes the outcome only (state, end, error, result): the progress stays as last reported."""
        statement = (
            update(jobs)
            .where(jobs.c.id == job.id, jobs.c.state.in_(_UNFINISHED))
            .values(state=job.state.value, finished_at=job.finished_at, error=job.error, result=job.result)
        )
        return rows_changed(self.session, statement) == 1

    def delete_finished_before(self, moment: datetime) -> int:
        """Through the index of job states; an unfinished job has no end, so it is never among them."""
        ended = delete(jobs).where(jobs.c.state.not_in(_UNFINISHED), jobs.c.finished_at < moment)
        return rows_changed(self.session, ended)

    def unfinished(self) -> builtins.list[Job]:
        statement = select(jobs).where(jobs.c.state.in_(_UNFINISHED)).order_by(jobs.c.created_at)
        return [JOBS.from_row(row) for row in self.session.execute(statement)]

    def renew_lease(self, job_ids: Collection[str], worker: str, at: datetime) -> None:
        """One statement that touches only unfinished jobs: it never races the job's own end."""
        statement = (
            update(jobs)
            .where(jobs.c.id.in_(list(job_ids)), jobs.c.state.in_(_UNFINISHED))
            .values(heartbeat_at=at, worker=worker)
        )
        self.session.execute(statement)
