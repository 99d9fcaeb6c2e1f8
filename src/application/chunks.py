"""Splitting a stream of items into lists of bounded size, for bulk writes and batch work."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TypeVar

T = TypeVar("T")


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of `size` items (the last one shorter), read lazily from `items`."""
    if size < 1:
        raise ValueError(f"a chunk holds at least one item, not {size}")
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk
