"""How long `prognoza train sales --auto` and `prognoza train purchase --auto` take on a fresh SQLite file
of 100,000 clients x 24 months of orders (their snapshots derived by `prognoza snapshots build`).

Each comparison trains every candidate of its model on a rolling backtest of the three newest labelled
months. Beside them, a hand-written script does the same work straight from sqlite3, numpy and
scikit-learn (the same features, estimators, sample limit and months; the lifetime fits from
`adapters.clv`), in the same session, so the ratio shows what the application's layers cost. Usage:

    python bench/train_candidates_sqlite.py [--clients 100000] [--months 24] [--seed 7] [--budget 180]

Exits 1 when the two comparisons together exceed the budget (seconds), or when either leaves its model
without an active version.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from harness import run, sqlite_environment, timed
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import r2_score, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from snapshots_sqlite import write_orders

from adapters.clv import fit_bgnbd, fit_gamma_gamma

SAMPLE, SEED, FOLDS = 250_000, 42, 3
COLUMNS = (
    "observed_on, registered_on, purchases_30d, avg_basket_value, site_visits_30d, days_since_last_purchase, "
    "visits_7d, newsletter_opened, ad_clicks_7d, time_on_site_7d, spend_90d, spend_180d, spend_365d, "
    "purchases_365d, active_months_365d, purchase_days, days_since_first_purchase, avg_order_value, "
    "sales_next_month, purchased_next_14d"
)


def read_columns(database: Path) -> dict[str, np.ndarray]:
    """The labelled snapshots, by date then client, as float columns (NULL as NaN; dates as months)."""
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            f"SELECT {COLUMNS.replace('registered_on', 'c.registered_on')} FROM client_activity a "
            "JOIN clients c ON c.id = a.client_id "
            "WHERE sales_next_month IS NOT NULL OR purchased_next_14d IS NOT NULL "
            "ORDER BY observed_on, client_id"
        ).fetchall()
    names = [name.strip() for name in COLUMNS.split(",")]
    dates = {name: [row[i] for row in rows] for i, name in enumerate(names[:2])}
    values = np.array([row[2:] for row in rows], dtype=float)
    data = {name: values[:, i] for i, name in enumerate(names[2:])}
    for name, texts in dates.items():
        ymd = np.array([(int(t[:4]), int(t[5:7]), int(t[8:10])) for t in texts])
        data[f"{name}_month"], data[f"{name}_day"] = ymd[:, 0] * 12 + ymd[:, 1], ymd[:, 2]
    return data


def feature_sets(d: dict[str, np.ndarray]) -> dict[tuple[str, str], np.ndarray]:
    never = np.isnan(d["days_since_last_purchase"])
    dslp = np.where(never, 365.0, d["days_since_last_purchase"])
    tenure = np.maximum(
        d["observed_on_month"] - d["registered_on_month"] - (d["observed_on_day"] < d["registered_on_day"]), 0
    )
    first = np.where(np.isnan(d["days_since_first_purchase"]), 0.0, d["days_since_first_purchase"])
    days = d["purchase_days"]
    with np.errstate(all="ignore"):
        gaps = np.where(
            days >= 2, (first - np.where(never, 0, dslp)) / (days - 1), np.where(days == 1, first, 365)
        )
    history = [
        d["purchases_30d"] * d["avg_basket_value"],
        d["spend_90d"],
        d["spend_180d"],
        d["spend_365d"],
        d["purchases_365d"],
        d["active_months_365d"],
        first,
        gaps,
        d["avg_order_value"],
    ]
    sales = [d["purchases_30d"], d["avg_basket_value"], d["site_visits_30d"], dslp, tenure]
    purchase = [
        d["visits_7d"],
        d["newsletter_opened"],
        d["ad_clicks_7d"],
        ((d["purchases_30d"] > 0) | ~never).astype(float),
        d["time_on_site_7d"],
    ]
    return {
        ("sales", "basic"): np.column_stack(sales),
        ("sales", "extended"): np.column_stack(sales + history),
        ("purchase", "basic"): np.column_stack(purchase),
        ("purchase", "extended"): np.column_stack([*purchase, d["purchases_30d"], dslp, *history]),
    }


def with_signal(x: np.ndarray, labelled: np.ndarray, training: np.ndarray) -> np.ndarray:
    """The columns known in every labelled row and varying in the training rows."""
    known = ~np.isnan(x[labelled]).any(axis=0)
    varying = np.zeros(x.shape[1], dtype=bool)
    varying[known] = x[training][:, known].max(axis=0) > x[training][:, known].min(axis=0)
    return x[:, known & varying]


def estimator(kind: str, family: str) -> object:
    if family == "boosted":
        options = {"max_iter": 100, "learning_rate": 0.1, "early_stopping": False, "random_state": SEED}
        if kind == "sales":
            return HistGradientBoostingRegressor(loss="poisson", **options)
        return HistGradientBoostingClassifier(**options)
    model = LinearRegression() if kind == "sales" else LogisticRegression(max_iter=1000, random_state=SEED)
    return make_pipeline(SimpleImputer(keep_empty_features=True), StandardScaler(), model)


def lifetime_forecast(
    d: dict[str, np.ndarray], train: np.ndarray, test: np.ndarray, y: np.ndarray
) -> np.ndarray:
    """BG/NBD x Gamma-Gamma fitted on the newest training month's clients, forecasting the next month."""
    newest = train[d["observed_on_month"][train] == d["observed_on_month"][train].max()]

    def history(rows: np.ndarray) -> tuple[np.ndarray, ...]:
        days = d["purchase_days"][rows]
        bought = days >= 1
        x = days[bought] - 1
        age = d["days_since_first_purchase"][rows][bought]
        t_x = np.where(x > 0, np.clip(age - d["days_since_last_purchase"][rows][bought], 0, age), 0)
        return bought, x, t_x, age, d["avg_order_value"][rows][bought]

    bought, x, t_x, age, value = history(newest)
    purchases = fit_bgnbd(x, t_x, age)
    returning = (x >= 1) & (value > 0)
    order_value = fit_gamma_gamma(x[returning], value[returning])
    never = y[newest][~bought]
    forecast = np.full(len(test), never.mean() if len(never) else 0.0)
    bought, x, t_x, age, value = history(test)
    forecast[bought] = purchases.expected_purchases(30.4, x, t_x, age) * order_value.expected_order_value(
        x, value
    )
    return forecast


def raw_compare(d: dict[str, np.ndarray], kind: str) -> dict[str, float]:
    """Every candidate of `kind` backtested by hand; each one's mean score over the test months."""
    y = d["sales_next_month"] if kind == "sales" else d["purchased_next_14d"]
    months = d["observed_on_month"]
    labelled = ~np.isnan(y)
    test_months = np.unique(months[labelled])[-FOLDS:]
    rng = np.random.default_rng(SEED)
    score = r2_score if kind == "sales" else roc_auc_score
    columns = feature_sets(d)
    scores = {}
    candidates = [(f, s) for f in ("linear", "boosted") for s in ("basic", "extended")]
    for family, features in candidates + ([("clv", "extended")] if kind == "sales" else []):
        folds = []
        for month in test_months:
            train = np.flatnonzero(labelled & (months < month))
            test = np.flatnonzero(labelled & (months == month))
            if family == "clv":
                predicted = lifetime_forecast(d, train, test, y)
            else:
                x = with_signal(columns[(kind, features)], labelled, labelled & (months < test_months[-1]))
                if x.shape[1] == 0:  # nothing known and varying: Prognoza refuses such a candidate too
                    break
                sample = np.sort(rng.choice(train, SAMPLE, replace=False)) if len(train) > SAMPLE else train
                model = estimator(kind, family).fit(x[sample], y[sample])  # type: ignore[attr-defined]
                predicted = model.predict(x[test]) if kind == "sales" else model.predict_proba(x[test])[:, 1]
            folds.append(score(y[test], predicted))
        if folds:
            scores[f"{family}/{features}"] = round(float(np.mean(folds)), 3)
    return scores


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--budget", type=float, default=180.0, help="seconds both comparisons may take")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="prognoza-bench-") as folder:
        database, env = sqlite_environment(folder)
        timed(["db", "upgrade"], env)
        through, orders = write_orders(database, options.clients, options.months, options.seed)
        build_seconds = timed(["snapshots", "build"], env)
        print(
            f"{options.clients:,} clients, {orders:,} orders over {options.months} months through {through}; "
            f"snapshots built in {build_seconds:.1f} s"
        )
        seconds, outputs = {}, {}
        for kind in ("sales", "purchase"):
            seconds[kind], outputs[kind] = run(["train", kind, "--auto"], env)
            table = outputs[kind][outputs[kind].index("  candidate") :].rstrip()
            print(f"prognoza train {kind} --auto: {seconds[kind]:.1f} s\n{table}")
        started = time.perf_counter()
        data = read_columns(database)
        raw = {kind: raw_compare(data, kind) for kind in ("sales", "purchase")}
        raw_seconds = time.perf_counter() - started
        print(f"hand-written numpy + scikit-learn script: {raw_seconds:.1f} s, backtest means {raw}")

    total = sum(seconds.values())
    budget = f"budget {options.budget:g} s"
    print(f"ratio: {total / raw_seconds:.2f}x the raw script; {total:.1f} s in all ({budget})")
    if any("Active:" not in output for output in outputs.values()):
        print("FAIL: a comparison left its model without an active version", file=sys.stderr)
        return 1
    if total > options.budget:
        print(f"FAIL: {total:.1f} s is over the budget of {options.budget:.0f} s", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
