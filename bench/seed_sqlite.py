"""How long `prognoza db upgrade && prognoza demo seed` take on a fresh SQLite file (the demo shop's
orders and events, and the snapshots derived from them).

Runs the real console script in a subprocess, as a person would, so the figure includes start-up,
migrations and the bulk inserts. Usage:

    python bench/seed_sqlite.py [--clients 10000] [--months 12] [--seed 7] [--repeat 3] [--budget 30]

Exits 1 when the seeding's median time exceeds the budget (seconds) or the counts are wrong.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from harness import count, sqlite_environment, timed


@dataclass(frozen=True)
class Run:
    upgrade_seconds: float
    seed_seconds: float
    clients: int
    orders: int
    events: int
    snapshots: int
    file_mb: float


def run_once(clients: int, months: int, seed: int) -> Run:
    with tempfile.TemporaryDirectory(prefix="prognoza-bench-") as folder:
        database, env = sqlite_environment(folder)
        upgrade = timed(["db", "upgrade"], env)
        seeding = timed(
            ["demo", "seed", "--clients", str(clients), "--months", str(months), "--seed", str(seed)], env
        )
        return Run(
            upgrade_seconds=upgrade,
            seed_seconds=seeding,
            clients=count(database, "clients"),
            orders=count(database, "orders"),
            events=count(database, "events"),
            snapshots=count(database, "client_activity"),
            file_mb=sum(p.stat().st_size for p in Path(folder).glob("bench.sqlite3*")) / 2**20,
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--budget", type=float, default=30.0, help="seconds the seeding may take (median)")
    options = parser.parse_args()

    print(
        f"prognoza db upgrade && prognoza demo seed --clients {options.clients} --months {options.months} "
        f"--seed {options.seed}  (fresh SQLite file, {options.repeat} runs)"
    )
    runs = []
    for number in range(1, options.repeat + 1):
        run = run_once(options.clients, options.months, options.seed)
        runs.append(run)
        print(
            f"  run {number}: upgrade {run.upgrade_seconds:.2f} s, seed {run.seed_seconds:.2f} s, "
            f"{run.clients:,} clients, {run.orders:,} orders, {run.events:,} events, "
            f"{run.snapshots:,} snapshots, {run.file_mb:.1f} MiB"
        )
    seed_median = statistics.median(r.seed_seconds for r in runs)
    total_median = statistics.median(r.upgrade_seconds + r.seed_seconds for r in runs)
    print(
        f"median: seed {seed_median:.2f} s, upgrade + seed {total_median:.2f} s"
        f" (budget {options.budget:.0f} s)"
    )

    # A client is observed at every month end from its first order or event: at most one per month.
    most = options.clients * (options.months + 1)
    if any(r.clients != options.clients or not 0 < r.snapshots <= most for r in runs):
        print(f"FAIL: expected {options.clients:,} clients and up to {most:,} snapshots", file=sys.stderr)
        return 1
    if seed_median > options.budget:
        print(
            f"FAIL: seeding took {seed_median:.2f} s, over the {options.budget:.0f} s budget", file=sys.stderr
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
