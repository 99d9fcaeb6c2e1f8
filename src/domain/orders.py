"""What a shop really records: orders (with refunds) and, where it has them, behavioural events.

Activity snapshots can be derived from these logs; the logs themselves are kept as they came, each row
once: an order by its `order_id` when the shop gives one, otherwise by the whole row.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime

from domain.errors import InvalidValue

ORDER_ID_MAX_LENGTH = 100


class EventKind(enum.StrEnum):
    VISIT = "visit"
    NEWSLETTER_OPEN = "newsletter_open"
    AD_CLICK = "ad_click"


@dataclass(frozen=True, slots=True)
class Order:
    """A client's order: `amount` in the company's currency, negative for a refund or a return."""

    client_id: int
    ordered_at: datetime
    amount: float
    order_id: str | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        _require_aware("ordered_at", self.ordered_at)
        if isinstance(self.amount, bool) or not isinstance(self.amount, int | float):
            raise InvalidValue("amount", "float_type", "must be a number")
        if not math.isfinite(self.amount):
            raise InvalidValue("amount", "finite_number", "must be a finite number")

    @property
    def ordered_on(self) -> date:
        return self.ordered_at.astimezone(UTC).date()

    @property
    def key(self) -> str:
        """What makes this order the same as one stored before: its `order_id`, else the whole row."""
        if self.order_id is not None:
            return f"id:{self.order_id}"
        return f"row:{self.client_id}|{self.ordered_at.astimezone(UTC).isoformat()}|{self.amount:.2f}"


@dataclass(frozen=True, slots=True)
class Event:
    """Something a client did besides buying: a visit (and how long), a newsletter opened, an ad clicked."""

    client_id: int
    occurred_at: datetime
    kind: EventKind
    duration_s: float | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        _require_aware("occurred_at", self.occurred_at)
        if self.duration_s is None:
            return
        if self.kind is not EventKind.VISIT:
            raise InvalidValue("duration_s", "duration_of_visit_only", "only a visit has a duration")
        if not math.isfinite(self.duration_s) or self.duration_s < 0:
            raise InvalidValue("duration_s", "greater_than_equal", "must not be negative", ge=0)

    @property
    def occurred_on(self) -> date:
        return self.occurred_at.astimezone(UTC).date()


def _require_aware(field: str, moment: datetime) -> None:
    if moment.tzinfo is None:
        raise InvalidValue(field, "naive_datetime", "must say its time zone")
