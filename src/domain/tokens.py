"""Secrets handed out once and stored only as a hash: personal API tokens, and the remember-me tokens
of `domain.sessions`. Each is valid until it expires or is revoked."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Self


@dataclass(frozen=True, slots=True)
class StoredSecret:
    user_id: int
    token_hash: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    id: int | None = None

    def is_valid(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at

    def revoked(self, at: datetime) -> Self:
        return replace(self, revoked_at=at)


@dataclass(frozen=True, slots=True)
class ApiToken(StoredSecret):
    """A personal API token: other systems sign in with it instead of a session."""
