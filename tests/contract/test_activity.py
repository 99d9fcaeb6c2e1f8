"""The activity repository: one snapshot per client per date, history newest first, outcomes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta

import pytest

from application.ports import Percentile
from contract.examples import UnitOfWorkFactory, a_client, a_snapshot, id_of
from domain.clients import Client
from domain.errors import ClientNotFound, DuplicateSnapshot, SnapshotNotFound


@pytest.fixture
def anna(uow_factory: UnitOfWorkFactory) -> Client:
    with uow_factory() as uow:
        client = uow.clients.add(a_client("Anna"))
        uow.commit()
    return client


@pytest.fixture
def anna_id(anna: Client) -> int:
    assert anna.id is not None
    return anna.id


def months_of(year: int, months: range) -> Iterator[date]:
    return (date(year, month, 1) for month in months)


def test_an_added_snapshot_gets_an_id_and_reads_back_equal(
    uow_factory: UnitOfWorkFactory, anna_id: int
) -> None:
    with uow_factory() as uow:
        snapshot = uow.activity.add(a_snapshot(anna_id, date(2024, 3, 1)))
        uow.commit()

    assert snapshot.id is not None
    with uow_factory() as uow:
        assert uow.activity.get(anna_id, date(2024, 3, 1)) == snapshot


def test_a_snapshot_without_optional_values_reads_back_equal(
    uow_factory: UnitOfWorkFactory, anna_id: int
) -> None:
    never_bought = a_snapshot(
        anna_id, purchases_30d=0, avg_basket_value=0.0, days_since_last_purchase=None, newsletter_opened=False
    )
    with uow_factory() as uow:
        stored = uow.activity.add(never_bought)
        uow.commit()

    with uow_factory() as uow:
        read = uow.activity.get(anna_id, never_bought.observed_on)
    assert read == stored
    assert read is not None and not read.has_purchase_history and not read.has_known_sales


def test_money_and_minutes_keep_their_grosze_and_fractions(
    uow_factory: UnitOfWorkFactory, anna_id: int
) -> None:
    with uow_factory() as uow:
        uow.activity.add(
            a_snapshot(anna_id, avg_basket_value=1234567.89, time_on_site_7d=0.25, sales_next_month=0.01)
        )
        uow.commit()

    with uow_factory() as uow:
        read = uow.activity.get(anna_id, date(2024, 3, 1))
    assert read is not None
    assert (read.avg_basket_value, read.time_on_site_7d, read.sales_next_month) == (1234567.89, 0.25, 0.01)


def test_there_is_no_snapshot_on_a_date_not_observed(uow_factory: UnitOfWorkFactory, anna_id: int) -> None:
    with uow_factory() as uow:
        uow.activity.add(a_snapshot(anna_id, date(2024, 3, 1)))

        assert uow.activity.get(anna_id, date(2024, 3, 2)) is None
        assert uow.activity.get(424242, date(2024, 3, 1)) is None


def test_history_lists_a_clients_snapshots_newest_first(uow_factory: UnitOfWorkFactory, anna_id: int) -> None:
    with uow_factory() as uow:
        beata = uow.clients.add(a_client("Beata"))
        for observed_on in [date(2024, 2, 1), date(2024, 4, 1), date(2024, 1, 1), date(2024, 3, 1)]:
            uow.activity.add(a_snapshot(anna_id, observed_on))
        uow.activity.add(a_snapshot(id_of(beata), date(2024, 5, 1)))
        uow.commit()

    with uow_factory() as uow:
        history = uow.activity.history(anna_id)

    assert [s.observed_on for s in history] == [date(2024, month, 1) for month in (4, 3, 2, 1)]


def test_a_client_without_snapshots_has_an_empty_history(
    uow_factory: UnitOfWorkFactory, anna_id: int
) -> None:
    with uow_factory() as uow:
        assert uow.activity.history(anna_id) == []


def test_refuses_a_second_snapshot_for_the_same_client_and_date(
    uow_factory: UnitOfWorkFactory, anna_id: int
) -> None:
    with uow_factory() as uow:
        first = uow.activity.add(a_snapshot(anna_id, date(2024, 3, 1), purchases_30d=1))
        with pytest.raises(DuplicateSnapshot):
            uow.activity.add(a_snapshot(anna_id, date(2024, 3, 1), purchases_30d=9))
        uow.activity.add(a_snapshot(anna_id, date(2024, 4, 1)))
        uow.commit()

    with uow_factory() as uow:
        assert uow.activity.get(anna_id, date(2024, 3, 1)) == first
        assert uow.activity.count() == 2


def test_different_clients_may_be_observed_on_the_same_date(
    uow_factory: UnitOfWorkFactory, anna_id: int
) -> None:
    with uow_factory() as uow:
        beata = uow.clients.add(a_client("Beata"))
        uow.activity.add(a_snapshot(anna_id, date(2024, 3, 1)))
        uow.activity.add(a_snapshot(id_of(beata), date(2024, 3, 1)))

        assert uow.activity.count() == 2


def test_refuses_a_snapshot_of_a_client_that_does_not_exist(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        with pytest.raises(ClientNotFound):
            uow.activity.add(a_snapshot(424242))

        assert uow.activity.count() == 0


def test_recording_outcomes_keeps_the_observed_values(uow_factory: UnitOfWorkFactory, anna_id: int) -> None:
    with uow_factory() as uow:
        snapshot = uow.activity.add(a_snapshot(anna_id))
        uow.commit()

    with uow_factory() as uow:
        uow.activity.update_outcomes(snapshot.with_outcomes(sales_next_month=420.5, purchased_next_14d=True))
        uow.commit()

    with uow_factory() as uow:
        assert uow.activity.get(anna_id, snapshot.observed_on) == snapshot.with_outcomes(420.5, True)


def test_recording_outcomes_changes_nothing_but_the_outcomes(
    uow_factory: UnitOfWorkFactory, anna_id: int
) -> None:
    with uow_factory() as uow:
        snapshot = uow.activity.add(a_snapshot(anna_id, purchases_30d=3))
        uow.activity.update_outcomes(a_snapshot(anna_id, purchases_30d=7, purchased_next_14d=False))

        assert uow.activity.get(anna_id, snapshot.observed_on) == snapshot.with_outcomes(None, False)


def test_recording_outcomes_of_a_snapshot_that_does_not_exist_is_refused(
    uow_factory: UnitOfWorkFactory, anna_id: int
) -> None:
    with uow_factory() as uow, pytest.raises(SnapshotNotFound):
        uow.activity.update_outcomes(a_snapshot(anna_id, sales_next_month=10.0))


def test_add_many_stores_every_snapshot_and_says_how_many(
    uow_factory: UnitOfWorkFactory, anna_id: int
) -> None:
    with uow_factory() as uow:
        stored = uow.activity.add_many(a_snapshot(anna_id, day) for day in months_of(2023, range(1, 13)))
        uow.commit()

    assert stored == 12
    with uow_factory() as uow:
        history = uow.activity.history(anna_id)
    assert [replace(s, id=None) for s in history] == [
        a_snapshot(anna_id, day) for day in months_of(2023, range(12, 0, -1))
    ]


def test_add_many_of_no_snapshots_stores_nothing(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        assert uow.activity.add_many([]) == 0


def test_add_many_refuses_the_whole_batch_when_a_snapshot_repeats_a_date(
    uow_factory: UnitOfWorkFactory, anna_id: int
) -> None:
    with uow_factory() as uow:
        uow.activity.add(a_snapshot(anna_id, date(2024, 1, 1)))
        batch = [a_snapshot(anna_id, date(2024, 2, 1)), a_snapshot(anna_id, date(2024, 1, 1))]
        with pytest.raises(DuplicateSnapshot):
            uow.activity.add_many(batch)
        uow.commit()

    with uow_factory() as uow:
        assert [s.observed_on for s in uow.activity.history(anna_id)] == [date(2024, 1, 1)]


def test_add_many_refuses_the_whole_batch_when_a_client_does_not_exist(
    uow_factory: UnitOfWorkFactory, anna_id: int
) -> None:
    with uow_factory() as uow:
        with pytest.raises(ClientNotFound):
            uow.activity.add_many([a_snapshot(anna_id), a_snapshot(424242)])

        assert uow.activity.count() == 0


def test_counts_the_stored_snapshots(uow_factory: UnitOfWorkFactory, anna_id: int) -> None:
    with uow_factory() as uow:
        uow.activity.add_many(a_snapshot(anna_id, day) for day in months_of(2024, range(1, 4)))

        assert uow.activity.count() == 3


def test_counts_the_clients_with_a_snapshot(uow_factory: UnitOfWorkFactory, anna_id: int) -> None:
    with uow_factory() as uow:
        assert uow.activity.count_clients() == 0
        ben = uow.clients.add(a_client("Ben"))
        uow.clients.add(a_client("Cyd"))
        uow.activity.add_many(a_snapshot(anna_id, day) for day in months_of(2024, range(1, 4)))
        uow.activity.add(a_snapshot(id_of(ben)))

        assert uow.activity.count_clients() == 2


def test_says_which_client_and_date_pairs_already_have_a_snapshot(
    uow_factory: UnitOfWorkFactory, anna_id: int
) -> None:
    with uow_factory() as uow:
        beata = id_of(uow.clients.add(a_client("Beata")))
        uow.activity.add_many([a_snapshot(anna_id, date(2024, 1, 1)), a_snapshot(beata, date(2024, 2, 1))])
        uow.commit()

    asked = [
        (anna_id, date(2024, 1, 1)),
        (anna_id, date(2024, 2, 1)),
        (beata, date(2024, 2, 1)),
        (424242, date(2024, 1, 1)),
    ]
    with uow_factory() as uow:
        assert uow.activity.existing(asked) == {(anna_id, date(2024, 1, 1)), (beata, date(2024, 2, 1))}
        assert uow.activity.existing([]) == set()


def test_says_which_of_thousands_of_pairs_already_have_a_snapshot(
    uow_factory: UnitOfWorkFactory, anna_id: int
) -> None:
    days = [date(2020, 1, 1) + timedelta(days=n) for n in range(5_000)]
    with uow_factory() as uow:
        uow.activity.add_many(a_snapshot(anna_id, day) for day in days[::2])
        uow.commit()

    with uow_factory() as uow:
        taken = uow.activity.existing((anna_id, day) for day in days)

    assert taken == {(anna_id, day) for day in days[::2]}


def test_stored_snapshots_are_read_by_client_and_date(uow_factory: UnitOfWorkFactory, anna_id: int) -> None:
    with uow_factory() as uow:
        march = uow.activity.add(a_snapshot(anna_id, date(2024, 3, 1)))
        uow.activity.add(a_snapshot(anna_id, date(2024, 4, 1)))
        uow.commit()

    with uow_factory() as uow:
        found = uow.activity.get_many(
            [(anna_id, date(2024, 3, 1)), (anna_id, date(2024, 5, 1)), (9999, date(2024, 3, 1))]
        )

    assert found == {(anna_id, date(2024, 3, 1)): march}


def test_replacing_snapshots_overwrites_every_value_and_keeps_the_others(
    uow_factory: UnitOfWorkFactory, anna_id: int
) -> None:
    with uow_factory() as uow:
        march = uow.activity.add(a_snapshot(anna_id, date(2024, 3, 1)))
        april = uow.activity.add(a_snapshot(anna_id, date(2024, 4, 1)))
        uow.commit()

    corrected = replace(
        march,
        purchases_30d=7,
        site_visits_30d=None,
        visits_7d=None,
        sales_next_month=310.5,
        purchased_next_14d=True,
        id=None,
    )
    with uow_factory() as uow:
        uow.activity.replace_many([corrected])
        uow.commit()

    with uow_factory() as uow:
        assert uow.activity.get(anna_id, date(2024, 3, 1)) == replace(corrected, id=march.id)
        assert uow.activity.get(anna_id, date(2024, 4, 1)) == april
        assert uow.activity.count() == 2


def test_a_percentile_is_read_at_its_nearest_rank_over_the_snapshots_that_know_the_value(
    uow_factory: UnitOfWorkFactory, anna_id: int
) -> None:
    baskets = [float(value) for value in range(100, 0, -1)]  # 100 values, stored out of order
    with uow_factory() as uow:
        for day, basket in enumerate(baskets):
            uow.activity.add(
                a_snapshot(anna_id, date(2020, 1, 1) + timedelta(days=day), avg_basket_value=basket)
            )
        uow.activity.add(a_snapshot(anna_id, date(2021, 1, 1), site_visits_30d=None, visits_7d=None))
        uow.commit()

    with uow_factory() as uow:
        assert uow.activity.percentile("avg_basket_value", 99) == Percentile(100.0, 101)
        assert uow.activity.percentile("avg_basket_value", 50) == Percentile(51.0, 101)
        assert uow.activity.percentile("site_visits_30d", 99) == Percentile(12.0, 100)
        assert uow.activity.percentile("sales_next_month", 99) is None


def test_a_percentile_of_a_single_value_is_that_value(uow_factory: UnitOfWorkFactory, anna_id: int) -> None:
    with uow_factory() as uow:
        uow.activity.add(a_snapshot(anna_id, purchases_30d=7))
        uow.commit()

    with uow_factory() as uow:
        assert uow.activity.percentile("purchases_30d", 99) == Percentile(7.0, 1)
