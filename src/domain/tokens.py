"""Personal API tokens: shown once, stored only as a hash, valid until they expire or are revoked."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime


@dataclass(frozen=True, slots=True)
class ApiToken:
    user_id: int
    token_hash: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    id: int | None = None

    def is_valid(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at

    def revoked(self, at: datetime) -> ApiToken:
        return replace(self, revoked_at=at)
