"""Remember-me tokens: a browser stays signed in across restarts with a random secret given at sign-in,
stored only as a hash, valid until it expires or is revoked (at sign-out, or by signing out everywhere)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from domain.tokens import StoredSecret

REMEMBER_FOR = timedelta(days=14)


@dataclass(frozen=True, slots=True)
class RememberToken(StoredSecret):
    """A browser's remember-me token."""
