"""The order history each derived snapshot carries follows the rule of `domain.derivation`: checked on
hand-written edges and, for random logs, against plain SQL over a table of the same orders."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Sequence
from datetime import date, timedelta

import pytest

from domain.activity import HISTORY_FIELDS, OrderHistory
from domain.derivation import NO_PURCHASES, EventEntry, OrderEntry, derive_from_entries

CLIENT = 7
REGISTERED = date(2020, 1, 1)
M = date(2024, 6, 30)


def histories(
    orders: Sequence[OrderEntry], events: Sequence[EventEntry] = (), through: date = M
) -> dict[date, OrderHistory | None]:
    derived = derive_from_entries(CLIENT, REGISTERED, orders, events, through, None)
    return {s.observed_on: s.history for s in derived}


def history_at(m: date, orders: Sequence[OrderEntry]) -> OrderHistory:
    found = histories(orders, through=m)[m]
    assert found is not None
    return found


def days_before(n: int, m: date = M) -> date:
    return m - timedelta(days=n)


# --- Edges, by hand ---------------------------------------------------------------------------


def test_a_refund_is_no_purchase_and_does_not_lower_the_spend() -> None:
    history = history_at(M, [(days_before(10), 100.0), (days_before(5), -100.0), (days_before(3), 0.0)])

    assert history == OrderHistory(100.0, 100.0, 100.0, 1, 1, 1, 10, 100.0)


@pytest.mark.parametrize(
    ("field", "window"),
    [("spend_90d", 90), ("spend_180d", 180), ("spend_365d", 365)],
)
def test_a_windows_first_day_is_in_it_and_the_day_before_is_not(field: str, window: int) -> None:
    first_day, day_before = days_before(window - 1), days_before(window)

    assert getattr(history_at(M, [(first_day, 12.5)]), field) == 12.5
    assert getattr(history_at(M, [(day_before, 12.5)]), field) == 0.0


def test_the_purchases_and_active_months_of_a_year_count_its_first_day_but_not_the_one_before() -> None:
    # 30 June 2024 - 364 days = 2 July 2023.
    in_year, before_year = date(2023, 7, 2), date(2023, 7, 1)

    history = history_at(M, [(before_year, 5.0), (in_year, 10.0), (date(2024, 6, 1), 20.0)])

    assert (history.purchases_365d, history.active_months_365d) == (2, 2)
    assert (history.spend_365d, history.purchase_days, history.days_since_first_purchase) == (30.0, 3, 365)


def test_two_orders_on_one_day_are_two_purchases_on_one_purchase_day() -> None:
    history = history_at(M, [(days_before(2), 10.0), (days_before(2), 30.0), (days_before(40), 20.0)])

    assert (history.purchases_365d, history.purchase_days) == (3, 2)
    assert (history.spend_90d, history.avg_order_value) == (60.0, 20.0)


def test_purchases_in_one_calendar_month_make_one_active_month() -> None:
    history = history_at(M, [(date(2024, 5, 1), 1.0), (date(2024, 5, 31), 1.0), (date(2024, 6, 1), 1.0)])

    assert history.active_months_365d == 2


def test_the_history_counts_what_was_bought_on_the_month_end_and_nothing_after_it() -> None:
    orders = [(date(2024, 5, 31), 40.0), (date(2024, 6, 1), 60.0)]

    may, june = histories(orders).values()

    assert may == OrderHistory(40.0, 40.0, 40.0, 1, 1, 1, 0, 40.0)
    assert june == OrderHistory(100.0, 100.0, 100.0, 2, 2, 2, 30, 50.0)


def test_the_mean_order_is_to_the_cent_a_half_cent_rounded_up() -> None:
    assert history_at(M, [(days_before(1), 10.01), (days_before(2), 10.02)]).avg_order_value == 10.02
    assert history_at(M, [(days_before(1), 0.01)] * 8).avg_order_value == 0.01
    assert history_at(M, [(days_before(1), 10.0)] * 2 + [(days_before(1), 10.01)]).avg_order_value == 10.0


def test_the_spends_are_exact_to_the_cent_however_many_amounts_are_summed() -> None:
    history = history_at(M, [(days_before(n % 80), 0.1) for n in range(1_000)])

    assert (history.spend_90d, history.avg_order_value) == (100.0, 0.1)


def test_a_client_known_only_by_events_has_a_history_of_zeros_and_no_first_purchase() -> None:
    events: list[EventEntry] = [(date(2024, 4, 3), "visit", 60.0)]

    found = histories([], events)

    assert list(found) == [date(2024, 4, 30), date(2024, 5, 31), M]
    assert set(found.values()) == {NO_PURCHASES}
    assert OrderHistory(0.0, 0.0, 0.0, 0, 0, 0, None, 0.0) == NO_PURCHASES


def test_a_month_end_before_the_first_purchase_has_a_history_of_zeros() -> None:
    may, june = histories([(date(2024, 5, 10), -20.0), (date(2024, 6, 10), 20.0)]).values()

    assert may == NO_PURCHASES
    assert june == OrderHistory(20.0, 20.0, 20.0, 1, 1, 1, 20, 20.0)


# --- Random logs against SQL ------------------------------------------------------------------

START = date(2021, 1, 1)


def random_log(rng: random.Random) -> list[tuple[date, int]]:
    """Orders as (day, cents): bursts on the same day, refunds, zero amounts, quiet years."""
    log: list[tuple[date, int]] = []
    for _ in range(rng.choice([0, 1, 2, 5, 20, 60])):
        day = START + timedelta(days=rng.randrange(3 * 365))
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            log.append((day, rng.choice([rng.randrange(1, 50_000), 1, 5, 0, -rng.randrange(1, 9_000)])))
    return log


HISTORY_IN_SQL = """
WITH bought AS (SELECT day, cents FROM orders WHERE cents > 0 AND day <= :m)
SELECT
    (SELECT COALESCE(SUM(cents), 0) FROM bought WHERE day >= date(:m, '-89 days')),
    (SELECT COALESCE(SUM(cents), 0) FROM bought WHERE day >= date(:m, '-179 days')),
    (SELECT COALESCE(SUM(cents), 0) FROM bought WHERE day >= date(:m, '-364 days')),
    (SELECT COUNT(*) FROM bought WHERE day >= date(:m, '-364 days')),
    (SELECT COUNT(DISTINCT strftime('%Y-%m', day)) FROM bought WHERE day >= date(:m, '-364 days')),
    (SELECT COUNT(DISTINCT day) FROM bought),
    (SELECT CAST(julianday(:m) - julianday(MIN(day)) AS INTEGER) FROM bought),
    (SELECT COALESCE((2 * SUM(cents) + COUNT(*)) / (2 * COUNT(*)), 0) FROM bought)
"""


def history_in_sql(connection: sqlite3.Connection, m: date) -> OrderHistory:
    row = connection.execute(HISTORY_IN_SQL, {"m": m.isoformat()}).fetchone()
    spend_90d, spend_180d, spend_365d, purchases, months, days, since_first, mean = row
    return OrderHistory(
        spend_90d / 100, spend_180d / 100, spend_365d / 100, purchases, months, days, since_first, mean / 100
    )


@pytest.mark.parametrize("seed", range(8))
def test_every_month_ends_history_agrees_with_plain_sql_over_the_same_orders(seed: int) -> None:
    rng = random.Random(seed)
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE TABLE orders (day TEXT, cents INTEGER)")
    compared = 0
    for _ in range(40):
        log = random_log(rng)
        if not log:
            continue
        through = START + timedelta(days=rng.randrange(60, 4 * 365))
        connection.execute("DELETE FROM orders")
        connection.executemany("INSERT INTO orders VALUES (?, ?)", [(d.isoformat(), c) for d, c in log])

        derived = histories([(day, cents / 100) for day, cents in log], through=through)

        for m, history in derived.items():
            assert history is not None
            expected = history_in_sql(connection, m)
            for field in HISTORY_FIELDS:
                assert (m, field, getattr(history, field)) == (m, field, getattr(expected, field))
            compared += 1
    assert compared > 100
