"""Prognoza at scale, each step timed beside a hand-written raw script doing the same rows in the same run.

Builds a demo company of N clients x M months, then times Prognoza and a raw script side by side and
prints their ratio (the machine is shared and absolute times drift; the ratios are what to compare):

1. seed: `prognoza demo seed` (the real console script in a subprocess) against the raw side inserting
   the same rows (clients, orders, events, snapshots), read back from the seeded database beforehand,
   into a fresh database of the same schema: sqlite3 executemany in one transaction, or psycopg COPY in
   one transaction on PostgreSQL. The raw side does not generate the company nor derive the snapshots
   from the orders and events: it only writes rows that already exist, so the ratio is what generating,
   deriving and Prognoza's own writes cost above bare inserts. CPU time is shown beside wall time.
2. train: `prognoza train sales|purchase --activate-anyway` against the raw side reading the labelled
   snapshots with sqlite3/psycopg into numpy arrays, computing the basic features with numpy, keeping
   those known everywhere and varying, and fitting the same scikit-learn pipelines (mean imputer,
   scaler, linear or logistic regression) once per backtest test month, on at most 250,000 sampled rows.
   It does not compute the baselines, metrics other than the main one, reasons, nor save a model file.
3. predict: `prognoza predict` twice (first scoring, rescoring) against the raw side reading each client's
   newest snapshot, predicting with the pipelines it fitted, and inserting the prediction rows (the
   rescoring first marks the current ones no longer current). Decision threshold: the default 0.7.
   workers: `prognoza predict` with PROGNOZA_REDIS_URL set, so that its parts (PROGNOZA_CLIENTS_PER_PART
   clients each) go on a Redis queue: first alone, the command being the only worker, then beside 1 to
   N-1 `prognoza worker` processes (--workers N, default 2); each time against the one before it.
4. export: `prognoza export clients` (every client, CSV) against one SELECT joining the clients with their
   current predictions, sorted as Prognoza sorts them, written with csv.writer (no formula guarding); the
   segment bands are fitted to the raw side's first forecasts as Prognoza's first scoring fits them.
5. reads: the app built in-process (Flask test client, signed in) against the raw SQL that answers the
   same question (COUNT, then ORDER BY / LIMIT / OFFSET, LIKE) on the same database: the client list's
   first page, a deep page sorted by predicted sales (by its number, then a middle page and the last
   one through the `next` link of the page before, beside a hand-written keyset query), the middle page
   by predicted sales ascending, by purchase probability descending and by last name descending, a search,
   will_buy=true, will_buy=false and segment=high (their first page and the middle one of their matches,
   in name order), the middle page of segment=low and of the contact tiers 1 and 4 in name order, lists
   filtered by one prediction and sorted by another (segment=high by worth and tier=4 by forecast, their
   first page and middle one; the middle page of segment=low by probability and of will_buy=false by
   forecast), the dashboard, one client
   (median over several clients).
   Each is the median of a few calls.

The raw side writes into a database of its own (created with `prognoza db upgrade`, so the same schema and
indexes); the reads run on Prognoza's database. Start-up is part of every Prognoza command's time. CPU
times are those of the process doing the work (the PostgreSQL server's own is in neither). Usage:

    python bench/scale.py [--clients 1000000] [--months 3] [--seed 7] [--database sqlite|postgresql]
                          [--postgres-url URL] [--steps seed,train,predict,workers,export,reads]
                          [--workers 2] [--redis-url URL] [--keep FOLDER | --reuse FOLDER]

PostgreSQL is used with --postgres-url, or with --database postgresql and PROGNOZA_TEST_DATABASE_URL (e.g.
postgresql+psycopg://postgres@127.0.0.1:5432/test): two databases of the benchmark's own are created in
that server and dropped afterwards, unless --keep is given. --keep FOLDER (new or empty) keeps the SQLite
files (or the PostgreSQL databases' names), the model files and both exports there. A step not in
--steps that a chosen one needs runs first, unreported (`--steps reads` seeds, trains and scores first),
without its raw side unless a chosen step reads what that leaves in the raw database. --reuse FOLDER
runs the chosen steps only, on the databases a run with --keep FOLDER left (drop kept PostgreSQL ones
with dropdb when done).

Exits 1 when a count differs: rows copied, snapshots trained and tested on, clients scored, rows
exported, list totals; when a page of the list holds other clients than the raw page, or in another
order; or when the two sides' forecast totals differ by more than 0.1%.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import math
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from harness import PROGNOZA
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import r2_score, roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

STEPS = ("seed", "train", "predict", "workers", "export", "reads")
NEEDED_BY_NONE = ("workers", "export")
"""Steps no later step needs: run only when chosen."""
SEEDED_TABLES = ("clients", "orders", "events", "client_activity")
CHUNK = 100_000
"""Rows read back and written at a time by the raw seeding."""
THRESHOLD = 0.7
"""The default decision threshold: a client will buy from this probability on."""
BACKTEST_MONTHS, MIN_TRAINING_ROWS, MIN_TEST_ROWS, MAX_TRAINING_ROWS, TRAINING_SEED = 3, 50, 20, 250_000, 42
"""The backtest's rules as Prognoza's trainer states them."""
NEVER_BOUGHT_DAYS = 365
PER_PAGE = 25
REPEAT = 3
"""Calls of each read; the median is shown."""
CLIENT_READS = 9
ADMIN_EMAIL, ADMIN_PASSWORD = "scale@example.com", "scale-benchmark-password"


# --- Timing ------------------------------------------------------------------------------------------


@dataclass
class Timing:
    seconds: float = 0.0
    cpu: float = 0.0
    peak_mb: float | None = None


@dataclass
class Watch:
    """Wall and CPU time of this process, summed over the `with` blocks it times."""

    timing: Timing = field(default_factory=Timing)

    def __enter__(self) -> Watch:
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *_: object) -> None:
        self.timing.seconds += time.perf_counter() - self._wall
        self.timing.cpu += time.process_time() - self._cpu


def median_timing(call: Callable[[], object], repeat: int = REPEAT) -> tuple[Timing, object]:
    """The median wall and CPU time of `repeat` calls, and what the last one returned."""
    timings, result = [], None
    for _ in range(repeat):
        with Watch() as watch:
            result = call()
        timings.append(watch.timing)
    return Timing(
        statistics.median(t.seconds for t in timings), statistics.median(t.cpu for t in timings)
    ), result


LAUNCHER = """
import resource, subprocess, sys, time
started = time.perf_counter()
code = subprocess.call(sys.argv[1:])
seconds = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, file=sys.stderr)
sys.exit(code)
"""
"""Runs one command and says its wall time, CPU time and peak memory (KiB) on stderr's last line. On
Linux a child's ru_maxrss starts from its parent's size when it is forked, and this benchmark grows large:
a small launcher in between leaves each command's peak its own."""


def prognoza(args: list[str], env: dict[str, str]) -> tuple[Timing, str]:
    """Run `prognoza ARGS` in a subprocess: its wall time (start-up included), its own CPU time and peak
    memory, and what it printed."""
    done = subprocess.run(
        [sys.executable, "-c", LAUNCHER, *PROGNOZA, *args], env=env, capture_output=True, text=True
    )
    *errors, measured = done.stderr.rstrip("\n").split("\n")
    if done.returncode:
        raise RuntimeError(f"prognoza {' '.join(args)} failed:\n" + "\n".join(errors))
    seconds, cpu, peak_kib = (float(value) for value in measured.split())
    return Timing(seconds, cpu, peak_kib / 1024), done.stdout


# --- The two databases -------------------------------------------------------------------------------


class Database:
    """A database of the benchmark, Prognoza's or the raw side's, reached with sqlite3 or psycopg."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.postgres = url.startswith("postgresql")

    def connect(self) -> Any:
        if self.postgres:
            import psycopg

            return psycopg.connect(libpq(self.url))
        connection = sqlite3.connect(self.url.removeprefix("sqlite:///"))
        # The folding Prognoza's searches use on SQLite (built-in lower() folds ASCII letters only), and
        # the durability it writes with.
        connection.create_function("py_lower", 1, lambda v: v.lower() if isinstance(v, str) else v)
        connection.execute("PRAGMA synchronous=NORMAL")
        return connection

    def sql(self, statement: str) -> str:
        """A statement written for sqlite3 (`?`, `= 1` for true and `= 0` for false, `py_lower`) as this
        database reads it."""
        if not self.postgres:
            return statement
        statement = re.sub(r"\b(is_current|will_buy) = 1\b", r"\1", statement)
        statement = re.sub(r"\b(\w+\.)?will_buy = 0\b", r"NOT \1will_buy", statement)
        return statement.replace("py_lower(", "lower(").replace("?", "%s")

    def rows(self, connection: Any, statement: str, params: Sequence[object] = ()) -> list[Any]:
        return list(connection.execute(self.sql(statement), params).fetchall())

    def value(self, connection: Any, statement: str, params: Sequence[object] = ()) -> Any:
        return connection.execute(self.sql(statement), params).fetchone()[0]

    def written_columns(self, connection: Any, table: str) -> list[str]:
        """The columns of `table` a row is written with, in their order: not those the database generates
        (PostgreSQL's folded name and email, which COPY refuses)."""
        if not self.postgres:
            return [row[1] for row in connection.execute(f"PRAGMA table_info({table})")]
        found = connection.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_name = %s AND is_generated = 'NEVER' ORDER BY ordinal_position",
            (table,),
        )
        return [name for (name,) in found]

    def insert(
        self, connection: Any, table: str, columns: Sequence[str], rows: Sequence[Sequence[object]]
    ) -> None:
        """Bulk insert: COPY on PostgreSQL, executemany on SQLite; the caller commits."""
        names = ", ".join(columns)
        if self.postgres:
            with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join("?" * len(columns))
        connection.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)

    def scalar(self, statement: str) -> Any:
        """One value, on a connection of its own."""
        connection = self.connect()
        try:
            return self.value(connection, statement)
        finally:
            connection.close()

    def count(self, table: str) -> int:
        return int(self.scalar(f"SELECT COUNT(*) FROM {table}"))


def libpq(url: str) -> str:
    """A SQLAlchemy URL of PostgreSQL as psycopg reads it."""
    return url.replace("postgresql+psycopg://", "postgresql://")


@dataclass
class Bench:
    """Prognoza's database and the raw side's, the environment that points `prognoza` at the first,
    and what the steps measured."""

    options: argparse.Namespace
    folder: Path
    prognoza_db: Database
    raw_db: Database
    env: dict[str, str]
    rows: list[tuple[str, Timing, Timing | None, str]] = field(default_factory=list)
    checks: list[tuple[str, bool]] = field(default_factory=list)
    fitted: dict[str, tuple[list[str], Pipeline]] = field(default_factory=dict)
    bands: tuple[float, float] = (300.0, 1000.0)
    reporting: bool = True

    def report(self, step: str, ours: Timing, raw: Timing | None, note: str = "") -> None:
        if self.reporting:
            self.rows.append((step, ours, raw, note))

    def check(self, what: str, ok: bool) -> None:
        if self.reporting:
            self.checks.append((what, ok))

    def raw_side_runs(self, step: str) -> bool:
        """Whether `step` runs its raw side: when it is reported, or a reported step reads what it
        leaves in the raw database."""
        return bool(RAW_SIDE_READ_BY[step] & set(self.options.steps))


def postgres_databases(admin_url: str) -> tuple[Database, Database]:
    """Two fresh databases in the server of `admin_url`, named after this process."""
    import psycopg

    base = admin_url.rsplit("/", 1)[0]
    names = [f"prognoza_scale_{os.getpid()}_{side}" for side in ("prognoza", "raw")]
    with psycopg.connect(libpq(admin_url), autocommit=True) as c:
        for name in names:
            c.execute(f"CREATE DATABASE {name}")
    return Database(f"{base}/{names[0]}"), Database(f"{base}/{names[1]}")


def drop_postgres_databases(admin_url: str, databases: Sequence[Database]) -> None:
    import psycopg

    with psycopg.connect(libpq(admin_url), autocommit=True) as c:
        for database in databases:
            c.execute(f"DROP DATABASE IF EXISTS {database.url.rsplit('/', 1)[1]} WITH (FORCE)")


def environment(folder: Path, url: str) -> dict[str, str]:
    return os.environ | {
        "PROGNOZA_INSTANCE_DIR": str(folder / "instance"),
        "PROGNOZA_DATABASE_URL": url,
        "PROGNOZA_LOG_LEVEL": "WARNING",
    }


RAW_SIDE_READ_BY = {
    "seed": {"seed", "train", "predict", "export"},
    "train": {"train", "predict", "export"},
    "predict": {"predict", "export"},
}
"""For each step that a later one needs, the chosen steps that read what its raw side leaves in the raw
database (`workers` needs no step after it, `export` runs only when chosen, `reads` reads Prognoza's)."""


# --- 1. seed -----------------------------------------------------------------------------------------


def step_seed(bench: Bench) -> None:
    options = bench.options
    for database in (bench.prognoza_db, bench.raw_db):
        prognoza(["db", "upgrade"], environment(bench.folder, database.url))
    size = ["--clients", str(options.clients), "--months", str(options.months), "--seed", str(options.seed)]
    ours, _ = prognoza(["demo", "seed", *size], bench.env)
    if not bench.raw_side_runs("seed"):
        return
    raw = raw_seed(bench.prognoza_db, bench.raw_db)
    counts = {table: bench.prognoza_db.count(table) for table in SEEDED_TABLES}
    rows = sum(counts.values())
    bench.report("seed", ours, raw, f"{rows:,} rows")
    startup, _ = prognoza(["models", "list"], bench.env)
    bench.report("start-up: prognoza models list", startup, None, "what every command's time includes")
    bench.check(f"seeded {options.clients:,} clients", counts["clients"] == options.clients)
    for table in SEEDED_TABLES:
        copied = bench.raw_db.count(table)
        bench.check(f"raw copy of {table}: {copied:,} of {counts[table]:,}", copied == counts[table])


def raw_seed(source: Database, target: Database) -> Timing:
    """Insert every seeded row into the raw database in one transaction. Only the inserts and the
    commit are timed: the rows are read back from Prognoza's database a chunk at a time in between."""
    watch = Watch()
    reading, writing = source.connect(), target.connect()
    try:
        for table in SEEDED_TABLES:
            columns = source.written_columns(reading, table)
            cursor = reading.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY id")
            while chunk := cursor.fetchmany(CHUNK):
                with watch:
                    target.insert(writing, table, columns, chunk)
        with watch:
            writing.commit()
    finally:
        reading.close(), writing.close()
    return watch.timing


# --- 2. train ----------------------------------------------------------------------------------------

SNAPSHOT_COLUMNS = {
    "purchases_30d": "a.purchases_30d",
    "avg_basket_value": "CAST(a.avg_basket_value AS DOUBLE PRECISION)",
    "site_visits_30d": "a.site_visits_30d",
    "days_since_last_purchase": "a.days_since_last_purchase",
    "visits_7d": "a.visits_7d",
    "newsletter_opened": "CAST(a.newsletter_opened AS INTEGER)",
    "ad_clicks_7d": "a.ad_clicks_7d",
    "time_on_site_7d": "CAST(a.time_on_site_7d AS DOUBLE PRECISION)",
}
OUTCOMES = {
    "sales": "CAST(a.sales_next_month AS DOUBLE PRECISION)",
    "purchase": "CAST(a.purchased_next_14d AS INTEGER)",
}
SNAPSHOT_SELECT = (
    "SELECT CAST(a.observed_on AS TEXT), CAST(c.registered_on AS TEXT), "
    + ", ".join([*SNAPSHOT_COLUMNS.values(), *OUTCOMES.values()])
    + " FROM client_activity a JOIN clients c ON c.id = a.client_id"
)
LABELLED = (
    SNAPSHOT_SELECT
    + " WHERE a.sales_next_month IS NOT NULL OR a.purchased_next_14d IS NOT NULL"
    + " ORDER BY a.observed_on, a.client_id"
)


def read_columns(database: Database, statement: str) -> dict[str, np.ndarray]:
    connection = database.connect()
    try:
        return columns_of(database.rows(connection, statement))
    finally:
        connection.close()


def columns_of(rows: Sequence[Sequence[object]]) -> dict[str, np.ndarray]:
    """Rows of SNAPSHOT_SELECT as numpy columns: dates as days, every other value a float (NULL: NaN)."""
    values = list(zip(*rows, strict=True))
    names = [*SNAPSHOT_COLUMNS, *OUTCOMES]
    columns = {name: np.asarray(column, dtype=float) for name, column in zip(names, values[2:], strict=True)}
    columns["observed_on"] = np.asarray(values[0], dtype="datetime64[D]")
    columns["registered_on"] = np.asarray(values[1], dtype="datetime64[D]")
    return columns


def months_of(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[M]").astype(int)


def tenure_months(registered: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """Whole calendar months from registration to observation."""

    def day_of_month(days: np.ndarray) -> np.ndarray:
        return (days - days.astype("datetime64[M]")).astype(int)

    months = months_of(observed) - months_of(registered) - (day_of_month(observed) < day_of_month(registered))
    return np.maximum(months, 0).astype(float)


def basic_features(kind: str, c: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Prognoza's basic features of each kind, in its order."""
    if kind == "sales":
        return {
            "purchases_30d": c["purchases_30d"],
            "avg_basket_value": c["avg_basket_value"],
            "site_visits_30d": c["site_visits_30d"],
            "days_since_last_purchase": np.nan_to_num(c["days_since_last_purchase"], nan=NEVER_BOUGHT_DAYS),
            "tenure_months": tenure_months(c["registered_on"], c["observed_on"]),
        }
    bought = (c["purchases_30d"] > 0) | ~np.isnan(c["days_since_last_purchase"])
    return {
        "visits_7d": c["visits_7d"],
        "newsletter_opened": c["newsletter_opened"],
        "ad_clicks_7d": c["ad_clicks_7d"],
        "has_purchase_history": bought.astype(float),
        "time_on_site_7d": c["time_on_site_7d"],
    }


def pipeline(kind: str) -> Pipeline:
    model = (
        LinearRegression()
        if kind == "sales"
        else LogisticRegression(max_iter=1000, random_state=TRAINING_SEED)
    )
    imputer = SimpleImputer(strategy="mean", keep_empty_features=True)
    return Pipeline([("impute", imputer), ("scale", StandardScaler()), ("model", model)])


def with_signal(features: dict[str, np.ndarray], labelled: np.ndarray, training: np.ndarray) -> list[str]:
    """The features known in every labelled snapshot and not the same in all training ones."""
    return [
        name
        for name, column in features.items()
        if not np.isnan(column[labelled]).any() and len(np.unique(column[training])) > 1
    ]


def test_months(kind: str, months: np.ndarray, y: np.ndarray) -> list[int]:
    """The newest labelled months tested on, the newest always, the others when they can be."""
    labelled = ~np.isnan(y)
    present = np.unique(months[labelled])
    chosen = []
    for month in present[-BACKTEST_MONTHS:]:
        train, test = y[labelled & (months < month)], y[labelled & (months == month)]
        usable = len(train) >= MIN_TRAINING_ROWS and len(test) >= MIN_TEST_ROWS
        if kind == "purchase":
            usable = usable and 0 < train.sum() < len(train) and 0 < test.sum() < len(test)
        if month == present[-1] or usable:
            chosen.append(int(month))
    return chosen


@dataclass
class Fit:
    names: list[str]
    model: Pipeline
    train_size: int
    test_size: int
    score: float


def raw_train(database: Database, kind: str) -> Fit:
    """Read, build the features, fit once per test month; the newest month's model is kept."""
    c = read_columns(database, LABELLED)
    y = c[kind]
    months, labelled = months_of(c["observed_on"]), ~np.isnan(c[kind])
    newest = months[labelled].max()
    features = basic_features(kind, c)
    names = with_signal(features, labelled, labelled & (months < newest))
    x = np.column_stack([features[name] for name in names])
    fit = None
    for month in test_months(kind, months, y):
        train = np.flatnonzero(labelled & (months < month))
        test = np.flatnonzero(labelled & (months == month))
        sample = train
        if len(train) > MAX_TRAINING_ROWS:
            chosen = np.random.default_rng(TRAINING_SEED).choice(len(train), MAX_TRAINING_ROWS, replace=False)
            sample = train[np.sort(chosen)]
        model = pipeline(kind)
        if kind == "sales":
            model.fit(x[sample], y[sample])
            score = r2_score(y[test], model.predict(x[test]))
        else:
            model.fit(x[sample], y[sample].astype(int))
            score = roc_auc_score(y[test].astype(int), model.predict_proba(x[test])[:, 1])
        fit = Fit(names, model, len(train), len(test), float(score))
    assert fit is not None
    return fit


TEST_MONTH = re.compile(r"test month of ([\d,]+) \(trained on ([\d,]+)\): (?:r2|roc_auc) (-?[\d.]+)")


def step_train(bench: Bench) -> None:
    for kind in ("sales", "purchase"):
        ours, output = prognoza(["train", kind, "--activate-anyway"], bench.env)
        if not bench.raw_side_runs("train"):
            continue
        with Watch() as watch:
            fit = raw_train(bench.raw_db, kind)
        bench.fitted[kind] = (fit.names, fit.model)
        found = TEST_MONTH.search(output)
        test_size, train_size = (int(found.group(n).replace(",", "")) for n in (1, 2)) if found else (-1, -1)
        metric = "R²" if kind == "sales" else "ROC AUC"
        score = found.group(3) if found else "?"
        bench.report(
            f"train {kind}",
            ours,
            watch.timing,
            f"{metric} {score} / raw {fit.score:.3f}, {train_size:,} rows",
        )
        bench.check(
            f"{kind}: trained on {train_size:,} and tested on {test_size:,} snapshots (raw {fit.train_size:,}"
            f" and {fit.test_size:,})",
            (train_size, test_size) == (fit.train_size, fit.test_size),
        )


# --- 3. predict --------------------------------------------------------------------------------------

NEWEST = (
    SNAPSHOT_SELECT.replace("SELECT ", "SELECT a.client_id, ", 1)
    + " JOIN (SELECT client_id, MAX(observed_on) AS newest FROM client_activity GROUP BY client_id) n"
    + " ON n.client_id = a.client_id AND n.newest = a.observed_on ORDER BY a.client_id"
)


def raw_predict(bench: Bench, rescoring: bool) -> int:
    """Score every client's newest snapshot, store the predictions as the current ones."""
    database = bench.raw_db
    connection = database.connect()
    try:
        rows = database.rows(connection, NEWEST)
        ids = [row[0] for row in rows]
        c = columns_of([row[1:] for row in rows])
        sales = np.maximum(predict_with(bench, "sales", c), 0.0)
        chances = predict_with(bench, "purchase", c)
        made_at: object = (
            datetime.now(UTC) if database.postgres else datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        )
        observed = [str(day) for day in c["observed_on"]]
        yes, no = (True, False) if database.postgres else (1, 0)
        if rescoring or bench.options.reuse:  # a reused database holds the predictions of its last run
            for table in ("sales_predictions", "purchase_predictions"):
                statement = f"UPDATE {table} SET is_current = ? WHERE is_current = 1"
                connection.execute(database.sql(statement), (no,))
        database.insert(
            connection,
            "sales_predictions",
            ("client_id", "value", "model_version", "made_at", "is_current", "observed_on"),
            [
                (i, round(float(v), 2), 1, made_at, yes, o)
                for i, v, o in zip(ids, sales, observed, strict=True)
            ],
        )
        database.insert(
            connection,
            "purchase_predictions",
            (
                "client_id",
                "probability",
                "will_buy",
                "threshold",
                "model_version",
                "made_at",
                "is_current",
                "observed_on",
            ),
            [
                (i, float(p), yes if p >= THRESHOLD else no, THRESHOLD, 1, made_at, yes, o)
                for i, p, o in zip(ids, chances, observed, strict=True)
            ],
        )
        connection.commit()
    finally:
        connection.close()
    if not rescoring:
        bench.bands = fitted_bands(sales)
    return len(ids)


def predict_with(bench: Bench, kind: str, c: dict[str, np.ndarray]) -> np.ndarray:
    names, model = bench.fitted[kind]
    features = basic_features(kind, c)
    x = np.column_stack([features[name] for name in names])
    return model.predict(x) if kind == "sales" else model.predict_proba(x)[:, 1]


def fitted_bands(forecasts: np.ndarray) -> tuple[float, float]:
    """Segment bands from the forecasts' quantiles (the median and the 80th percentile), two
    significant figures each, as the first scoring sets them."""

    def rounded(amount: float) -> float:
        return 0.0 if amount <= 0 else round(amount, 1 - math.floor(math.log10(amount)))

    medium, high = (rounded(float(q)) for q in np.quantile(forecasts, [0.5, 0.8]))
    return medium, high


SCORED = re.compile(r"Scored ([\d,]+) clients")


def step_predict(bench: Bench) -> None:
    attempts = (("first scoring", False), ("rescoring", True))
    if not bench.raw_side_runs("predict"):
        for _ in attempts:
            prognoza(["predict"], bench.env)
        return
    active = int(bench.prognoza_db.scalar("SELECT COUNT(DISTINCT client_id) FROM client_activity"))
    for attempt, rescoring in attempts:
        ours, output = prognoza(["predict"], bench.env)
        found = SCORED.search(output)
        scored = int(found.group(1).replace(",", "")) if found else -1
        with Watch() as watch:
            raw_scored = raw_predict(bench, rescoring)
        bench.report(f"predict, {attempt}", ours, watch.timing, f"{scored:,} clients")
        bench.check(
            f"{attempt}: scored {scored:,}, raw {raw_scored:,}, clients with activity {active:,}",
            scored == raw_scored == active,
        )
    totals = [
        float(db.scalar("SELECT SUM(value) FROM sales_predictions WHERE is_current = 1"))
        for db in (bench.prognoza_db, bench.raw_db)
    ]
    bench.check(
        f"forecast totals agree within 0.1%: Prognoza {totals[0]:,.0f}, raw {totals[1]:,.0f}",
        abs(totals[0] - totals[1]) <= 0.001 * abs(totals[0]),
    )


# --- 3b. workers ------------------------------------------------------------------------------------


def step_workers(bench: Bench) -> None:
    """`prognoza predict` with its parts on a Redis queue: alone (the command is the one worker), then
    with `prognoza worker` processes taking parts beside it; each beside the one before it."""
    from redis import Redis
    from rq import Queue

    queue = f"prognoza-scale-{os.getpid()}"
    env = bench.env | {"PROGNOZA_REDIS_URL": bench.options.redis_url, "PROGNOZA_JOB_QUEUE": queue}
    redis = Redis.from_url(bench.options.redis_url)
    workers: list[subprocess.Popen[bytes]] = []
    before: Timing | None = None
    try:
        for count in range(1, bench.options.workers + 1):
            Queue(queue, connection=redis).empty()  # the parts the command did alone stay queued
            if count > 1:
                workers.append(start_worker(env, queue, redis))
            ours, output = prognoza(["predict"], env)
            found = SCORED.search(output)
            scored = int(found.group(1).replace(",", "")) if found else -1
            note = (
                f"{scored:,} clients; ratio: against {count - 1} worker(s)"
                if before
                else f"{scored:,} clients"
            )
            bench.report(f"predict, {count} worker(s) on Redis", ours, before, note)
            bench.check(f"{count} worker(s): scored {scored:,}", scored > 0)
            before = ours
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(timeout=60)
        Queue(queue, connection=redis).delete(delete_jobs=True)


def start_worker(env: dict[str, str], queue: str, redis: Any) -> subprocess.Popen[bytes]:
    """A `prognoza worker` on the queue, once it is listening."""
    from rq import Worker

    listening = len(Worker.all(connection=redis, queue=_queue(queue, redis)))
    worker = subprocess.Popen(
        [*PROGNOZA, "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while len(Worker.all(connection=redis, queue=_queue(queue, redis))) <= listening:
        if time.monotonic() > deadline or worker.poll() is not None:
            raise RuntimeError("prognoza worker did not start listening within 60 s")
        time.sleep(0.2)
    return worker


def _queue(name: str, redis: Any) -> Any:
    from rq import Queue

    return Queue(name, connection=redis)


# --- 4. export ---------------------------------------------------------------------------------------

EXPORT = (
    "SELECT c.id, c.first_name, c.last_name, c.email, CAST(c.registered_on AS TEXT),"
    " CAST(s.value AS DOUBLE PRECISION), p.probability, p.will_buy FROM clients c"
    " LEFT JOIN sales_predictions s ON s.client_id = c.id AND s.is_current = 1"
    " LEFT JOIN purchase_predictions p ON p.client_id = c.id AND p.is_current = 1"
    " ORDER BY lower(c.last_name), c.id"
)
EXPORT_HEADER = (
    "id",
    "first_name",
    "last_name",
    "email",
    "registered_on",
    "predicted_sales",
    "purchase_probability",
    "will_buy",
    "segment",
)


def raw_export(database: Database, path: Path, bands: tuple[float, float]) -> int:
    medium, high = bands

    def segment(value: float | None) -> str:
        return "" if value is None else "high" if value >= high else "medium" if value >= medium else "low"

    connection = database.connect()
    written = 0
    try:
        with path.open("w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file)
            writer.writerow(EXPORT_HEADER)
            for i, first, last, email, registered, value, probability, will_buy in connection.execute(
                database.sql(EXPORT)
            ):
                writer.writerow(
                    (
                        i,
                        first,
                        last,
                        email,
                        registered,
                        "" if value is None else f"{value:.2f}",
                        "" if probability is None else f"{probability:.4f}",
                        "" if will_buy is None else str(bool(will_buy)).lower(),
                        segment(value),
                    )
                )
                written += 1
    finally:
        connection.close()
    return written


def data_rows(path: Path) -> int:
    with path.open(newline="", encoding="utf-8-sig") as file:
        return sum(1 for _ in csv.reader(file)) - 1


def step_export(bench: Bench) -> None:
    ours_path, raw_path = bench.folder / "prognoza-export.csv", bench.folder / "raw-export.csv"
    ours, _ = prognoza(["export", "clients", str(ours_path)], bench.env)
    with Watch() as watch:
        written = raw_export(bench.raw_db, raw_path, bench.bands)
    exported = data_rows(ours_path)
    bench.report("export clients", ours, watch.timing, f"{exported:,} rows")
    bench.check(
        f"exported {exported:,} rows, raw {written:,}, clients {bench.options.clients:,}",
        exported == written == bench.options.clients,
    )


# --- 5. reads through the app ------------------------------------------------------------------------

LISTED = (
    "SELECT c.id, c.first_name, c.last_name, c.email, c.registered_on, s.value, p.probability, p.will_buy"
    " FROM clients c"
    " LEFT JOIN sales_predictions s ON s.client_id = c.id AND s.is_current = 1"
    " LEFT JOIN purchase_predictions p ON p.client_id = c.id AND p.is_current = 1"
)
BY_NAME = " ORDER BY lower(c.last_name), c.id LIMIT ? OFFSET ?"


def falling(column: str) -> str:
    """A prediction's column falling, ties by id falling with it; the clients without it after them, by id."""
    return f"{column} DESC NULLS LAST, CASE WHEN {column} IS NULL THEN c.id ELSE -c.id END"


BY_FORECAST_DESCENDING = f" ORDER BY {falling('s.value')}"
OTHER_SORTS = {  # ties by id in the sort's direction, the clients without the prediction last by id
    "predicted_sales": "s.value IS NULL, s.value, c.id",
    "-purchase_probability": falling("p.probability"),
    "-last_name": "lower(c.last_name) DESC, c.id DESC",
}
SEARCH = "(py_lower(c.first_name || ' ' || c.last_name) LIKE ? OR py_lower(c.email) LIKE ?)"


@dataclass(frozen=True)
class Read:
    """One question asked of the app and of the database: the app's path, the raw count and page."""

    name: str
    path: str
    count: str
    page: str
    params: tuple[object, ...] = ()
    count_params: tuple[object, ...] = ()


HIGH_COUNT = "SELECT COUNT(*) FROM sales_predictions WHERE is_current = 1 AND value >= ?"
LOW_COUNT = "SELECT COUNT(*) FROM sales_predictions WHERE is_current = 1 AND value < ?"
BUYERS_COUNT = "SELECT COUNT(*) FROM purchase_predictions WHERE is_current = 1 AND will_buy = 1"
NOT_BUYING_COUNT = "SELECT COUNT(*) FROM purchase_predictions WHERE is_current = 1 AND will_buy = 0"
# The contact tiers at either end: worth above the top cut point, and a known worth at most the third one.
TOP_TIER = "p.expected_value > ?"
REST_TIER = "p.expected_value IS NOT NULL AND p.expected_value <= ?"


def middle_page(matches: int) -> int:
    return max(1, -(-matches // PER_PAGE) // 2)


@dataclass(frozen=True)
class Matches:
    """How many clients each filtered read matches, counted by the raw side first."""

    high: int
    low: int
    buyers: int
    not_buying: int
    top_tier: int
    rest_tier: int


def tier_counted(tier: str) -> str:
    return f"SELECT COUNT(*) FROM purchase_predictions p WHERE p.is_current = 1 AND {tier}"


def list_reads(
    total: int, q: str, bands: tuple[float, float], cuts: tuple[float, float], matches: Matches
) -> list[Read]:
    medium, high = bands
    pages = max(1, -(-total // PER_PAGE))
    deep, middle = max(1, pages - 1), middle_page(total)
    like = f"%{q.lower()}%"
    return [
        Read(
            "list, first page",
            "/api/v1/clients",
            "SELECT COUNT(*) FROM clients",
            LISTED + BY_NAME,
            (PER_PAGE, 0),
        ),
        Read(
            f"list, page {middle:,} by number",
            f"/api/v1/clients?page={middle}",
            "SELECT COUNT(*) FROM clients",
            LISTED + BY_NAME,
            (PER_PAGE, (middle - 1) * PER_PAGE),
        ),
        *(
            Read(
                f"list, page {number:,} by -predicted_sales",
                f"/api/v1/clients?sort=-predicted_sales&page={number}",
                "SELECT COUNT(*) FROM clients",
                LISTED + BY_FORECAST_DESCENDING + " LIMIT ? OFFSET ?",
                (PER_PAGE, (number - 1) * PER_PAGE),
            )
            for number in (middle, deep)
        ),
        *(
            Read(
                f"list, page {middle:,} by {sort}",
                f"/api/v1/clients?sort={sort}&page={middle}",
                "SELECT COUNT(*) FROM clients",
                f"{LISTED} ORDER BY {order} LIMIT ? OFFSET ?",
                (PER_PAGE, (middle - 1) * PER_PAGE),
            )
            for sort, order in OTHER_SORTS.items()
        ),
        Read(
            f"list, q={q}",
            f"/api/v1/clients?q={q}",
            f"SELECT COUNT(*) FROM clients c WHERE {SEARCH}",
            f"{LISTED} WHERE {SEARCH}{BY_NAME}",
            (like, like, PER_PAGE, 0),
            (like, like),
        ),
        *(
            Read(
                f"list, will_buy={decision}, page {number:,}",
                f"/api/v1/clients?will_buy={decision}&page={number}",
                count,
                f"{LISTED} WHERE p.will_buy = {int(decision == 'true')}{BY_NAME}",
                (PER_PAGE, (number - 1) * PER_PAGE),
            )
            for decision, count, matched in (
                ("true", BUYERS_COUNT, matches.buyers),
                ("false", NOT_BUYING_COUNT, matches.not_buying),
            )
            for number in sorted({1, middle_page(matched)})
        ),
        *(
            Read(
                f"list, segment=high, page {number:,}",
                f"/api/v1/clients?segment=high&page={number}",
                HIGH_COUNT,
                f"{LISTED} WHERE s.value >= ?{BY_NAME}",
                (high, PER_PAGE, (number - 1) * PER_PAGE),
                (high,),
            )
            for number in sorted({1, middle_page(matches.high)})
        ),
        Read(
            f"list, segment=low, page {middle_page(matches.low):,}",
            f"/api/v1/clients?segment=low&page={middle_page(matches.low)}",
            LOW_COUNT,
            f"{LISTED} WHERE s.value < ?{BY_NAME}",
            (medium, PER_PAGE, (middle_page(matches.low) - 1) * PER_PAGE),
            (medium,),
        ),
        *crossed_reads(bands, cuts, matches),
        *(
            Read(
                f"list, tier={tier}, page {middle_page(matched):,}",
                f"/api/v1/clients?tier={tier}&page={middle_page(matched)}",
                tier_counted(condition),
                f"{LISTED} WHERE {condition}{BY_NAME}",
                (cut, PER_PAGE, (middle_page(matched) - 1) * PER_PAGE),
                (cut,),
            )
            for tier, condition, cut, matched in (
                (1, TOP_TIER, cuts[0], matches.top_tier),
                (4, REST_TIER, cuts[1], matches.rest_tier),
            )
        ),
    ]


def crossed_reads(bands: tuple[float, float], cuts: tuple[float, float], matches: Matches) -> list[Read]:
    """Lists filtered by one prediction and sorted by another, falling."""
    medium, high = bands
    filters = {  # the raw count, the condition, its parameter and how many clients match
        "segment=high": (HIGH_COUNT, "s.value >= ?", high, matches.high),
        "segment=low": (LOW_COUNT, "s.value < ?", medium, matches.low),
        "tier=4": (tier_counted(REST_TIER), REST_TIER, cuts[1], matches.rest_tier),
        "will_buy=false": (NOT_BUYING_COUNT, "p.will_buy = 0", None, matches.not_buying),
    }
    sorts = {
        "expected_value": "p.expected_value",
        "purchase_probability": "p.probability",
        "predicted_sales": "s.value",
    }
    reads = []
    for filtered, sort, middle in [
        ("segment=high", "expected_value", False),
        ("segment=high", "expected_value", True),
        ("segment=low", "purchase_probability", True),
        ("tier=4", "predicted_sales", False),
        ("tier=4", "predicted_sales", True),
        ("will_buy=false", "predicted_sales", True),
    ]:
        count, condition, value, matched = filters[filtered]
        bound = () if value is None else (value,)
        number = middle_page(matched) if middle else 1
        reads.append(
            Read(
                f"list, {filtered}&sort=-{sort}, page {number:,}",
                f"/api/v1/clients?{filtered}&sort=-{sort}&page={number}",
                count,
                f"{LISTED} WHERE {condition} ORDER BY {falling(sorts[sort])} LIMIT ? OFFSET ?",
                (*bound, PER_PAGE, (number - 1) * PER_PAGE),
                bound,
            )
        )
    return reads


DASHBOARD = (
    "SELECT COUNT(*) FROM clients",
    "SELECT observed_on, SUM(sales_next_month) FROM client_activity GROUP BY observed_on"
    " ORDER BY observed_on",
    "SELECT COUNT(*), AVG(value), SUM(value), SUM(CASE WHEN value >= ? THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN value >= ? AND value < ? THEN 1 ELSE 0 END), SUM(CASE WHEN value < ? THEN 1 ELSE 0 END)"
    " FROM sales_predictions WHERE is_current = 1",
    "SELECT COUNT(*) FROM purchase_predictions WHERE is_current = 1 AND probability >= ?",
    "SELECT c.id, c.first_name, c.last_name, s.value, p.probability FROM purchase_predictions p"
    " JOIN clients c ON c.id = p.client_id AND p.is_current = 1"
    " JOIN sales_predictions s ON s.client_id = c.id AND s.is_current = 1"
    " ORDER BY p.probability * s.value DESC, c.id LIMIT 5",
)
CLIENT = (
    "SELECT * FROM clients WHERE id = ?",
    "SELECT value, model_version, made_at FROM sales_predictions WHERE client_id = ? AND is_current = 1",
    "SELECT probability, will_buy, model_version, made_at FROM purchase_predictions WHERE client_id = ?"
    " AND is_current = 1",
    "SELECT * FROM client_activity WHERE client_id = ? ORDER BY observed_on DESC LIMIT 1",
)


def raw_dashboard(database: Database, connection: Any, bands: tuple[float, float]) -> None:
    medium, high = bands
    params: list[tuple[object, ...]] = [(), (), (high, medium, high, medium), (THRESHOLD,), ()]
    for statement, values in zip(DASHBOARD, params, strict=True):
        database.rows(connection, statement, values)


def signed_in_client(url: str, folder: Path) -> Any:
    """The app on the benchmark's database, and a test client signed in as an admin made for it."""
    from application.commands import NewUser
    from domain.errors import DuplicateEmail
    from entrypoints.app import create_app
    from entrypoints.container import container_of
    from entrypoints.settings import Settings

    settings = Settings(
        env="testing",
        database_url=url,
        instance_dir=folder / "instance",
        secret_key="scale",
        log_level="WARNING",
    )
    app = create_app(settings)
    with contextlib.suppress(DuplicateEmail):  # made by an earlier run on these databases (--reuse)
        container_of(app).create_user()(
            NewUser.parse({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "role": "admin"})
        )
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token, "the sign-in page carries no CSRF token"
    form = {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "csrf_token": token.group(1)}
    assert client.post("/login", data=form).status_code == 302, "signing in failed"
    return client


def app_get(client: Any, path: str) -> Any:
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"GET {path} answered {response.status_code}")
    return response


def step_reads(bench: Bench) -> None:
    database = bench.prognoza_db
    client = signed_in_client(database.url, bench.folder)
    connection = database.connect()
    try:
        bands = stored_bands(database, connection)
        cuts = stored_tier_cuts(database, connection)
        q = search_term(database, connection)
        app_get(client, "/api/v1/clients?per_page=1")  # the first request sets the app up: not timed
        matches = Matches(
            high=int(database.value(connection, HIGH_COUNT, (bands[1],))),
            low=int(database.value(connection, LOW_COUNT, (bands[0],))),
            buyers=int(database.value(connection, BUYERS_COUNT)),
            not_buying=int(database.value(connection, NOT_BUYING_COUNT)),
            top_tier=int(database.value(connection, tier_counted(TOP_TIER), (cuts[0],))),
            rest_tier=int(database.value(connection, tier_counted(REST_TIER), (cuts[1],))),
        )
        for read in list_reads(bench.options.clients, q, bands, cuts, matches):
            ours, response = median_timing(lambda read=read: app_get(client, read.path))
            listed = response.get_json()  # type: ignore[attr-defined]
            total = listed["total"]

            def raw(read: Read = read) -> tuple[int, list[int]]:
                counted = database.value(connection, read.count, read.count_params)
                page = database.rows(connection, read.page, read.params)
                return int(counted), [row[0] for row in page]

            raw_timing, (counted, raw_ids) = median_timing(raw)
            bench.report(read.name, ours, raw_timing, f"{total:,} clients")
            if listed["total_exact"]:
                bench.check(f"{read.name}: total {total:,}, raw count {counted:,}", total == counted)
            else:  # a search counted up to its bound: more clients than that match
                bench.check(f"{read.name}: total more than {total:,}, raw count {counted:,}", counted > total)
            app_ids = [item["id"] for item in listed["items"]]
            bench.check(
                f"{read.name}: the raw page's {len(raw_ids)} clients, in its order", app_ids == raw_ids
            )
        for page_number in following_pages(bench.options.clients):
            time_following_page(bench, client, database, connection, page_number)
        ours, _ = median_timing(lambda: app_get(client, "/"))
        raw_timing, _ = median_timing(lambda: raw_dashboard(database, connection, bands))
        bench.report("dashboard page", ours, raw_timing)
        ids = client_ids(bench.options.clients)
        ours = median_of(
            [median_timing(lambda i=i: app_get(client, f"/api/v1/clients/{i}"), 1)[0] for i in ids]
        )
        raw_timing = median_of(
            [
                median_timing(lambda i=i: [database.rows(connection, s, (i,)) for s in CLIENT], 1)[0]
                for i in ids
            ]
        )
        bench.report("one client (GET /clients/{id})", ours, raw_timing, f"median of {len(ids)} clients")
    finally:
        connection.close()


BY_FORECAST = "/api/v1/clients?sort=-predicted_sales"
AFTER_FORECAST = (
    f"{LISTED} WHERE s.value < ? OR (s.value = ? AND c.id < ?) OR s.value IS NULL"
    f"{BY_FORECAST_DESCENDING} LIMIT ?"
)
AFTER_UNPREDICTED = f"{LISTED} WHERE s.value IS NULL AND c.id > ? ORDER BY c.id LIMIT ?"


def following_pages(total: int) -> list[int]:
    """A page in the middle of the list by forecast (among the predicted) and its last page."""
    pages = max(1, -(-total // PER_PAGE))
    return sorted({max(2, pages // 2), max(2, pages)})


def time_following_page(bench: Bench, client: Any, database: Database, connection: Any, number: int) -> None:
    """A page reached through the `next` link of the page before it (read after that page's last
    client), beside the raw query a hand-written keyset read makes; the page must hold what the
    numbered page holds."""
    before = app_get(client, f"{BY_FORECAST}&page={number - 1}").get_json()
    link, last = before["links"]["next"], before["items"][-1]
    ours, response = median_timing(lambda: app_get(client, link))
    if last["predicted_sales"] is None:
        statement, params = AFTER_UNPREDICTED, (last["id"], PER_PAGE)
    else:
        value = last["predicted_sales"]
        statement, params = AFTER_FORECAST, (value, value, last["id"], PER_PAGE)
    raw_timing, _ = median_timing(lambda: database.rows(connection, statement, params))
    bench.report(f"list, page {number:,} by its next link", ours, raw_timing, "-predicted_sales")
    numbered = app_get(client, f"{BY_FORECAST}&page={number}").get_json()["items"]
    followed = response.get_json()["items"]  # type: ignore[attr-defined]
    bench.check(
        f"page {number:,} by its next link holds the numbered page's {len(numbered)} clients",
        [item["id"] for item in followed] == [item["id"] for item in numbered],
    )


def median_of(timings: list[Timing]) -> Timing:
    return Timing(statistics.median(t.seconds for t in timings), statistics.median(t.cpu for t in timings))


def client_ids(clients: int) -> list[int]:
    return sorted({max(1, clients * n // (CLIENT_READS + 1)) for n in range(1, CLIENT_READS + 1)})


def stored_bands(database: Database, connection: Any) -> tuple[float, float]:
    """The segment bands Prognoza's first scoring stored (its defaults if none)."""
    rows = database.rows(connection, "SELECT value FROM app_settings WHERE key = ?", ("segment_rule",))
    if not rows:
        return 300.0, 1000.0
    stored = rows[0][0] if isinstance(rows[0][0], dict) else json.loads(rows[0][0])
    return float(stored["medium_from"]), float(stored["high_from"])


def stored_tier_cuts(database: Database, connection: Any) -> tuple[float, float]:
    """The cut points of the top contact tier and of the rest, as Prognoza's newest batch scoring stored
    them."""
    rows = database.rows(connection, "SELECT value FROM app_settings WHERE key = ?", ("tier_cuts",))
    stored = rows[0][0] if isinstance(rows[0][0], dict) else json.loads(rows[0][0])
    return float(stored["top_above"]), float(stored["third_above"])


def search_term(database: Database, connection: Any) -> str:
    """Four letters of a client's last name: a search that finds some clients, not all."""
    return str(database.value(connection, "SELECT last_name FROM clients ORDER BY id LIMIT 1"))[:4].lower()


# --- Running and reporting ---------------------------------------------------------------------------

RUNNERS: dict[str, Callable[[Bench], None]] = {
    "seed": step_seed,
    "train": step_train,
    "predict": step_predict,
    "export": step_export,
    "reads": step_reads,
    "workers": step_workers,
}


def run_steps(bench: Bench, chosen: Sequence[str], prepare: bool = True) -> None:
    """Every step up to the last chosen one, in order; those not chosen unreported (or, without
    `prepare`, not run: their work is in the reused databases)."""
    last = max(STEPS.index(step) for step in chosen)
    for step in STEPS[: last + 1]:
        if step not in chosen and (step in NEEDED_BY_NONE or not prepare):
            continue
        bench.reporting = step in chosen
        print(f"{'running' if bench.reporting else 'preparing'}: {step} ...", flush=True)
        RUNNERS[step](bench)


def ratio(ours: Timing, raw: Timing | None) -> str:
    if raw is None or raw.seconds <= 0:
        return "-"
    return f"{ours.seconds / raw.seconds:.1f}x"


RAW_SIDES = {
    "seed": "inserts rows read back from Prognoza's database beforehand (executemany / COPY, one"
    " transaction); it neither generates the company nor derives the snapshots",
    "train": "reads the labelled snapshots, numpy features, one pipeline fit per backtest month; no"
    " baselines, other metrics, reasons nor model file",
    "predict": "newest snapshot of each client, both pipelines, inserts the rows (rescoring: flips"
    " is_current first); its pipelines are in memory: no model file loaded or checked",
    "workers": "none: each row is against the row before it, the same scoring with one worker fewer",
    "export": "one SELECT of clients and current predictions, csv.writer; no formula guarding",
    "reads": "COUNT then a page in plain SQL on Prognoza's database; no HTTP, JSON, templates or sign-in",
}


def seconds_text(timing: Timing | None) -> str:
    if timing is None:
        return "-"
    return f"{timing.seconds:.4f}" if timing.seconds < 1 else f"{timing.seconds:.1f}"


def print_table(bench: Bench) -> None:
    header = (
        f"{'step':<38} {'Prognoza s':>10} {'raw s':>9} {'ratio':>7} "
        f"{'CPU s':>7} {'raw CPU s':>9} {'peak MB':>8}  note"
    )
    print(header)
    print("-" * len(header))
    for step, ours, raw, note in bench.rows:
        raw_cpu = "-" if raw is None else f"{raw.cpu:.2f}"
        peak = "" if ours.peak_mb is None else f"{ours.peak_mb:.0f}"
        print(
            f"{step:<38} {seconds_text(ours):>10} {seconds_text(raw):>9} {ratio(ours, raw):>7} "
            f"{ours.cpu:>7.2f} {raw_cpu:>9} {peak:>8}  {note}"
        )
    print("\nThe raw side of each step:")
    for step in bench.options.steps:
        print(f"  {step}: {RAW_SIDES[step]}")
    print("\nCounts:")
    for what, ok in bench.checks:
        print(f"  {'ok  ' if ok else 'FAIL'} {what}")


def chosen_steps(text: str) -> list[str]:
    steps = [step.strip() for step in text.split(",") if step.strip()]
    unknown = [step for step in steps if step not in STEPS]
    if unknown or not steps:
        raise argparse.ArgumentTypeError(f"steps are among {', '.join(STEPS)}")
    return steps


def parse_options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), help="sqlite unless --postgres-url")
    parser.add_argument("--postgres-url", help="default: PROGNOZA_TEST_DATABASE_URL")
    parser.add_argument("--steps", type=chosen_steps, default=list(STEPS), help=",".join(STEPS))
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13", help="for the workers step")
    parser.add_argument("--workers", type=int, default=2, help="the workers step scores with 1 to N")
    parser.add_argument(
        "--reuse", type=Path, help="a folder kept by --keep: run the chosen steps only, on its databases"
    )
    parser.add_argument("--keep", type=Path, help="keep the databases (and exports) in this folder")
    options = parser.parse_args()
    options.database = options.database or ("postgresql" if options.postgres_url else "sqlite")
    options.postgres_url = options.postgres_url or os.environ.get("PROGNOZA_TEST_DATABASE_URL", "")
    if options.database == "postgresql" and not options.postgres_url:
        parser.error("--database postgresql needs --postgres-url or PROGNOZA_TEST_DATABASE_URL")
    if options.reuse and (options.keep or options.database != "sqlite"):
        parser.error("--reuse takes a folder kept before, and keeps it: no --keep, and its own database")
    return options


def bench_folder(keep: Path | None) -> Path:
    """A new temporary folder, or the one to keep, which must be empty: a seeded database is refused."""
    if keep is None:
        return Path(tempfile.mkdtemp(prefix="prognoza-scale-"))
    keep.mkdir(parents=True, exist_ok=True)
    if any(keep.iterdir()):
        sys.exit(f"--keep {keep}: the folder must be empty")
    return keep


KEPT_POSTGRES = "postgresql.json"


def databases_for(options: argparse.Namespace, folder: Path) -> tuple[Database, Database]:
    """The two databases: those a kept PostgreSQL run named in its folder, two new ones in the
    PostgreSQL server (named in the folder when it is kept), or the folder's SQLite files."""
    kept = folder / KEPT_POSTGRES
    if options.reuse and kept.exists():
        options.database = "postgresql"
        prognoza_url, raw_url = json.loads(kept.read_text())
        return Database(prognoza_url), Database(raw_url)
    if options.database == "postgresql":
        databases = postgres_databases(options.postgres_url)
        if options.keep:
            kept.write_text(json.dumps([database.url for database in databases]))
        return databases
    return Database(f"sqlite:///{folder}/prognoza.sqlite3"), Database(f"sqlite:///{folder}/raw.sqlite3")


def main() -> int:
    options = parse_options()
    folder = options.reuse or bench_folder(options.keep)
    databases = databases_for(options, folder)
    bench = Bench(options, folder, *databases, environment(folder, databases[0].url))
    print(
        f"{options.clients:,} clients x {options.months} months on {options.database}, "
        f"steps {','.join(options.steps)}; Prognoza's database {databases[0].url}, the raw side's "
        f"{databases[1].url}"
    )
    started = time.perf_counter()
    try:
        run_steps(bench, options.steps, prepare=not options.reuse)
    finally:
        if options.database == "postgresql" and not (options.keep or options.reuse):
            drop_postgres_databases(options.postgres_url, databases)
        if not options.keep and not options.reuse:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"done in {time.perf_counter() - started:.0f} s; ratio = Prognoza's time / the raw side's\n")
    print_table(bench)
    return 0 if all(ok for _, ok in bench.checks) else 1


if __name__ == "__main__":
    sys.exit(main())
