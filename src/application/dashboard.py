"""Use cases behind the dashboard: the headline numbers of the client base."""

from __future__ import annotations

from application.ports import UnitOfWork


def count_clients(uow: UnitOfWork) -> int:
    """How many clients are on record."""
    with uow:
        return uow.clients.count()
