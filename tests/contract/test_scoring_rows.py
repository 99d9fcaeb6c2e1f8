"""What the models read from activity: labelled snapshots to train on, the newest to score, monthly sales."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from application.ports import ScoringRow
from application.queries import MonthlySales
from contract.examples import UnitOfWorkFactory, a_client, a_snapshot, id_of
from domain.activity import ActivitySnapshot, SnapshotSource
from domain.columns import SnapshotColumns


@pytest.fixture
def ids(uow_factory: UnitOfWorkFactory) -> list[int]:
    """Five clients, registered in different months of 2023."""
    with uow_factory() as uow:
        clients = uow.clients.add_many(
            [a_client(f"Klient{n}", registered_on=date(2023, n, 1)) for n in range(1, 6)]
        )
        uow.commit()
    return [id_of(client) for client in clients]


def store(uow_factory: UnitOfWorkFactory, *snapshots: ActivitySnapshot) -> None:
    with uow_factory() as uow:
        uow.activity.add_many(snapshots)
        uow.commit()


def keys(rows: list[ScoringRow]) -> list[tuple[int, date]]:
    return [(row.snapshot.client_id, row.snapshot.observed_on) for row in rows]


# --- Training rows ----------------------------------------------------------------------------


def test_training_rows_are_the_snapshots_with_a_known_outcome_by_client_and_date(
    uow_factory: UnitOfWorkFactory, ids: list[int]
) -> None:
    first, second = ids[:2]
    store(
        uow_factory,
        a_snapshot(second, date(2024, 2, 1), sales_next_month=10.0, purchased_next_14d=True),
        a_snapshot(first, date(2024, 3, 1), purchased_next_14d=False),
        a_snapshot(first, date(2024, 1, 1), sales_next_month=0.0),
        a_snapshot(first, date(2024, 4, 1)),
        a_snapshot(second, date(2024, 3, 1)),
    )

    with uow_factory() as uow:
        rows = uow.activity.training_rows()

    assert keys(rows) == [(first, date(2024, 1, 1)), (first, date(2024, 3, 1)), (second, date(2024, 2, 1))]


def test_training_rows_carry_the_whole_snapshot_and_the_clients_registration_date(
    uow_factory: UnitOfWorkFactory, ids: list[int]
) -> None:
    labelled = a_snapshot(ids[2], sales_next_month=321.09, purchased_next_14d=True)
    store(uow_factory, labelled)

    with uow_factory() as uow:
        [row] = uow.activity.training_rows()

    assert replace(row.snapshot, id=None) == labelled
    assert row.registered_on == date(2023, 3, 1)


def test_there_are_no_training_rows_while_no_outcome_is_known(
    uow_factory: UnitOfWorkFactory, ids: list[int]
) -> None:
    store(uow_factory, a_snapshot(ids[0]), a_snapshot(ids[1]))

    with uow_factory() as uow:
        assert uow.activity.training_rows() == []


# --- Newest rows ------------------------------------------------------------------------------


@pytest.fixture
def observed(uow_factory: UnitOfWorkFactory, ids: list[int]) -> list[int]:
    """Every client but the third observed; the newest snapshot is not the last one stored."""
    for client_id in (ids[0], ids[1], ids[3], ids[4]):
        store(
            uow_factory,
            a_snapshot(client_id, date(2024, 2, 1), purchases_30d=2),
            a_snapshot(client_id, date(2024, 3, 1), purchases_30d=3),
            a_snapshot(client_id, date(2024, 1, 1), purchases_30d=1),
        )
    return ids


def test_newest_rows_give_each_clients_newest_snapshot_in_client_id_order(
    uow_factory: UnitOfWorkFactory, observed: list[int]
) -> None:
    with uow_factory() as uow:
        rows = uow.activity.newest_rows(after_client_id=0, limit=100)

    expected = [observed[0], observed[1], observed[3], observed[4]]
    assert keys(rows) == [(client_id, date(2024, 3, 1)) for client_id in expected]
    assert {row.snapshot.purchases_30d for row in rows} == {3}
    assert [row.registered_on for row in rows] == [date(2023, n, 1) for n in (1, 2, 4, 5)]


def test_newest_rows_page_through_the_clients_with_activity(
    uow_factory: UnitOfWorkFactory, observed: list[int]
) -> None:
    pages: list[list[int]] = []
    last_id = 0
    with uow_factory() as uow:
        while rows := uow.activity.newest_rows(after_client_id=last_id, limit=2):
            pages.append([row.snapshot.client_id for row in rows])
            last_id = rows[-1].snapshot.client_id

    assert pages == [[observed[0], observed[1]], [observed[3], observed[4]]]


def test_newest_columns_are_the_newest_rows_column_by_column(
    uow_factory: UnitOfWorkFactory, observed: list[int]
) -> None:
    with uow_factory() as uow:
        for after, limit in ((0, 100), (0, 2), (observed[1], 1), (observed[4], 5)):
            rows = uow.activity.newest_rows(after_client_id=after, limit=limit)
            columns = uow.activity.newest_columns(after_client_id=after, limit=limit)
            expected = SnapshotColumns.of((row.snapshot, row.registered_on) for row in rows)
            for name, values in expected.columns.items():
                assert list(columns[name]) == pytest.approx(list(values), nan_ok=True), name


def test_newest_rows_start_after_the_given_client(
    uow_factory: UnitOfWorkFactory, observed: list[int]
) -> None:
    with uow_factory() as uow:
        rows = uow.activity.newest_rows(after_client_id=observed[1], limit=1)

    assert keys(rows) == [(observed[3], date(2024, 3, 1))]


def test_there_are_no_newest_rows_past_the_last_client(
    uow_factory: UnitOfWorkFactory, observed: list[int]
) -> None:
    with uow_factory() as uow:
        assert uow.activity.newest_rows(after_client_id=observed[-1], limit=10) == []


def test_the_newest_row_of_a_client_is_its_newest_snapshot(
    uow_factory: UnitOfWorkFactory, observed: list[int]
) -> None:
    with uow_factory() as uow:
        row = uow.activity.newest_row(observed[1])

    assert row is not None
    assert (row.snapshot.client_id, row.snapshot.observed_on, row.registered_on) == (
        observed[1],
        date(2024, 3, 1),
        date(2023, 2, 1),
    )


def test_a_client_without_activity_has_no_newest_row(
    uow_factory: UnitOfWorkFactory, observed: list[int]
) -> None:
    with uow_factory() as uow:
        assert uow.activity.newest_row(observed[2]) is None
        assert uow.activity.newest_row(424242) is None


# --- Monthly sales ----------------------------------------------------------------------------


def test_monthly_sales_count_each_snapshots_sales_in_the_month_holding_the_day_after_it(
    uow_factory: UnitOfWorkFactory, ids: list[int]
) -> None:
    first, second = ids[:2]
    store(
        uow_factory,
        a_snapshot(first, date(2024, 1, 31), sales_next_month=100.25),
        a_snapshot(second, date(2024, 1, 1), sales_next_month=50.5),
        a_snapshot(first, date(2024, 2, 29), sales_next_month=10.0),
        a_snapshot(second, date(2024, 2, 15), sales_next_month=0.0),
        a_snapshot(first, date(2023, 12, 31), sales_next_month=7.0),
    )

    with uow_factory() as uow:
        monthly = uow.activity.monthly_sales()

    assert monthly == [
        MonthlySales(date(2024, 1, 1), 57.5),  # 31 December's and 1 January's: both forecast January
        MonthlySales(date(2024, 2, 1), 100.25),  # 31 January's and 15 February's
        MonthlySales(date(2024, 3, 1), 10.0),
    ]


def test_a_month_end_and_the_first_of_the_next_month_forecast_the_same_month(
    uow_factory: UnitOfWorkFactory, ids: list[int]
) -> None:
    store(
        uow_factory,
        a_snapshot(ids[0], date(1998, 6, 1), sales_next_month=30.0),  # entered by hand on 1 June
        a_snapshot(ids[1], date(1998, 5, 31), sales_next_month=12.5, source=SnapshotSource.DERIVED),
    )

    with uow_factory() as uow:
        assert uow.activity.monthly_sales() == [MonthlySales(date(1998, 6, 1), 42.5)]


def test_monthly_sales_leave_out_snapshots_whose_sales_are_not_known_yet(
    uow_factory: UnitOfWorkFactory, ids: list[int]
) -> None:
    store(
        uow_factory,
        a_snapshot(ids[0], date(2024, 1, 31), sales_next_month=20.0),
        a_snapshot(ids[0], date(2024, 2, 29), purchased_next_14d=True),
        a_snapshot(ids[1], date(2024, 1, 31)),
    )

    with uow_factory() as uow:
        assert uow.activity.monthly_sales() == [MonthlySales(date(2024, 2, 1), 20.0)]


def test_there_are_no_monthly_sales_without_known_sales(
    uow_factory: UnitOfWorkFactory, ids: list[int]
) -> None:
    with uow_factory() as uow:
        assert uow.activity.monthly_sales() == []


def test_monthly_sales_kept_between_calls_follow_every_change_of_the_snapshots(
    uow_factory: UnitOfWorkFactory, ids: list[int]
) -> None:
    first, second = ids[:2]

    def monthly() -> list[MonthlySales]:
        with uow_factory() as uow:  # committed: an adapter that keeps them keeps them now
            found = uow.activity.monthly_sales()
            uow.commit()
        return found

    store(uow_factory, a_snapshot(first, date(2024, 1, 31), sales_next_month=10.0))
    assert monthly() == monthly() == [MonthlySales(date(2024, 2, 1), 10.0)]
    store(uow_factory, a_snapshot(second, date(2024, 1, 31), sales_next_month=5.0))
    assert monthly() == [MonthlySales(date(2024, 2, 1), 15.0)]
    with uow_factory() as uow:
        uow.activity.update_outcomes(a_snapshot(second, date(2024, 1, 31), sales_next_month=7.0))
        uow.commit()
    assert monthly() == [MonthlySales(date(2024, 2, 1), 17.0)]
    with uow_factory() as uow:
        uow.clients.delete(first)
        uow.commit()
    assert monthly() == [MonthlySales(date(2024, 2, 1), 7.0)]
