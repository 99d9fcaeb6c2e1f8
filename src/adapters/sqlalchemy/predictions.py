"""Predictions on SQLAlchemy Core: history kept, the newest of each client flagged as its current one."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict
from typing import Any, TypeVar

from sqlalchemy import (
    Column,
    ColumnElement,
    Float,
    ScalarSelect,
    Select,
    Table,
    case,
    cast,
    false,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from adapters.sqlalchemy.bands import in_segment
from adapters.sqlalchemy.clients import lists_turn, relist
from adapters.sqlalchemy.integrity import Violation, savepoint, violation_of
from adapters.sqlalchemy.kept import (
    PREDICTIONS_REVISION,
    SNAPSHOT_REVISION,
    kept,
    newest_predictions,
    revised,
    revision,
)
from adapters.sqlalchemy.rows import FORECASTS, PURCHASES, Values
from adapters.sqlalchemy.statements import CHUNK_SIZE, DriverValues, among_ids, bulk_insert
from adapters.sqlalchemy.tables import client_activity, clients, purchase_predictions, sales_predictions
from application.chunks import chunks
from application.queries import PredictionSummary
from domain.errors import ClientNotFound, DomainError
from domain.performance import RealizedPurchase, RealizedSales
from domain.predictions import (
    THRESHOLD_TOLERANCE,
    DecisionThreshold,
    ModelKind,
    PurchasePrediction,
    SalesForecast,
    ScoredBatch,
)
from domain.segments import Segment, SegmentRule

P = TypeVar("P", SalesForecast, PurchasePrediction)
History = tuple[SalesForecast, PurchasePrediction | None]

# Realized predictions read per round trip while they are streamed.
REALIZED_PER_FETCH = 10_000
# The columns every prediction row has, in the order `add_batch` writes them.
_WRITTEN = ("client_id", "model_version", "made_at", "is_current", "observed_on")
# Client ids per `UPDATE ... WHERE client_id IN (...)`: well under every database's limit of bound parameters.
FLIP_CHUNK_SIZE = 5_000
REPLACE_ATTEMPTS = 3
"""Tries of a write of current predictions that met another for the same clients (`_replacing_current`)."""


class SqlAlchemyPredictionRepository:
    """Forecasts in `sales_predictions`, purchase chances in `purchase_predictions`. Never commits."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add_many(self, forecasts: Sequence[SalesForecast], predictions: Sequence[PurchasePrediction]) -> None:
        """In one savepoint: the clients' current rows stop being current, then the new rows are
        inserted as current (`_replacing_current`). All or nothing: an unknown client refuses the whole
        batch. Last, the predictions' revision is counted up (`PREDICTIONS_REVISION`) and the clients'
        entries of the scored clients' list are written again (`relist`), in the list's turn, taken
        first (`lists_turn`)."""

        def replace() -> None:
            self._replace_current(sales_predictions, forecasts, FORECASTS.values)
            self._replace_current(purchase_predictions, predictions, PURCHASES.values)

        lists_turn(self.session)
        with savepoint(self.session, self._refuse(forecasts, predictions)):
            self._replacing_current(replace)
        revised(self.session, PREDICTIONS_REVISION)
        scored = {forecast.client_id for forecast in forecasts} | {chance.client_id for chance in predictions}
        relist(self.session, scored, PREDICTIONS_REVISION)

    def add_batch(self, batch: ScoredBatch) -> None:
        """The clients' current rows stop being current, then the batch's rows go in as current ones
        through the database's bulk path (`bulk_insert`): no object, no type conversion per row
        (`_replacing_current`). Last, the predictions' revision is counted up (`PREDICTIONS_REVISION`),
        just before the caller commits. The scored clients' list is not written: a batch scoring writes
        it whole when it ends (`SqlAlchemyClientRepository.keep_scored_list`)."""
        client_ids = list(batch.client_ids)
        driver = DriverValues(self.session)
        made_at, days = driver.moment(batch.made_at), [driver.day(day) for day in batch.observed_on]
        threshold = batch.threshold.value

        def replace() -> None:
            for table in (sales_predictions, purchase_predictions):
                self._no_longer_current(table, client_ids)
            sales = (
                (client_id, batch.sales_version, made_at, True, day, value)
                for client_id, day, value in zip(client_ids, days, batch.forecasts, strict=True)
            )
            bulk_insert(self.session, sales_predictions, (*_WRITTEN, "value"), sales)
            purchases = (
                (
                    client_id,
                    batch.purchase_version,
                    made_at,
                    True,
                    day,
                    probability,
                    will_buy,
                    threshold,
                    worth,
                )
                for client_id, day, probability, will_buy, worth in zip(
                    client_ids, days, batch.probabilities, batch.will_buy, batch.expected_values, strict=True
                )
            )
            columns = (*_WRITTEN, "probability", "will_buy", "threshold", "expected_value")
            bulk_insert(self.session, purchase_predictions, columns, purchases)

        self._replacing_current(replace)
        revised(self.session, PREDICTIONS_REVISION)

    def _replacing_current(self, replace: Callable[[], None]) -> None:
        """`replace` the clients' current rows in a savepoint; again when another transaction gave one of
        the clients a current row after `replace` stopped the clients' rows being current, and committed
        it first: the unique index of current rows refuses the second, and a second try finds the first
        and makes it a past one. (On SQLite one transaction writes at a time.)"""
        for attempt in range(1, REPLACE_ATTEMPTS + 1):
            try:
                with self.session.begin_nested():
                    replace()
                return
            except IntegrityError as error:
                if violation_of(error) is not Violation.UNIQUE or attempt == REPLACE_ATTEMPTS:
                    raise

    def current_values(self) -> tuple[list[float], list[float]]:
        """Read through the current rows' partial indexes of value and worth."""
        # As floating point in SQL: no Decimal made per row on the way.
        forecasts = select(cast(sales_predictions.c.value, Float)).where(sales_predictions.c.is_current)
        worth = purchase_predictions.c.expected_value
        known_worth = select(worth).where(purchase_predictions.c.is_current, worth.is_not(None))
        return list(self.session.scalars(forecasts)), list(self.session.scalars(known_worth))

    def current(self, client_id: int) -> tuple[SalesForecast | None, PurchasePrediction | None]:
        forecast = self.session.execute(_current_of(sales_predictions, client_id)).one_or_none()
        prediction = self.session.execute(_current_of(purchase_predictions, client_id)).one_or_none()
        return (
            None if forecast is None else FORECASTS.from_row(forecast),
            None if prediction is None else PURCHASES.from_row(prediction),
        )

    def history(self, client_id: int, limit: int = 50) -> list[History]:
        """Newest first; each forecast is paired with the purchase prediction made at the same moment."""
        forecasts = [
            FORECASTS.from_row(row)
            for row in self.session.execute(_newest_first(sales_predictions, client_id).limit(limit))
        ]
        if not forecasts:
            return []
        same_moments = (
            select(purchase_predictions)
            .where(
                purchase_predictions.c.client_id == client_id,
                purchase_predictions.c.made_at.in_({forecast.made_at for forecast in forecasts}),
            )
            .order_by(purchase_predictions.c.id)
        )
        # Read in the order they were stored: of two made at the same moment, the later one wins.
        made_at = {row.made_at: PURCHASES.from_row(row) for row in self.session.execute(same_moments)}
        return [(forecast, made_at.get(forecast.made_at)) for forecast in forecasts]

    def count_out_of_date(
        self, active_versions: Mapping[ModelKind, int | None], threshold: DecisionThreshold
    ) -> int:
        """The rule of `domain.predictions.out_of_date` in SQL, over the current predictions: one probe
        of the snapshots' (client_id, observed_on) index per client for a newer snapshot."""
        sales, purchase = sales_predictions.alias("sales"), purchase_predictions.alias("purchase")
        newer = (
            select(client_activity.c.id)
            .where(
                client_activity.c.client_id == sales.c.client_id,
                client_activity.c.observed_on > sales.c.observed_on,
            )
            .exists()
        )
        reasons = [newer, func.abs(purchase.c.threshold - threshold.value) > THRESHOLD_TOLERANCE]
        for table, kind in ((sales, ModelKind.SALES), (purchase, ModelKind.PURCHASE)):
            version = active_versions.get(kind)
            if version is not None:
                reasons.append(table.c.model_version != version)
        statement = (
            select(func.count())
            .select_from(
                sales.join(purchase, (purchase.c.client_id == sales.c.client_id) & purchase.c.is_current)
            )
            .where(sales.c.is_current, or_(*reasons))
        )
        return self.session.scalar(statement) or 0

    def realized_sales(self) -> Iterator[RealizedSales]:
        outcome = client_activity.c.sales_next_month
        for row in self.session.execute(_realized(sales_predictions, outcome, sales_predictions.c.value)):
            yield RealizedSales(row.model_version, row.observed_on, float(row.value), float(row.outcome))

    def realized_purchases(self) -> Iterator[RealizedPurchase]:
        table = purchase_predictions
        statement = _realized(
            table,
            client_activity.c.purchased_next_14d,
            table.c.probability,
            table.c.will_buy,
            _forecast_made_with(table).label("forecast"),
        )
        for row in self.session.execute(statement):
            yield RealizedPurchase(
                row.model_version,
                row.observed_on,
                row.probability,
                bool(row.will_buy),
                bool(row.outcome),
                None if row.forecast is None else float(row.forecast),
            )

    def summary(self, threshold: DecisionThreshold, segments: SegmentRule) -> PredictionSummary:
        """Over the current predictions only; likely buyers under the threshold in force now. Kept
        (`adapters.sqlalchemy.kept`) until a prediction is stored, a client deleted (with its
        predictions; that counts up the snapshots' revision), or the threshold or bands differ: the
        newest ids and a revision decide, without counting the clients."""
        computed_from = [
            *self.session.execute(select(*newest_predictions())).one(),
            revision(self.session, SNAPSHOT_REVISION),
            threshold.value,
            segments.medium_from,
            segments.high_from,
        ]
        return kept(
            self.session,
            "prediction_summary",
            computed_from,
            lambda: self._summary(threshold, segments),
            _summary_document,
            _summary_of,
        )

    def _summary(self, threshold: DecisionThreshold, segments: SegmentRule) -> PredictionSummary:
        value = sales_predictions.c.value
        per_segment = [
            func.coalesce(func.sum(case((in_segment(value, segments, segment), 1), else_=0)), 0)
            for segment in Segment
        ]
        total = func.coalesce(func.sum(value), 0)
        forecasts = select(func.count(), func.avg(value), total, *per_segment).where(
            sales_predictions.c.is_current
        )
        scored, average, forecast_total, *counts = self.session.execute(forecasts).one()
        likely_buyers = select(func.count()).where(
            purchase_predictions.c.is_current, purchase_predictions.c.probability >= threshold.value
        )
        return PredictionSummary(
            clients_scored=scored,
            average_forecast=None if average is None else float(average),
            forecast_total=float(forecast_total),
            likely_buyers=self.session.scalar(likely_buyers) or 0,
            segment_counts={segment: int(count) for segment, count in zip(Segment, counts, strict=True)},
        )

    def _no_longer_current(self, table: Table, client_ids: Iterable[int]) -> None:
        for chunk in chunks(client_ids, FLIP_CHUNK_SIZE):
            of_chunk = among_ids(self.session, table.c.client_id, chunk)
            no_longer_current = update(table).where(table.c.is_current, of_chunk)
            self.session.execute(no_longer_current.values(is_current=false()))

    def _replace_current(self, table: Table, new: Sequence[P], values: Callable[..., Values]) -> None:
        self._no_longer_current(table, {prediction.client_id for prediction in new})
        last_of_client = {prediction.client_id: index for index, prediction in enumerate(new)}
        rows = [
            values(prediction, is_current=last_of_client[prediction.client_id] == index)
            for index, prediction in enumerate(new)
        ]
        for batch in chunks(rows, CHUNK_SIZE):
            self.session.execute(insert(table), batch)

    def _refuse(
        self, forecasts: Sequence[SalesForecast], predictions: Sequence[PurchasePrediction]
    ) -> Callable[[Violation], DomainError | None]:
        def translate(violation: Violation) -> DomainError | None:
            if violation is not Violation.FOREIGN_KEY:
                return None
            return ClientNotFound(self._first_unknown_client([*forecasts, *predictions]))

        return translate

    def _first_unknown_client(self, predictions: Sequence[SalesForecast | PurchasePrediction]) -> int:
        client_ids = {prediction.client_id for prediction in predictions}
        known: set[int] = set()
        for chunk in chunks(client_ids, FLIP_CHUNK_SIZE):
            known.update(self.session.scalars(select(clients.c.id).where(clients.c.id.in_(chunk))))
        return next((p.client_id for p in predictions if p.client_id not in known), 0)


def _summary_document(summary: PredictionSummary) -> dict[str, Any]:
    document = asdict(summary)
    document["segment_counts"] = {segment.value: count for segment, count in summary.segment_counts.items()}
    return document


def _summary_of(document: dict[str, Any]) -> PredictionSummary:
    counts = {Segment(segment): count for segment, count in document["segment_counts"].items()}
    return PredictionSummary(**(document | {"segment_counts": counts}))


def _current_of(table: Table, client_id: int) -> Select[Any]:
    return select(table).where(table.c.client_id == client_id, table.c.is_current)


def _newest_first(table: Table, client_id: int) -> Select[Any]:
    newest = (table.c.made_at.desc(), table.c.id.desc())
    return select(table).where(table.c.client_id == client_id).order_by(*newest)


def _forecast_made_with(purchase: Table) -> ScalarSelect[Any]:
    """The sales forecast made at the same moment from the same client's same snapshot as a purchase
    prediction: of two made at the same moment, the later stored one."""
    return (
        select(sales_predictions.c.value)
        .where(
            sales_predictions.c.client_id == purchase.c.client_id,
            sales_predictions.c.made_at == purchase.c.made_at,
            sales_predictions.c.observed_on == purchase.c.observed_on,
        )
        .order_by(sales_predictions.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def _realized(table: Table, outcome: Column[Any], *values: ColumnElement[Any]) -> Select[Any]:
    """The predictions of `table` joined to their snapshot's known `outcome`, the last stored per
    client, snapshot and model version, ordered by version and snapshot date."""
    later = table.alias("later")
    re_scored = (
        select(later.c.id)
        .where(
            later.c.client_id == table.c.client_id,
            later.c.observed_on == table.c.observed_on,
            later.c.model_version == table.c.model_version,
            later.c.id > table.c.id,
        )
        .exists()
    )
    snapshot = (client_activity.c.client_id == table.c.client_id) & (
        client_activity.c.observed_on == table.c.observed_on
    )
    # Predictions are mostly made from the newest snapshots, whose outcome is not known yet: the
    # newest day with a known outcome leaves them out before each is looked up.
    newest_known = (
        select(func.max(client_activity.c.observed_on)).where(outcome.is_not(None)).scalar_subquery()
    )
    return (
        select(table.c.model_version, table.c.observed_on, *values, outcome.label("outcome"))
        .join_from(table, client_activity, snapshot)
        .where(table.c.observed_on <= newest_known, outcome.is_not(None), ~re_scored)
        .order_by(table.c.model_version, table.c.observed_on, table.c.id)
        .execution_options(yield_per=REALIZED_PER_FETCH)
    )
