"""Bulk writes and batch work: splitting a stream of items into lists of bounded size, and what the
database is told once many rows changed."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TypeVar

from application.ports import UnitOfWork

T = TypeVar("T")


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of `size` items (the last one shorter), read lazily from `items`."""
    if size < 1:
        raise ValueError(f"a chunk holds at least one item, not {size}")
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def refresh_statistics(uow: UnitOfWork) -> None:
    """`UnitOfWork.refresh_statistics` in a transaction of its own, once a bulk write is committed."""
    with uow:
        uow.refresh_statistics()
        uow.commit()
