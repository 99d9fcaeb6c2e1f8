"""What the benchmarks share: the real console script, a fresh SQLite instance, timings and counts."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

# The console script's own entry point (`prognoza = entrypoints.cli:main`), run by this interpreter: the
# script file's first line names the interpreter it was installed with, which another checkout may hold.
PROGNOZA = [sys.executable, "-m", "entrypoints.cli"]


def sqlite_environment(folder: str) -> tuple[Path, dict[str, str]]:
    """A database file in `folder` and the environment that points `prognoza` at it."""
    database = Path(folder) / "bench.sqlite3"
    env = os.environ | {
        "PROGNOZA_INSTANCE_DIR": folder,
        "PROGNOZA_DATABASE_URL": f"sqlite:///{database}",
        "PROGNOZA_LOG_LEVEL": "WARNING",
    }
    return database, env


def run(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Run `prognoza ARGS`; its wall time, start-up included, and what it printed. The console script
    is run by this interpreter, so a virtualenv that moved (its scripts' first lines stale) still works."""
    started = time.perf_counter()
    done = subprocess.run([*PROGNOZA, *args], env=env, check=True, capture_output=True, text=True)
    return time.perf_counter() - started, done.stdout


def timed(args: list[str], env: dict[str, str]) -> float:
    return run(args, env)[0]


def count(database: Path, table: str) -> int:
    with sqlite3.connect(database) as connection:
        return int(connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
