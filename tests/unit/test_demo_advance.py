"""Moving the demo company on: the months added are the ones seeding later would have drawn, the newest
snapshots before get their outcomes, and the company's calendar moves with it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from adapters.clock import CalendarClock, FixedClock
from adapters.memory import InMemoryStore, InMemoryUnitOfWork
from application.demo import seed_demo_company
from application.demo_advance import NoDemoCompany, advance_demo_company, demo_company_day, month_end_after
from application.ports import DemoCompany
from application.validation import InvalidInput

CLOCK = FixedClock(datetime(2025, 11, 26, 9, 30, tzinfo=UTC))
A_MONTH_LATER = FixedClock(datetime(2025, 12, 26, 9, 30, tzinfo=UTC))
CLIENTS, MONTHS = 40, 3


def seeded(clock: FixedClock = CLOCK, months: int = MONTHS) -> InMemoryStore:
    store = InMemoryStore()
    seed_demo_company(InMemoryUnitOfWork(store), clock, clients=CLIENTS, months=months, seed=7)
    return store


def test_seeding_records_the_demo_company() -> None:
    store = seeded()

    company = demo_company(store)

    assert company == DemoCompany(
        clients=CLIENTS, seed=7, logs_from=date(2025, 8, 1), through=date(2025, 10, 31)
    )


def logged(store: InMemoryStore) -> tuple[object, ...]:
    """The orders, events and snapshots, whatever ids they were stored with. An order's number counts
    the refunds logged before it, and a refund falling after the logs' end is not logged yet: the
    numbers of later orders may differ, not the orders."""
    return (
        sorted((order.client_id, order.ordered_at, order.amount) for order in store.orders.values()),
        {key: replace(event, id=None) for key, event in store.events.items()},
        {key: replace(snapshot, id=None) for key, snapshot in store.activity.items()},
    )


def demo_company(store: InMemoryStore) -> DemoCompany | None:
    with InMemoryUnitOfWork(store) as uow:
        return uow.settings.demo_company()


def test_a_month_on_is_the_company_seeding_a_month_later_would_have_drawn() -> None:
    advanced, later = seeded(), seeded(A_MONTH_LATER, MONTHS + 1)

    report = advance_demo_company({"months": 1}, InMemoryUnitOfWork(advanced), CLOCK)

    assert (report.previous_through, report.through) == (date(2025, 10, 31), date(2025, 11, 30))
    assert report.clients == CLIENTS
    assert report.orders == len(later.orders) - len(seeded().orders) > 0
    assert logged(advanced) == logged(later)
    assert demo_company(advanced) == demo_company(later)


def test_the_newest_snapshots_before_get_their_outcomes_and_a_newer_one_follows() -> None:
    store = seeded()
    before = {key for key, s in store.activity.items() if key[1] == date(2025, 10, 31)}
    assert all(store.activity[key].sales_next_month is None for key in before)

    advance_demo_company({"months": 1}, InMemoryUnitOfWork(store), CLOCK)

    assert before and all(store.activity[key].sales_next_month is not None for key in before)
    assert all(store.activity[key].purchased_next_14d is not None for key in before)
    assert any(observed_on == date(2025, 11, 30) for _, observed_on in store.activity)


def test_two_single_months_make_the_same_company_as_two_months_at_once() -> None:
    one_by_one, at_once = seeded(), seeded()

    for _ in range(2):
        advance_demo_company({"months": 1}, InMemoryUnitOfWork(one_by_one), CLOCK)
    advance_demo_company({"months": 2}, InMemoryUnitOfWork(at_once), CLOCK)

    assert logged(one_by_one) == logged(at_once)
    assert demo_company_day(InMemoryUnitOfWork(at_once)) == date(2025, 12, 31)


@pytest.mark.parametrize("months", [0, 13, -1, "two", True, 1.5])
def test_moving_on_refuses_months_out_of_bounds_naming_the_field(months: object) -> None:
    store = seeded()

    with pytest.raises(InvalidInput) as refused:
        advance_demo_company({"months": months}, InMemoryUnitOfWork(store), CLOCK)

    assert [error.field for error in refused.value.errors] == ["months"]
    assert demo_company(store) == demo_company(seeded())


def test_only_a_demo_company_moves_on() -> None:
    with pytest.raises(NoDemoCompany) as refused:
        advance_demo_company({"months": 1}, InMemoryUnitOfWork(InMemoryStore()), CLOCK)

    assert refused.value.code == "no_demo_company"


def test_month_ends_follow_each_other() -> None:
    assert month_end_after(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert month_end_after(date(2025, 11, 30), 3) == date(2026, 2, 28)


def test_the_calendar_is_the_company_s_today_only_when_ahead_of_the_wall_clock() -> None:
    days: list[date | None] = [None]
    clock = CalendarClock(CLOCK, lambda: days[0], refresh_seconds=0)

    assert clock.today() == date(2025, 11, 26)
    days[0] = date(2025, 10, 31)
    assert clock.today() == date(2025, 11, 26)
    days[0] = date(2025, 12, 31)
    assert clock.today() == date(2025, 12, 31)
    assert clock.now() == CLOCK.now()  # moments stay the wall clock's


def test_the_calendar_is_read_again_once_it_may_have_moved() -> None:
    reads: list[int] = []
    seconds = [0.0]

    def calendar() -> date:
        reads.append(1)
        return date(2025, 12, 31)

    clock = CalendarClock(CLOCK, calendar, refresh_seconds=5, monotonic=lambda: seconds[0])
    clock.today()
    clock.today()
    seconds[0] = 5.0
    clock.today()

    assert len(reads) == 2
