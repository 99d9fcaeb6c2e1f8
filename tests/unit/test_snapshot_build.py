"""Building snapshots: every client with a log, in chunks, idempotent, entered snapshots left alone."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from adapters.clock import FixedClock
from adapters.memory import InMemoryStore, InMemoryUnitOfWork
from application.jobs import BUILD_SNAPSHOTS, get_job
from application.snapshots import (
    BuildReport,
    build_snapshots,
    build_snapshots_then_rescore,
    start_snapshot_build,
)
from application.validation import InvalidInput
from domain.activity import BEHAVIOUR_FIELDS, ActivitySnapshot, SnapshotSource
from domain.clients import Client
from domain.jobs import Job
from domain.orders import Event, EventKind, Order
from unit.job_fakes import inline_jobs

CLOCK = FixedClock(datetime(2024, 4, 20, 9, 0, tzinfo=UTC))  # the last month end is 31 March


def noon(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T12:00").replace(tzinfo=UTC)


def a_company(store: InMemoryStore, clients: int = 3) -> list[int]:
    uow = InMemoryUnitOfWork(store)
    with uow:
        stored = uow.clients.add_many(
            [Client(f"K{n}", "Nowak", f"k{n}@example.com", date(2023, 6, 1)) for n in range(clients)]
        )
        uow.commit()
    return [client.id for client in stored if client.id is not None]


def log(store: InMemoryStore, orders: list[Order] = [], events: list[Event] = []) -> None:  # noqa: B006
    uow = InMemoryUnitOfWork(store)
    with uow:
        uow.orders.add_new(orders)
        uow.events.add_new(events)
        uow.commit()


def build(store: InMemoryStore, through: object = None, chunk: int = 2) -> BuildReport:
    return build_snapshots(through, InMemoryUnitOfWork(store), CLOCK, clients_per_chunk=chunk)


def snapshots(store: InMemoryStore) -> dict[tuple[int, date], ActivitySnapshot]:
    return {key: replace(s, id=None) for key, s in store.activity.items()}


@pytest.fixture
def store() -> InMemoryStore:
    return InMemoryStore()


def test_every_client_with_orders_or_events_gets_a_snapshot_per_month_end_through_the_last_one(
    store: InMemoryStore,
) -> None:
    anna, beata, celina = a_company(store)
    log(
        store,
        [Order(anna, noon("2024-01-10"), 50.0), Order(celina, noon("2024-03-02"), 20.0)],
        [Event(beata, noon("2024-02-14"), EventKind.VISIT)],
    )

    report = build(store)

    assert report == BuildReport(clients=3, snapshots=6, through=date(2024, 3, 31))
    assert sorted(store.activity) == [
        (anna, date(2024, 1, 31)),
        (anna, date(2024, 2, 29)),
        (anna, date(2024, 3, 31)),
        (beata, date(2024, 2, 29)),
        (beata, date(2024, 3, 31)),
        (celina, date(2024, 3, 31)),
    ]
    assert all(s.source is SnapshotSource.DERIVED for s in store.activity.values())


def test_building_twice_changes_nothing(store: InMemoryStore) -> None:
    anna, beata, _ = a_company(store)
    log(store, [Order(anna, noon("2024-01-10"), 50.0)], [Event(beata, noon("2024-01-02"), EventKind.VISIT)])
    build(store)
    first = snapshots(store)

    build(store)

    assert snapshots(store) == first


def test_a_second_months_orders_fill_in_the_outcomes_of_the_first(store: InMemoryStore) -> None:
    [anna] = a_company(store, 1)
    log(store, [Order(anna, noon("2024-01-10"), 50.0)])
    build(store, through="2024-01-31")
    assert store.activity[(anna, date(2024, 1, 31))].sales_next_month is None

    log(store, [Order(anna, noon("2024-02-05"), 80.0), Order(anna, noon("2024-02-20"), -30.0)])
    build(store, through="2024-02-29")

    january = store.activity[(anna, date(2024, 1, 31))]
    assert (january.sales_next_month, january.purchased_next_14d) == (50.0, True)


def test_an_entered_snapshot_is_left_as_it_was(store: InMemoryStore) -> None:
    [anna] = a_company(store, 1)
    entered = ActivitySnapshot(anna, date(2024, 2, 29), 7, 10.0, 1, 3, 1, False, 0, 1.5, sales_next_month=5.0)
    uow = InMemoryUnitOfWork(store)
    with uow:
        uow.activity.add(entered)
        uow.commit()
    log(store, [Order(anna, noon("2024-01-10"), 50.0)])

    report = build(store)

    assert report.snapshots == 2
    assert snapshots(store)[(anna, date(2024, 2, 29))] == entered
    assert store.activity[(anna, date(2024, 3, 31))].source is SnapshotSource.DERIVED


def test_no_behavioural_feature_is_zero_where_the_events_do_not_cover_its_window(
    store: InMemoryStore,
) -> None:
    anna, beata, _ = a_company(store)
    log(store, [Order(anna, noon("2024-01-10"), 50.0)], [Event(beata, noon("2024-03-20"), EventKind.VISIT)])

    build(store)

    for snapshot in store.activity.values():
        known = {f for f in BEHAVIOUR_FIELDS if getattr(snapshot, f) is not None}
        if snapshot.observed_on < date(2024, 3, 31):
            assert not known  # the company's first event is on 20 March
        else:
            assert known == {"visits_7d", "newsletter_opened", "ad_clicks_7d", "time_on_site_7d"}


def test_without_logs_nothing_is_built(store: InMemoryStore) -> None:
    a_company(store)

    assert build(store) == BuildReport(0, 0, date(2024, 3, 31))
    assert not store.activity


@pytest.mark.parametrize(
    ("through", "code"),
    [
        ("2024-04-21", "date_in_future"),
        ("soon", "date_format"),
        ("1899-12-31", "date_too_early"),
    ],
)
def test_a_bad_through_date_is_refused_naming_the_field(
    store: InMemoryStore, through: str, code: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        build(store, through=through)

    assert [(e.field, e.code) for e in refused.value.errors] == [("through", code)]


def start_build(
    store: InMemoryStore, request: dict[str, object], rescore: Callable[[], object] | None = None
) -> Job:
    """Submit the build and perform it at once; the job as it is stored then."""
    uow_factory = lambda: InMemoryUnitOfWork(store)  # noqa: E731
    handler = functools.partial(build_snapshots_then_rescore, uow=uow_factory(), clock=CLOCK, rescore=rescore)
    runner = inline_jobs(uow_factory, CLOCK, **{BUILD_SNAPSHOTS: handler})
    job = start_snapshot_build(request, uow_factory, CLOCK, runner)
    return get_job(job.id, uow_factory(), CLOCK)


def test_a_build_in_the_background_reports_what_it_built(store: InMemoryStore) -> None:
    [anna] = a_company(store, 1)
    log(store, [Order(anna, noon("2024-03-10"), 50.0)])

    job = start_build(store, {})

    assert (job.state, job.result) == ("succeeded", {"clients": 1, "snapshots": 1, "through": "2024-03-31"})
    assert (job.name, job.parameters) == (BUILD_SNAPSHOTS, {"through": "2024-03-31"})
    assert (job.done, job.total) == (1, None)


def test_a_build_that_wrote_snapshots_then_rescores_the_clients_and_one_that_did_not_does_not(
    store: InMemoryStore,
) -> None:
    rescored: list[str] = []
    jobs = [start_build(store, {}, lambda: rescored.append("all")) for _ in range(2)]
    assert rescored == [] and all(job.result["snapshots"] == 0 for job in jobs)

    [anna] = a_company(store, 1)
    log(store, [Order(anna, noon("2024-03-10"), 50.0)])
    start_build(store, {}, lambda: rescored.append("all"))
    assert rescored == ["all"]


def test_a_field_the_build_does_not_know_is_refused_at_once(store: InMemoryStore) -> None:
    with pytest.raises(InvalidInput) as refused:
        start_build(store, {"until": "2024-01-31"})
    assert refused.value.errors[0].field == "until"


def test_a_bad_through_date_refuses_the_background_build_at_once(store: InMemoryStore) -> None:
    with pytest.raises(InvalidInput):
        start_build(store, {"through": "2030-01-01"})
