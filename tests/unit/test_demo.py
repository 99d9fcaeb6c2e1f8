"""The synthetic demo shop: reproducible, plausible logs, never in the future, and snapshots derived from
them exactly as a real company's are."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.clock import FixedClock
from adapters.memory import InMemoryStore, InMemoryUnitOfWork
from application.commands import NewClient
from application.demo import DemoDataNeedsEmptyDatabase, generate_company, logs_start, seed_demo_company
from application.snapshots import build_snapshots
from application.validation import InvalidInput
from domain.activity import BEHAVIOUR_FIELDS, SnapshotSource
from domain.clients import Client, email_key
from domain.orders import Event, EventKind, Order

TODAY = date(2025, 11, 26)
CLOCK = FixedClock(datetime(2025, 11, 26, 9, 30, tzinfo=UTC))
THROUGH = date(2025, 10, 31)
START = logs_start(THROUGH, 6)


def logs(clients: int = 300, seed: int = 7) -> list[tuple[Client, list[Order], list[Event]]]:
    return [
        (synthetic.client, *synthetic.log_of(number, START, THROUGH))
        for number, synthetic in enumerate(generate_company(clients, START, seed), 1)
    ]


@pytest.fixture(scope="module")
def shop() -> list[tuple[Client, list[Order], list[Event]]]:
    return logs()


@pytest.fixture(scope="module")
def seeded() -> InMemoryStore:
    store = InMemoryStore()
    seed_demo_company(InMemoryUnitOfWork(store), CLOCK, clients=300, months=6, seed=7)
    return store


def test_the_same_seed_gives_the_same_shop() -> None:
    assert logs(30, seed=11) == logs(30, seed=11)


def test_another_seed_gives_another_shop() -> None:
    assert logs(30, seed=11) != logs(30, seed=12)


def test_the_logs_cover_the_last_months_up_to_the_last_month_end() -> None:
    assert date(2025, 5, 1) == START
    assert logs_start(date(2024, 2, 29), 1) == date(2024, 1, 1)  # February alone is too short a window
    assert logs_start(date(2024, 3, 31), 2) == date(2024, 1, 1)
    assert logs_start(date(2024, 4, 30), 2) == date(2024, 3, 1)


def test_every_order_and_event_falls_within_the_logs_and_after_registering(shop) -> None:  # type: ignore[no-untyped-def]
    for client, orders, events in shop:
        days = [o.ordered_on for o in orders] + [e.occurred_on for e in events]
        assert all(max(START, client.registered_on) <= day <= THROUGH for day in days)


def test_the_shop_is_plausible(shop) -> None:  # type: ignore[no-untyped-def]
    orders = [o for _, client_orders, _ in shop for o in client_orders]
    events = [e for _, _, client_events in shop for e in client_events]
    kinds = {kind: sum(e.kind is kind for e in events) for kind in EventKind}
    refunds = [o for o in orders if o.amount < 0]
    assert kinds[EventKind.VISIT] > kinds[EventKind.NEWSLETTER_OPEN] > 0 and kinds[EventKind.AD_CLICK] > 0
    assert 0 < len(refunds) < 0.1 * len(orders)
    assert all(-r.amount in {o.amount for o in orders if o.amount > 0} for r in refunds)
    buyers = {o.client_id for o in orders}
    assert 0.5 * len(shop) < len(buyers) < len(shop)  # most clients buy, not all
    rates = sorted(sum(o.amount > 0 for o in client_orders) for _, client_orders, _ in shop)
    assert rates[len(rates) // 10] < rates[9 * len(rates) // 10] / 3  # buying rates differ a lot


def test_an_ad_click_or_a_newsletter_raises_the_chance_that_a_visit_ends_in_an_order(shop) -> None:  # type: ignore[no-untyped-def]
    converted = {True: [0, 0], False: [0, 0]}
    for _, orders, events in shop:
        clicks = {e.occurred_at + timedelta(seconds=20) for e in events if e.kind is EventKind.AD_CLICK}
        bought_after = {o.ordered_at.date() for o in orders if o.amount > 0}
        for visit in (e for e in events if e.kind is EventKind.VISIT):
            counts = converted[visit.occurred_at in clicks]
            counts[0] += 1
            counts[1] += visit.occurred_at.date() in bought_after
    assert converted[True][1] / converted[True][0] > converted[False][1] / converted[False][0]


def test_emails_are_unique_regardless_of_case_and_clients_pass_validation(shop) -> None:  # type: ignore[no-untyped-def]
    assert len({email_key(client.email) for client, _, _ in shop}) == len(shop)
    for client, _, _ in shop:
        NewClient.parse({name: getattr(client, name) for name in NewClient.model_fields})


def test_seeding_stores_the_logs_and_the_snapshots_derived_from_them(seeded: InMemoryStore) -> None:
    uow = InMemoryUnitOfWork(seeded)
    before = {key: replace(s, id=None) for key, s in seeded.activity.items()}

    report = build_snapshots(None, uow, CLOCK)

    assert {key: replace(s, id=None) for key, s in seeded.activity.items()} == before
    assert report.snapshots == len(before) and report.through == THROUGH
    assert all(s.source is SnapshotSource.DERIVED for s in before.values())


def test_the_newest_snapshots_await_their_outcomes_and_the_older_ones_know_them(
    seeded: InMemoryStore,
) -> None:
    snapshots = list(seeded.activity.values())
    newest = [s for s in snapshots if s.observed_on == THROUGH]
    older = [s for s in snapshots if s.observed_on < THROUGH - timedelta(days=20)]
    assert newest and all(s.sales_next_month is None and s.purchased_next_14d is None for s in newest)
    assert all(s.sales_next_month is not None and s.purchased_next_14d is not None for s in older)
    assert {s.observed_on for s in snapshots} <= {
        date(2025, m, d) for m, d in [(5, 31), (6, 30), (7, 31), (8, 31), (9, 30), (10, 31)]
    }


def test_every_behavioural_feature_of_the_demo_is_known(seeded: InMemoryStore) -> None:
    assert all(getattr(s, f) is not None for s in seeded.activity.values() for f in BEHAVIOUR_FIELDS)


def test_seeding_reports_what_it_wrote(seeded: InMemoryStore) -> None:
    store = InMemoryStore()

    told: list[tuple[int, int | None]] = []

    report = seed_demo_company(
        InMemoryUnitOfWork(store), CLOCK, clients=40, months=3, seed=7, progress=lambda *p: told.append(p)
    )

    assert told == [(40, 40)]  # one chunk: 1,000 clients a chunk
    assert (report.clients, report.logs_from, report.through) == (40, date(2025, 8, 1), THROUGH)
    assert (report.orders, report.events, report.snapshots) == (
        len(store.orders),
        len(store.events),
        len(store.activity),
    )
    assert len(store.clients) == 40 and report.snapshots > 0


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**63 - 1), months=st.integers(1, 24), today=st.dates(date(2000, 1, 1)))
def test_any_seed_gives_a_log_the_derivation_accepts(seed: int, months: int, today: date) -> None:
    store = InMemoryStore()
    clock = FixedClock(datetime(today.year, today.month, today.day, tzinfo=UTC))

    report = seed_demo_company(InMemoryUnitOfWork(store), clock, clients=3, months=months, seed=seed)

    assert report.through <= today
    assert all(s.observed_on <= report.through for s in store.activity.values())


@pytest.mark.parametrize(
    ("field", "clients", "months", "seed"),
    [
        ("clients", 0, 6, 7),
        ("clients", -5, 6, 7),
        ("clients", 1_000_001, 6, 7),
        ("clients", True, 6, 7),
        ("months", 10, 0, 7),
        ("months", 10, 61, 7),
        ("seed", 10, 6, -1),
    ],
)
def test_seeding_refuses_sizes_out_of_bounds_naming_the_field(
    field: str, clients: int, months: int, seed: int
) -> None:
    store = InMemoryStore()

    with pytest.raises(InvalidInput) as refused:
        seed_demo_company(InMemoryUnitOfWork(store), CLOCK, clients=clients, months=months, seed=seed)

    assert [e.field for e in refused.value.errors] == [field]
    assert not store.clients and not store.activity


def test_seeding_refuses_a_database_that_already_has_clients() -> None:
    store = InMemoryStore()
    uow = InMemoryUnitOfWork(store)
    with uow:
        uow.clients.add(Client("Jan", "Nowak", "jan@example.com", date(2024, 1, 1)))
        uow.commit()

    with pytest.raises(DemoDataNeedsEmptyDatabase):
        seed_demo_company(InMemoryUnitOfWork(store), CLOCK, clients=10, months=2, seed=7)

    assert len(store.clients) == 1 and not store.activity and not store.orders
