"""The `prognoza` command line: the development server, the schema, staff accounts and demo data.

Every command builds the app through `create_app()` and reaches the use cases through its container,
like the API and the web panel do. Refusals (bad input, taken emails, a missing database) end as one
line naming the field, with exit code 1 (2 for options click itself rejects), never a traceback.
"""

from __future__ import annotations

import functools
import getpass
import io
import itertools
import os
import sys
import time
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from typing import Any, BinaryIO, TypeVar

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext
from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from adapters.sqlalchemy import current_revision, upgrade_database
from application.commands import (
    KEPT_JOBS_DAYS,
    ClientExport,
    Credentials,
    ImportMode,
    NewUser,
    TrainingRequest,
)
from application.imports import ImportRejected, ImportReport, Row
from application.ports import JobProgress
from application.training import best_of
from domain.calibration import AS_FITTED
from domain.candidates import FeatureSetName, ModelFamily, candidates
from domain.errors import AuthenticationFailed, DomainError
from domain.model_runs import (
    Evaluation,
    ModelNotTrained,
    ModelRun,
    RunStatus,
    command_line_operator,
    main_metric,
)
from domain.predictions import ModelKind
from entrypoints.app import create_app
from entrypoints.container import current_container as container
from entrypoints.csv_files import export_lines, read_rows
from entrypoints.progress import command_progress
from entrypoints.server import PrognozaServer, gunicorn_options
from entrypoints.settings import Settings, UnsafeProduction
from entrypoints.spreadsheets import sheet_of
from entrypoints.web.i18n import DEFAULT_LOCALE
from entrypoints.worker import run_worker

DEMO_ADMIN_EMAIL = "admin@example.com"
T = TypeVar("T")
EXPORT_PROGRESS_ROWS = 10_000
"""Rows written between two reports of an export's progress."""
IMPORT_PROGRESS_ROWS = 10_000
"""Rows read between two reports of an import's progress."""
DEMO_ADMIN_PASSWORD = "prognoza-demo"


class PrognozaGroup(FlaskGroup):
    """Flask's group (it brings `run`), with the one place where errors become a clean message."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DomainError as error:
            raise click.ClickException(error.message) from None
        except SQLAlchemyError as error:
            raise click.ClickException(_database_problem(error)) from None


def build_app() -> Flask:
    try:
        return create_app()
    except ValidationError as error:
        raise click.ClickException(f"settings: {_settings_problems(error)}") from None
    except UnsafeProduction as error:
        raise click.ClickException(str(error)) from None


@click.group(cls=PrognozaGroup, create_app=build_app, add_version_option=False)
def cli() -> None:
    """Prognoza: client analytics, next-month sales forecasts and 14-day purchase predictions.

    Settings come from PROGNOZA_* environment variables (see the README).
    """


# Flask's --app and --env-file would load another application or environment: Prognoza has one.
cli.params = [p for p in cli.params if p.name not in {"app", "env_file"}]


def main() -> None:
    cli(prog_name="prognoza")


# --- prognoza serve ----------------------------------------------------------------------------


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="The interface to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
def serve(host: str, port: int) -> None:
    """Serve the app for real use: gunicorn, PROGNOZA_WORKERS processes of PROGNOZA_THREADS threads.

    `prognoza run` is the development server (one process, a reloader and debugger on demand).
    """
    try:
        settings = Settings()
    except ValidationError as error:
        raise click.ClickException(f"settings: {_settings_problems(error)}") from None
    database = _printable(settings.database_url)
    click.echo(
        f"Serving Prognoza on http://{host}:{port} "
        f"({settings.workers} processes x {settings.threads} threads, database {database})"
    )
    sys.stdout.flush()
    PrognozaServer(gunicorn_options(settings, host, port)).run()


# --- prognoza worker ---------------------------------------------------------------------------


@cli.command("worker")
@click.option("--queue", help="The Redis queue to take jobs from; default: PROGNOZA_JOB_QUEUE.")
@click.option("--burst", is_flag=True, help="Perform the jobs queued now, then stop.")
@with_appcontext
def worker(queue: str | None, burst: bool) -> None:
    """Perform background jobs (training, scoring every client, snapshot builds) queued on Redis
    (PROGNOZA_REDIS_URL) by `prognoza serve`; run one or more beside it."""
    settings = container().settings()
    if not settings.redis_url:
        raise click.ClickException(
            "PROGNOZA_REDIS_URL is not set: without Redis, the app performs its jobs itself, in a thread."
        )
    name = queue or settings.job_queue
    container().job_handlers()  # scikit-learn imported now, not in the first job
    click.echo(f"Performing Prognoza's jobs from the queue {name!r} on {_printable(settings.redis_url)}")
    sys.stdout.flush()
    run_worker(settings.redis_url, name, burst=burst)


@cli.group()
def jobs() -> None:
    """Background jobs: their state is kept in the database."""


@jobs.command("prune")
@click.option(
    "--older-than-days",
    type=int,
    default=KEPT_JOBS_DAYS,
    show_default=True,
    help="Delete the jobs that finished more than this many days ago (unfinished ones are kept).",
)
@with_appcontext
def jobs_prune(older_than_days: int) -> None:
    """Delete old finished jobs (each part of a batch scoring is a job too); a cron line keeps it tidy."""
    deleted = container().prune_jobs()(older_than_days=older_than_days)
    click.echo(f"Deleted {deleted:,} jobs that finished more than {older_than_days:,} days ago.")


# --- prognoza db -------------------------------------------------------------------------------


@cli.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Create the database or bring its schema up to date (Alembic migrations)."""
    url = container().settings().database_url
    upgrade_database(url)
    click.echo(f"Database {_printable(url)} is at revision {current_revision(url)}.")


# --- prognoza users ----------------------------------------------------------------------------


@cli.group()
def users() -> None:
    """Staff accounts."""


@users.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(["admin", "analyst"]), default="analyst", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
@with_appcontext
def users_create(email: str, role: str, password_stdin: bool) -> None:
    """Create a staff account; the password is asked for twice, hidden, unless --password-stdin."""
    password = _password_from_stdin() if password_stdin else _password_from_prompt()
    command = NewUser.parse({"email": email, "password": password, "role": role})
    user = container().create_user()(command)
    click.echo(f"Created {user.role.value} {user.email} (id {user.id}).")


def _password_from_stdin() -> str:
    return sys.stdin.readline().rstrip("\r\n")


def _password_from_prompt() -> str:
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


# --- prognoza demo -----------------------------------------------------------------------------


@cli.group()
def demo() -> None:
    """Demo data: a synthetic company and a demo admin, for trying Prognoza out."""


DRIFT_OPTION = click.option(
    "--drift",
    is_flag=True,
    help="Shift the company's newest month (2.5 times the visits, baskets 60% larger): the models, "
    "trained on the months before, then see the newest snapshots drift.",
)


@demo.command("seed")
@click.option("--clients", type=int, default=2000, show_default=True, help="How many clients (1-1,000,000).")
@click.option("--months", type=int, default=6, show_default=True, help="Months of orders and events (1-60).")
@click.option("--seed", type=int, default=7, show_default=True, help="The same seed gives the same company.")
@click.option("--if-empty", is_flag=True, help="Do nothing, successfully, when the database has clients.")
@DRIFT_OPTION
@with_appcontext
def demo_seed(clients: int, months: int, seed: int, if_empty: bool, drift: bool = False) -> None:
    """Fill an empty database with a synthetic company whose newest month awaits its outcomes."""
    if if_empty and (existing := container().count_clients()()) > 0:
        click.echo(f"The database already holds {existing:,} clients; no demo data seeded.")
        return
    started = time.perf_counter()
    with command_progress("Seeding clients") as progress:
        report = container().seed_demo_company()(
            clients=clients, months=months, seed=seed, drift=drift, progress=progress
        )
    click.echo(
        f"Seeded {report.clients:,} clients with {report.orders:,} orders and {report.events:,} events "
        f"from {report.logs_from} to {report.through}, and derived {report.snapshots:,} activity snapshots "
        f"from them, in {time.perf_counter() - started:.1f} s."
    )


@demo.command("advance")
@click.option("--months", type=int, default=1, show_default=True, help="Months to move on by (1-12).")
@with_appcontext
def demo_advance(months: int) -> None:
    """Move the demo company on as if MONTHS months had passed: their orders and events, the snapshots
    rebuilt through the new month end (so the predictions made before meet their outcomes), then every
    client scored again."""
    started = time.perf_counter()
    report = container().advance_demo_company()({"months": months})
    click.echo(
        f"Moved the demo company on from {report.previous_through} to {report.through}: "
        f"{report.orders:,} orders and {report.events:,} events of {report.clients:,} clients added, "
        f"{report.snapshots:,} activity snapshots derived, in {time.perf_counter() - started:.1f} s."
    )
    started = time.perf_counter()
    scored = container().rescore_if_trained()()
    if scored is None:
        click.echo("No model is trained and active: the clients were not scored again.")
        return
    seconds = time.perf_counter() - started
    click.echo(
        f"Scored {scored.clients_scored:,} clients again with sales v{scored.sales_version} and purchase "
        f"v{scored.purchase_version} at threshold {scored.threshold:.0%} in {seconds:.1f} s."
    )


@demo.command("ensure-admin")
@with_appcontext
def demo_ensure_admin() -> None:
    """Create the demo admin when no admin exists, and print how to sign in (development only)."""
    if container().settings().env == "production":
        raise click.ClickException(
            "env: the demo admin has a published password; in production use `prognoza users create`."
        )
    admins = [u for u in container().list_users()() if u.is_admin and u.is_active]
    if any(u.email == DEMO_ADMIN_EMAIL for u in admins):
        _report_existing_demo_admin()
    elif admins:
        click.echo(f"Admins exist already ({', '.join(u.email for u in admins)}); no demo admin created.")
    else:
        command = NewUser.parse({"email": DEMO_ADMIN_EMAIL, "password": DEMO_ADMIN_PASSWORD, "role": "admin"})
        container().create_user()(command)
        click.echo(
            f"Created the demo admin. Sign in as {DEMO_ADMIN_EMAIL} with password {DEMO_ADMIN_PASSWORD}"
        )


@demo.command("ready")
@click.option("--clients", type=int, default=2000, show_default=True, help="How many clients, when seeding.")
@click.option(
    "--months", type=int, default=6, show_default=True, help="Months of orders and events, when seeding."
)
@click.option("--seed", type=int, default=7, show_default=True, help="The same seed gives the same company.")
@DRIFT_OPTION
@click.pass_context
def demo_ready(ctx: click.Context, clients: int, months: int, seed: int, drift: bool) -> None:
    """Everything the demo needs, in one process, each step only where it is missing: the schema
    (`db upgrade`), the company (`demo seed --if-empty`), both models (`train --auto --if-untrained
    --activate-anyway`), the predictions (`predict --if-unscored`) and the demo admin (`demo
    ensure-admin`)."""
    ctx.invoke(db_upgrade)
    ctx.invoke(demo_seed, clients=clients, months=months, seed=seed, if_empty=True, drift=drift)
    for kind in ModelKind:
        ctx.invoke(
            train,
            kind=kind.value,
            features=None,
            model=None,
            auto=True,
            if_untrained=True,
            activate_anyway=True,
        )
    ctx.invoke(predict, client_id=None, if_unscored=True)
    ctx.invoke(demo_ensure_admin)


@demo.command("welcome")
@click.option("--url", required=True, help="Where the panel is served, e.g. http://127.0.0.1:5000.")
@click.option("--wait", type=float, default=60.0, show_default=True, help="Seconds to wait for it to answer.")
@click.pass_context
def demo_welcome(ctx: click.Context, url: str, wait: float) -> None:
    """Once the panel answers at URL, print where to open it and how to sign in: the last lines of
    `make run`, after the server's own."""
    deadline = time.monotonic() + wait
    while not _answers(f"{url}/healthz"):
        if time.monotonic() > deadline:
            raise click.ClickException(f"The panel did not answer at {url} within {wait:.0f} s.")
        time.sleep(0.25)
    click.echo(f"\nPrognoza is ready: open {url}")
    ctx.invoke(demo_ensure_admin)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def _report_existing_demo_admin() -> None:
    credentials = Credentials.parse({"email": DEMO_ADMIN_EMAIL, "password": DEMO_ADMIN_PASSWORD})
    try:
        container().authenticate()(credentials)
    except AuthenticationFailed:
        click.echo(f"The demo admin {DEMO_ADMIN_EMAIL} exists; its password has been changed.")
        return
    _print_demo_credentials()


def _print_demo_credentials() -> None:
    click.echo(f"Sign in as {DEMO_ADMIN_EMAIL} with password {DEMO_ADMIN_PASSWORD}")


# --- prognoza train / predict / models ----------------------------------------------------------

KINDS = click.Choice([kind.value for kind in ModelKind])


@cli.command("train")
@click.argument("kind", type=KINDS)
@click.option(
    "--features",
    type=click.Choice([name.value for name in FeatureSetName]),
    help="The candidate's inputs: basic (default), or extended with the order history.",
)
@click.option(
    "--model",
    type=click.Choice([family.value for family in ModelFamily]),
    help="The candidate's family: linear (default), boosted, or clv (sales only).",
)
@click.option(
    "--auto",
    is_flag=True,
    help="Train every candidate on the same backtest and activate the best that beats its baselines.",
)
@click.option(
    "--if-untrained", is_flag=True, help="Do nothing, successfully, when a model is active already."
)
@click.option(
    "--activate-anyway",
    is_flag=True,
    help="Make the new version (with --auto: the best backtest) active even when it is not better than "
    "its baselines (it keeps the warning).",
)
@with_appcontext
def train(
    kind: str, features: str | None, model: str | None, auto: bool, if_untrained: bool, activate_anyway: bool
) -> None:
    """Train a candidate of the sales or purchase model now (or, with --auto, every candidate), and make
    it active if it succeeds and beats its baselines on the test month."""
    if auto and (features or model):
        raise click.UsageError("--auto trains every candidate: leave out --features and --model.")
    model_kind = ModelKind(kind)
    if if_untrained and (active := container().active_run()(model_kind)) is not None:
        click.echo(f"The {kind} model is trained already (version {active.version}); not retrained.")
        return
    if auto:
        _compare(model_kind, activate_anyway)
        return
    options = {"features": features, "model": model}
    candidate = TrainingRequest.parse({k: v for k, v in options.items() if v is not None}).candidate
    run = container().queue_training()(model_kind, _operator(), candidate=candidate)
    click.echo(f"Training the {kind} model, version {run.version} ({candidate.name})...")
    finished = container().run_training()(run.id or 0)
    if finished.status is not RunStatus.SUCCEEDED:
        raise click.ClickException(f"training failed: {finished.error}")
    if activate_anyway and not finished.is_active:
        finished = container().activate_version()(model_kind, finished.version, _operator())
    click.echo(_describe_run(finished))


def _compare(kind: ModelKind, activate_anyway: bool) -> None:
    queued = container().queue_comparison()(kind, _operator(), compared=candidates(kind))
    click.echo(
        f"Comparing {len(queued)} candidates of the {kind.value} model, "
        f"versions {queued[0].version}-{queued[-1].version}..."
    )
    with command_progress("Training candidates") as progress:
        runs = container().run_comparison()([run.id or 0 for run in queued], progress=progress)
    chosen = next((run for run in runs if run.is_active), None)
    if chosen is None and activate_anyway and (best := best_of(runs, beating_baselines=False)) is not None:
        chosen = container().activate_version()(kind, best.version, _operator())
        runs = [chosen if run.id == chosen.id else run for run in runs]
    for run in runs:
        click.echo(_describe_run(run))
    click.echo(_comparison_table(kind, runs))
    if chosen is None:
        raise click.ClickException(
            f"no candidate of the {kind.value} model beat its baselines: none was made active."
        )
    click.echo(f"Active: {kind.value} v{chosen.version} ({chosen.candidate.name}).")


def _comparison_table(kind: ModelKind, runs: list[ModelRun]) -> str:
    metric = main_metric(kind)
    calibrated = kind is ModelKind.PURCHASE
    lines = [
        f"  {'candidate':<18} {'version':>7} {'backtest ' + metric:>16} {'test month':>10}  "
        + ("calibration  " if calibrated else "")
        + "baselines"
    ]
    for run in runs:
        ev = run.evaluation
        score = "-" if ev is None or ev.backtest_score is None else f"{ev.backtest_score:.3f}"
        tested = "-" if ev is None else f"{ev.metrics.get(metric, float('nan')):.3f}"
        best = None if ev is None else ev.best_baseline(metric)
        baseline = "-" if best is None else f"{best[0]} {best[1]:.3f}"
        mark = "*" if run.is_active else " "
        status = "" if run.status is RunStatus.SUCCEEDED else f" ({run.status.value})"
        calibration = f"{_calibration_kept(ev):<11}  " if calibrated else ""
        lines.append(
            f"{mark} {run.candidate.name:<18} {'v' + str(run.version):>7} {score:>16} {tested:>10}  "
            f"{calibration}{baseline}{status}"
        )
    return "\n".join(lines)


@cli.command("retrain")
@click.argument("kinds", metavar="[KIND]...", nargs=-1, type=KINDS)
@click.option(
    "--if-needed",
    is_flag=True,
    help="Retrain only a model whose drift or realized performance advises it (a feature's PSI at least "
    "0.2 above its hold-out PSI and twice it, or its realized key metric below the claimed one by more "
    "than the margin).",
)
@with_appcontext
def retrain(kinds: tuple[str, ...], if_needed: bool) -> None:
    """Retrain the sales and purchase models (or the KINDs named) as `train KIND --auto` does: every
    candidate compared, the best one that beats its baselines activated. With --if-needed, only where
    the active model's drift or realized performance advises it; for cron."""
    failed = []
    for kind in [ModelKind(k) for k in kinds] or list(ModelKind):
        if if_needed and not _retraining_needed(kind):
            continue
        try:
            _compare(kind, activate_anyway=False)
        except click.ClickException as error:
            click.echo(f"Error: {error.message}", err=True)
            failed.append(kind.value)
    if failed:
        raise click.ClickException(
            f"retraining did not give an active model better than its baselines: {', '.join(failed)}."
        )


def _retraining_needed(kind: ModelKind) -> bool:
    """Whether the advice says to retrain `kind`, printing what was found and why."""
    try:
        report = container().model_drift()(kind)
    except ModelNotTrained:
        click.echo(
            f"The {kind.value} model is not trained: nothing to retrain "
            f"(`prognoza train {kind.value} --auto` trains it)."
        )
        return False
    if not report.measured:
        click.echo(
            f"The {kind.value} model v{report.model_version} was trained before drift was measured: "
            "retrain it once to measure drift from then on."
        )
    if report.retraining_advised:
        click.echo(f"Retraining the {kind.value} model v{report.model_version}:")
        for reason in report.reasons:
            click.echo(f"  {reason.message}")
        return True
    largest = max(report.features, key=lambda d: d.psi or 0.0, default=None)
    shift = (
        ""
        if largest is None or largest.psi is None
        else f" (largest PSI {largest.psi:.2f}, {largest.feature}, {largest.holdout_psi:.2f} on the hold-out)"
    )
    click.echo(
        f"The {kind.value} model v{report.model_version} needs no retraining{shift}: no feature's PSI is "
        f"{report.psi_margin} above its hold-out PSI and {report.psi_factor:g} times it, and its realized "
        "performance is as claimed."
    )
    return False


@cli.command("predict")
@click.option(
    "--client", "client_id", type=click.IntRange(min=1), help="One client's id; all clients if left out."
)
@click.option("--if-unscored", is_flag=True, help="Do nothing, successfully, when clients have predictions.")
@with_appcontext
def predict(client_id: int | None, if_unscored: bool) -> None:
    """Score clients from their newest snapshot with the active models and store the predictions."""
    if if_unscored and (scored := container().clients_scored()()) > 0:
        click.echo(f"{scored:,} clients have current predictions already; not scored again.")
        return
    if client_id is not None:
        result = container().predict_client()(client_id)
        purchase, currency = result.purchase, container().current_currency()().code
        click.echo(
            f"Client {client_id}: forecast {result.forecast.value:,.2f} {currency} next month; "
            f"purchase probability {purchase.probability:.1%} -> {'yes' if purchase.will_buy else 'no'} "
            f"at threshold {purchase.threshold:.0%} (models sales v{result.forecast.model_version}, "
            f"purchase v{purchase.model_version})."
        )
        return
    started = time.perf_counter()
    with command_progress("Scoring clients") as progress:
        report = container().predict_all()(progress=progress)
    seconds = time.perf_counter() - started
    click.echo(
        f"Scored {report.clients_scored:,} clients with sales v{report.sales_version} and purchase "
        f"v{report.purchase_version} at threshold {report.threshold:.0%} in {seconds:.1f} s."
    )
    if (bands := report.fitted_segments) is not None:
        click.echo(
            f"Segments fitted to these forecasts: medium from {bands.medium_from:,g}, high from "
            f"{bands.high_from:,g} (an admin changes them in the ML panel, or PUT /api/v1/settings/segments)."
        )
    if (cuts := report.fitted_tiers) is not None:
        click.echo(
            f"Contact tiers by expected value ({container().current_currency()().code}): "
            f"top 10% above {cuts.top_above:,.2f}, "
            f"next 20% above {cuts.next_above:,.2f}, next 30% above {cuts.third_above:,.2f}, the rest below."
        )


@cli.group()
def models() -> None:
    """Trained model versions: list them, and choose which one is active (rollback)."""


@models.command("list")
@click.option("--kind", type=KINDS, help="Only runs of this model.")
@with_appcontext
def models_list(kind: str | None) -> None:
    """Every training run, newest first, with its status and hold-out metrics."""
    runs = container().list_runs()(ModelKind(kind) if kind else None)
    if not runs:
        click.echo("No model has been trained yet: run `prognoza train sales` and `prognoza train purchase`.")
    for run in runs:
        click.echo(_describe_run(run))


@models.command("activate")
@click.argument("kind", type=KINDS)
@click.argument("version", type=click.IntRange(min=1))
@with_appcontext
def models_activate(kind: str, version: int) -> None:
    """Make VERSION the active model of KIND (roll back or forward)."""
    run = container().activate_version()(ModelKind(kind), version, _operator())
    click.echo(f"The {kind} model now in use is version {run.version}.")


@models.command("drift")
@click.argument("kinds", metavar="[KIND]...", nargs=-1, type=KINDS)
@with_appcontext
def models_drift(kinds: tuple[str, ...]) -> None:
    """Each feature of the active models: its PSI between the training data and the newest snapshots,
    beside the hold-out month's PSI the model was tested on, the share missing then and now, the share
    outside the training range; and whether to retrain."""
    for kind in [ModelKind(k) for k in kinds] or list(ModelKind):
        try:
            report = container().model_drift()(kind)
        except ModelNotTrained as error:
            click.echo(error.message)
            continue
        click.echo(f"{kind.value} v{report.model_version}, newest snapshots of {report.clients:,} clients:")
        click.echo(
            f"  {'feature':<26} {'PSI':>6} {'hold-out':>8} {'missing then':>12} {'now':>6} "
            f"{'outside range':>13}"
        )
        for d in report.features:
            click.echo(
                f"  {d.feature:<26} {_figure(d.psi, '.3f'):>6} {d.holdout_psi:>8.3f} "
                f"{d.missing_at_training:>12.1%} {_figure(d.missing_now, '.1%'):>6} "
                f"{_figure(d.outside_range, '.1%'):>13}"
            )
        advice = "retraining advised" if report.retraining_advised else "no retraining needed"
        click.echo(f"  {advice}" + "".join(f"\n    {reason.message}" for reason in report.reasons))


def _figure(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def _operator() -> str:
    return command_line_operator(getpass.getuser())


SHOWN_METRICS = {
    ModelKind.SALES: ("r2", "mse", "mae", "revenue_bias"),
    ModelKind.PURCHASE: ("roc_auc", "brier", "accuracy", "precision", "recall", "f1"),
}


def _describe_run(run: ModelRun) -> str:
    active = "*" if run.is_active else " "
    lines = [
        f"{active} {run.kind.value} v{run.version} {run.status.value:<9} {run.candidate.name:<16} "
        f"by {run.requested_by} at {run.queued_at:%Y-%m-%d %H:%M}" + (f" - {run.error}" if run.error else "")
    ]
    if run.evaluation is not None:
        ev = run.evaluation
        shown = [name for name in SHOWN_METRICS[run.kind] if name in ev.metrics]
        scores = ", ".join(f"{name} {ev.metrics[name]:.3f}" for name in shown)
        lines.append(f"    test month of {ev.test_size:,} (trained on {ev.train_size:,}): {scores}")
        for baseline, metrics in ev.baseline_metrics.items():
            scored = ", ".join(f"{name} {metrics[name]:.3f}" for name in shown if name in metrics)
            lines.append(f"      baseline {baseline}: {scored}")
        if ev.backtest:
            lines.append(f"    backtest ({ev.backtest[0]['metric']}):")
            for fold in ev.backtest:
                baselines = ", ".join(f"{name} {value:.3f}" for name, value in fold["baselines"].items())
                lines.append(
                    f"      {fold['month']}: model {fold['score']:.3f} on {fold['test_size']:,} "
                    f"(trained on {fold['train_size']:,}); {baselines}"
                )
        if ev.calibration is not None:
            lines.append(_describe_calibration(ev.calibration))
    for warning in run.warnings:
        lines.append(f"    warning: {warning}")
    if run.artifact is not None:
        lines.append(f"    artifact {run.artifact.path} sha256 {run.artifact.sha256}")
    return "\n".join(lines)


def _calibration_kept(evaluation: Evaluation | None) -> str:
    """The calibration a purchase run carries, `none` when compared and none helped, `-` if not compared."""
    if evaluation is None or evaluation.calibration is None:
        return "-"
    return evaluation.calibration_method or "none"


def _describe_calibration(calibration: dict[str, Any]) -> str:
    compared = ", ".join(
        f"{'as fitted' if name == AS_FITTED else name} Brier {s['brier']:.4f} ROC AUC {s['roc_auc']:.3f}"
        for name, s in calibration["compared"].items()
    )
    kept = calibration["method"] or "none, used as fitted"
    return f"    calibration (backtest means): {compared}; kept: {kept}"


# --- prognoza snapshots ------------------------------------------------------------------------


@cli.group()
def snapshots() -> None:
    """Activity snapshots derived from the company's orders and events."""


@snapshots.command("build")
@click.option(
    "--through",
    metavar="DATE",
    help="Derive month ends up to this day (YYYY-MM-DD); default: the last month end.",
)
@with_appcontext
def snapshots_build(through: str | None) -> None:
    """Rebuild every client's derived snapshots from its orders and events (entered ones are kept)."""
    started = time.perf_counter()
    with command_progress("Building snapshots") as progress:
        report = container().build_snapshots()(through, progress=progress)
    click.echo(
        f"Built {report.snapshots:,} snapshots of {report.clients:,} clients through {report.through}, "
        f"in {time.perf_counter() - started:.1f} s."
    )


# --- prognoza import ----------------------------------------------------------------------------


@cli.group("import")
def import_() -> None:
    """Bulk imports from CSV files: every row is checked, then all rows go in or none."""


UPDATE_OPTION = click.option(
    "--update",
    is_flag=True,
    help="Update the rows already stored from the file (the monthly routine) instead of refusing them.",
)


@import_.command("clients")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@UPDATE_OPTION
@with_appcontext
def import_clients_file(path: str, update: bool) -> None:
    """Import clients (columns first_name, last_name, email, registered_on); with --update, clients
    already stored (by email) take the file's names and registration date."""
    _import_file(path, functools.partial(container().import_clients(), mode=_mode(update)), "clients")


@import_.command("activity")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@UPDATE_OPTION
@with_appcontext
def import_activity_file(path: str, update: bool) -> None:
    """Import activity snapshots (client_email, observed_on, the features, and outcomes when known);
    with --update, snapshots already stored (by client and date) take the file's values."""
    use_case = functools.partial(container().import_activity(), mode=_mode(update))
    _import_file(path, use_case, "activity snapshots")


@import_.command("orders")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--create-clients",
    is_flag=True,
    help="Create the clients the file names by an unknown email, registered on their earliest order.",
)
@with_appcontext
def import_orders_file(path: str, create_clients: bool) -> None:
    """Import a shop's orders (client_email, ordered_at, amount[, order_id][, first_name, last_name]);
    each order is stored once, so a file may be imported again."""
    use_case = functools.partial(container().import_orders(), create_clients=create_clients)
    _import_file(path, use_case, "orders")
    click.echo(DERIVE_AFTERWARDS)


@import_.command("events")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_events_file(path: str) -> None:
    """Import behavioural events of known clients (client_email, occurred_at, kind[, duration_s]); each
    event is stored once, so a file may be imported again."""
    _import_file(path, container().import_events(), "events")
    click.echo(DERIVE_AFTERWARDS)


DERIVE_AFTERWARDS = "Run `prognoza snapshots build` to derive the snapshots from the orders and events."


def _mode(update: bool) -> ImportMode:
    return ImportMode.UPSERT if update else ImportMode.INSERT


def _import_file(path: str, use_case: Callable[..., ImportReport], what: str) -> None:
    started = time.perf_counter()
    try:
        with open(path, "rb") as raw, command_progress(f"Reading {what}") as progress:
            columns, rows = read_rows(io.TextIOWrapper(raw, encoding="utf-8-sig", newline=""))
            report = use_case(columns, _read_with_progress(rows, raw, progress))
    except UnicodeDecodeError:
        raise click.ClickException("file: must be UTF-8 text (CSV)") from None
    except ImportRejected as rejected:
        for error in rejected.errors[:MAX_ERRORS_SHOWN]:
            click.echo(f"line {error.line}: {error.field}: {error.message}", err=True)
        if rejected.problems > MAX_ERRORS_SHOWN:
            click.echo(f"... and {rejected.problems - MAX_ERRORS_SHOWN:,} more problems", err=True)
        raise click.ClickException(rejected.message) from None
    click.echo(f"{_told(report, what)} in {time.perf_counter() - started:.1f} s.")


def _read_with_progress(rows: Iterator[Row], raw: BinaryIO, progress: JobProgress) -> Iterator[Row]:
    """The rows, with the rows read so far reported every `IMPORT_PROGRESS_ROWS` out of as many as the
    file holds at the rate so far (by how far into the file they reach)."""
    size = os.fstat(raw.fileno()).st_size
    done = 0
    for done, row in enumerate(rows, start=1):
        yield row
        if done % IMPORT_PROGRESS_ROWS == 0:
            progress(done, max(done, round(done * size / max(raw.tell(), 1))))
    progress(done, done)


def _told(report: ImportReport, what: str) -> str:
    """`Imported 3 orders (1 already stored; 2 clients created)`: the counts that are not zero."""
    told = f"Imported {report.imported:,} {what}"
    details = [
        f"{count:,} {words}"
        for count, words in (
            (report.updated, "updated"),
            (report.already_stored, "already stored"),
            (report.clients_created, "clients created"),
            (report.registrations_moved_back, "registrations moved back to an earlier order"),
        )
        if count
    ]
    return f"{told} ({'; '.join(details)})" if details else told


MAX_ERRORS_SHOWN = 50


# --- prognoza export ----------------------------------------------------------------------------


@cli.group("export")
def export() -> None:
    """CSV exports, the same files the panel and the API give."""


@export.command("clients")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@click.option("--q", "q", default="", help="Only clients whose name or email contains this text.")
@click.option("--segment", default="", help="Only clients of this segment (high, medium, low).")
@click.option("--will-buy", "will_buy", default="", help="Only clients with this decision (true or false).")
@click.option("--tier", default="", help="Only clients of this contact tier (1 top 10%, 2, 3, 4 the rest).")
@click.option("--sort", default="last_name", show_default=True, help="Column to sort by; -column descends.")
@click.option("--limit", default="", help="Only the first N clients of the list, in its order (top N).")
@click.option("--ids", default="", help="Only these clients (ids separated by commas), in the list's order.")
@click.option(
    "--dialect",
    default="plain",
    show_default=True,
    help="plain: CSV that imports back; excel: for Excel in --lang (BOM, its delimiter and decimals).",
)
@click.option("--lang", default="", help="The language of an excel export: pl or en (default en).")
@with_appcontext
def export_clients_file(
    path: str,
    q: str,
    segment: str,
    will_buy: str,
    tier: str,
    sort: str,
    limit: str,
    ids: str,
    dialect: str,
    lang: str,
) -> None:
    """Write the client list (current forecast, probability, decision, segment, tier) to PATH as CSV."""
    raw = {"q": q, "segment": segment, "will_buy": will_buy, "tier": tier, "sort": sort}
    raw |= {"dialect": dialect, "lang": lang}
    raw |= {name: value for name, value in (("limit", limit), ("ids", ids)) if value}
    selection = ClientExport.parse(raw)
    sheet = sheet_of(selection, DEFAULT_LOCALE, container().current_currency()().code)
    counted = itertools.count()
    try:
        with (
            open(path, "w", encoding="utf-8", newline="") as file,
            command_progress("Exporting clients") as progress,
        ):
            clients = _reported(container().export_clients()(selection), counted, progress, selection.limit)
            file.writelines(export_lines(clients, sheet))  # streamed: the list is read as it is written
    except OSError as error:
        raise click.ClickException(f"file: cannot write {path}: {error.strerror}") from None
    click.echo(f"Exported {next(counted):,} clients to {path}.")


def _reported(
    items: Iterable[T], counted: Iterator[int], progress: JobProgress, total: int | None
) -> Iterator[T]:
    """The items, counted by `counted` and reported to `progress` every `EXPORT_PROGRESS_ROWS`."""
    for item, done in zip(items, counted, strict=False):
        if done and done % EXPORT_PROGRESS_ROWS == 0:
            progress(done, total)
        yield item


# --- how problems are told ---------------------------------------------------------------------


def _printable(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _settings_problems(error: ValidationError) -> str:
    return "; ".join(_settings_problem(detail) for detail in error.errors(include_url=False))


def _settings_problem(detail: Any) -> str:
    message = str(detail["msg"]).removeprefix("Value error, ")
    if not detail["loc"]:
        return message
    return f"PROGNOZA_{'_'.join(str(part) for part in detail['loc']).upper()}: {message}"


def _database_problem(error: SQLAlchemyError) -> str:
    cause = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
    return f"database: {cause}. Is the database running, and upgraded with `prognoza db upgrade`?"


if __name__ == "__main__":  # pragma: no cover
    main()
