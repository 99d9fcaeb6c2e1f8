"""Small helpers for executing Core statements through a session."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Delete, Update
from sqlalchemy.orm import Session

# Rows per executemany: large enough to amortise round trips, small enough to bound memory.
CHUNK_SIZE = 5_000


def rows_changed(session: Session, statement: Update | Delete) -> int:
    return cast(CursorResult[Any], session.execute(statement)).rowcount
