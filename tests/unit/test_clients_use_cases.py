"""Use cases about clients and their activity, on the in-memory unit of work."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.clock import FixedClock
from adapters.memory import InMemoryStore, InMemoryUnitOfWork
from application.clients import (
    delete_client,
    get_snapshot,
    record_activity,
    record_outcomes,
    register_client,
    update_client,
)
from application.commands import ClientChanges, ClientListQuery, NewClient, NewSnapshot, Outcomes
from application.queries import client_page, list_clients
from application.validation import InvalidInput
from domain.clients import Client
from domain.errors import ClientNotFound, DomainError, DuplicateEmail, DuplicateSnapshot, SnapshotNotFound
from unit.conftest import CLIENT, SNAPSHOT

CLOCK = FixedClock(datetime(2024, 4, 10, 12, 0, tzinfo=UTC))


def register(uow: InMemoryUnitOfWork, first_name: str = "Anna", **changes: Any) -> Client:
    data = {**CLIENT, "first_name": first_name, "email": f"{first_name.lower()}@example.com", **changes}
    return register_client(NewClient.parse(data), uow, CLOCK)


def client_id(client: Client) -> int:
    assert client.id is not None
    return client.id


def snapshot(**changes: Any) -> NewSnapshot:
    return NewSnapshot.parse({**SNAPSHOT, **changes})


# --- registering and changing clients ----------------------------------------------------------


def test_registering_a_client_stores_it_with_an_id(uow: InMemoryUnitOfWork, store: InMemoryStore) -> None:
    client = register(uow)

    assert client.id is not None
    assert store.clients[client.id] == client


def test_a_client_registered_in_the_future_is_refused_and_nothing_is_written(
    uow: InMemoryUnitOfWork, store: InMemoryStore
) -> None:
    with pytest.raises(InvalidInput) as refused:
        register(uow, registered_on="2024-04-11")

    assert [e.field for e in refused.value.errors] == ["registered_on"]
    assert not store.clients


def test_an_email_taken_in_another_case_is_refused_and_nothing_is_written(
    uow: InMemoryUnitOfWork, store: InMemoryStore
) -> None:
    register(uow, email="anna@example.com")

    with pytest.raises(DuplicateEmail) as refused:
        register(uow, "Anka", email="ANNA@Example.com")

    assert refused.value.field == "email"
    assert len(store.clients) == 1


def test_updating_a_client_changes_only_what_was_given(uow: InMemoryUnitOfWork) -> None:
    client = register(uow)

    updated = update_client(client_id(client), ClientChanges.parse({"last_name": "Kowalska"}), uow, CLOCK)

    assert (updated.first_name, updated.last_name, updated.email) == ("Anna", "Kowalska", client.email)
    assert client_page(client_id(client), uow).client == updated


def test_a_client_may_change_the_case_of_their_own_email(uow: InMemoryUnitOfWork) -> None:
    client = register(uow, email="anna@example.com")

    updated = update_client(client_id(client), ClientChanges.parse({"email": "Anna@example.com"}), uow, CLOCK)

    assert updated.email == "Anna@example.com"


def test_taking_another_clients_email_is_refused_and_nothing_changes(
    uow: InMemoryUnitOfWork, store: InMemoryStore
) -> None:
    anna = register(uow)
    register(uow, "Ola")

    with pytest.raises(DuplicateEmail):
        update_client(client_id(anna), ClientChanges.parse({"email": "OLA@example.com"}), uow, CLOCK)

    assert store.clients[client_id(anna)].email == "anna@example.com"


def test_moving_a_registration_into_the_future_is_refused(
    uow: InMemoryUnitOfWork, store: InMemoryStore
) -> None:
    client = register(uow)

    with pytest.raises(InvalidInput) as refused:
        update_client(client_id(client), ClientChanges.parse({"registered_on": "2030-01-01"}), uow, CLOCK)

    assert [e.field for e in refused.value.errors] == ["registered_on"]
    assert store.clients[client_id(client)] == client


def test_changing_or_deleting_an_unknown_client_is_refused(uow: InMemoryUnitOfWork) -> None:
    with pytest.raises(ClientNotFound):
        update_client(404, ClientChanges.parse({"last_name": "Kowalska"}), uow, CLOCK)
    with pytest.raises(ClientNotFound):
        delete_client(404, uow)


def test_deleting_a_client_removes_its_activity_too(uow: InMemoryUnitOfWork, store: InMemoryStore) -> None:
    client = register(uow)
    record_activity(client_id(client), snapshot(), uow, CLOCK)

    delete_client(client_id(client), uow)

    assert not store.clients and not store.activity


# --- listing and looking at clients ------------------------------------------------------------


def test_the_client_list_finds_clients_by_name_or_email_and_pages_them(uow: InMemoryUnitOfWork) -> None:
    for name in ("Anna", "Ola", "Ewa", "Zofia"):
        register(uow, name)

    page = list_clients(ClientListQuery.parse({"q": "a", "sort": "first_name", "per_page": 2}), uow)

    assert page.total == 4 and page.pages == 2
    assert [item.client.first_name for item in page.items] == ["Anna", "Ewa"]


def test_the_detail_of_a_client_shows_its_activity_newest_first(uow: InMemoryUnitOfWork) -> None:
    client = register(uow)
    for day in ("2024-01-31", "2024-03-31", "2024-02-29"):
        record_activity(client_id(client), snapshot(observed_on=day), uow, CLOCK)

    detail = client_page(client_id(client), uow)

    assert [s.observed_on for s in detail.activity] == [
        date(2024, 3, 31),
        date(2024, 2, 29),
        date(2024, 1, 31),
    ]
    assert detail.overview.latest_observed_on == date(2024, 3, 31)


def test_the_detail_of_an_unknown_client_is_refused(uow: InMemoryUnitOfWork) -> None:
    with pytest.raises(ClientNotFound):
        client_page(404, uow)


# --- recording activity and outcomes -----------------------------------------------------------


def test_recording_activity_stores_a_snapshot_of_the_client(uow: InMemoryUnitOfWork) -> None:
    client = register(uow)

    stored = record_activity(client_id(client), snapshot(), uow, CLOCK)

    assert stored.client_id == client.id and stored.id is not None
    assert stored.has_purchase_history and not stored.has_known_sales


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"observed_on": "2024-04-11"}, "observed_on"),
        ({"observed_on": "2022-12-31"}, "observed_on"),
    ],
)
def test_activity_in_the_future_or_before_registration_is_refused_and_nothing_is_written(
    uow: InMemoryUnitOfWork, store: InMemoryStore, changes: dict[str, Any], field: str
) -> None:
    client = register(uow)

    with pytest.raises(InvalidInput) as refused:
        record_activity(client_id(client), snapshot(**changes), uow, CLOCK)

    assert [e.field for e in refused.value.errors] == [field]
    assert not store.activity


def test_activity_of_an_unknown_client_is_refused(uow: InMemoryUnitOfWork, store: InMemoryStore) -> None:
    with pytest.raises(ClientNotFound):
        record_activity(404, snapshot(), uow, CLOCK)

    assert not store.activity


def test_a_second_snapshot_on_the_same_day_is_refused(uow: InMemoryUnitOfWork, store: InMemoryStore) -> None:
    client = register(uow)
    first = record_activity(client_id(client), snapshot(), uow, CLOCK)

    with pytest.raises(DuplicateSnapshot) as refused:
        record_activity(client_id(client), snapshot(purchases_30d=7), uow, CLOCK)

    assert refused.value.field == "observed_on"
    assert list(store.activity.values()) == [first]


def test_outcomes_are_filled_in_once_known(uow: InMemoryUnitOfWork) -> None:
    client = register(uow)
    record_activity(client_id(client), snapshot(), uow, CLOCK)

    record_outcomes(client_id(client), date(2024, 3, 31), Outcomes.parse({"sales_next_month": 310.2}), uow)
    updated = record_outcomes(
        client_id(client), date(2024, 3, 31), Outcomes.parse({"purchased_next_14d": True}), uow
    )

    assert (updated.sales_next_month, updated.purchased_next_14d) == (310.2, True)
    assert client_page(client_id(client), uow).activity[0] == updated


def test_outcomes_of_a_snapshot_that_does_not_exist_are_refused(uow: InMemoryUnitOfWork) -> None:
    client = register(uow)
    outcomes = Outcomes.parse({"sales_next_month": 10})

    with pytest.raises(SnapshotNotFound):
        record_outcomes(client_id(client), date(2024, 3, 31), outcomes, uow)
    with pytest.raises(ClientNotFound):
        record_outcomes(404, date(2024, 3, 31), outcomes, uow)


def test_one_snapshot_is_read_by_its_client_and_date(uow: InMemoryUnitOfWork) -> None:
    client = register(uow)
    recorded = record_activity(client_id(client), snapshot(), uow, CLOCK)

    assert get_snapshot(client_id(client), date(2024, 3, 31), uow) == recorded
    with pytest.raises(SnapshotNotFound):
        get_snapshot(client_id(client), date(2024, 3, 30), uow)
    with pytest.raises(ClientNotFound):
        get_snapshot(404, date(2024, 3, 31), uow)


values = st.none() | st.booleans() | st.integers(-10, 10**7) | st.floats() | st.text(max_size=20) | st.dates()


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from([*SNAPSHOT, "sales_next_month", "purchased_next_14d"]), values))
def test_any_activity_input_is_stored_valid_or_refused_cleanly(data: dict[str, Any]) -> None:
    store = InMemoryStore()
    uow = InMemoryUnitOfWork(store)
    client = register(uow)

    try:
        stored = record_activity(client_id(client), NewSnapshot.parse({**SNAPSHOT, **data}), uow, CLOCK)
    except DomainError:
        assert not store.activity
        return
    assert store.activity[(client_id(client), stored.observed_on)] == stored
    assert client.registered_on <= stored.observed_on <= CLOCK.today()
    if stored.visits_7d is not None and stored.site_visits_30d is not None:
        assert stored.visits_7d <= stored.site_visits_30d


# --- every mistake of a form at once ----------------------------------------------------------


def test_a_bad_number_and_a_future_date_are_refused_together(
    uow: InMemoryUnitOfWork, store: InMemoryStore
) -> None:
    client = register(uow)
    entered = {**SNAPSHOT, "observed_on": "2024-04-11", "purchases_30d": "many", "avg_basket_value": "-1"}

    with pytest.raises(InvalidInput) as refused:
        record_activity(client_id(client), entered, uow, CLOCK)

    assert [(e.field, e.code, dict(e.params)) for e in refused.value.errors] == [
        ("observed_on", "date_in_future", {"today": "2024-04-10"}),
        ("purchases_30d", "int_parsing", {}),
        ("avg_basket_value", "greater_than_equal", {"ge": 0.0}),
    ]
    assert not store.activity


def test_a_snapshot_before_registration_names_the_registration_date(uow: InMemoryUnitOfWork) -> None:
    client = register(uow, registered_on="2023-01-15")

    with pytest.raises(InvalidInput) as refused:
        record_activity(client_id(client), {**SNAPSHOT, "observed_on": "2022-12-31"}, uow, CLOCK)

    [error] = refused.value.errors
    assert (error.field, error.code, dict(error.params)) == (
        "observed_on",
        "before_registration",
        {"registered_on": "2023-01-15"},
    )


def test_a_new_client_with_a_future_registration_and_a_bad_email_hears_of_both(
    uow: InMemoryUnitOfWork,
) -> None:
    entered = {"first_name": "Anna", "last_name": "Nowak", "email": "anna@", "registered_on": "2024-05-01"}

    with pytest.raises(InvalidInput) as refused:
        register_client(entered, uow, CLOCK)

    assert {(e.field, e.code) for e in refused.value.errors} == {
        ("email", "invalid_email"),
        ("registered_on", "date_in_future"),
    }
