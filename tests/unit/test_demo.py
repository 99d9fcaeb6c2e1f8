"""The synthetic demo company: reproducible, plausible, never in the future, and learnable."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from statistics import correlation

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.clock import FixedClock
from adapters.memory import InMemoryStore, InMemoryUnitOfWork
from application.commands import NewClient, NewSnapshot
from application.demo import (
    DemoDataNeedsEmptyDatabase,
    generate_company,
    observation_dates,
    seed_demo_company,
)
from application.validation import InvalidInput
from domain.activity import ActivitySnapshot
from domain.clients import Client, email_key

TODAY = date(2025, 11, 26)
CLOCK = FixedClock(datetime(2025, 11, 26, 9, 30, tzinfo=UTC))
DATES = observation_dates(TODAY, 6)


@dataclass(frozen=True)
class Lived:
    client: Client
    activity: list[ActivitySnapshot]


def company(clients: int = 300, months: int = 6, seed: int = 7) -> list[Lived]:
    generated = generate_company(clients, observation_dates(TODAY, months), seed)
    return [
        Lived(synthetic.client, synthetic.activity_of(number))
        for number, synthetic in enumerate(generated, 1)
    ]


@pytest.fixture(scope="module")
def demo() -> list[Lived]:
    return company()


def test_the_same_seed_gives_the_same_company() -> None:
    assert company(50, 4, seed=11) == company(50, 4, seed=11)


def test_another_seed_gives_another_company() -> None:
    assert company(50, 4, seed=11) != company(50, 4, seed=12)


def test_observations_are_the_last_month_ends_before_today() -> None:
    month_ends = [(5, 31), (6, 30), (7, 31), (8, 31), (9, 30), (10, 31)]
    assert [date(2025, month, day) for month, day in month_ends] == DATES


def test_a_month_end_today_is_observed_today() -> None:
    assert observation_dates(date(2024, 2, 29), 2) == [date(2024, 1, 31), date(2024, 2, 29)]


def test_every_client_has_one_snapshot_per_month_and_none_in_the_future(demo: list[Lived]) -> None:
    for synthetic in demo:
        assert [s.observed_on for s in synthetic.activity] == DATES
        assert all(s.observed_on <= TODAY for s in synthetic.activity)


def test_clients_registered_within_three_years_before_the_first_observation(
    demo: list[Lived],
) -> None:
    registrations = [s.client.registered_on for s in demo]
    assert all(DATES[0] - timedelta(days=3 * 365) <= day <= DATES[0] for day in registrations)
    assert max(registrations) - min(registrations) > timedelta(days=2 * 365)


def test_emails_are_unique_regardless_of_case(demo: list[Lived]) -> None:
    assert len({email_key(s.client.email) for s in demo}) == len(demo)


def test_clients_and_snapshots_pass_the_validation_every_entrypoint_uses(
    demo: list[Lived],
) -> None:
    for synthetic in demo:
        client = synthetic.client
        NewClient.parse(_fields(client))
        for snapshot in synthetic.activity:
            NewSnapshot.parse(_snapshot_fields(snapshot))


def test_only_the_newest_snapshot_awaits_its_outcomes(demo: list[Lived]) -> None:
    for synthetic in demo:
        *known, newest = synthetic.activity
        assert newest.sales_next_month is None and newest.purchased_next_14d is None
        assert all(s.sales_next_month is not None and s.purchased_next_14d is not None for s in known)


def test_a_client_who_never_bought_has_no_days_since_last_purchase(demo: list[Lived]) -> None:
    snapshots = [s for synthetic in demo for s in synthetic.activity]
    never_bought = [s for s in snapshots if s.days_since_last_purchase is None]
    assert never_bought, "some clients should never have bought"
    assert all(s.purchases_30d == 0 and s.avg_basket_value == 0 for s in never_bought)
    assert all(s.days_since_last_purchase is not None for s in snapshots if s.purchases_30d > 0)


def test_a_client_who_buys_within_14_days_spends_in_the_month(demo: list[Lived]) -> None:
    snapshots = [s for synthetic in demo for s in synthetic.activity]
    assert all(s.sales_next_month for s in snapshots if s.purchased_next_14d)


def test_next_months_purchases_are_what_was_spent(demo: list[Lived]) -> None:
    for synthetic in demo:
        for before, after in pairwise(synthetic.activity):
            spent = after.purchases_30d * after.avg_basket_value
            assert spent == pytest.approx(before.sales_next_month, abs=0.01 * after.purchases_30d + 0.01)


def test_consecutive_months_of_a_client_are_correlated(demo: list[Lived]) -> None:
    pairs = [(a.site_visits_30d, b.site_visits_30d) for s in demo for a, b in pairwise(s.activity)]
    assert correlation([a for a, _ in pairs], [b for _, b in pairs]) > 0.4


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**63 - 1), months=st.integers(1, 24), today=st.dates(date(2000, 1, 1)))
def test_any_seed_gives_a_consistent_history(seed: int, months: int, today: date) -> None:
    [synthetic] = generate_company(1, observation_dates(today, months), seed)
    registered_on = synthetic.client.registered_on
    for snapshot in synthetic.activity_of(1):
        assert registered_on <= snapshot.observed_on <= today
        days = snapshot.days_since_last_purchase
        assert days is None or days <= (snapshot.observed_on - registered_on).days
        assert snapshot.purchases_30d == 0 or (days is not None and days < 30)


def test_seeding_writes_every_client_and_snapshot() -> None:
    store = InMemoryStore()

    report = seed_demo_company(InMemoryUnitOfWork(store), CLOCK, clients=40, months=3, seed=7)

    assert (report.clients, report.snapshots, report.labelled_snapshots) == (40, 120, 80)
    assert (report.first_observed_on, report.last_observed_on) == (date(2025, 8, 31), date(2025, 10, 31))
    assert len(store.clients) == 40 and len(store.activity) == 120
    assert {s.client_id for s in store.activity.values()} == set(store.clients)


def test_seeding_stores_what_the_generator_makes() -> None:
    store = InMemoryStore()

    seed_demo_company(InMemoryUnitOfWork(store), CLOCK, clients=5, months=2, seed=3)

    generated = list(generate_company(5, observation_dates(TODAY, 2), seed=3))
    assert [_fields(c) for c in store.clients.values()] == [_fields(s.client) for s in generated]
    for synthetic, client_id in zip(generated, store.clients, strict=True):
        stored = [store.activity[(client_id, day)] for day in synthetic.observed_on]
        assert [replace(s, id=None) for s in stored] == synthetic.activity_of(client_id)


def test_a_clients_activity_is_the_same_whatever_id_it_is_stored_under() -> None:
    [synthetic] = generate_company(1, DATES, seed=5)

    assert [replace(s, client_id=0) for s in synthetic.activity_of(42)] == synthetic.activity_of(0)


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

    assert len(store.clients) == 1 and not store.activity


def _fields(client: Client) -> dict[str, object]:
    return {name: getattr(client, name) for name in NewClient.model_fields}


def _snapshot_fields(snapshot: ActivitySnapshot) -> dict[str, object]:
    return {name: getattr(snapshot, name) for name in NewSnapshot.model_fields}
