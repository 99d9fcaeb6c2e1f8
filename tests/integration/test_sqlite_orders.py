"""Orders go to SQLite in the driver's own terms: exactly what SQLAlchemy's types would have written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine

from adapters.sqlalchemy.statements import sqlite_moment
from adapters.sqlalchemy.tables import orders


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2024, 3, 31, 12, 0, tzinfo=UTC),
        datetime(2024, 3, 31, 12, 0, 0, 5, tzinfo=UTC),
        datetime(2024, 4, 1, 0, 30, 15, 123456, tzinfo=timezone(timedelta(hours=1))),
        datetime(1990, 1, 1, 0, 0, tzinfo=timezone(timedelta(hours=-11, minutes=-30))),
    ],
)
def test_a_moment_is_written_as_the_column_type_writes_it(moment: datetime) -> None:
    dialect = create_engine("sqlite://").dialect
    process = orders.c.ordered_at.type.dialect_impl(dialect).bind_processor(dialect)
    assert process is not None
    assert sqlite_moment(moment) == process(moment)
