"""Ports: what the use cases need from the outside world, as typing.Protocols.

Adapters implement them (SQLAlchemy, in-memory, Werkzeug hashing, the system clock);
the container picks which.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType
from typing import Any, Protocol, Self, TypeVar

from application.commands import ClientListQuery
from application.queries import (
    ClientListItem,
    ClientReading,
    MonthlySales,
    Page,
    PredictionSummary,
    ScoredClient,
)
from domain.activity import ActivitySnapshot
from domain.candidates import Candidate
from domain.clients import Client
from domain.columns import SnapshotColumns
from domain.currency import Currency
from domain.derivation import EventEntry, OrderEntry
from domain.jobs import Job
from domain.lifetime import LifetimeEstimate
from domain.model_runs import Activation, Artifact, Evaluation, ModelRun
from domain.orders import Event, Order
from domain.performance import RealizedPurchase, RealizedSales
from domain.predictions import DecisionThreshold, ModelKind, PurchasePrediction, SalesForecast, ScoredBatch
from domain.segments import SegmentRule
from domain.sessions import RememberToken
from domain.tiers import TierCuts
from domain.tokens import ApiToken
from domain.users import User

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ScoringRow:
    """A snapshot, with what the features need to know about the client."""

    snapshot: ActivitySnapshot
    registered_on: date


@dataclass(frozen=True, slots=True)
class DemoCompany:
    """What seeding the demo company recorded, so that it can be moved on month by month: the same
    clients (`clients` drawn from `seed`, their logs from `logs_from`) and the month end their logs
    run through."""

    clients: int
    seed: int
    logs_from: date
    through: date


@dataclass(frozen=True, slots=True)
class Percentile:
    """A percentile of one field over the snapshots that know it, and how many values it was read from."""

    value: float
    known: int


def nearest_rank(percent: int, known: int) -> int:
    """The 1-based rank, in ascending order, of the `percent`th percentile of `known` values (the
    nearest-rank method: the smallest value at or below which at least `percent` % of them lie)."""
    return max(1, (percent * known + 99) // 100)


class ClientRepository(Protocol):
    """Clients. Emails are unique regardless of case. Never commits: the unit of work does."""

    def add(self, client: Client) -> Client:
        """Store a new client and return it with its id."""
        ...

    def add_many(self, clients: Sequence[Client]) -> list[Client]:
        """Store many new clients at once (imports, demo data) and return them with ids."""
        ...

    def get(self, client_id: int) -> Client | None: ...

    def scored(self, client_id: int) -> ScoredClient | None:
        """The client with its current predictions, its newest snapshot's date and the active models'
        versions, read at once; None for an unknown id."""
        ...

    def get_by_email(self, email: str) -> Client | None:
        """Find a client by email, ignoring case."""
        ...

    def find_by_emails(self, emails: Iterable[str]) -> dict[str, Client]:
        """The clients among these emails, keyed by `email_key` (lower case); for imports."""
        ...

    def update(self, client: Client) -> None: ...

    def update_many(self, clients: Sequence[Client]) -> None:
        """Write back many stored clients at once (imports), found by id; emails stay unique."""
        ...

    def delete(self, client_id: int) -> None:
        """Remove a client together with its activity and predictions."""
        ...

    def count(self) -> int: ...

    def with_logs(self, after_client_id: int, limit: int) -> builtins.list[Client]:
        """Up to `limit` clients with id > `after_client_id` who have orders or events, in id order."""
        ...

    def list(
        self,
        query: ClientListQuery,
        segments: SegmentRule,
        *,
        ids: Collection[int] | None = None,
        tiers: TierCuts | None = None,
        total: int | None = None,
        count_searches_up_to: int | None = None,
    ) -> Page[ClientListItem]:
        """One page of clients whose name or email contains `query.q`, filtered by segment, decision
        and contact tier, sorted as asked; each with its current predictions, its segment under
        `segments` and its tier under `tiers` (none, and no client in a tier, without cut points).
        With `ids`, only the clients among these ids (an unknown id is no client); the total counts
        those only. A `total` given is the count already known, which need not be counted again.
        With `count_searches_up_to`, a search (`query.q`, without ids) that matches more clients than
        that gives that many as its total, not exact (`Page.total_exact`)."""
        ...

    def stream(
        self,
        query: ClientListQuery,
        segments: SegmentRule,
        *,
        ids: Collection[int] | None = None,
        tiers: TierCuts | None = None,
        limit: int | None = None,
    ) -> Iterator[ClientListItem]:
        """The clients `list` would give, page after page, in one read without counting them or
        skipping rows (the query's page and page size are ignored); the first `limit` of them with one."""
        ...

    def keep_scored_list(self) -> None:
        """Prepare, once a batch scoring has ended, what lets `list` read a page filtered by a
        prediction in any order (of the clients' own or of a prediction) as quickly from a million
        clients as from a thousand (a store that reads them so anyway has nothing to do). Whatever
        changes afterwards, and whether or not this is called, `list` gives the same clients."""
        ...


class ActivityRepository(Protocol):
    """Activity snapshots, one per client per observation date."""

    def add(self, snapshot: ActivitySnapshot) -> ActivitySnapshot: ...

    def add_many(self, snapshots: Iterable[ActivitySnapshot]) -> int:
        """Bulk insert; returns how many were stored."""
        ...

    def get(self, client_id: int, observed_on: date) -> ActivitySnapshot | None: ...

    def existing(self, keys: Iterable[tuple[int, date]]) -> set[tuple[int, date]]:
        """Which of these (client id, observation date) pairs already have a snapshot; for imports."""
        ...

    def get_many(self, keys: Iterable[tuple[int, date]]) -> dict[tuple[int, date], ActivitySnapshot]:
        """The stored snapshots among these (client id, observation date) pairs, by pair; for imports."""
        ...

    def replace_many(self, snapshots: Sequence[ActivitySnapshot]) -> None:
        """Overwrite stored snapshots, each found by client and observation date, with every value
        (features, outcomes, source) of the given ones; for imports that update."""
        ...

    def update_outcomes(self, snapshot: ActivitySnapshot) -> None: ...

    def history(self, client_id: int) -> list[ActivitySnapshot]:
        """A client's snapshots, newest first."""
        ...

    def count(self) -> int: ...

    def count_clients(self) -> int:
        """How many clients have at least one snapshot: the clients a batch scoring scores."""
        ...

    def percentile(self, field: str, percent: int) -> Percentile | None:
        """The `percent`th percentile (by `nearest_rank`) of a numeric field of `ActivitySnapshot` over
        every stored snapshot that knows it; None when none does."""
        ...

    def training_rows(self) -> list[ScoringRow]:
        """Every snapshot with at least one known outcome, with its client's registration date."""
        ...

    def training_columns(self) -> SnapshotColumns:
        """`training_rows` column by column, ordered by observation date then client id: what training
        reads, without an object per snapshot."""
        ...

    def newest_rows(self, after_client_id: int, limit: int) -> list[ScoringRow]:
        """The newest snapshot of up to `limit` clients with id > `after_client_id`, in client id order."""
        ...

    def newest_columns(
        self, after_client_id: int, limit: int, up_to_client_id: int | None = None
    ) -> SnapshotColumns:
        """The snapshots of `newest_rows` (of clients with ids up to `up_to_client_id`, when given), column
        by column (no object per snapshot): what batch scoring reads."""
        ...

    def client_ranges(self, clients_per_range: int) -> list[tuple[int, int]]:
        """The clients with activity split, in id order, into ranges of `clients_per_range` of them (the
        last one fewer): each range's first and last client id."""
        ...

    def newest_row(self, client_id: int) -> ScoringRow | None: ...

    def monthly_sales(self) -> list[MonthlySales]:
        """Actual sales per calendar month: each snapshot's `sales_next_month` counts in the month it
        forecasts, the one holding the day after its observation date. Oldest month first. An
        adapter may keep it, written in the caller's transaction, until a snapshot changes."""
        ...

    def replace_derived(self, client_ids: Collection[int], snapshots: Iterable[ActivitySnapshot]) -> int:
        """Drop these clients' derived snapshots and store `snapshots` (derived ones, of these clients)
        in their place, in bulk; a date that holds an entered snapshot keeps it, and the derived
        snapshot of that date is left out. Returns how many were stored."""
        ...


class UserRepository(Protocol):
    def add(self, user: User) -> User: ...

    def get(self, user_id: int) -> User | None: ...

    def get_by_email(self, email: str) -> User | None:
        """Find a user by email, ignoring case."""
        ...

    def update(self, user: User) -> None: ...

    def list(self) -> list[User]: ...


class TokenRepository(Protocol):
    """API tokens, found by the hash of their secret, or by their id. Never commits."""

    def add(self, token: ApiToken) -> ApiToken: ...

    def get(self, token_id: int) -> ApiToken | None: ...

    def get_by_hash(self, token_hash: str) -> ApiToken | None: ...

    def list_for_user(self, user_id: int) -> list[ApiToken]:
        """Every token of the user, revoked and expired ones too, the newest first."""
        ...

    def update(self, token: ApiToken) -> None: ...

    def revoke_all(self, user_id: int, at: datetime) -> int:
        """Revoke every token of the user not revoked yet; returns how many."""
        ...

    def credentials_revision(self) -> int:
        """A number that changes whenever a token or a user changes (revoked, deactivated, another role):
        what `application.tokens.TokenCache` checks before it trusts what it remembers."""
        ...


class RememberTokenRepository(Protocol):
    """Remember-me tokens of the web panel, found by their id. Never commits."""

    def add(self, token: RememberToken) -> RememberToken: ...

    def get(self, token_id: int) -> RememberToken | None: ...

    def update(self, token: RememberToken) -> None:
        """Its revocation; the owner, the hash and the moments never change."""
        ...

    def revoke_all(self, user_id: int, at: datetime) -> int:
        """Revoke every token of the user not revoked yet; returns how many."""
        ...


class OrderRepository(Protocol):
    """The company's orders, each stored once (by `Order.key`). Never commits."""

    def add_new(self, orders: Sequence[Order]) -> int:
        """Store the orders not stored yet (a key already stored, or twice in `orders`, is skipped);
        returns how many were new."""
        ...

    def of_clients(self, client_ids: Collection[int]) -> dict[int, list[Order]]:
        """These clients' orders, each client's oldest first; a client without orders is left out."""
        ...

    def entries_of_clients(self, client_ids: Collection[int]) -> dict[int, list[OrderEntry]]:
        """What a derivation needs of these clients' orders, each its UTC day and amount, each client's
        oldest first; a client without orders is left out. Read as plain tuples: a build reads millions."""
        ...

    def count(self) -> int: ...


class EventRepository(Protocol):
    """The company's behavioural events, each stored once (client, moment and kind). Never commits."""

    def add_new(self, events: Sequence[Event]) -> int:
        """Store the events not stored yet; returns how many were new."""
        ...

    def of_clients(self, client_ids: Collection[int]) -> dict[int, list[Event]]:
        """These clients' events, each client's oldest first; a client without events is left out."""
        ...

    def entries_of_clients(self, client_ids: Collection[int]) -> dict[int, list[EventEntry]]:
        """What a derivation needs of these clients' events, each its UTC day, kind (`EventKind`'s value)
        and duration, each client's oldest first; a client without events is left out."""
        ...

    def first_day(self) -> date | None:
        """The day of the company's earliest event, None without any: the events tell the behavioural
        features from then on."""
        ...

    def count(self) -> int: ...


class SummaryRepository(Protocol):
    """Summaries of much data (documents of JSON) kept with the state of the data they were computed from,
    so that they are computed once per change of it. Never commits."""

    def state(self) -> list[Any]:
        """The state of the data now (snapshots, predictions, active models): equal states, equal data."""
        ...

    def scoring_inputs(self) -> list[Any]:
        """The state of what a batch scoring reads now (snapshots, active models), its predictions left
        out: equal before and after a scoring while nothing else changed."""
        ...

    def read(self, name: str, state: list[Any]) -> Any | None:
        """The summary kept under `name`, when it was computed from data in `state`; None otherwise."""
        ...

    def keep(self, name: str, state: list[Any], document: Any) -> None:
        """Keep a summary computed from data in `state` (read before computing it)."""
        ...


class UnitOfWork(Protocol):
    """One transaction: `with uow: ...; uow.commit()`. Leaving the block rolls back what was not committed."""

    clients: ClientRepository
    activity: ActivityRepository
    users: UserRepository
    predictions: PredictionRepository
    model_runs: ModelRunRepository
    jobs: JobRepository
    settings: SettingsRepository
    tokens: TokenRepository
    remember_tokens: RememberTokenRepository
    orders: OrderRepository
    events: EventRepository
    summaries: SummaryRepository

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...

    def refresh_statistics(self) -> None:
        """Let the database learn its tables' sizes and values again after many of their rows changed at
        once (a seed, an import, a snapshot build, a batch scoring): how it reads them depends on it.
        Inside a `with`; committed with it."""
        ...


class ClientReads(Protocol):
    """One client, the settings its overview needs and the credentials' revision, read in one short
    transaction outside any unit of work: the read a request for one client by a known caller makes,
    at the least cost a request can pay."""

    def __call__(self, client_id: int) -> ClientReading: ...


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool: ...


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware (UTC)."""
        ...

    def today(self) -> date: ...


# --- Machine learning -------------------------------------------------------------------------


class PredictionRepository(Protocol):
    """Predictions: history is kept, and the newest of each client is its current one."""

    def add_many(self, forecasts: Sequence[SalesForecast], predictions: Sequence[PurchasePrediction]) -> None:
        """Store new predictions and make them the clients' current ones."""
        ...

    def add_batch(self, batch: ScoredBatch) -> None:
        """`add_many` for the predictions of a batch scoring, through the database's bulk path."""
        ...

    def current_values(self) -> tuple[Sequence[float], Sequence[float]]:
        """Every current forecast, and every known worth of contacting a client (the current purchase
        predictions' expected values), in no particular order."""
        ...

    def current(self, client_id: int) -> tuple[SalesForecast | None, PurchasePrediction | None]: ...

    def history(
        self, client_id: int, limit: int = 50
    ) -> list[tuple[SalesForecast, PurchasePrediction | None]]:
        """A client's forecasts, newest first, each with the purchase prediction made with it."""
        ...

    def summary(self, threshold: DecisionThreshold, segments: SegmentRule) -> PredictionSummary:
        """The current predictions summed up. An adapter may keep it, written in the caller's
        transaction, until a prediction or client is added or removed or the threshold or bands differ."""
        ...

    def count_out_of_date(
        self, active_versions: Mapping[ModelKind, int | None], threshold: DecisionThreshold
    ) -> int:
        """How many clients' current predictions are out of date (`domain.predictions.out_of_date`)."""
        ...

    def realized_sales(self) -> Iterator[RealizedSales]:
        """Every stored forecast whose snapshot's outcome is now known, with that outcome, by model
        version then snapshot date; streamed. Of a client's forecasts made by one version from one
        snapshot (re-scorings) only the last stored counts; one with no snapshot date cannot count."""
        ...

    def realized_purchases(self) -> Iterator[RealizedPurchase]:
        """The same for purchase predictions, each with the yes/no it was made with and the sales
        forecast made at the same moment from the same client's same snapshot (None if none was)."""
        ...


class ModelRunRepository(Protocol):
    def add(self, run: ModelRun) -> ModelRun: ...

    def get(self, run_id: int) -> ModelRun | None: ...

    def get_version(self, kind: ModelKind, version: int) -> ModelRun | None: ...

    def update(self, run: ModelRun) -> None: ...

    def finish(self, run: ModelRun) -> bool:
        """Record how a running run ended; False, and nothing written, when it no longer runs (it was
        declared abandoned meanwhile, its worker having stalled past its lease)."""
        ...

    def list(self, kind: ModelKind | None = None) -> list[ModelRun]:
        """Runs, newest first."""
        ...

    def next_version(self, kind: ModelKind) -> int: ...

    def in_progress(self, kind: ModelKind) -> ModelRun | None:
        """A queued or running training of this kind, if any."""
        ...

    def unfinished(self) -> builtins.list[ModelRun]:
        """Every queued or running run, of every kind."""
        ...

    def renew_lease(self, run_ids: Collection[int], worker: str, at: datetime) -> None:
        """Record that `worker` holds these runs and is alive at `at`; finished runs are left alone
        (a renewal never undoes the end of a run)."""
        ...

    def active(self, kind: ModelKind) -> ModelRun | None: ...

    def active_versions(self) -> dict[ModelKind, int | None]:
        """The version of each kind's active run (None: none is active), without reading the runs."""
        ...

    def activate(self, activation: Activation) -> None:
        """Make `activation.version` the only active run of its kind and record when and by whom."""
        ...

    def activations(self, kind: ModelKind) -> builtins.list[Activation]:
        """When each version became active, newest first."""
        ...


class SettingsRepository(Protocol):
    """Business settings an admin changes at run time."""

    def threshold(self) -> DecisionThreshold: ...

    def set_threshold(self, threshold: DecisionThreshold, changed_by: str, at: datetime) -> None: ...

    def segment_rule(self) -> SegmentRule: ...

    def set_segment_rule(self, rule: SegmentRule, changed_by: str, at: datetime) -> None: ...

    def segment_rule_is_set(self) -> bool:
        """Whether the bands were ever set (by an admin, or fitted to the forecasts); False: the
        domain's defaults are read."""
        ...

    def currency(self) -> Currency:
        """The company's currency, PLN until an admin sets another."""
        ...

    def set_currency(self, currency: Currency, changed_by: str, at: datetime) -> None: ...

    def demo_company(self) -> DemoCompany | None:
        """The demo company seeded into this database, None when there is none."""
        ...

    def set_demo_company(self, company: DemoCompany, changed_by: str, at: datetime) -> None: ...

    def tier_cuts(self) -> TierCuts | None:
        """The contact tiers' cut points fitted at the last batch scoring; None before the first."""
        ...

    def set_tier_cuts(self, cuts: TierCuts, changed_by: str, at: datetime) -> None: ...


@dataclass(frozen=True, slots=True)
class TrainingTable:
    """Labelled snapshots column by column, and the months of a rolling backtest.

    For each test month (oldest first) a model learns from the examples observed in earlier months and
    is scored on that month's, next to each baseline; the model of the newest test month (the
    hold-out) is the one kept. A row whose target is NaN is no example for this kind of model.
    """

    feature_names: tuple[str, ...]
    features: Sequence[Sequence[float]]
    """One column per feature, in `feature_names` order."""
    targets: Sequence[float]
    months: Sequence[float]
    """The calendar month each row was observed in, as year * 12 + month."""
    test_months: tuple[int, ...]
    baselines: Mapping[str, Sequence[float] | None]
    """Each naive forecast by name: sales as an amount, purchase as a probability; None for the mean of
    the training months' targets (different for every test month)."""


class ModelTrainer(Protocol):
    """Fits and evaluates a model; the fitted model is opaque to the application."""

    def fit(
        self,
        kind: ModelKind,
        candidate: Candidate,
        table: TrainingTable,
        threshold: float,
        calibrate: bool = True,
    ) -> tuple[object, Evaluation]:
        """Backtest the candidate month by month and return the hold-out month's model and scores; a
        purchase model is also backtested calibrated (unless told not to `calibrate`), and calibrated
        when that helps."""
        ...


class ModelPredictor(Protocol):
    def predict(self, kind: ModelKind, model: object, rows: Sequence[Sequence[float]]) -> list[float]:
        """Forecast sales (in the company's currency) or purchase probabilities for the rows, in order."""
        ...

    def predict_columns(
        self, kind: ModelKind, model: object, columns: Sequence[Sequence[float]], count: int
    ) -> Sequence[float]:
        """`predict` for `count` rows given feature by feature: one column per feature, in order."""
        ...

    def contributions(self, model: object, row: Sequence[float]) -> list[float]:
        """Each feature's share of one prediction, in feature order: exact for a linear model
        (coefficient times standardized value), else the change when the feature is set to its
        training mean. Purchase shares are in log-odds."""
        ...


class LifetimeEstimator(Protocol):
    def estimate(self, model: object, row: Sequence[float]) -> LifetimeEstimate | None:
        """What a trained customer-lifetime model expects of one client, from its row of
        `domain.features.CLV_INPUTS`; None for a client who never bought."""
        ...


class ModelStore(Protocol):
    def save(self, kind: ModelKind, version: int, model: object) -> Artifact:
        """Write the model atomically to a versioned file and return its path and SHA-256."""
        ...

    def load(self, artifact: Artifact) -> object:
        """Read a model back, refusing (ArtifactTampered) a file whose hash does not match."""
        ...

    def file_state(self, artifact: Artifact) -> Hashable:
        """What changes when the artifact's file is replaced or rewritten (its inode, size and
        modification time): a loaded copy is re-verified when it differs."""
        ...


JobProgress = Callable[[int, int | None], None]
"""Told by a job's work how much of it is done (`done`, out of `total` when known)."""


class JobRepository(Protocol):
    """Jobs and their state, which every process reads. Never commits: the unit of work does."""

    def add(self, job: Job) -> None: ...

    def get(self, job_id: str) -> Job | None: ...

    def start(self, job_id: str, worker: str, at: datetime) -> Job | None:
        """Mark a queued job running in `worker`'s hands and return it; None, and nothing written, when it
        is not queued (already taken, or declared abandoned meanwhile)."""
        ...

    def report_progress(self, job_id: str, done: int, total: int | None) -> None:
        """Record how far a running job got; a finished job is left alone."""
        ...

    def finish(self, job: Job) -> bool:
        """Record how an unfinished job ended; False, and nothing written, when it had ended already (it
        was declared abandoned meanwhile, its worker having stalled past its lease)."""
        ...

    def delete_finished_before(self, moment: datetime) -> int:
        """Delete the jobs that finished before `moment` (an unfinished one never); how many."""
        ...

    def unfinished(self) -> builtins.list[Job]:
        """Every queued or running job."""
        ...

    def renew_lease(self, job_ids: Collection[str], worker: str, at: datetime) -> None:
        """Record that `worker` holds these jobs and is alive at `at`; finished jobs are left alone."""
        ...


class JobRunner(Protocol):
    """Has a job, stored queued, performed outside the request: in a thread of this process, by a queue's
    workers, or at once in tests. Whoever performs it records its state on the job."""

    def submit(self, job_id: str) -> None: ...

    @property
    def shares_work(self) -> bool:
        """Whether workers of other processes take the jobs submitted (a queue's), so that the parts of
        a long job are worth putting on it (`application.jobs.WorkSharing`)."""
        ...


class JobLease(Protocol):
    """Keeps the lease of the jobs a worker performs: a heartbeat while they are in its hands."""

    @property
    def worker(self) -> str:
        """Who holds the jobs: host and process id."""
        ...

    def holding(self, job_ids: Collection[str]) -> AbstractContextManager[None]:
        """Renew the jobs' lease now and every few seconds until the block ends."""
        ...

    def has_stopped(self, worker: str) -> bool:
        """Whether the worker is known to have stopped (see `RunLease.has_stopped`)."""
        ...


class RunLease(Protocol):
    """Keeps the lease of the runs a worker trains: a heartbeat while they are in its hands."""

    @property
    def worker(self) -> str:
        """Who holds the runs: host and process id."""
        ...

    def holding(self, run_ids: Collection[int]) -> AbstractContextManager[None]:
        """Renew the runs' lease now and every few seconds until the block ends."""
        ...

    def has_stopped(self, worker: str) -> bool:
        """Whether the worker is known to have stopped: a process of this machine that no longer runs.
        A worker of another machine is never known to have stopped; its lease tells."""
        ...
