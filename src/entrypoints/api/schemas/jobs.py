"""Work running outside the request, and what it reported."""

from __future__ import annotations

from typing import Any, Literal

from flask import url_for
from pydantic import Field

from domain.jobs import Job
from entrypoints.api.schemas.base import Schema


class JobOut(Schema):
    """Work running outside the request. Poll `url` until `state` is succeeded or failed."""

    id: str
    description: str
    state: Literal["queued", "running", "succeeded", "failed"]
    done: int | None = Field(description="How much of the work is done (clients, runs), once the job knows.")
    total: int | None = Field(description="Out of how much, when the job knows it.")
    error: str | None
    result: dict[str, Any] | None = Field(description="What the job reported once it succeeded.")
    url: str

    @classmethod
    def of(cls, job: Job) -> JobOut:
        return cls.reading(job, state=job.state.value, url=url_for("api.get_job", job_id=job.id))


class JobListOut(Schema):
    items: list[JobOut] = Field(description="Queued or running, oldest first.")
