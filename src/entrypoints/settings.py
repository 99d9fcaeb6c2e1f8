"""Settings from the environment (`PROGNOZA_` prefix), with safe development defaults."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_SECRET_KEY = "development-only-secret-key-change-me"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PROGNOZA_", extra="ignore")

    env: Literal["development", "production", "testing"] = "development"
    instance_dir: Path = Field(default_factory=lambda: Path.cwd() / "instance")
    database_url: str = ""
    secret_key: str = DEVELOPMENT_SECRET_KEY
    model_dir: Path | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    max_upload_mb: int = Field(default=50, ge=1, le=1024)
    workers: int = Field(default=2, ge=1, le=64)
    """Processes of `prognoza serve`."""
    threads: int = Field(default=4, ge=1, le=64)
    """Threads of each of those processes."""

    @model_validator(mode="after")
    def _fill_paths_and_refuse_unsafe_production(self) -> Settings:
        self.instance_dir = self.instance_dir.resolve()
        if not self.database_url:
            self.database_url = f"sqlite:///{self.instance_dir / 'prognoza.sqlite3'}"
        if self.model_dir is None:
            self.model_dir = self.instance_dir / "models"
        if self.env == "production" and self.secret_key == DEVELOPMENT_SECRET_KEY:
            raise ValueError("PROGNOZA_SECRET_KEY must be set to a secret value in production")
        return self

    @property
    def models_path(self) -> Path:
        assert self.model_dir is not None
        return self.model_dir
