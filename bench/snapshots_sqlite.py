"""How long `prognoza snapshots build` takes on a fresh SQLite file of 100,000 clients x 24 months of orders.

The clients and orders are written with plain sqlite3 (executemany), then the real command derives every
client's monthly snapshots. Beside it, a hand-written script computes the same snapshots straight from
sqlite3 (the same rule, no layers) and writes them to a table of its own, in the same session, so the
ratio shows what the application's layers cost. Usage:

    python bench/snapshots_sqlite.py [--clients 100000] [--months 24] [--seed 7] [--budget 60]

Exits 1 when the build exceeds the budget (seconds) or the two disagree on the number of snapshots or
on the totals of their order histories.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import tempfile
import time
from bisect import bisect_left, bisect_right
from datetime import date, datetime, timedelta
from pathlib import Path

from harness import count, run, sqlite_environment, timed

from domain.derivation import last_month_end_on_or_before, month_end_of, month_ends


def write_orders(database: Path, clients: int, months: int, seed: int) -> tuple[date, int]:
    """Clients registered before the orders start, each with its own buying rate; 5% of orders refunded."""
    rng = random.Random(seed)
    through = last_month_end_on_or_before(date.today())
    start = through.replace(day=1)
    for _ in range(months - 1):
        start = (start - timedelta(days=1)).replace(day=1)
    span = (through - start).days + 1
    registered = (start - timedelta(days=400)).isoformat()
    orders: list[tuple[int, str, float, str]] = []
    for client_id in range(1, clients + 1):
        for _ in range(int(rng.expovariate(1 / (months / 3)))):
            moment = datetime.combine(start, datetime.min.time()) + timedelta(
                seconds=rng.randrange(span * 86_400)
            )
            amount = round(rng.lognormvariate(4.8, 0.5), 2)
            at = moment.strftime("%Y-%m-%d %H:%M:%S.000000")
            orders.append((client_id, at, amount, f"row:{client_id}|{at}|{amount:.2f}"))
            if rng.random() < 0.05:
                later = (moment + timedelta(days=7)).strftime("%Y-%m-%d %H:%M:%S.000000")
                orders.append((client_id, later, -amount, f"row:{client_id}|{later}|{-amount:.2f}"))
    with sqlite3.connect(database) as connection:
        connection.executemany(
            "INSERT INTO clients (id, first_name, last_name, email, registered_on) VALUES (?, ?, ?, ?, ?)",
            (
                (n, f"Name{n}", f"Surname{n}", f"client{n}@example.com", registered)
                for n in range(1, clients + 1)
            ),
        )
        connection.executemany(
            "INSERT INTO orders (client_id, ordered_at, amount, key) VALUES (?, ?, ?, ?)", orders
        )
    return through, len(orders)


def raw_build(database: Path, through: date) -> int:
    """The derivation written by hand over sqlite3: orders only, so every behavioural feature is unknown;
    the order history too, from running totals over each client's purchases."""
    with sqlite3.connect(database) as connection:
        connection.execute(
            "CREATE TABLE raw_snapshots (client_id INTEGER, observed_on TEXT, purchases_30d INTEGER, "
            "avg_basket_value REAL, days_since_last_purchase INTEGER, sales_next_month REAL, "
            "purchased_next_14d INTEGER, spend_90d REAL, spend_180d REAL, spend_365d REAL, "
            "purchases_365d INTEGER, active_months_365d INTEGER, purchase_days INTEGER, "
            "days_since_first_purchase INTEGER, avg_order_value REAL)"
        )
        registered = dict(connection.execute("SELECT id, registered_on FROM clients"))
        rows = connection.execute(
            "SELECT client_id, ordered_at, amount FROM orders ORDER BY client_id, ordered_at"
        )
        written, batch, current, log = 0, [], None, []
        for client_id, at, amount in [*rows, (None, None, None)]:
            if client_id != current and current is not None:
                batch += _client_snapshots(current, date.fromisoformat(registered[current]), log, through)
                log = []
                if len(batch) > 50_000:
                    written += _write_raw(connection, batch)
                    batch = []
            current = client_id
            if client_id is not None:
                log.append((date.fromisoformat(at[:10]).toordinal(), amount))
        written += _write_raw(connection, batch)
    return written


def _client_snapshots(
    client_id: int, registered_on: date, log: list[tuple[int, float]], through: date
) -> list[tuple]:
    days = [d for d, _ in log]
    bought = [(d, a) for d, a in log if a > 0]
    bought_days = [d for d, _ in bought]
    cents, months, distinct_days = [0], [0], [0]
    previous_day, previous_month = None, None
    for d, a in bought:
        day = date.fromordinal(d)
        cents.append(cents[-1] + round(a * 100))
        months.append(months[-1] + ((day.year, day.month) != previous_month))
        distinct_days.append(distinct_days[-1] + (d != previous_day))
        previous_day, previous_month = d, (day.year, day.month)
    found = []
    for end in month_ends(max(date.fromordinal(days[0]), registered_on), through):
        m = end.toordinal()
        lo, hi = bisect_left(bought_days, m - 29), bisect_right(bought_days, m)
        amounts = [a for _, a in bought[lo:hi]]
        next_first, next_last = m + 1, month_end_of(end + timedelta(days=1)).toordinal()
        sales = None
        if next_last <= through.toordinal():
            total = sum(a for d, a in log[bisect_left(days, next_first) : bisect_right(days, next_last)])
            sales = max(0.0, round(total, 2))
        soon = None
        if m + 14 <= through.toordinal():
            soon = bisect_right(bought_days, m + 14) > bisect_right(bought_days, m)
        q, h, y = (bisect_left(bought_days, m - n + 1) for n in (90, 180, 365))
        found.append(
            (
                client_id,
                end.isoformat(),
                len(amounts),
                round(sum(amounts) / len(amounts), 2) if amounts else 0.0,
                m - bought_days[hi - 1] if hi else None,
                sales,
                soon,
                (cents[hi] - cents[q]) / 100,
                (cents[hi] - cents[h]) / 100,
                (cents[hi] - cents[y]) / 100,
                hi - y,
                months[hi] - months[y + 1] + 1 if hi > y else 0,
                distinct_days[hi],
                m - bought_days[0] if hi else None,
                (2 * cents[hi] + hi) // (2 * hi) / 100 if hi else 0.0,
            )
        )
    return found


def _write_raw(connection: sqlite3.Connection, batch: list[tuple]) -> int:
    connection.executemany(f"INSERT INTO raw_snapshots VALUES ({', '.join('?' * 15)})", batch)
    return len(batch)


HISTORY_TOTALS = (
    "SELECT ROUND(SUM(spend_90d), 2), ROUND(SUM(spend_180d), 2), ROUND(SUM(spend_365d), 2), "
    "SUM(purchases_365d), SUM(active_months_365d), SUM(purchase_days), SUM(days_since_first_purchase), "
    "ROUND(SUM(avg_order_value), 2) FROM {table}"
)


def history_totals(database: Path, table: str) -> tuple[object, ...]:
    with sqlite3.connect(database) as connection:
        return tuple(connection.execute(HISTORY_TOTALS.format(table=table)).fetchone())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--budget", type=float, default=60.0, help="seconds the build may take")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="prognoza-bench-") as folder:
        database, env = sqlite_environment(folder)
        timed(["db", "upgrade"], env)
        started = time.perf_counter()
        through, orders = write_orders(database, options.clients, options.months, options.seed)
        print(
            f"{options.clients:,} clients, {orders:,} orders over {options.months} months through {through}"
            f" (written with sqlite3 in {time.perf_counter() - started:.1f} s)"
        )
        build_seconds, output = run(["snapshots", "build"], env)
        snapshots = count(database, "client_activity")
        print(f"prognoza snapshots build: {build_seconds:.2f} s, {snapshots:,} snapshots  ({output.strip()})")
        started = time.perf_counter()
        raw = raw_build(database, through)
        raw_seconds = time.perf_counter() - started
        print(f"hand-written sqlite3 script: {raw_seconds:.2f} s, {raw:,} snapshots")
        print(f"ratio: {build_seconds / raw_seconds:.1f}x the raw script (budget {options.budget:.0f} s)")
        built_history, raw_history = (
            history_totals(database, table) for table in ("client_activity", "raw_snapshots")
        )

    if raw != snapshots:
        print(f"FAIL: the build wrote {snapshots:,} snapshots, the raw script {raw:,}", file=sys.stderr)
        return 1
    if built_history != raw_history:
        print(
            f"FAIL: the histories' totals differ: build {built_history}, raw script {raw_history}",
            file=sys.stderr,
        )
        return 1
    if build_seconds > options.budget:
        print(
            f"FAIL: the build took {build_seconds:.2f} s, over the {options.budget:.0f} s budget",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
