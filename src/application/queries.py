"""Reads: what a page or an endpoint shows, each gathered by one query in one transaction.

Use cases change things and return what they changed; these only read. Each returns a read model, a
frozen dataclass shaped for the screen that shows it, so a page never stitches several reads together.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Generic, TypeVar

from application.commands import ClientListQuery, ClientSort, ListPosition
from application.leases import fail_abandoned_runs_in
from domain.activity import ActivitySnapshot
from domain.clients import Client, first_of_next_month
from domain.currency import Currency
from domain.errors import ClientNotFound
from domain.model_runs import ModelRun
from domain.predictions import (
    DecisionThreshold,
    ModelKind,
    OutOfDate,
    PurchasePrediction,
    SalesForecast,
    out_of_date,
)
from domain.segments import Segment, SegmentRule
from domain.tiers import ContactTier, TierCuts, expected_value

if TYPE_CHECKING:
    from application.ports import Clock, UnitOfWork

T = TypeVar("T")


# --- Read models ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClientListItem:
    """A row of the client list: the client and, once models have run, its current predictions."""

    client: Client
    predicted_sales: float | None = None
    purchase_probability: float | None = None
    will_buy: bool | None = None
    segment: Segment | None = None
    tier: ContactTier | None = None
    """The contact tier of the worth recorded with its current purchase prediction, under the cut
    points in force."""
    contact_worth: float | None = None
    """The worth recorded with its current purchase prediction (None for one made before it was)."""

    @property
    def expected_value(self) -> float | None:
        """What contacting the client is worth (`domain.tiers.expected_value`): as recorded with its
        current purchase prediction, else computed from its current predictions."""
        if self.contact_worth is not None:
            return self.contact_worth
        if self.purchase_probability is None or self.predicted_sales is None:
            return None
        return expected_value(self.purchase_probability, self.predicted_sales)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: Sequence[T]
    total: int
    page: int
    per_page: int
    previous: ListPosition | None = None
    """The first item's position when items come before it: the page before is read `before` it."""
    next: ListPosition | None = None
    """The last item's position when items follow it: the page after is read `after` it."""
    total_exact: bool = True
    """False when more items match than were counted (a search counts up to `SEARCH_COUNTED_UP_TO`):
    `total` is then how many were counted, and the list goes on past its `pages`."""

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def page_read(
    placed: Sequence[tuple[T, ListPosition]], query: ClientListQuery, total: int, total_exact: bool = True
) -> Page[T]:
    """The page of a list read for `query`: `placed` holds the items with their positions, in the list's
    order, one more than a page when the list goes on past the page in the direction it was read
    (towards its start when read `before` a position, so that the one more comes first)."""
    per_page = query.per_page
    read_backwards = query.before is not None
    beyond = len(placed) > per_page
    placed = placed[-per_page:] if read_backwards else placed[:per_page]
    some_before = beyond if read_backwards else query.after is not None or query.offset > 0
    some_after = beyond if not read_backwards else True
    return Page(
        items=[item for item, _ in placed],
        total=total,
        page=query.page,
        per_page=per_page,
        previous=placed[0][1] if placed and some_before else None,
        next=placed[-1][1] if placed and some_after else None,
        total_exact=total_exact,
    )


@dataclass(frozen=True, slots=True)
class MonthlySales:
    month: date
    """First day of the month."""
    total: float


@dataclass(frozen=True, slots=True)
class PredictionSummary:
    """Current predictions across all clients, for the dashboard."""

    clients_scored: int
    average_forecast: float | None
    forecast_total: float
    likely_buyers: int
    """Clients whose current probability is at or above the threshold in force now."""
    segment_counts: dict[Segment, int]


@dataclass(frozen=True, slots=True)
class PastPrediction:
    """One run of the models for a client: the forecast and, when it was made too, the purchase chance."""

    forecast: SalesForecast
    purchase: PurchasePrediction | None


@dataclass(frozen=True, slots=True)
class ClientOverview:
    """A client with what the models currently say about it."""

    client: Client
    forecast: SalesForecast | None
    purchase: PurchasePrediction | None
    segment: Segment | None
    latest_observed_on: date | None
    """The newest snapshot's date: what a prediction is made from."""
    out_of_date: tuple[OutOfDate, ...] = ()
    """Why the current predictions no longer say what scoring the client now would; empty if they do."""
    tier: ContactTier | None = None
    """The contact tier of the worth recorded with the current purchase prediction, under the cut
    points in force."""

    @property
    def expected_value(self) -> float | None:
        """What contacting the client is worth by its current predictions (`domain.tiers.expected_value`)."""
        if self.forecast is None or self.purchase is None:
            return None
        return expected_value(self.purchase.probability, self.forecast.value)


@dataclass(frozen=True, slots=True)
class ScoredClient:
    """What a client's overview is made of, read together: the client, its current predictions, its
    newest snapshot's date and the versions of the models active now."""

    client: Client
    forecast: SalesForecast | None
    purchase: PurchasePrediction | None
    latest_observed_on: date | None
    active_versions: Mapping[ModelKind, int | None]


@dataclass(frozen=True, slots=True)
class ClientReading:
    """One client read with the settings its overview needs and the credentials' revision, all of one
    moment (`ports.ClientReads`)."""

    credentials_revision: int
    scored: ScoredClient | None
    """None when no client has the id."""
    segments: SegmentRule
    threshold: DecisionThreshold
    tier_cuts: TierCuts | None


@dataclass(frozen=True, slots=True)
class ClientPage:
    """Everything one client's page shows."""

    overview: ClientOverview
    activity: list[ActivitySnapshot]
    """Newest first."""
    prediction_history: list[PastPrediction]
    """Newest first."""
    threshold: DecisionThreshold

    @property
    def client(self) -> Client:
        return self.overview.client


@dataclass(frozen=True, slots=True)
class Dashboard:
    client_count: int
    threshold: DecisionThreshold
    segment_rule: SegmentRule
    currency: Currency
    predictions: PredictionSummary
    monthly_sales: list[MonthlySales]
    """Actual sales per month, oldest first."""
    forecast_month: date | None
    """The month the current forecasts are about: the one after the last month with actual sales."""
    models_trained: bool
    contact_next: Sequence[ClientListItem] = ()
    """The clients whose contact is worth the most (`CONTACT_NEXT` of them), once any is scored."""

    @property
    def likely_buyer_share(self) -> float | None:
        scored = self.predictions.clients_scored
        return self.predictions.likely_buyers / scored if scored else None


@dataclass(frozen=True, slots=True)
class MlPanel:
    """The machine-learning page: every run of both models, the threshold and the segment bands."""

    runs: list[ModelRun]
    """Newest first."""
    threshold: DecisionThreshold
    segment_rule: SegmentRule
    currency: Currency
    out_of_date_clients: int = 0
    """Clients whose current predictions are out of date: what scoring every client would refresh."""


# --- Queries -------------------------------------------------------------------------------------


SEARCH_COUNTED_UP_TO = 10_000
"""A search that matches more clients than this says so ("more than 10,000") instead of counting every
match: a text that nearly every client contains would otherwise be counted through them all."""


def list_clients(query: ClientListQuery, uow: UnitOfWork) -> Page[ClientListItem]:
    """A page of the client list, with each client's current predictions and segment."""
    with uow:
        page = uow.clients.list(
            query,
            uow.settings.segment_rule(),
            tiers=uow.settings.tier_cuts(),
            count_searches_up_to=SEARCH_COUNTED_UP_TO,
        )
        uow.commit()  # a total counted afresh is kept for the next request (see the repository)
        return page


def count_clients(uow: UnitOfWork) -> int:
    """How many clients are on record."""
    with uow:
        return uow.clients.count()


def client_overview(client_id: int, uow: UnitOfWork) -> ClientOverview:
    with uow:
        return _overview(uow, client_id)


def client_page(client_id: int, uow: UnitOfWork) -> ClientPage:
    with uow:
        return ClientPage(
            overview=_overview(uow, client_id),
            activity=uow.activity.history(client_id),
            prediction_history=_history(uow, client_id),
            threshold=uow.settings.threshold(),
        )


def client_activity(client_id: int, uow: UnitOfWork) -> list[ActivitySnapshot]:
    """A client's snapshots, newest first."""
    with uow:
        _require_client(uow, client_id)
        return uow.activity.history(client_id)


def prediction_history(client_id: int, uow: UnitOfWork) -> list[PastPrediction]:
    """Every prediction made for a client, newest first."""
    with uow:
        _require_client(uow, client_id)
        return _history(uow, client_id)


def dashboard(uow: UnitOfWork) -> Dashboard:
    with uow:
        threshold = uow.settings.threshold()
        segment_rule = uow.settings.segment_rule()
        monthly = uow.activity.monthly_sales()
        client_count = uow.clients.count()
        predictions = uow.predictions.summary(threshold, segment_rule)
        figures = Dashboard(
            client_count=client_count,
            threshold=threshold,
            segment_rule=segment_rule,
            currency=uow.settings.currency(),
            predictions=predictions,
            monthly_sales=monthly,
            forecast_month=first_of_next_month(monthly[-1].month) if monthly else None,
            models_trained=all(uow.model_runs.active_versions().values()),
            contact_next=_contact_next(uow, segment_rule, client_count) if predictions.clients_scored else (),
        )
        uow.commit()  # the summaries computed afresh are kept for the next request (see their repositories)
        return figures


CONTACT_NEXT = 5
"""Clients the dashboard proposes to contact next."""


def _contact_next(uow: UnitOfWork, segments: SegmentRule, client_count: int) -> Sequence[ClientListItem]:
    """The first clients of the whole list sorted by the worth of a contact: the list of every client,
    whose total is the count just read."""
    query = ClientListQuery(sort=f"-{ClientSort.EXPECTED_VALUE.value}", per_page=CONTACT_NEXT)
    return uow.clients.list(query, segments, tiers=uow.settings.tier_cuts(), total=client_count).items


def ml_panel(uow: UnitOfWork, clock: Clock | None = None) -> MlPanel:
    """Runs, threshold, segments and currency; with a `clock`, runs whose worker stopped are failed first."""
    with uow:
        if clock is not None:
            fail_abandoned_runs_in(uow, clock)
        threshold = uow.settings.threshold()
        return MlPanel(
            runs=uow.model_runs.list(None),
            threshold=threshold,
            segment_rule=uow.settings.segment_rule(),
            currency=uow.settings.currency(),
            out_of_date_clients=uow.predictions.count_out_of_date(
                uow.model_runs.active_versions(), threshold
            ),
        )


def _overview(uow: UnitOfWork, client_id: int) -> ClientOverview:
    scored = uow.clients.scored(client_id)
    if scored is None:
        raise ClientNotFound(client_id)
    settings = uow.settings
    return overview_of(scored, settings.segment_rule(), settings.threshold(), settings.tier_cuts())


def overview_of(
    scored: ScoredClient, segments: SegmentRule, threshold: DecisionThreshold, cuts: TierCuts | None
) -> ClientOverview:
    """A client's overview from what was read of it, under the settings in force."""
    forecast, purchase, latest_observed_on = scored.forecast, scored.purchase, scored.latest_observed_on
    return ClientOverview(
        client=scored.client,
        forecast=forecast,
        purchase=purchase,
        segment=None if forecast is None else segments.segment_of(forecast.value),
        latest_observed_on=latest_observed_on,
        out_of_date=()
        if forecast is None or purchase is None
        else out_of_date(forecast, purchase, latest_observed_on, scored.active_versions, threshold),
        tier=None if cuts is None else cuts.tier_of(None if purchase is None else purchase.expected_value),
    )


def _history(uow: UnitOfWork, client_id: int) -> list[PastPrediction]:
    return [PastPrediction(forecast, purchase) for forecast, purchase in uow.predictions.history(client_id)]


def _require_client(uow: UnitOfWork, client_id: int) -> Client:
    client = uow.clients.get(client_id)
    if client is None:
        raise ClientNotFound(client_id)
    return client
