"""Work running outside the request, and what it reported."""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from typing import Any, Literal

from flask import url_for
from pydantic import Field

from application.ports import JobStatus
from entrypoints.api.schemas.base import Schema


class JobOut(Schema):
    """Work running outside the request. Poll `url` until `state` is succeeded or failed."""

    id: str
    description: str
    state: Literal["queued", "running", "succeeded", "failed"]
    error: str | None
    result: dict[str, Any] | None = Field(description="What the job reported once it succeeded.")
    url: str

    @classmethod
    def of(cls, job: JobStatus) -> JobOut:
        reported = job.result
        result = asdict(reported) if is_dataclass(reported) and not isinstance(reported, type) else None
        return cls.reading(job, result=result, url=url_for("api.get_job", job_id=job.id))
