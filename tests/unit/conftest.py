"""What the unit tests share: an in-memory unit of work on its own store, a fixed clock, a password
hasher that costs nothing, a request context for the web helpers, and valid client and snapshot input."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, g

from adapters.clock import FixedClock
from adapters.memory import InMemoryStore, InMemoryUnitOfWork
from entrypoints.web.i18n import init_i18n
from unit.ml_fakes import NOW

CLIENT: dict[str, Any] = {
    "first_name": "Anna",
    "last_name": "Nowak",
    "email": "anna@example.com",
    "registered_on": "2023-01-15",
}
"""A new client's fields as a form or a CSV line gives them."""

SNAPSHOT: dict[str, Any] = {
    "observed_on": "2024-03-31",
    "purchases_30d": 2,
    "avg_basket_value": 120.5,
    "site_visits_30d": 9,
    "days_since_last_purchase": 4,
    "visits_7d": 3,
    "newsletter_opened": True,
    "ad_clicks_7d": 1,
    "time_on_site_7d": 14.5,
}
"""A new snapshot's fields, its outcomes not known yet."""


class FakeHasher:
    """Fast and transparent: tests need to see that passwords are hashed, not to pay for scrypt."""

    def __init__(self) -> None:
        self.hashed: list[str] = []

    def hash(self, password: str) -> str:
        self.hashed.append(password)
        return f"hashed:{password}"

    def verify(self, password_hash: str, password: str) -> bool:
        return password_hash == f"hashed:{password}"


@pytest.fixture
def store() -> InMemoryStore:
    return InMemoryStore()


@pytest.fixture
def uow(store: InMemoryStore) -> InMemoryUnitOfWork:
    return InMemoryUnitOfWork(store)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def hasher() -> FakeHasher:
    return FakeHasher()


@pytest.fixture
def app_context() -> Iterator[None]:
    app = Flask("entrypoints")  # its root holds translations/, as the panel's does
    init_i18n(app)
    with app.test_request_context():
        g.currency = "PLN"  # the company's currency, as a request of the panel reads it once
        yield
