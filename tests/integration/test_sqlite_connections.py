"""How a connection to a SQLite file is set up: write-ahead log, and reads mapped into memory."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from adapters.sqlalchemy.engine import make_engine


def pragma(connection: Connection, name: str) -> object:
    return connection.exec_driver_sql(f"PRAGMA {name}").scalar_one()


def test_a_file_is_read_through_memory_mapping_beside_its_write_ahead_log(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with engine.connect() as connection:
        journal, mapped = pragma(connection, "journal_mode"), pragma(connection, "mmap_size")
    engine.dispose()

    assert journal == "wal"
    assert isinstance(mapped, int) and mapped >= 2**30, mapped
