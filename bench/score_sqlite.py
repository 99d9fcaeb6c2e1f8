"""How long `prognoza predict` takes to score every client on SQLite (target: 100,000 clients under 20 s).

Seeds a synthetic company, trains both models, then times batch scoring twice: a first scoring and a
rescoring (which also retires the previous current predictions). Runs the real console script, so the
figure includes start-up. Usage:

    python bench/score_sqlite.py [--clients 100000] [--months 3] [--budget 20]

Exits 1 when a scoring run exceeds the budget (seconds) or does not score every client with activity
(a seeded client who never came has nothing to be scored from).
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import sys
import tempfile

from harness import run, sqlite_environment


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=3)
    parser.add_argument("--budget", type=float, default=20.0)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="prognoza-bench-") as folder:
        database, env = sqlite_environment(folder)
        run(["db", "upgrade"], env)
        seconds, _ = run(
            ["demo", "seed", "--clients", str(options.clients), "--months", str(options.months)], env
        )
        print(f"seeded {options.clients:,} clients x {options.months} months in {seconds:.1f} s")
        for kind in ("sales", "purchase"):
            seconds, _ = run(["train", kind, "--activate-anyway"], env)
            print(f"trained the {kind} model in {seconds:.1f} s")
        with sqlite3.connect(database) as connection:
            active = connection.execute("SELECT COUNT(DISTINCT client_id) FROM client_activity").fetchone()[0]
        print(f"{active:,} of them have activity to be scored from")
        failures = 0
        for attempt in ("first scoring", "rescoring"):
            seconds, output = run(["predict"], env)
            scored = int(re.search(r"Scored ([\d,]+) clients", output).group(1).replace(",", ""))  # type: ignore[union-attr]
            verdict = "ok" if seconds <= options.budget and scored == active else "OVER BUDGET"
            failures += verdict != "ok"
            print(
                f"{attempt}: {scored:,} clients in {seconds:.1f} s "
                f"(command wall time, budget {options.budget:.0f} s) {verdict}"
            )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
