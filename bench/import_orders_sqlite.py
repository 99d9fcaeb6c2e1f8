"""How long `prognoza import orders FILE --create-clients` takes for 1,000,000 order rows on a fresh SQLite
file, how much memory it needs, and how it compares with a hand-written import of the same rows.

Builds a seeded orders file first (`client_email,ordered_at,amount,order_id`; about 50,000 clients, twelve
months in shuffled order, refunds among them), then on fresh SQLite files (`prognoza db upgrade`):

- runs the real console script in a subprocess, as a person would: start-up, reading and checking every
  row, creating every client on its earliest order, and the chunked inserts, in one transaction;
- runs a raw script in a subprocess: plain `sqlite3` and `csv`, one pass for the clients and their
  earliest order day, then `executemany` of the same rows into the same tables, with no checks.

Peak memory is the largest resident set of the finished children (`getrusage(RUSAGE_CHILDREN)`), taken
after `db upgrade` and the import, so it is never below the import's. Usage:

    python bench/import_orders_sqlite.py [--orders 1000000] [--clients 50000] [--seed 7] [--budget 60]
                                         [--memory-budget 400]

Exits 1 when the import takes longer than the budget (seconds), its peak memory exceeds the memory
budget (MB), or the counts are wrong.
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from harness import count, run, sqlite_environment, timed

ORDER_COLUMNS = ["client_email", "ordered_at", "amount", "order_id"]
RAW_CHUNK = 5_000


def write_orders(path: Path, orders: int, clients: int, seed: int) -> None:
    """Orders of twelve months, month by month in a shuffled order; one in twenty is a refund."""
    rng = random.Random(seed)
    months = list(range(12))
    rng.shuffle(months)
    first_day = date(date.today().year - 1, 1, 1)
    per_month = orders // len(months)
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(ORDER_COLUMNS)
        number = 0
        for index, month in enumerate(months):
            rows = per_month if index < len(months) - 1 else orders - per_month * (len(months) - 1)
            for _ in range(rows):
                number += 1
                day = first_day + timedelta(days=month * 30 + rng.randrange(30))
                moment = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
                    seconds=rng.randrange(86_400)
                )
                amount = round(rng.uniform(10, 600), 2) * (-1 if rng.random() < 0.05 else 1)
                writer.writerow(
                    [f"client{rng.randrange(clients)}@example.com", moment.isoformat(), amount, f"O-{number}"]
                )


def raw_import(database: Path, orders_csv: Path) -> None:
    """The same rows into the same tables with nothing but `sqlite3` and `csv`: no checks at all."""
    earliest: dict[str, str] = {}
    with orders_csv.open(newline="", encoding="utf-8") as file:
        for row in csv.DictReader(file):
            day = row["ordered_at"][:10]
            key = row["client_email"].lower()
            if key not in earliest or day < earliest[key]:
                earliest[key] = day
    connection = sqlite3_connect(database)
    with connection:
        connection.executemany(
            "INSERT INTO clients (first_name, last_name, email, registered_on, created_at) "
            "VALUES (?, '?', ?, ?, CURRENT_TIMESTAMP)",
            ((email.partition("@")[0].capitalize(), email, day) for email, day in earliest.items()),
        )
        ids = dict(connection.execute("SELECT email, id FROM clients"))
        with orders_csv.open(newline="", encoding="utf-8") as file:
            reader = csv.DictReader(file)
            chunk: list[tuple[object, ...]] = []
            for row in reader:
                moment = datetime.fromisoformat(row["ordered_at"]).astimezone(UTC).replace(tzinfo=None)
                chunk.append(
                    (
                        ids[row["client_email"]],
                        row["order_id"],
                        moment.isoformat(sep=" ", timespec="microseconds"),
                        float(row["amount"]),
                        f"id:{row['order_id']}",
                    )
                )
                if len(chunk) == RAW_CHUNK:
                    _insert_orders(connection, chunk)
                    chunk = []
            _insert_orders(connection, chunk)
    connection.close()


def sqlite3_connect(database: Path):  # type: ignore[no-untyped-def]
    import sqlite3

    return sqlite3.connect(database)


def _insert_orders(connection, chunk: list[tuple[object, ...]]) -> None:  # type: ignore[no-untyped-def]
    connection.executemany(
        "INSERT INTO orders (client_id, order_id, ordered_at, amount, key) VALUES (?, ?, ?, ?, ?)", chunk
    )


def peak_child_rss_mb() -> float:
    """The largest resident set of any finished child so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--budget", type=float, default=60.0, help="seconds the import may take")
    parser.add_argument("--memory-budget", type=float, default=400.0, help="MB of peak memory it may use")
    parser.add_argument("--raw", nargs=2, metavar=("DATABASE", "FILE"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.raw:
        raw_import(Path(options.raw[0]), Path(options.raw[1]))
        return 0

    with tempfile.TemporaryDirectory(prefix="prognoza-bench-files-") as files:
        orders_csv = Path(files) / "orders.csv"
        write_orders(orders_csv, options.orders, options.clients, options.seed)
        size_mb = orders_csv.stat().st_size / 2**20
        print(
            f"prognoza import orders FILE --create-clients: {options.orders:,} order rows "
            f"({size_mb:.1f} MiB) of about {options.clients:,} clients, twelve months in shuffled order "
            "(fresh SQLite files)"
        )
        with tempfile.TemporaryDirectory(prefix="prognoza-bench-") as folder:
            database, env = sqlite_environment(folder)
            timed(["db", "upgrade"], env)
            seconds, said = run(["import", "orders", str(orders_csv), "--create-clients"], env)
            peak_mb = peak_child_rss_mb()
            clients, orders = count(database, "clients"), count(database, "orders")
        with tempfile.TemporaryDirectory(prefix="prognoza-bench-raw-") as folder:
            raw_database, env = sqlite_environment(folder)
            timed(["db", "upgrade"], env)
            started = time.perf_counter()
            raw_command = [sys.executable, __file__, "--raw", str(raw_database), str(orders_csv)]
            subprocess.run(raw_command, check=True)
            raw_seconds = time.perf_counter() - started
            raw_orders = count(raw_database, "orders")
    print(f"  prognoza: {said.strip()}")
    print(
        f"  prognoza: {seconds:.2f} s ({options.orders / seconds:,.0f} rows/s), "
        f"peak memory {peak_mb:.0f} MB; {clients:,} clients, {orders:,} orders"
    )
    print(f"  raw sqlite3 + csv executemany: {raw_seconds:.2f} s; {raw_orders:,} orders")
    print(
        f"ratio: {seconds / raw_seconds:.1f}x the raw script "
        f"(budgets {options.budget:.0f} s, {options.memory_budget:.0f} MB)"
    )

    failures = []
    if orders != options.orders or raw_orders != options.orders:
        failures.append(f"expected {options.orders:,} orders, stored {orders:,} (raw {raw_orders:,})")
    if seconds > options.budget:
        failures.append(f"the import took {seconds:.2f} s, over the {options.budget:.0f} s budget")
    if peak_mb > options.memory_budget:
        failures.append(
            f"the import peaked at {peak_mb:.0f} MB, over the {options.memory_budget:.0f} MB budget"
        )
    for failure in failures:
        print(f"FAIL: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
