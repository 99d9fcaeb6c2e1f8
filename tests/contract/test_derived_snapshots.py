"""Derived snapshots: replaced client by client in bulk, never over an entered one; clients with logs."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from contract.examples import UnitOfWorkFactory, a_client, a_snapshot, id_of
from domain.activity import ActivitySnapshot, SnapshotSource
from domain.orders import Event, EventKind, Order

JANUARY, FEBRUARY, MARCH = date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31)


@pytest.fixture
def ids(uow_factory: UnitOfWorkFactory) -> list[int]:
    with uow_factory() as uow:
        clients = uow.clients.add_many([a_client(f"Klient{n}") for n in range(1, 5)])
        uow.commit()
    return [id_of(client) for client in clients]


def derived(client_id: int, observed_on: date, **changes: object) -> ActivitySnapshot:
    return a_snapshot(client_id, observed_on, source=SnapshotSource.DERIVED, **changes)


def stored(uow_factory: UnitOfWorkFactory, client_id: int) -> list[ActivitySnapshot]:
    with uow_factory() as uow:
        return [replace(s, id=None) for s in reversed(uow.activity.history(client_id))]


def test_derived_snapshots_replace_the_clients_earlier_derived_ones(
    uow_factory: UnitOfWorkFactory, ids: list[int]
) -> None:
    anna, beata = ids[:2]
    with uow_factory() as uow:
        assert (
            uow.activity.replace_derived([anna, beata], [derived(anna, JANUARY), derived(beata, JANUARY)])
            == 2
        )
        uow.commit()

    new = [derived(anna, JANUARY, purchases_30d=9), derived(anna, FEBRUARY)]
    with uow_factory() as uow:
        assert uow.activity.replace_derived([anna], new) == 2
        uow.commit()

    assert stored(uow_factory, anna) == new
    assert stored(uow_factory, beata) == [derived(beata, JANUARY)]


def test_an_entered_snapshot_is_kept_and_no_derived_one_is_stored_beside_it(
    uow_factory: UnitOfWorkFactory, ids: list[int]
) -> None:
    anna = ids[0]
    entered = a_snapshot(anna, FEBRUARY, purchases_30d=1, sales_next_month=10.0)
    with uow_factory() as uow:
        uow.activity.add(entered)
        uow.commit()

    with uow_factory() as uow:
        written = uow.activity.replace_derived([anna], [derived(anna, d) for d in (JANUARY, FEBRUARY, MARCH)])
        uow.commit()

    assert written == 2
    assert stored(uow_factory, anna) == [derived(anna, JANUARY), entered, derived(anna, MARCH)]


def test_replacing_with_nothing_drops_the_clients_derived_snapshots_only(
    uow_factory: UnitOfWorkFactory, ids: list[int]
) -> None:
    anna = ids[0]
    with uow_factory() as uow:
        uow.activity.add(a_snapshot(anna, MARCH))
        uow.activity.replace_derived([anna], [derived(anna, JANUARY)])
        uow.commit()

    with uow_factory() as uow:
        assert uow.activity.replace_derived([anna], []) == 0
        uow.commit()

    assert stored(uow_factory, anna) == [a_snapshot(anna, MARCH)]


def test_clients_with_logs_are_those_with_orders_or_events_in_id_order_and_pages(
    uow_factory: UnitOfWorkFactory, ids: list[int]
) -> None:
    anna, beata, celina, _ = ids
    moment = datetime(2024, 1, 5, 10, tzinfo=UTC)
    with uow_factory() as uow:
        uow.orders.add_new([Order(celina, moment, 10.0), Order(anna, moment, 5.0), Order(anna, moment, 6.0)])
        uow.events.add_new([Event(beata, moment, EventKind.VISIT), Event(anna, moment, EventKind.AD_CLICK)])
        uow.commit()

    with uow_factory() as uow:
        assert [c.id for c in uow.clients.with_logs(0, 10)] == [anna, beata, celina]
        assert [c.id for c in uow.clients.with_logs(anna, 1)] == [beata]
        assert uow.clients.with_logs(celina, 10) == []
        [first] = uow.clients.with_logs(0, 1)
    assert (first.email, first.registered_on) == ("klient1@example.pl", date(2023, 1, 15))
