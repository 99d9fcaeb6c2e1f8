"""How a long command shows its progress: a bar with the rate and the time left on a terminal, and a
plain line every few seconds when its output goes to a file or a pipe (a cron job's log)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO

import click

from application.ports import JobProgress

LINE_EVERY_S = 10.0
"""How often a plain line is written when the output is not a terminal."""


class CommandProgress:
    """Told the work done so far (and the whole, once known) by a use case's `progress` callback."""

    def __init__(
        self,
        label: str,
        stream: TextIO | None = None,
        every_s: float = LINE_EVERY_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label, self.every_s, self.clock = label, every_s, clock
        self.stream = stream if stream is not None else sys.stderr
        self.started = clock()
        self._bar: Any = None
        self._shown = 0
        self._last_line = self.started

    def __call__(self, done: int, total: int | None) -> None:
        if self.stream.isatty() and total:
            self._advance_bar(done, total)
        elif self.clock() - self._last_line >= self.every_s:
            self._last_line = self.clock()
            click.echo(self.line(done, total), file=self.stream)

    def line(self, done: int, total: int | None) -> str:
        """`Scoring clients: 12,000 of 100,000 (12%), 3,400 a second, about 26 s left`."""
        rate = done / max(self.clock() - self.started, 1e-9)
        if not total:
            return f"{self.label}: {done:,} done, {rate:,.0f} a second"
        left = (total - done) / rate if rate else float("inf")
        return (
            f"{self.label}: {done:,} of {total:,} ({done / total:.0%}), {rate:,.0f} a second, "
            f"about {left:,.0f} s left"
        )

    def _advance_bar(self, done: int, total: int) -> None:
        if self._bar is None:
            self._bar = click.progressbar(
                length=total,
                label=self.label,
                file=self.stream,
                show_pos=True,
                show_eta=True,
                item_show_func=lambda _: self._rate(),
            )
            self._bar.__enter__()
        self._bar.length = total  # a whole estimated as the work goes (an import's rows) is told anew
        step, self._shown = done - self._shown, done
        self._bar.update(step, current_item=done)

    def _rate(self) -> str:
        return f"{self._shown / max(self.clock() - self.started, 1e-9):,.0f}/s"

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)


@contextmanager
def command_progress(label: str) -> Iterator[JobProgress]:
    """A progress callback for the length of a command, its bar closed at the end."""
    progress = CommandProgress(label)
    try:
        yield progress
    finally:
        progress.close()
