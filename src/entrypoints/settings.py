"""Settings from the environment (`PROGNOZA_` prefix), with safe development defaults."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_SECRET_KEY = "development-only-secret-key-change-me"
MIN_SECRET_KEY_BYTES = 32
"""The shortest secret key production accepts: it signs sessions and CSRF tokens."""


class UnsafeProduction(Exception):
    """Production refuses to start with a setting that would expose it (the debugger, for one)."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PROGNOZA_", extra="ignore")

    env: Literal["development", "production", "testing"] = "development"
    instance_dir: Path = Field(default_factory=lambda: Path.cwd() / "instance")
    database_url: str = ""
    secret_key: str = DEVELOPMENT_SECRET_KEY
    model_dir: Path | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    max_upload_mb: int = Field(default=50, ge=1, le=1024)
    sign_in_limit_per_account: str = "10/minute"
    """Sign-in attempts (panel and API tokens together) per account, as Flask-Limiter reads them."""
    sign_in_limit_per_address: str = "30/minute"
    """Sign-in attempts per client address."""
    redis_url: str = ""
    """Where the attempts are counted across processes (`redis://host:6379/0`), and where background jobs
    are queued for `prognoza worker`; empty: in memory, and jobs in a thread of the app's process."""
    job_queue: str = Field(default="prognoza", min_length=1, max_length=100, pattern=r"^[\w.:-]+$")
    """The Redis (RQ) queue background jobs are put on and `prognoza worker` takes them from."""
    job_timeout_s: int = Field(default=3600, ge=60, le=7 * 24 * 3600)
    """How long one job may run on a worker before RQ stops it: a comparison on many clients takes minutes."""
    job_lease_s: int = Field(default=60, ge=1, le=3600)
    """How long a job's worker may go without a heartbeat before the job is failed as abandoned."""
    clients_per_part: int = Field(default=50_000, ge=10, le=10_000_000)
    """Clients in one part of a batch scoring: each part is a job any `prognoza worker` may take."""
    workers: int = Field(default=2, ge=1, le=64)
    """Processes of `prognoza serve`."""
    threads: int = Field(default=4, ge=1, le=64)
    """Threads of each of those processes."""
    trusted_proxies: int = Field(default=0, ge=0, le=5)
    """Reverse proxies in front of the app whose X-Forwarded-* headers are believed (0: none)."""

    @model_validator(mode="after")
    def _fill_paths_and_refuse_unsafe_production(self) -> Settings:
        self.instance_dir = self.instance_dir.resolve()
        if not self.database_url:
            self.database_url = f"sqlite:///{self.instance_dir / 'prognoza.sqlite3'}"
        if self.model_dir is None:
            self.model_dir = self.instance_dir / "models"
        if self.env == "production" and self.secret_key == DEVELOPMENT_SECRET_KEY:
            raise ValueError("PROGNOZA_SECRET_KEY must be set to a secret value in production")
        length = len(self.secret_key.encode())
        if self.env == "production" and length < MIN_SECRET_KEY_BYTES:
            raise ValueError(
                f"PROGNOZA_SECRET_KEY is {length} bytes long: production needs at least "
                f"{MIN_SECRET_KEY_BYTES} random bytes (for example `python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))'`)"
            )
        return self

    @property
    def job_lease(self) -> timedelta:
        return timedelta(seconds=self.job_lease_s)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def models_path(self) -> Path:
        assert self.model_dir is not None
        return self.model_dir
