"""How long `prognoza import activity FILE` takes for 250,000 snapshot rows on a fresh SQLite file.

Builds the files first: a clients CSV (imported with `prognoza import clients`, timed apart) and an
activity CSV with one snapshot per client per month end, the newest month still without outcomes,
as a shop or a CRM would send them (clients named by `client_email`). Then runs the real console
script in a subprocess, as a person would, so the figure includes start-up, reading and checking
every row, and the bulk inserts. Usage:

    python bench/import_sqlite.py [--clients 50000] [--months 5] [--seed 7] [--repeat 3] [--budget 60]

Exits 1 when the activity import's median time exceeds the budget (seconds) or the counts are wrong.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import sys
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from harness import count, sqlite_environment, timed

from application.imports import ACTIVITY_COLUMNS, CLIENT_COLUMNS
from domain.derivation import last_month_end_on_or_before


@dataclass(frozen=True)
class Run:
    clients_seconds: float
    activity_seconds: float
    clients: int
    snapshots: int


def month_ends_before(today: date, months: int) -> list[date]:
    """The last `months` month ends on or before `today`, oldest first."""
    dates = [last_month_end_on_or_before(today)]
    while len(dates) < months:
        dates.append(dates[-1].replace(day=1) - timedelta(days=1))
    return dates[::-1]


def write_files(folder: Path, clients: int, months: int, seed: int) -> tuple[Path, Path]:
    rng = random.Random(seed)
    dates = month_ends_before(date.today(), months)
    registered = (dates[0] - timedelta(days=400)).isoformat()
    clients_csv, activity_csv = folder / "clients.csv", folder / "activity.csv"
    with clients_csv.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(CLIENT_COLUMNS)
        writer.writerows(
            [f"Name{n}", f"Surname{n}", f"client{n}@example.com", registered] for n in range(clients)
        )
    with activity_csv.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(ACTIVITY_COLUMNS)
        for n in range(clients):
            for month, observed_on in enumerate(dates):
                writer.writerow(
                    snapshot_row(rng, f"client{n}@example.com", observed_on, labelled=month < months - 1)
                )
    return clients_csv, activity_csv


def snapshot_row(rng: random.Random, email: str, observed_on: date, labelled: bool) -> list[object]:
    purchases = rng.randint(0, 5)
    visits_30d = rng.randint(0, 30)
    basket = round(rng.uniform(20, 400), 2)
    return [
        email,
        observed_on.isoformat(),
        purchases,
        basket,
        visits_30d,
        rng.randint(0, 29) if purchases else "",
        rng.randint(0, visits_30d // 3),
        rng.random() < 0.4,
        rng.randint(0, 4),
        round(rng.uniform(0, 120), 1),
        round(purchases * basket * rng.uniform(0.5, 1.5), 2) if labelled else "",
        (rng.random() < 0.35) if labelled else "",
    ]


def run_once(clients_csv: Path, activity_csv: Path) -> Run:
    with tempfile.TemporaryDirectory(prefix="prognoza-bench-") as folder:
        database, env = sqlite_environment(folder)
        timed(["db", "upgrade"], env)
        clients_seconds = timed(["import", "clients", str(clients_csv)], env)
        activity_seconds = timed(["import", "activity", str(activity_csv)], env)
        return Run(
            clients_seconds, activity_seconds, count(database, "clients"), count(database, "client_activity")
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50_000)
    parser.add_argument("--months", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--budget", type=float, default=60.0, help="seconds the activity import may take (median)"
    )
    options = parser.parse_args()

    rows = options.clients * options.months
    with tempfile.TemporaryDirectory(prefix="prognoza-bench-files-") as files:
        clients_csv, activity_csv = write_files(Path(files), options.clients, options.months, options.seed)
        size_mb = activity_csv.stat().st_size / 2**20
        print(
            f"prognoza import activity FILE: {rows:,} snapshot rows ({size_mb:.1f} MiB) of "
            f"{options.clients:,} clients imported just before with prognoza import clients "
            f"(fresh SQLite file, {options.repeat} run(s))"
        )
        runs = []
        for number in range(1, options.repeat + 1):
            run = run_once(clients_csv, activity_csv)
            runs.append(run)
            print(
                f"  run {number}: import clients {run.clients_seconds:.2f} s, import activity "
                f"{run.activity_seconds:.2f} s ({rows / run.activity_seconds:,.0f} rows/s); "
                f"{run.clients:,} clients, {run.snapshots:,} snapshots"
            )
    median = statistics.median(r.activity_seconds for r in runs)
    print(f"median: import activity {median:.2f} s (budget {options.budget:.0f} s)")

    if any((r.clients, r.snapshots) != (options.clients, rows) for r in runs):
        print(f"FAIL: expected {options.clients:,} clients and {rows:,} snapshots", file=sys.stderr)
        return 1
    if median > options.budget:
        print(
            f"FAIL: the import took {median:.2f} s, over the {options.budget:.0f} s budget", file=sys.stderr
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
