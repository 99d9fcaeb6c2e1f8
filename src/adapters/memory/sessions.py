"""Remember-me tokens in memory, found by their id."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from adapters.memory.store import InMemoryStore, in_utc
from domain.errors import Conflict, NotFound, UserNotFound
from domain.sessions import RememberToken


class InMemoryRememberTokenRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self.store = store

    def add(self, token: RememberToken) -> RememberToken:
        """Refused for an unknown user or a hash already stored, as the database refuses them."""
        if token.user_id not in self.store.users:
            raise UserNotFound(token.user_id)
        if any(t.token_hash == token.token_hash for t in self.store.remember_tokens.values()):
            raise Conflict("A remember-me token with this hash exists already.")
        stored = replace(in_utc(token), id=self.store.next_id())
        self.store.remember_tokens[stored.id] = stored  # type: ignore[index]
        return stored

    def get(self, token_id: int) -> RememberToken | None:
        return self.store.remember_tokens.get(token_id)

    def update(self, token: RememberToken) -> None:
        stored = self.store.remember_tokens.get(token.id or 0)
        if stored is None:
            raise NotFound(f"Remember-me token {token.id} not found.")
        self.store.remember_tokens[stored.id] = replace(  # type: ignore[index]
            stored, revoked_at=in_utc(token).revoked_at
        )

    def revoke_all(self, user_id: int, at: datetime) -> int:
        mine = [
            t for t in self.store.remember_tokens.values() if t.user_id == user_id and t.revoked_at is None
        ]
        for token in mine:
            self.store.remember_tokens[token.id] = in_utc(token.revoked(at))  # type: ignore[index]
        return len(mine)
