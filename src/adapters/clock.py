from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return self.now().date()


class FixedClock:
    """A clock that stands still, for tests and reproducible demo data."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment

    def today(self) -> date:
        return self.moment.date()


class CalendarClock:
    """The wall clock's moments, and a today that is the company's calendar day when one is recorded
    ahead of the wall clock (the demo company moved on by `prognoza demo advance`).

    `calendar` reads the recorded day (None: there is none); it is read again at most every
    `refresh_seconds`, as today is asked for once per row of an import.
    """

    def __init__(
        self,
        wall: SystemClock | FixedClock,
        calendar: Callable[[], date | None],
        refresh_seconds: float = 5.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.wall, self.calendar = wall, calendar
        self.refresh_seconds, self.monotonic = refresh_seconds, monotonic
        self._read: tuple[float, date | None] | None = None

    def now(self) -> datetime:
        return self.wall.now()

    def today(self) -> date:
        day = self._calendar_day()
        wall_today = self.wall.today()
        return wall_today if day is None else max(wall_today, day)

    def _calendar_day(self) -> date | None:
        read, at = self._read, self.monotonic()
        if read is None or at - read[0] >= self.refresh_seconds:
            read = self._read = (at, self.calendar())
        return read[1]
