"""Users in memory, unique by email regardless of case."""

from __future__ import annotations

from dataclasses import replace

from adapters.memory.store import InMemoryStore
from domain.clients import email_key
from domain.errors import DuplicateEmail, UserNotFound
from domain.users import User


class InMemoryUserRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self.store = store

    def add(self, user: User) -> User:
        if self.get_by_email(user.email) is not None:
            raise DuplicateEmail(user.email)
        stored = replace(user, id=self.store.next_id())
        self.store.users[stored.id] = stored  # type: ignore[index]
        return stored

    def get(self, user_id: int) -> User | None:
        return self.store.users.get(user_id)

    def get_by_email(self, email: str) -> User | None:
        key = email_key(email)
        return next((u for u in self.store.users.values() if email_key(u.email) == key), None)

    def update(self, user: User) -> None:
        self.store.credentials_revision += 1
        if user.id not in self.store.users:
            raise UserNotFound(user.id)
        other = self.get_by_email(user.email)
        if other is not None and other.id != user.id:
            raise DuplicateEmail(user.email)
        self.store.users[user.id] = user  # type: ignore[index]

    def list(self) -> list[User]:
        return sorted(self.store.users.values(), key=lambda u: email_key(u.email))
