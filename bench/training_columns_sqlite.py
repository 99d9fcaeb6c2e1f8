"""How long reading the labelled snapshots column by column (`training_columns()`) takes on a fresh
SQLite file of 1,000,000 derived snapshots with their order histories, and how much memory it needs.

The clients and snapshots are written with plain sqlite3 (executemany over a generator), then the real
repository reads them in one streamed SELECT into `SnapshotColumns`. Usage:

    python bench/training_columns_sqlite.py [--rows 1000000] [--clients 50000] [--seed 7] [--budget 10]

Exits 1 when the read exceeds the budget (seconds), holds more than twice the columns' own size above
what the process held before, or reads a different number of rows.
"""

from __future__ import annotations

import argparse
import random
import resource
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from harness import sqlite_environment, timed

from adapters.sqlalchemy import SqlAlchemyUnitOfWork, make_engine, make_session_factory
from domain.columns import COLUMNS

SNAPSHOT_COLUMNS = (
    "client_id, observed_on, purchases_30d, avg_basket_value, site_visits_30d, days_since_last_purchase, "
    "visits_7d, newsletter_opened, ad_clicks_7d, time_on_site_7d, sales_next_month, purchased_next_14d, "
    "source, spend_90d, spend_180d, spend_365d, purchases_365d, active_months_365d, purchase_days, "
    "days_since_first_purchase, avg_order_value"
)


def month_ends(count: int) -> list[str]:
    ends, first = [], date(2020, 2, 1)
    for _ in range(count):
        ends.append((first - timedelta(days=1)).isoformat())
        first = (first + timedelta(days=32)).replace(day=1)
    return ends


def snapshots(rows: int, clients: int, seed: int) -> Iterator[tuple[object, ...]]:
    """`rows` labelled snapshots, a month end each, client after client; a third never bought."""
    rng = random.Random(seed)
    ends = month_ends(-(-rows // clients))
    for n in range(rows):
        client_id, month = n % clients + 1, n // clients
        bought = client_id % 3 != 0
        purchases = rng.randrange(4) if bought else 0
        visits = rng.randrange(40)
        yield (
            client_id,
            ends[month],
            purchases,
            round(rng.uniform(20, 300), 2) if purchases else 0.0,
            None if month < 3 else visits,
            rng.randrange(200) if bought else None,
            None if month < 3 else min(visits, rng.randrange(10)),
            None if month < 3 else rng.random() < 0.3,
            None if month < 3 else rng.randrange(5),
            None if month < 3 else round(rng.uniform(0, 90), 2),
            round(rng.uniform(0, 900), 2),
            rng.random() < 0.4 if month + 1 < len(ends) else None,
            "derived",
            round(rng.uniform(0, 900), 2),
            round(rng.uniform(900, 1800), 2),
            round(rng.uniform(1800, 3600), 2),
            rng.randrange(30),
            rng.randrange(13),
            rng.randrange(60),
            rng.randrange(1_000) if bought else None,
            round(rng.uniform(20, 300), 2),
        )


def write(database: Path, rows: int, clients: int, seed: int) -> None:
    with sqlite3.connect(database) as connection:
        connection.executemany(
            "INSERT INTO clients (id, first_name, last_name, email, registered_on) VALUES (?, ?, ?, ?, ?)",
            ((n, f"N{n}", f"S{n}", f"c{n}@example.com", "2019-06-01") for n in range(1, clients + 1)),
        )
        marks = ", ".join("?" * len(SNAPSHOT_COLUMNS.split(", ")))
        statement = f"INSERT INTO client_activity ({SNAPSHOT_COLUMNS}) VALUES ({marks})"
        connection.executemany(statement, snapshots(rows, clients, seed))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--budget", type=float, default=10.0, help="seconds the read may take")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="prognoza-bench-") as folder:
        database, env = sqlite_environment(folder)
        timed(["db", "upgrade"], env)
        started = time.perf_counter()
        write(database, options.rows, options.clients, options.seed)
        print(f"{options.rows:,} snapshots written with sqlite3 in {time.perf_counter() - started:.1f} s")
        engine = make_engine(env["PROGNOZA_DATABASE_URL"])
        uow = SqlAlchemyUnitOfWork(make_session_factory(engine))
        before = peak_mb()
        started = time.perf_counter()
        with uow:
            columns = uow.activity.training_columns()
        seconds = time.perf_counter() - started
        engine.dispose()
    own_mb = len(COLUMNS) * 8 * len(columns) / 2**20
    grown_mb = peak_mb() - before
    print(
        f"training_columns(): {seconds:.2f} s for {len(columns):,} rows of {len(COLUMNS)} columns "
        f"({len(columns) / seconds:,.0f} rows/s); peak memory grew {grown_mb:.0f} MB, "
        f"the columns themselves hold {own_mb:.0f} MB"
    )

    if len(columns) != options.rows:
        print(f"FAIL: read {len(columns):,} rows of {options.rows:,}", file=sys.stderr)
        return 1
    if grown_mb > 2 * own_mb + 64:
        print(f"FAIL: memory grew {grown_mb:.0f} MB for {own_mb:.0f} MB of columns", file=sys.stderr)
        return 1
    if seconds > options.budget:
        print(f"FAIL: the read took {seconds:.2f} s, over the {options.budget:.0f} s budget", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
