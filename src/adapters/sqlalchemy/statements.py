"""Small helpers for executing Core statements through a session."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any, TypeVar, cast

from sqlalchemy import CursorResult, Delete, Update
from sqlalchemy.orm import Session

# Rows per executemany: large enough to amortise round trips, small enough to bound memory.
CHUNK_SIZE = 5_000

T = TypeVar("T")


def rows_changed(session: Session, statement: Update | Delete) -> int:
    return cast(CursorResult[Any], session.execute(statement)).rowcount


def chunks(items: Iterable[T], size: int = CHUNK_SIZE) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk
