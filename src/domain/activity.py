"""Activity snapshots: what was true of a client in the window before an observation date."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, replace
from datetime import date, timedelta

from domain.errors import InvalidValue

COUNT_FIELDS = ("purchases_30d", "site_visits_30d", "visits_7d", "ad_clicks_7d")
AMOUNT_FIELDS = ("avg_basket_value", "time_on_site_7d")
BEHAVIOUR_FIELDS = ("site_visits_30d", "visits_7d", "newsletter_opened", "ad_clicks_7d", "time_on_site_7d")
"""Features that come from behavioural events (visits, newsletters, ads): unknown (None) without them."""


@dataclass(frozen=True, slots=True)
class OrderHistory:
    """A client's purchase history up to an observation date M, known only where it is derived from
    orders (see `domain.derivation`). A purchase is an order with amount > 0; windows end on M."""

    spend_90d: float
    spend_180d: float
    spend_365d: float
    """Sums of the purchases' amounts in the 90, 180 and 365 days ending on M."""
    purchases_365d: int
    active_months_365d: int
    """Calendar months holding a purchase among the 365 days ending on M."""
    purchase_days: int
    """Distinct days with a purchase on or before M: the client's whole history."""
    days_since_first_purchase: int | None
    """M minus the day of the first purchase; None when the client never bought."""
    avg_order_value: float
    """Mean amount of every purchase on or before M; 0 without any."""


HISTORY_FIELDS = tuple(OrderHistory.__dataclass_fields__)


def forecast_month(observed_on: date) -> date:
    """The month (its first day) a snapshot's `sales_next_month` is about: the one holding the day after
    `observed_on`. A snapshot of 31 May forecasts June, and so does one entered on 1 June."""
    return (observed_on + timedelta(days=1)).replace(day=1)


class SnapshotSource(enum.StrEnum):
    ENTERED = "entered"
    """Typed in a form, sent through the API or imported as a snapshot: never overwritten by a derivation."""
    DERIVED = "derived"
    """Computed from the client's orders and events; rebuilt whenever they change."""


@dataclass(frozen=True, slots=True)
class ActivitySnapshot:
    """One row per client per `observed_on`; the newest one is what predictions are made from.

    The outcomes (`sales_next_month`, `purchased_next_14d`) stay None until they are known;
    a snapshot with a known outcome is a training example. The behavioural features
    (`BEHAVIOUR_FIELDS`) are None where no events tell them: unknown, not zero.
    """

    client_id: int
    observed_on: date
    purchases_30d: int
    avg_basket_value: float
    site_visits_30d: int | None
    days_since_last_purchase: int | None
    visits_7d: int | None
    newsletter_opened: bool | None
    ad_clicks_7d: int | None
    time_on_site_7d: float | None
    sales_next_month: float | None = None
    purchased_next_14d: bool | None = None
    source: SnapshotSource = SnapshotSource.ENTERED
    id: int | None = None
    history: OrderHistory | None = None
    """Known on snapshots derived from orders; None on entered ones."""

    def __post_init__(self) -> None:
        for field in COUNT_FIELDS:
            if (count := getattr(self, field)) is not None:
                _require_non_negative_int(field, count)
        for field in AMOUNT_FIELDS:
            if (amount := getattr(self, field)) is not None:
                _require_non_negative_number(field, amount)
        if self.days_since_last_purchase is not None:
            _require_non_negative_int("days_since_last_purchase", self.days_since_last_purchase)
        if self.sales_next_month is not None:
            _require_non_negative_number("sales_next_month", self.sales_next_month)
        if (
            self.visits_7d is not None
            and self.site_visits_30d is not None
            and self.visits_7d > self.site_visits_30d
        ):
            raise InvalidValue(
                "visits_7d",
                "week_exceeds_month",
                "cannot exceed site_visits_30d (a week is part of the month)",
            )

    @classmethod
    def derived(
        cls,
        client_id: int,
        observed_on: date,
        purchases_30d: int,
        avg_basket_value: float,
        site_visits_30d: int | None,
        days_since_last_purchase: int | None,
        visits_7d: int | None,
        newsletter_opened: bool | None,
        ad_clicks_7d: int | None,
        time_on_site_7d: float | None,
        sales_next_month: float | None,
        purchased_next_14d: bool | None,
        history: OrderHistory | None = None,
    ) -> ActivitySnapshot:
        """A snapshot computed by `domain.derivation`, whose rule guarantees what `__post_init__` checks
        (counts and amounts of windows are never negative, a week is part of its month): built without
        checking again, since a build derives millions of them. Entered values always go through the
        checks."""
        snapshot = _new(cls)
        _set(snapshot, "client_id", client_id)
        _set(snapshot, "observed_on", observed_on)
        _set(snapshot, "purchases_30d", purchases_30d)
        _set(snapshot, "avg_basket_value", avg_basket_value)
        _set(snapshot, "site_visits_30d", site_visits_30d)
        _set(snapshot, "days_since_last_purchase", days_since_last_purchase)
        _set(snapshot, "visits_7d", visits_7d)
        _set(snapshot, "newsletter_opened", newsletter_opened)
        _set(snapshot, "ad_clicks_7d", ad_clicks_7d)
        _set(snapshot, "time_on_site_7d", time_on_site_7d)
        _set(snapshot, "sales_next_month", sales_next_month)
        _set(snapshot, "purchased_next_14d", purchased_next_14d)
        _set(snapshot, "source", SnapshotSource.DERIVED)
        _set(snapshot, "id", None)
        _set(snapshot, "history", history)
        return snapshot

    @property
    def forecast_month(self) -> date:
        """The month its `sales_next_month` is about (see `forecast_month`)."""
        return forecast_month(self.observed_on)

    @property
    def has_purchase_history(self) -> bool:
        """The client has bought before: a purchase in the window or a known last purchase."""
        return self.purchases_30d > 0 or self.days_since_last_purchase is not None

    @property
    def has_known_sales(self) -> bool:
        return self.sales_next_month is not None

    @property
    def has_known_purchase(self) -> bool:
        return self.purchased_next_14d is not None

    def with_outcomes(
        self, sales_next_month: float | None, purchased_next_14d: bool | None
    ) -> ActivitySnapshot:
        """Fill in outcomes once they are known; an outcome left as None keeps its current value."""
        return replace(
            self,
            sales_next_month=self.sales_next_month if sales_next_month is None else sales_next_month,
            purchased_next_14d=(
                self.purchased_next_14d if purchased_next_14d is None else purchased_next_14d
            ),
        )


_new = object.__new__
_set = object.__setattr__


def _require_non_negative_int(field: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValue(field, "int_type", "must be a whole number")
    if value < 0:
        raise InvalidValue(field, "greater_than_equal", "must not be negative", ge=0)


def _require_non_negative_number(field: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidValue(field, "float_type", "must be a number")
    if not math.isfinite(value):
        raise InvalidValue(field, "finite_number", "must be a finite number")
    if value < 0:
        raise InvalidValue(field, "greater_than_equal", "must not be negative", ge=0)
