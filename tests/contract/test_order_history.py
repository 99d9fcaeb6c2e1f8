"""A snapshot's order history is stored and read back by every repository read, and the labelled
snapshots read column by column are the training rows, value for value."""

from __future__ import annotations

import math
from array import array
from dataclasses import replace
from datetime import date

import pytest

from contract.examples import UnitOfWorkFactory, a_client, a_snapshot, id_of
from domain.activity import ActivitySnapshot, OrderHistory, SnapshotSource
from domain.columns import COLUMNS, SnapshotColumns
from domain.derivation import NO_PURCHASES, derive_from_entries

JANUARY, FEBRUARY, MARCH = date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31)
HISTORY = OrderHistory(
    spend_90d=120.5,
    spend_180d=240.0,
    spend_365d=1_010.99,
    purchases_365d=9,
    active_months_365d=6,
    purchase_days=8,
    days_since_first_purchase=400,
    avg_order_value=112.33,
)


@pytest.fixture
def ids(uow_factory: UnitOfWorkFactory) -> list[int]:
    """Three clients, registered in January, February and March 2023."""
    with uow_factory() as uow:
        clients = uow.clients.add_many(
            [a_client(f"Klient{n}", registered_on=date(2023, n, 1)) for n in range(1, 4)]
        )
        uow.commit()
    return [id_of(client) for client in clients]


def derived(client_id: int, observed_on: date, **changes: object) -> ActivitySnapshot:
    return a_snapshot(client_id, observed_on, source=SnapshotSource.DERIVED, **changes)


def without_id(snapshot: ActivitySnapshot | None) -> ActivitySnapshot | None:
    return None if snapshot is None else replace(snapshot, id=None)


def every_read(uow_factory: UnitOfWorkFactory, client_id: int, observed_on: date) -> list[object]:
    """The snapshot as each read of the repository gives it."""
    with uow_factory() as uow:
        history = [s for s in uow.activity.history(client_id) if s.observed_on == observed_on]
        training = [
            row.snapshot
            for row in uow.activity.training_rows()
            if (row.snapshot.client_id, row.snapshot.observed_on) == (client_id, observed_on)
        ]
        newest = uow.activity.newest_row(client_id)
        newest_rows = [
            row.snapshot
            for row in uow.activity.newest_rows(client_id - 1, 1)
            if row.snapshot.client_id == client_id
        ]
        return [
            without_id(snapshot)
            for snapshot in (
                uow.activity.get(client_id, observed_on),
                uow.activity.get_many([(client_id, observed_on)]).get((client_id, observed_on)),
                *history,
                *training,
                None if newest is None else newest.snapshot,
                *newest_rows,
            )
        ]


# --- Round trips ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "history",
    [HISTORY, NO_PURCHASES, replace(HISTORY, days_since_first_purchase=None), None],
    ids=["bought", "never-bought", "no-first-purchase", "unknown"],
)
def test_a_derived_snapshots_history_reads_back_from_every_read(
    uow_factory: UnitOfWorkFactory, ids: list[int], history: OrderHistory | None
) -> None:
    snapshot = derived(ids[0], MARCH, sales_next_month=10.0, history=history)
    with uow_factory() as uow:
        uow.activity.replace_derived([ids[0]], [derived(ids[0], JANUARY, sales_next_month=1.0), snapshot])
        uow.commit()

    assert every_read(uow_factory, ids[0], MARCH) == [snapshot] * 6


def test_an_added_snapshot_keeps_its_history_and_one_without_has_none(
    uow_factory: UnitOfWorkFactory, ids: list[int]
) -> None:
    with_history = a_snapshot(ids[0], MARCH, purchased_next_14d=True, history=HISTORY)
    without = a_snapshot(ids[1], MARCH, purchased_next_14d=False)
    with uow_factory() as uow:
        added = uow.activity.add(with_history)
        uow.activity.add_many([without, a_snapshot(ids[2], MARCH, history=NO_PURCHASES)])
        uow.commit()

    assert without_id(added) == with_history
    assert every_read(uow_factory, ids[0], MARCH) == [with_history] * 6
    assert every_read(uow_factory, ids[1], MARCH) == [without] * 6
    with uow_factory() as uow:
        stored = uow.activity.get(ids[2], MARCH)
    assert stored is not None and stored.history == NO_PURCHASES


def test_replacing_a_snapshot_replaces_its_history_and_outcomes_leave_it_alone(
    uow_factory: UnitOfWorkFactory, ids: list[int]
) -> None:
    with uow_factory() as uow:
        uow.activity.add(a_snapshot(ids[0], MARCH, history=HISTORY))
        uow.commit()

    changed = a_snapshot(ids[0], MARCH, history=replace(HISTORY, purchase_days=9))
    with uow_factory() as uow:
        uow.activity.replace_many([changed])
        uow.activity.update_outcomes(changed.with_outcomes(55.5, True))
        uow.commit()

    with uow_factory() as uow:
        assert without_id(uow.activity.get(ids[0], MARCH)) == changed.with_outcomes(55.5, True)


def test_snapshots_derived_from_orders_read_back_as_they_were_derived(
    uow_factory: UnitOfWorkFactory, ids: list[int]
) -> None:
    orders = [
        (date(2023, 3, 5), 19.99),
        (date(2023, 11, 30), 250.0),
        (date(2023, 12, 1), -250.0),
        (date(2024, 1, 31), 0.01),
        (date(2024, 1, 31), 33.33),
        (date(2024, 2, 14), 100.05),
    ]
    snapshots = derive_from_entries(ids[0], date(2023, 1, 1), orders, [], MARCH, None)
    with uow_factory() as uow:
        uow.activity.replace_derived([ids[0]], snapshots)
        uow.commit()

    with uow_factory() as uow:
        stored = [without_id(s) for s in reversed(uow.activity.history(ids[0]))]

    assert stored == snapshots
    assert all(s.history is not None for s in snapshots)


# --- Training columns -------------------------------------------------------------------------


def values(column: array) -> list[float | None]:
    """A column's values, NaN as None: NaN equals nothing, not even itself."""
    return [None if math.isnan(value) else value for value in column]


def test_training_columns_are_the_training_rows_by_date_then_client_column_by_column(
    uow_factory: UnitOfWorkFactory, ids: list[int]
) -> None:
    first, second, third = ids
    with uow_factory() as uow:
        uow.activity.add_many(
            [
                a_snapshot(second, JANUARY, sales_next_month=20.25, purchased_next_14d=True, history=HISTORY),
                a_snapshot(first, FEBRUARY, purchased_next_14d=False, site_visits_30d=None, visits_7d=None),
                a_snapshot(first, JANUARY, sales_next_month=0.0, newsletter_opened=None),
                a_snapshot(third, FEBRUARY, sales_next_month=5.0, days_since_last_purchase=None),
                a_snapshot(third, MARCH),  # no outcome known: not a training example
            ]
        )
        uow.activity.replace_derived(
            [second],
            [
                derived(second, FEBRUARY, sales_next_month=7.5, history=NO_PURCHASES),
                derived(second, MARCH, purchased_next_14d=True, history=HISTORY),
            ],
        )
        uow.commit()

    with uow_factory() as uow:
        columns = uow.activity.training_columns()
        rows = uow.activity.training_rows()

    in_order = sorted(rows, key=lambda row: (row.snapshot.observed_on, row.snapshot.client_id))
    expected = SnapshotColumns.of((row.snapshot, row.registered_on) for row in in_order)
    assert len(columns) == len(expected) == 6
    for name in COLUMNS:
        assert (name, values(columns[name])) == (name, values(expected[name]))
    keys = zip(columns["client_id"], columns["observed_on"], strict=True)
    assert [(int(client_id), date.fromordinal(int(day))) for client_id, day in keys] == [
        (first, JANUARY),
        (second, JANUARY),
        (first, FEBRUARY),
        (second, FEBRUARY),
        (third, FEBRUARY),
        (second, MARCH),
    ]


def test_there_are_no_training_columns_while_no_outcome_is_known(
    uow_factory: UnitOfWorkFactory, ids: list[int]
) -> None:
    with uow_factory() as uow:
        uow.activity.add(a_snapshot(ids[0], MARCH, history=HISTORY))
        uow.commit()

    with uow_factory() as uow:
        columns = uow.activity.training_columns()

    assert len(columns) == 0
    assert set(columns.columns) == set(COLUMNS)
