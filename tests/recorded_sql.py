"""The SQL an engine runs, recorded for tests that look at how a read is made."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event


@contextmanager
def statements_run(
    engine: Engine, recorded: Callable[[str], bool] = lambda statement: True
) -> Iterator[list[tuple[str, Any]]]:
    """The statements `engine` runs inside that `recorded` picks, each with its parameters."""
    run: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if recorded(statement):
            run.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield run
    finally:
        event.remove(engine, "before_cursor_execute", record)
