"""How a connection to a SQLite file is set up: write-ahead log, and reads mapped into memory but for
those that read whole tables once."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import column, select, table
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from adapters.sqlalchemy.engine import make_engine
from adapters.sqlalchemy.statements import number_blocks

TABLE_ROWS = 800_000
MB = 2**20


def pragma(connection: Connection, name: str) -> object:
    return connection.exec_driver_sql(f"PRAGMA {name}").scalar_one()


def test_a_file_is_read_through_memory_mapping_beside_its_write_ahead_log(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with engine.connect() as connection:
        journal, mapped = pragma(connection, "journal_mode"), pragma(connection, "mmap_size")
    engine.dispose()

    assert journal == "wal"
    assert isinstance(mapped, int) and mapped >= 2**30, mapped


def mapped_file_memory() -> int:
    """The bytes of files mapped into this process that it holds in memory (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssFile:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no RssFile in /proc/self/status")


def test_whole_tables_read_in_blocks_are_not_left_mapped_into_the_process(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'numbers.sqlite3'}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE numbers (a REAL, b REAL, c REAL, d REAL)")
        connection.exec_driver_sql(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
            "INSERT INTO numbers SELECT i * 0.5, i * 1.5, i * 2.5, i * 3.5 FROM n",
            (TABLE_ROWS,),
        )
    engine.dispose()  # the rows written are not mapped yet in any connection
    numbers = select(*(column(name) for name in "abcd")).select_from(table("numbers"))
    file_size = (tmp_path / "numbers.sqlite3").stat().st_size
    assert file_size > 20 * MB, file_size

    with Session(engine) as session:
        mapped_before = pragma(session.connection(), "mmap_size")
        before = mapped_file_memory()
        blocks = number_blocks(session, numbers, 100_000)
        read = sum(len(next(blocks)) for _ in range(TABLE_ROWS // 100_000))
        mapped_while_reading = pragma(session.connection(), "mmap_size")
        grown_by_blocks = mapped_file_memory() - before
        assert next(blocks, None) is None
        mapped_after = pragma(session.connection(), "mmap_size")

        before = mapped_file_memory()
        assert len(session.execute(numbers).all()) == TABLE_ROWS
        grown_by_plain_read = mapped_file_memory() - before
    engine.dispose()

    assert read == TABLE_ROWS
    assert grown_by_blocks < 4 * MB, grown_by_blocks
    assert mapped_before >= 2**30
    assert (mapped_while_reading, mapped_after) == (0, mapped_before)
    assert grown_by_plain_read > 15 * MB, grown_by_plain_read  # a plain read is mapped: the measure can tell
