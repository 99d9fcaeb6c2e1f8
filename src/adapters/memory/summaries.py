"""Summaries in memory: nothing is kept, every summary is computed when asked for (the data is small)."""

from __future__ import annotations

from typing import Any

from adapters.memory.store import InMemoryStore


class InMemorySummaryRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self.store = store

    def state(self) -> list[Any]:
        return []

    def scoring_inputs(self) -> list[Any]:
        return []

    def read(self, name: str, state: list[Any]) -> Any | None:
        return None

    def keep(self, name: str, state: list[Any], document: Any) -> None:
        return None
