"""Remember-me tokens: a browser stays signed in across restarts with a random secret given at sign-in,
stored only as a hash, valid until it expires or is revoked (at sign-out, or by signing out everywhere)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

REMEMBER_FOR = timedelta(days=14)


@dataclass(frozen=True, slots=True)
class RememberToken:
    user_id: int
    token_hash: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    id: int | None = None

    def is_valid(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at

    def revoked(self, at: datetime) -> RememberToken:
        return replace(self, revoked_at=at)
