"""Reads run on a pooled DBAPI connection itself, for the few statements a request makes most often."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from sqlalchemy import Dialect, Select

Processor = Callable[[Any], Any]


class DirectRead:
    """A Core SELECT compiled once for a dialect and run on a DBAPI cursor: its rows come back through
    its columns' own type processing (dates from SQLite's text, UTC datetimes, money), as SQLAlchemy's
    results would, each row a named tuple of the selected columns. A Connection or a Session costs more
    around one statement than SQLite takes to run it: 0.2-0.3 ms against 0.03 for a client, its
    settings and the credentials' revision."""

    def __init__(self, statement: Select[Any], dialect: Dialect) -> None:
        self._dialect = dialect
        self._compiled = statement.compile(dialect=dialect)
        self._sql = str(self._compiled)
        self._positions = self._compiled.positiontup
        self._binds = {
            name: processor
            for bind, name in self._compiled.bind_names.items()
            if (processor := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None
        }
        columns = statement.selected_columns
        self._types = [column.type.dialect_impl(dialect) for column in columns]
        self._row = namedtuple("Row", [column.name for column in columns])  # type: ignore[misc]
        self._processors: dict[tuple[Any, ...], list[Processor | None]] = {}

    def rows(self, cursor: Any, **values: Any) -> list[Any]:
        cursor.execute(self._sql, self._parameters(values))
        processors = self._processors_of(cursor.description)
        return [self._row(*_processed(row, processors)) for row in cursor.fetchall()]

    def one_or_none(self, cursor: Any, **values: Any) -> Any:
        rows = self.rows(cursor, **values)
        if len(rows) > 1:
            raise LookupError(f"more than one row: {self._sql}")
        return rows[0] if rows else None

    def _parameters(self, values: dict[str, Any]) -> Any:
        parameters = self._compiled.construct_params(values)
        for name, process in self._binds.items():
            parameters[name] = process(parameters[name])
        return parameters if self._positions is None else [parameters[name] for name in self._positions]

    def _processors_of(self, description: Sequence[Sequence[Any]]) -> list[Processor | None]:
        """Each column's processor for the DBAPI's type of it (PostgreSQL's numbers are read by theirs)."""
        codes = tuple(column[1] for column in description)
        if codes not in self._processors:
            kinds = zip(self._types, codes, strict=True)
            self._processors[codes] = [kind.result_processor(self._dialect, code) for kind, code in kinds]
        return self._processors[codes]


def _processed(row: Sequence[Any], processors: list[Processor | None]) -> Iterator[Any]:
    for value, process in zip(row, processors, strict=True):
        yield value if process is None else process(value)
