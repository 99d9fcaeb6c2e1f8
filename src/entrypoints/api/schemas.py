"""What the API answers: one pydantic model per response body, built from the use cases' results.

Request bodies and queries are the application's commands (application/commands.py); these models
describe only what goes out, and the OpenAPI document is generated from both.
"""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from typing import Any, Literal

from flask import url_for
from pydantic import BaseModel, ConfigDict, Field

from application import queries
from application.imports import ImportReport as ImportReportResult
from application.ports import JobStatus
from application.predicting import ClientPrediction, FeatureContribution
from application.queries import ClientListItem, ClientOverview, Page
from application.queries import Dashboard as DashboardResult
from application.tokens import IssuedToken as IssuedTokenResult
from domain import activity, clients, model_runs, predictions, segments, users
from domain.model_runs import RunStatus
from domain.predictions import ModelKind
from domain.segments import Segment
from domain.users import Role


class Schema(BaseModel):
    model_config = ConfigDict(frozen=True)


# --- Errors -----------------------------------------------------------------------------------


Params = dict[str, str | int | float | bool | None]


class FieldProblem(Schema):
    field: str = Field(description="The offending field, dotted for nested ones (`row` for a whole CSV row).")
    code: str = Field(
        description="Which rule the value breaks, stable across versions and languages: pydantic's error "
        "type (`missing`, `greater_than_equal`, `int_parsing`, ...) or one of ours (`date_in_future`, "
        "`invalid_email`, `email_taken`, `before_registration`, ...).",
        examples=["greater_than_equal"],
    )
    message: str = Field(description="The rule, said in English for people.")
    params: Params = Field(
        default_factory=dict, description='The rule\'s values, e.g. `{"ge": 0}`.', examples=[{"ge": 0}]
    )
    line: int | None = Field(None, description="The line of an uploaded CSV file (the header is line 1).")


class Problem(Schema):
    """Every error, as RFC 9457 problem details (`application/problem+json`)."""

    type: str = "about:blank"
    title: str = Field(description="The HTTP status phrase.", examples=["Unprocessable Entity"])
    status: int = Field(examples=[422])
    detail: str = Field(description="What went wrong, for people.")
    code: str | None = Field(
        None,
        description="What went wrong, stable across versions and languages (`client_not_found`, "
        "`invalid_input`, `import_rejected`, `training_running`, ...); absent for a plain HTTP error.",
        examples=["invalid_input"],
    )
    params: Params = Field(default_factory=dict, description="The values the detail is made of.")
    request_id: str | None = Field(None, description="Quote it when reporting a problem: the logs carry it.")
    errors: list[FieldProblem] = Field(
        default_factory=list,
        description="Each problem with a field (and line); only present when there are any.",
    )


# --- Tokens -----------------------------------------------------------------------------------


class IssuedToken(Schema):
    token: str = Field(
        description="The secret: shown this once, stored only as its hash. Send it as a Bearer token."
    )
    token_type: Literal["Bearer"] = "Bearer"
    created_at: datetime
    expires_at: datetime

    @classmethod
    def of(cls, issued: IssuedTokenResult) -> IssuedToken:
        token = issued.token
        return cls(token=issued.secret, created_at=token.created_at, expires_at=token.expires_at)


# --- Clients ----------------------------------------------------------------------------------


class Client(Schema):
    id: int
    first_name: str
    last_name: str
    email: str
    registered_on: date
    url: str

    @classmethod
    def of(cls, client: clients.Client) -> Client:
        client_id = client.id or 0
        return cls(
            id=client_id,
            first_name=client.first_name,
            last_name=client.last_name,
            email=client.email,
            registered_on=client.registered_on,
            url=url_for("api.get_client", client_id=client_id),
        )


class ClientSummary(Client):
    """A row of the client list: the client and what the models currently say about it."""

    predicted_sales: float | None = Field(description="Forecast sales next month, PLN; null until scored.")
    purchase_probability: float | None = Field(description="Chance of a purchase within 14 days.")
    will_buy: bool | None = Field(description="The decision at the threshold in force when it was made.")
    segment: Segment | None

    @classmethod
    def of_item(cls, item: ClientListItem) -> ClientSummary:
        return cls(
            **Client.of(item.client).model_dump(),
            predicted_sales=item.predicted_sales,
            purchase_probability=item.purchase_probability,
            will_buy=item.will_buy,
            segment=item.segment,
        )


class PageLinks(Schema):
    self: str
    first: str
    last: str
    prev: str | None
    next: str | None


class ClientPage(Schema):
    items: list[ClientSummary]
    total: int = Field(description="How many clients match the filters, on every page.")
    page: int
    per_page: int
    pages: int
    links: PageLinks

    @classmethod
    def of(cls, page: Page[ClientListItem], link: Any) -> ClientPage:
        """`link(page_number)` is the URL of another page of the same list."""
        return cls(
            items=[ClientSummary.of_item(item) for item in page.items],
            total=page.total,
            page=page.page,
            per_page=page.per_page,
            pages=page.pages,
            links=PageLinks(
                self=link(page.page),
                first=link(1),
                last=link(page.pages),
                prev=link(page.page - 1) if page.page > 1 else None,
                next=link(page.page + 1) if page.page < page.pages else None,
            ),
        )


class SalesForecast(Schema):
    value_pln: float = Field(description="Sales expected in the next month, PLN.")
    model_version: int
    made_at: datetime

    @classmethod
    def of(cls, forecast: predictions.SalesForecast) -> SalesForecast:
        # To the grosz, as it is stored: a fresh answer and a later read agree.
        value = round(forecast.value_pln, 2)
        return cls(value_pln=value, model_version=forecast.model_version, made_at=forecast.made_at)


class PurchasePrediction(Schema):
    probability: float = Field(ge=0, le=1, description="Chance of a purchase within the next 14 days.")
    will_buy: bool = Field(description="probability >= threshold")
    threshold: float = Field(description="The decision threshold in force when the prediction was made.")
    model_version: int
    made_at: datetime

    @classmethod
    def of(cls, prediction: predictions.PurchasePrediction) -> PurchasePrediction:
        return cls(
            probability=prediction.probability,
            will_buy=prediction.will_buy,
            threshold=prediction.threshold,
            model_version=prediction.model_version,
            made_at=prediction.made_at,
        )


class ClientLinks(Schema):
    activity: str
    predictions: str


class ClientDetail(Client):
    """A client with its current predictions and segment."""

    forecast: SalesForecast | None = Field(description="The current sales forecast; null until scored.")
    purchase: PurchasePrediction | None = Field(description="The current purchase prediction.")
    segment: Segment | None = Field(description="By the current forecast, under the segment rule in force.")
    latest_observed_on: date | None = Field(description="The newest snapshot's date: what predictions use.")
    links: ClientLinks

    @classmethod
    def of(cls, overview: ClientOverview) -> ClientDetail:  # type: ignore[override]
        client_id = overview.client.id or 0
        return cls(
            **Client.of(overview.client).model_dump(),
            forecast=None if overview.forecast is None else SalesForecast.of(overview.forecast),
            purchase=None if overview.purchase is None else PurchasePrediction.of(overview.purchase),
            segment=overview.segment,
            latest_observed_on=overview.latest_observed_on,
            links=ClientLinks(
                activity=url_for("api.list_activity", client_id=client_id),
                predictions=url_for("api.list_predictions", client_id=client_id),
            ),
        )


# --- Activity ---------------------------------------------------------------------------------


class Snapshot(Schema):
    """What was true of a client in the window before `observed_on`, and the outcomes once known."""

    client_id: int
    observed_on: date
    purchases_30d: int
    avg_basket_value: float = Field(description="PLN")
    site_visits_30d: int
    days_since_last_purchase: int | None = Field(description="null: the client never bought.")
    visits_7d: int
    newsletter_opened: bool
    ad_clicks_7d: int
    time_on_site_7d: float = Field(description="minutes")
    has_purchase_history: bool
    sales_next_month: float | None = Field(description="PLN spent in the 30 days after; null until known.")
    purchased_next_14d: bool | None = Field(description="Bought within 14 days after; null until known.")
    url: str

    @classmethod
    def of(cls, snapshot: activity.ActivitySnapshot) -> Snapshot:
        values = {name: getattr(snapshot, name) for name in cls.model_fields if name not in {"url"}}
        url = url_for(
            "api.get_snapshot", client_id=snapshot.client_id, observed_on=snapshot.observed_on.isoformat()
        )
        return cls(**values, url=url)


class SnapshotList(Schema):
    items: list[Snapshot] = Field(description="Newest first.")


# --- Predictions ------------------------------------------------------------------------------


class FeatureReason(Schema):
    feature: str
    value: float = Field(description="The feature's value for this client.")
    contribution: float = Field(
        description="Its push on the prediction, in standardized units (+ up, - down)."
    )

    @classmethod
    def of(cls, reason: FeatureContribution) -> FeatureReason:
        return cls(feature=reason.feature, value=reason.value, contribution=reason.contribution)


class Reasons(Schema):
    sales: list[FeatureReason] = Field(description="Strongest first.")
    purchase: list[FeatureReason] = Field(description="Strongest first.")


class Prediction(Schema):
    """A fresh prediction for one client, now its current one, with the reasons behind it."""

    client_id: int
    forecast: SalesForecast
    purchase: PurchasePrediction
    segment: Segment
    reasons: Reasons

    @classmethod
    def of(cls, result: ClientPrediction) -> Prediction:
        return cls(
            client_id=result.forecast.client_id,
            forecast=SalesForecast.of(result.forecast),
            purchase=PurchasePrediction.of(result.purchase),
            segment=result.segment,
            reasons=Reasons(
                sales=[FeatureReason.of(r) for r in result.sales_reasons],
                purchase=[FeatureReason.of(r) for r in result.purchase_reasons],
            ),
        )


class PastPrediction(Schema):
    forecast: SalesForecast
    purchase: PurchasePrediction | None = Field(description="The purchase prediction made with the forecast.")


class PredictionHistory(Schema):
    items: list[PastPrediction] = Field(description="Newest first.")

    @classmethod
    def of(cls, history: list[queries.PastPrediction]) -> PredictionHistory:
        return cls(
            items=[
                PastPrediction(
                    forecast=SalesForecast.of(past.forecast),
                    purchase=None if past.purchase is None else PurchasePrediction.of(past.purchase),
                )
                for past in history
            ]
        )


class Job(Schema):
    """Work running outside the request. Poll `url` until `state` is succeeded or failed."""

    id: str
    description: str
    state: Literal["queued", "running", "succeeded", "failed"]
    error: str | None
    result: dict[str, Any] | None = Field(description="What the job reported once it succeeded.")
    url: str

    @classmethod
    def of(cls, job: JobStatus) -> Job:
        result = job.result
        return cls(
            id=job.id,
            description=job.description,
            state=job.state,  # type: ignore[arg-type]
            error=job.error,
            result=asdict(result) if is_dataclass(result) and not isinstance(result, type) else None,
            url=url_for("api.get_job", job_id=job.id),
        )


# --- Models -----------------------------------------------------------------------------------


class TrainingStarted(Schema):
    """A queued training run: poll `url` for its status and metrics."""

    id: int
    kind: ModelKind
    version: int
    status: RunStatus
    url: str

    @classmethod
    def of(cls, run: model_runs.ModelRun) -> TrainingStarted:
        return cls(id=run.id or 0, kind=run.kind, version=run.version, status=run.status, url=run_url(run))


def run_url(run: model_runs.ModelRun) -> str:
    return url_for("api.get_run", kind=run.kind.value, run_id=run.id or 0)


class Evaluation(Schema):
    """Scores on the held-out rows only, next to a naive baseline scored on the same rows."""

    train_size: int
    test_size: int
    metrics: dict[str, float | None] = Field(
        description="R², MSE, MAE (sales); accuracy … ROC AUC (purchase)."
    )
    baseline_metrics: dict[str, float | None]
    coefficients: dict[str, float] = Field(description="Per feature, on standardized inputs.")
    intercept: float
    confusion_matrix: list[list[int]] | None = Field(
        description="[[TN, FP], [FN, TP]] at the threshold (purchase)."
    )
    threshold: float | None
    threshold_curve: list[dict[str, float | None]] | None = Field(
        description="Precision and recall on the hold-out at other thresholds (purchase)."
    )

    @classmethod
    def of(cls, evaluation: model_runs.Evaluation) -> Evaluation:
        return cls(**asdict(evaluation))


class ModelRun(Schema):
    """One training of a model: its status, and once it succeeded, its metrics and artifact."""

    id: int
    kind: ModelKind
    version: int
    status: RunStatus
    requested_by: str
    queued_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    error: str | None = Field(description="Why the run failed or was refused.")
    is_active: bool = Field(description="The version predictions use now.")
    evaluation: Evaluation | None
    artifact_sha256: str | None = Field(description="SHA-256 of the saved model; checked on every load.")
    url: str

    @classmethod
    def of(cls, run: model_runs.ModelRun) -> ModelRun:
        return cls(
            id=run.id or 0,
            kind=run.kind,
            version=run.version,
            status=run.status,
            requested_by=run.requested_by,
            queued_at=run.queued_at,
            started_at=run.started_at,
            finished_at=run.finished_at,
            error=run.error,
            is_active=run.is_active,
            evaluation=None if run.evaluation is None else Evaluation.of(run.evaluation),
            artifact_sha256=None if run.artifact is None else run.artifact.sha256,
            url=run_url(run),
        )


class ModelRunList(Schema):
    items: list[ModelRun] = Field(description="Newest first.")


# --- Settings and the dashboard -----------------------------------------------------------------


class Threshold(Schema):
    threshold: float = Field(gt=0, lt=1, description="Probability from which a client counts as a buyer.")


class SegmentBand(Schema):
    segment: Segment
    from_pln: float | None = Field(description="Inclusive lower bound; null: open.")
    below_pln: float | None = Field(description="Exclusive upper bound; null: open.")


class SegmentRule(Schema):
    """Segments by forecast sales next month, PLN."""

    medium_from: float
    high_from: float
    bands: list[SegmentBand]
    description: str

    @classmethod
    def of(cls, rule: segments.SegmentRule) -> SegmentRule:
        return cls(
            medium_from=rule.medium_from,
            high_from=rule.high_from,
            bands=[
                SegmentBand(segment=segment, from_pln=low, below_pln=high)
                for segment in Segment
                for low, high in [rule.bounds(segment)]
            ],
            description=(
                f"high: forecast of {rule.high_from:g} PLN or more; medium: from {rule.medium_from:g} "
                f"up to {rule.high_from:g} PLN; low: below {rule.medium_from:g} PLN"
            ),
        )


class MonthlySales(Schema):
    month: date = Field(description="The first day of the month.")
    total_pln: float


class SalesTrend(Schema):
    actual: list[MonthlySales] = Field(description="Actual sales per month, oldest first.")
    forecast: MonthlySales | None = Field(
        description="The month after the last actual one, with the sum of the current forecasts."
    )


class SegmentCounts(Schema):
    high: int
    medium: int
    low: int


class Dashboard(Schema):
    client_count: int
    clients_scored: int = Field(description="Clients with a current prediction.")
    average_forecast: float | None = Field(description="PLN, over scored clients; null when none is scored.")
    forecast_total: float = Field(description="PLN, the sum of current forecasts.")
    likely_buyers: int = Field(description="Scored clients at or above the threshold in force now.")
    likely_buyer_share: float | None = Field(description="likely_buyers / clients_scored.")
    threshold: float
    segment_counts: SegmentCounts
    segment_rule: SegmentRule
    trend: SalesTrend
    models_trained: bool = Field(description="Both models have an active version.")

    @classmethod
    def of(cls, board: DashboardResult) -> Dashboard:
        summary = board.predictions
        counts = {segment.value: summary.segment_counts.get(segment, 0) for segment in Segment}
        forecast = (
            MonthlySales(month=board.forecast_month, total_pln=summary.forecast_total)
            if board.forecast_month is not None and summary.clients_scored > 0
            else None
        )
        return cls(
            client_count=board.client_count,
            clients_scored=summary.clients_scored,
            average_forecast=summary.average_forecast,
            forecast_total=summary.forecast_total,
            likely_buyers=summary.likely_buyers,
            likely_buyer_share=board.likely_buyer_share,
            threshold=board.threshold.value,
            segment_counts=SegmentCounts(**counts),
            segment_rule=SegmentRule.of(board.segment_rule),
            trend=SalesTrend(
                actual=[MonthlySales(month=m.month, total_pln=m.total_pln) for m in board.monthly_sales],
                forecast=forecast,
            ),
            models_trained=board.models_trained,
        )


# --- Users ------------------------------------------------------------------------------------


class User(Schema):
    id: int
    email: str
    role: Role
    is_active: bool = Field(description="A deactivated user can neither sign in nor use their tokens.")
    url: str

    @classmethod
    def of(cls, user: users.User) -> User:
        user_id = user.id or 0
        return cls(
            id=user_id,
            email=user.email,
            role=user.role,
            is_active=user.is_active,
            url=url_for("api.get_user", user_id=user_id),
        )


class UserList(Schema):
    items: list[User] = Field(description="By email.")


# --- Imports ----------------------------------------------------------------------------------


class CsvUpload(Schema):
    """A CSV file (UTF-8, comma, semicolon or tab separated) in the multipart field `file`."""

    file: bytes = Field(description="The CSV file; its first line names the columns.")


class ImportReport(Schema):
    imported: int = Field(description="Rows stored: every row of the file (all or nothing).")

    @classmethod
    def of(cls, report: ImportReportResult) -> ImportReport:
        return cls(imported=report.imported)
