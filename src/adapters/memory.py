"""In-memory twins of the repositories and unit of work: fast tests, and a fake for API consumers.

They honour the same contract as the SQLAlchemy ones (tests/contract runs against both), including
rollback: changes become visible to other units of work only on commit.
"""

from __future__ import annotations

import builtins
import copy
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Any, Self, TypeVar

from application.commands import ClientListQuery, ClientSort
from application.ports import (
    ActivityRepository,
    ClientListItem,
    ClientRepository,
    ModelRunRepository,
    MonthlySales,
    Page,
    PredictionRepository,
    PredictionSummary,
    ScoringRow,
    SettingsRepository,
    TokenRepository,
    UserRepository,
)
from domain.activity import ActivitySnapshot
from domain.clients import Client, email_key, first_of_next_month
from domain.errors import (
    ClientNotFound,
    Conflict,
    DuplicateEmail,
    DuplicateSnapshot,
    NotFound,
    SnapshotNotFound,
    UserNotFound,
)
from domain.model_runs import Activation, ModelRun, RunNotFound, RunStatus, TrainingAlreadyRunning
from domain.predictions import DecisionThreshold, ModelKind, PurchasePrediction, SalesForecast
from domain.segments import Segment, SegmentRule
from domain.tokens import ApiToken
from domain.users import User

P = TypeVar("P", bound=SalesForecast | PurchasePrediction)


@dataclass
class InMemoryStore:
    """What a database would hold: the committed state shared by every unit of work.

    Every value is immutable (frozen entities, tuples), so a unit of work's private copy only needs
    each collection copied one level deep.
    """

    clients: dict[int, Client] = field(default_factory=dict)
    activity: dict[tuple[int, date], ActivitySnapshot] = field(default_factory=dict)
    users: dict[int, User] = field(default_factory=dict)
    forecasts: dict[int, tuple[SalesForecast, ...]] = field(default_factory=dict)
    """Each client's forecasts in the order they were stored: the last one is the current one."""
    purchase_predictions: dict[int, tuple[PurchasePrediction, ...]] = field(default_factory=dict)
    model_runs: dict[int, ModelRun] = field(default_factory=dict)
    activations: list[Activation] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    tokens: dict[int, ApiToken] = field(default_factory=dict)
    last_id: int = 0

    def next_id(self) -> int:
        self.last_id += 1
        return self.last_id

    def copy(self) -> InMemoryStore:
        return InMemoryStore(**{f.name: copy.copy(getattr(self, f.name)) for f in fields(self)})


def _current(history: dict[int, tuple[P, ...]], client_id: int) -> P | None:
    mine = history.get(client_id)
    return mine[-1] if mine else None


class InMemoryClientRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self.store = store

    def add(self, client: Client) -> Client:
        return self.add_many([client])[0]

    def add_many(self, clients: Sequence[Client]) -> list[Client]:
        """All or nothing: a taken email refuses the whole batch."""
        taken = {email_key(c.email) for c in self.store.clients.values()}
        for client in clients:
            if email_key(client.email) in taken:
                raise DuplicateEmail(client.email)
            taken.add(email_key(client.email))
        return [self._store(client) for client in clients]

    def _store(self, client: Client) -> Client:
        stored = replace(client, id=self.store.next_id())
        self.store.clients[stored.id] = stored  # type: ignore[index]
        return stored

    def get(self, client_id: int) -> Client | None:
        return self.store.clients.get(client_id)

    def get_by_email(self, email: str) -> Client | None:
        key = email_key(email)
        return next((c for c in self.store.clients.values() if email_key(c.email) == key), None)

    def find_by_emails(self, emails: Iterable[str]) -> dict[str, Client]:
        wanted = {email_key(email) for email in emails}
        return {key: c for c in self.store.clients.values() if (key := email_key(c.email)) in wanted}

    def update(self, client: Client) -> None:
        if client.id not in self.store.clients:
            raise ClientNotFound(client.id)
        other = self.get_by_email(client.email)
        if other is not None and other.id != client.id:
            raise DuplicateEmail(client.email)
        self.store.clients[client.id] = client  # type: ignore[index]

    def delete(self, client_id: int) -> None:
        """The client's activity and predictions go with it."""
        self.store.clients.pop(client_id, None)
        for key in [k for k in self.store.activity if k[0] == client_id]:
            del self.store.activity[key]
        self.store.forecasts.pop(client_id, None)
        self.store.purchase_predictions.pop(client_id, None)

    def count(self) -> int:
        return len(self.store.clients)

    def list(self, query: ClientListQuery, segments: SegmentRule) -> Page[ClientListItem]:
        needle = query.q.lower()
        items = [
            self._item(c, segments)
            for c in self.store.clients.values()
            if needle in c.full_name.lower() or needle in c.email.lower()
        ]
        matching = [item for item in items if _passes_filters(item, query, segments)]
        matching.sort(key=lambda item: item.client.id or 0)
        ordered = _in_order(matching, query.sort_column, query.descending)
        return Page(
            items=ordered[query.offset : query.offset + query.per_page],
            total=len(matching),
            page=query.page,
            per_page=query.per_page,
        )

    def _item(self, client: Client, segments: SegmentRule) -> ClientListItem:
        forecast = _current(self.store.forecasts, client.id or 0)
        purchase = _current(self.store.purchase_predictions, client.id or 0)
        return ClientListItem(
            client=client,
            predicted_sales=None if forecast is None else forecast.value_pln,
            purchase_probability=None if purchase is None else purchase.probability,
            will_buy=None if purchase is None else purchase.will_buy,
            segment=None if forecast is None else segments.segment_of(forecast.value_pln),
        )


def _passes_filters(item: ClientListItem, query: ClientListQuery, segments: SegmentRule) -> bool:
    if query.will_buy is not None and item.will_buy is not query.will_buy:
        return False
    if query.segment is not None:
        return item.predicted_sales is not None and _within(item.predicted_sales, segments, query.segment)
    return True


def _within(value: float, rule: SegmentRule, segment: Segment) -> bool:
    low, high = rule.bounds(segment)
    return (low is None or value >= low) and (high is None or value < high)


_SORT_KEYS: dict[ClientSort, Callable[[ClientListItem], Any]] = {
    ClientSort.LAST_NAME: lambda item: item.client.last_name.lower(),
    ClientSort.FIRST_NAME: lambda item: item.client.first_name.lower(),
    ClientSort.EMAIL: lambda item: item.client.email.lower(),
    ClientSort.REGISTERED_ON: lambda item: item.client.registered_on,
    ClientSort.PREDICTED_SALES: lambda item: item.predicted_sales,
    ClientSort.PURCHASE_PROBABILITY: lambda item: item.purchase_probability,
}


def _in_order(items: list[ClientListItem], column: ClientSort, descending: bool) -> list[ClientListItem]:
    """Sorted by `column` (stable, so ties stay in id order); clients without a value come last."""
    key = _SORT_KEYS[column]
    known = sorted((item for item in items if key(item) is not None), key=key, reverse=descending)
    return known + [item for item in items if key(item) is None]


class InMemoryActivityRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self.store = store

    def add(self, snapshot: ActivitySnapshot) -> ActivitySnapshot:
        key = (snapshot.client_id, snapshot.observed_on)
        if snapshot.client_id not in self.store.clients:
            raise ClientNotFound(snapshot.client_id)
        if key in self.store.activity:
            raise DuplicateSnapshot(*key)
        stored = replace(snapshot, id=self.store.next_id())
        self.store.activity[key] = stored
        return stored

    def add_many(self, snapshots: Iterable[ActivitySnapshot]) -> int:
        """All or nothing: one refused snapshot refuses the whole batch."""
        before = dict(self.store.activity)
        try:
            stored = [self.add(snapshot) for snapshot in snapshots]
        except (ClientNotFound, DuplicateSnapshot):
            self.store.activity = before
            raise
        return len(stored)

    def get(self, client_id: int, observed_on: date) -> ActivitySnapshot | None:
        return self.store.activity.get((client_id, observed_on))

    def existing(self, keys: Iterable[tuple[int, date]]) -> set[tuple[int, date]]:
        return {key for key in keys if key in self.store.activity}

    def update_outcomes(self, snapshot: ActivitySnapshot) -> None:
        key = (snapshot.client_id, snapshot.observed_on)
        if key not in self.store.activity:
            raise SnapshotNotFound(*key)
        self.store.activity[key] = replace(
            self.store.activity[key],
            sales_next_month=snapshot.sales_next_month,
            purchased_next_14d=snapshot.purchased_next_14d,
        )

    def history(self, client_id: int) -> list[ActivitySnapshot]:
        mine = [s for (owner, _), s in self.store.activity.items() if owner == client_id]
        return sorted(mine, key=lambda s: s.observed_on, reverse=True)

    def count(self) -> int:
        return len(self.store.activity)

    def training_rows(self) -> list[ScoringRow]:
        """Snapshots with a known outcome, by client then date (as the SQL twin orders them)."""
        labelled = [s for s in self.store.activity.values() if s.has_known_sales or s.has_known_purchase]
        labelled.sort(key=lambda s: (s.client_id, s.observed_on))
        return [self._scoring_row(s) for s in labelled]

    def newest_rows(self, after_client_id: int, limit: int) -> list[ScoringRow]:
        newest: dict[int, ActivitySnapshot] = {}
        for (client_id, observed_on), snapshot in self.store.activity.items():
            if client_id > after_client_id and (
                client_id not in newest or observed_on > newest[client_id].observed_on
            ):
                newest[client_id] = snapshot
        return [self._scoring_row(newest[client_id]) for client_id in sorted(newest)[:limit]]

    def newest_row(self, client_id: int) -> ScoringRow | None:
        history = self.history(client_id)
        return self._scoring_row(history[0]) if history else None

    def monthly_sales(self) -> list[MonthlySales]:
        totals: defaultdict[date, float] = defaultdict(float)
        for snapshot in self.store.activity.values():
            if snapshot.sales_next_month is not None:
                totals[first_of_next_month(snapshot.observed_on)] += snapshot.sales_next_month
        return [MonthlySales(month, round(total, 2)) for month, total in sorted(totals.items())]

    def _scoring_row(self, snapshot: ActivitySnapshot) -> ScoringRow:
        return ScoringRow(snapshot, self.store.clients[snapshot.client_id].registered_on)


def _utc(moment: datetime) -> datetime:
    """Moments read back in UTC, as from the databases."""
    return moment.astimezone(UTC)


class InMemoryUserRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self.store = store

    def add(self, user: User) -> User:
        if self.get_by_email(user.email) is not None:
            raise DuplicateEmail(user.email)
        stored = replace(user, id=self.store.next_id())
        self.store.users[stored.id] = stored  # type: ignore[index]
        return stored

    def get(self, user_id: int) -> User | None:
        return self.store.users.get(user_id)

    def get_by_email(self, email: str) -> User | None:
        key = email_key(email)
        return next((u for u in self.store.users.values() if email_key(u.email) == key), None)

    def update(self, user: User) -> None:
        if user.id not in self.store.users:
            raise UserNotFound(user.id)
        other = self.get_by_email(user.email)
        if other is not None and other.id != user.id:
            raise DuplicateEmail(user.email)
        self.store.users[user.id] = user  # type: ignore[index]

    def list(self) -> list[User]:
        return sorted(self.store.users.values(), key=lambda u: email_key(u.email))


class InMemoryPredictionRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self.store = store

    def add_many(self, forecasts: Sequence[SalesForecast], predictions: Sequence[PurchasePrediction]) -> None:
        """All or nothing: an unknown client refuses the whole batch. Money is kept to the grosz."""
        client_ids = [f.client_id for f in forecasts] + [p.client_id for p in predictions]
        unknown = next((c for c in client_ids if c not in self.store.clients), None)
        if unknown is not None:
            raise ClientNotFound(unknown)
        for forecast in forecasts:
            self._append(self.store.forecasts, replace(forecast, value_pln=round(forecast.value_pln, 2)))
        for prediction in predictions:
            self._append(self.store.purchase_predictions, prediction)

    def _append(self, history: dict[int, tuple[P, ...]], prediction: P) -> None:
        stored: P = replace(prediction, made_at=_utc(prediction.made_at), id=self.store.next_id())
        history[prediction.client_id] = (*history.get(prediction.client_id, ()), stored)

    def current(self, client_id: int) -> tuple[SalesForecast | None, PurchasePrediction | None]:
        return _current(self.store.forecasts, client_id), _current(self.store.purchase_predictions, client_id)

    def history(
        self, client_id: int, limit: int = 50
    ) -> list[tuple[SalesForecast, PurchasePrediction | None]]:
        forecasts = sorted(self.store.forecasts.get(client_id, ()), key=_newest, reverse=True)[:limit]
        # In the order they were stored: of two made at the same moment, the later one wins.
        made_at = {p.made_at: p for p in self.store.purchase_predictions.get(client_id, ())}
        return [(forecast, made_at.get(forecast.made_at)) for forecast in forecasts]

    def summary(self, threshold: DecisionThreshold, segments: SegmentRule) -> PredictionSummary:
        values = [history[-1].value_pln for history in self.store.forecasts.values()]
        chances = [history[-1].probability for history in self.store.purchase_predictions.values()]
        return PredictionSummary(
            clients_scored=len(values),
            average_forecast=sum(values) / len(values) if values else None,
            forecast_total=sum(values),
            likely_buyers=sum(1 for chance in chances if chance >= threshold.value),
            segment_counts={
                segment: sum(1 for value in values if _within(value, segments, segment))
                for segment in Segment
            },
        )


def _newest(prediction: SalesForecast | PurchasePrediction) -> tuple[datetime, int]:
    return prediction.made_at, prediction.id or 0


class InMemoryModelRunRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self.store = store

    def add(self, run: ModelRun) -> ModelRun:
        if self.get_version(run.kind, run.version) is not None:
            raise TrainingAlreadyRunning(run.kind, run.version)
        stored = replace(_run_in_utc(run), is_active=False, id=self.store.next_id())
        self.store.model_runs[stored.id] = stored  # type: ignore[index]
        return stored

    def get(self, run_id: int) -> ModelRun | None:
        return self.store.model_runs.get(run_id)

    def get_version(self, kind: ModelKind, version: int) -> ModelRun | None:
        return next((r for r in self._of(kind) if r.version == version), None)

    def update(self, run: ModelRun) -> None:
        """Whether the run is active changes only by `activate`."""
        stored = self.store.model_runs.get(run.id or 0)
        if stored is None:
            raise RunNotFound(run.id)
        self.store.model_runs[stored.id] = replace(_run_in_utc(run), is_active=stored.is_active)  # type: ignore[index]

    def list(self, kind: ModelKind | None = None) -> list[ModelRun]:
        runs = self.store.model_runs.values() if kind is None else self._of(kind)
        return sorted(runs, key=lambda r: (r.queued_at, r.id or 0), reverse=True)

    def next_version(self, kind: ModelKind) -> int:
        return max((r.version for r in self._of(kind)), default=0) + 1

    def in_progress(self, kind: ModelKind) -> ModelRun | None:
        running = [r for r in self._of(kind) if r.status in (RunStatus.QUEUED, RunStatus.RUNNING)]
        return max(running, key=lambda r: r.version, default=None)

    def active(self, kind: ModelKind) -> ModelRun | None:
        return next((r for r in self._of(kind) if r.is_active), None)

    def activate(self, activation: Activation) -> None:
        chosen = self.get_version(activation.kind, activation.version)
        if chosen is None:
            raise RunNotFound(f"{activation.kind.value} v{activation.version}")
        for run in self._of(activation.kind):
            self.store.model_runs[run.id] = replace(run, is_active=run.id == chosen.id)  # type: ignore[index]
        self.store.activations.append(replace(activation, activated_at=_utc(activation.activated_at)))

    def activations(self, kind: ModelKind) -> builtins.list[Activation]:
        """Newest first; of two at the same moment, the one recorded later."""
        mine = [
            (a.activated_at, order, a) for order, a in enumerate(self.store.activations) if a.kind is kind
        ]
        return [a for _, _, a in sorted(mine, key=lambda entry: entry[:2], reverse=True)]

    def _of(self, kind: ModelKind) -> builtins.list[ModelRun]:
        return [r for r in self.store.model_runs.values() if r.kind is kind]


def _run_in_utc(run: ModelRun) -> ModelRun:
    return replace(
        run,
        queued_at=_utc(run.queued_at),
        started_at=run.started_at and _utc(run.started_at),
        finished_at=run.finished_at and _utc(run.finished_at),
    )


class InMemorySettingsRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self.store = store

    def threshold(self) -> DecisionThreshold:
        return self.store.settings.get("threshold", DecisionThreshold())

    def set_threshold(self, threshold: DecisionThreshold, changed_by: str, at: datetime) -> None:
        self.store.settings["threshold"] = threshold

    def segment_rule(self) -> SegmentRule:
        return self.store.settings.get("segment_rule", SegmentRule())

    def set_segment_rule(self, rule: SegmentRule, changed_by: str, at: datetime) -> None:
        self.store.settings["segment_rule"] = rule


class InMemoryTokenRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self.store = store

    def add(self, token: ApiToken) -> ApiToken:
        """Refused for an unknown user or a hash already stored, as the database refuses them."""
        if token.user_id not in self.store.users:
            raise UserNotFound(token.user_id)
        if self.get_by_hash(token.token_hash) is not None:
            raise Conflict("An API token with this hash exists already.")
        stored = replace(_token_in_utc(token), id=self.store.next_id())
        self.store.tokens[stored.id] = stored  # type: ignore[index]
        return stored

    def get_by_hash(self, token_hash: str) -> ApiToken | None:
        return next((t for t in self.store.tokens.values() if t.token_hash == token_hash), None)

    def update(self, token: ApiToken) -> None:
        """Its expiry and revocation; the owner and the hash never change."""
        stored = self.store.tokens.get(token.id or 0)
        if stored is None:
            raise NotFound(f"API token {token.id} not found.")
        changed = _token_in_utc(token)
        self.store.tokens[stored.id] = replace(  # type: ignore[index]
            stored, expires_at=changed.expires_at, revoked_at=changed.revoked_at
        )


def _token_in_utc(token: ApiToken) -> ApiToken:
    return replace(
        token,
        created_at=_utc(token.created_at),
        expires_at=_utc(token.expires_at),
        revoked_at=token.revoked_at and _utc(token.revoked_at),
    )


class InMemoryUnitOfWork:
    """Works on a private copy of the store; `commit` publishes it, anything else throws it away."""

    clients: ClientRepository
    activity: ActivityRepository
    users: UserRepository
    predictions: PredictionRepository
    model_runs: ModelRunRepository
    settings: SettingsRepository
    tokens: TokenRepository

    def __init__(self, store: InMemoryStore | None = None) -> None:
        self.committed = store if store is not None else InMemoryStore()
        self._begin()

    def _begin(self) -> None:
        self.working = self.committed.copy()
        self.clients = InMemoryClientRepository(self.working)
        self.activity = InMemoryActivityRepository(self.working)
        self.users = InMemoryUserRepository(self.working)
        self.predictions = InMemoryPredictionRepository(self.working)
        self.model_runs = InMemoryModelRunRepository(self.working)
        self.settings = InMemorySettingsRepository(self.working)
        self.tokens = InMemoryTokenRepository(self.working)

    def __enter__(self) -> Self:
        self._begin()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    def commit(self) -> None:
        self.committed.__dict__.update(self.working.__dict__)
        self._begin()

    def rollback(self) -> None:
        self._begin()
