"""Orders and events: each stored once, however often imported; read back client by client in time order."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from contract.examples import UnitOfWorkFactory, a_client, id_of
from domain.errors import ClientNotFound
from domain.orders import Event, EventKind, Order

WARSAW = timezone(timedelta(hours=1))
NOON = datetime(2024, 3, 31, 12, 0, tzinfo=UTC)


@pytest.fixture
def two_clients(uow_factory: UnitOfWorkFactory) -> tuple[int, int]:
    with uow_factory() as uow:
        anna, beata = uow.clients.add(a_client("Anna")), uow.clients.add(a_client("Beata"))
        uow.commit()
    return id_of(anna), id_of(beata)


def test_orders_are_stored_once_by_their_id_or_else_by_the_whole_row(
    uow_factory: UnitOfWorkFactory, two_clients: tuple[int, int]
) -> None:
    anna, _ = two_clients
    orders = [
        Order(anna, NOON, 149.9, order_id="A-1"),
        Order(anna, NOON + timedelta(hours=1), 10.0, order_id="A-1"),  # the same id: the same order
        Order(anna, NOON, 20.0),
        Order(anna, NOON, 20.0),  # the same row twice, no id
        Order(anna, NOON, -20.0),  # a refund of it is another row
    ]
    with uow_factory() as uow:
        assert uow.orders.add_new(orders) == 3
        uow.commit()
    with uow_factory() as uow:
        assert uow.orders.add_new(orders) == 0
        uow.commit()

    with uow_factory() as uow:
        assert uow.orders.count() == 3
        stored = uow.orders.of_clients([anna])[anna]
    assert [(o.amount, o.order_id) for o in stored] == [(149.9, "A-1"), (20.0, None), (-20.0, None)]
    assert all(o.id is not None for o in stored)


def test_a_clients_log_reads_back_in_time_order_and_in_utc(
    uow_factory: UnitOfWorkFactory, two_clients: tuple[int, int]
) -> None:
    anna, beata = two_clients
    late, early = datetime(2024, 4, 1, 0, 30, tzinfo=WARSAW), datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
    with uow_factory() as uow:
        uow.orders.add_new([Order(anna, late, 5.0), Order(anna, early, 7.5), Order(beata, early, 1.0)])
        uow.commit()

    with uow_factory() as uow:
        logs = uow.orders.of_clients([anna, beata, 999])

    assert set(logs) == {anna, beata}
    assert [o.ordered_at for o in logs[anna]] == [early, late.astimezone(UTC)]
    assert logs[anna][1].ordered_on == date(2024, 3, 31)  # half past midnight in Warsaw is still March in UTC


def test_events_are_stored_once_per_client_moment_and_kind(
    uow_factory: UnitOfWorkFactory, two_clients: tuple[int, int]
) -> None:
    anna, beata = two_clients
    events = [
        Event(anna, NOON, EventKind.VISIT, duration_s=300.0),
        Event(anna, NOON, EventKind.VISIT, duration_s=300.0),
        Event(anna, NOON, EventKind.AD_CLICK),
        Event(beata, NOON - timedelta(days=40), EventKind.NEWSLETTER_OPEN),
    ]
    with uow_factory() as uow:
        assert uow.events.first_day() is None
        assert uow.events.add_new(events) == 3
        assert uow.events.add_new(events) == 0
        uow.commit()

    with uow_factory() as uow:
        assert uow.events.count() == 3
        assert uow.events.first_day() == date(2024, 2, 20)
        logs = uow.events.of_clients([anna])
    assert [(e.kind, e.duration_s) for e in logs[anna]] == [
        (EventKind.VISIT, 300.0),
        (EventKind.AD_CLICK, None),
    ]


def test_orders_of_an_unknown_client_are_refused_and_nothing_is_stored(
    uow_factory: UnitOfWorkFactory, two_clients: tuple[int, int]
) -> None:
    anna, _ = two_clients
    with uow_factory() as uow, pytest.raises(ClientNotFound):
        uow.orders.add_new([Order(anna, NOON, 1.0), Order(4040, NOON, 2.0)])

    with uow_factory() as uow:
        assert uow.orders.count() == 0


def test_a_refused_batch_leaves_the_rest_of_the_unit_of_work_alone(
    uow_factory: UnitOfWorkFactory, two_clients: tuple[int, int]
) -> None:
    anna, beata = two_clients
    with uow_factory() as uow:
        assert uow.events.add_new([Event(anna, NOON, EventKind.VISIT)]) == 1
        with pytest.raises(ClientNotFound):
            uow.events.add_new([Event(beata, NOON, EventKind.VISIT), Event(4040, NOON, EventKind.VISIT)])
        assert (
            uow.events.add_new([Event(beata, NOON, EventKind.VISIT), Event(anna, NOON, EventKind.VISIT)]) == 1
        )
        uow.commit()

    with uow_factory() as uow:
        assert uow.events.count() == 2


def test_a_clients_orders_and_events_go_with_the_client(
    uow_factory: UnitOfWorkFactory, two_clients: tuple[int, int]
) -> None:
    anna, beata = two_clients
    with uow_factory() as uow:
        uow.orders.add_new([Order(anna, NOON, 1.0), Order(beata, NOON, 2.0)])
        uow.events.add_new([Event(anna, NOON, EventKind.VISIT)])
        uow.clients.delete(anna)
        uow.commit()

    with uow_factory() as uow:
        assert (uow.orders.count(), uow.events.count()) == (1, 0)


def test_the_entries_a_derivation_reads_are_each_log_rows_utc_day_and_values_in_time_order(
    uow_factory: UnitOfWorkFactory, two_clients: tuple[int, int]
) -> None:
    anna, beata = two_clients
    late, early = datetime(2024, 4, 1, 0, 30, tzinfo=WARSAW), datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
    with uow_factory() as uow:
        uow.orders.add_new([Order(anna, late, 5.0), Order(anna, early, 7.5), Order(beata, early, -1.25)])
        uow.events.add_new(
            [
                Event(anna, late, EventKind.VISIT, duration_s=90.0),
                Event(anna, early, EventKind.AD_CLICK),
                Event(beata, early, EventKind.NEWSLETTER_OPEN),
            ]
        )
        uow.commit()

    with uow_factory() as uow:
        orders = uow.orders.entries_of_clients([anna, beata, 999])
        events = uow.events.entries_of_clients([anna, 999])

    # Half past midnight in Warsaw on 1 April is still 31 March in UTC.
    assert orders == {
        anna: [(date(2024, 3, 1), 7.5), (date(2024, 3, 31), 5.0)],
        beata: [(date(2024, 3, 1), -1.25)],
    }
    assert events == {anna: [(date(2024, 3, 1), "ad_click", None), (date(2024, 3, 31), "visit", 90.0)]}
    assert all(type(amount) is float for _, amount in orders[anna])
