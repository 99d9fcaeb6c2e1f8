"""API tokens in memory, found by the hash of their secret."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from adapters.memory.store import InMemoryStore, in_utc
from domain.errors import Conflict, NotFound, UserNotFound
from domain.tokens import ApiToken


class InMemoryTokenRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self.store = store

    def add(self, token: ApiToken) -> ApiToken:
        """Refused for an unknown user or a hash already stored, as the database refuses them."""
        if token.user_id not in self.store.users:
            raise UserNotFound(token.user_id)
        if self.get_by_hash(token.token_hash) is not None:
            raise Conflict("An API token with this hash exists already.")
        stored = replace(in_utc(token), id=self.store.next_id())
        self.store.tokens[stored.id] = stored  # type: ignore[index]
        return stored

    def get(self, token_id: int) -> ApiToken | None:
        return self.store.tokens.get(token_id)

    def get_by_hash(self, token_hash: str) -> ApiToken | None:
        return next((t for t in self.store.tokens.values() if t.token_hash == token_hash), None)

    def list_for_user(self, user_id: int) -> list[ApiToken]:
        mine = [t for t in self.store.tokens.values() if t.user_id == user_id]
        return sorted(mine, key=lambda t: (t.created_at, t.id or 0), reverse=True)

    def update(self, token: ApiToken) -> None:
        """Its expiry and revocation; the owner and the hash never change."""
        self.store.credentials_revision += 1
        stored = self.store.tokens.get(token.id or 0)
        if stored is None:
            raise NotFound(f"API token {token.id} not found.")
        changed = in_utc(token)
        self.store.tokens[stored.id] = replace(  # type: ignore[index]
            stored, expires_at=changed.expires_at, revoked_at=changed.revoked_at
        )

    def credentials_revision(self) -> int:
        return self.store.credentials_revision

    def revoke_all(self, user_id: int, at: datetime) -> int:
        self.store.credentials_revision += 1
        mine = [t for t in self.store.tokens.values() if t.user_id == user_id and t.revoked_at is None]
        for token in mine:
            self.store.tokens[token.id] = in_utc(token.revoked(at))  # type: ignore[index]
        return len(mine)
