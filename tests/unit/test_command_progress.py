"""A long command's progress: plain lines every few seconds when its output is not a terminal."""

from __future__ import annotations

import io
import itertools
from pathlib import Path

import pytest

from entrypoints import cli
from entrypoints.progress import CommandProgress


class Ticking:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_line_says_how_much_is_done_of_how_much_at_what_rate_and_how_long_is_left() -> None:
    clock = Ticking()
    progress = CommandProgress("Scoring clients", stream=io.StringIO(), clock=clock)
    clock.now += 4.0

    assert progress.line(12_000, 100_000) == (
        "Scoring clients: 12,000 of 100,000 (12%), 3,000 a second, about 29 s left"
    )
    assert progress.line(500, None) == "Scoring clients: 500 done, 125 a second"


def test_lines_are_written_at_most_once_per_interval_to_a_file() -> None:
    clock, written = Ticking(), io.StringIO()
    progress = CommandProgress("Building snapshots", stream=written, every_s=10.0, clock=clock)

    for done in range(1, 31):
        clock.now += 1.0
        progress(done * 100, 3_000)
    progress.close()

    lines = written.getvalue().splitlines()
    assert lines == [
        "Building snapshots: 1,000 of 3,000 (33%), 100 a second, about 20 s left",
        "Building snapshots: 2,000 of 3,000 (67%), 100 a second, about 10 s left",
        "Building snapshots: 3,000 of 3,000 (100%), 100 a second, about 0 s left",
    ]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_bar_with_the_count_and_the_rate() -> None:
    clock, terminal = Ticking(), Terminal()
    progress = CommandProgress("Scoring clients", stream=terminal, clock=clock)

    for done in (1_000, 2_000):
        clock.now += 1.0
        progress(done, 2_000)
    progress.close()

    assert "Scoring clients" in terminal.getvalue() and "2000/2000" in terminal.getvalue()
    assert "1,000/s" in terminal.getvalue()


def test_an_export_reports_its_rows_as_they_pass_and_counts_them_all(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "EXPORT_PROGRESS_ROWS", 2)
    reported: list[tuple[int, int | None]] = []
    counted = itertools.count()

    passed = list(cli._reported("abcde", counted, lambda done, total: reported.append((done, total)), None))

    assert passed == list("abcde") and next(counted) == 5
    assert reported == [(2, None), (4, None)]


def test_an_import_reports_the_rows_read_out_of_as_many_as_the_file_holds_at_that_rate(
    tmp_path: Path,
) -> None:
    path = tmp_path / "orders.csv"
    path.write_text("email\n" + "".join(f"client{n:05}@example.pl\n" for n in range(25_000)))
    told: list[tuple[int, int | None]] = []

    with path.open("rb") as raw:
        columns, rows = cli.read_rows(io.TextIOWrapper(raw, encoding="utf-8-sig", newline=""))
        read = list(cli._read_with_progress(rows, raw, lambda *p: told.append(p)))

    assert columns == ["email"] and len(read) == 25_000
    assert [done for done, _ in told] == [10_000, 20_000, 25_000]
    assert all(done <= total <= 30_000 for done, total in told if total)  # read ahead: never much more
    assert told[-1] == (25_000, 25_000)
