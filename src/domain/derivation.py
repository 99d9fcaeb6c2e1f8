"""Activity snapshots derived from what a shop records: a client's orders and behavioural events.

The rule, one for every client:

- Days are UTC calendar days (`Order.ordered_on`, `Event.occurred_on`). A window of N days "ending
  on d" is the days d-N+1 .. d inclusive.
- A client is observed at every calendar month end M with
  max(first activity day (first order or event), registration day) <= M <= `through`.
- `purchases_30d`: orders with amount > 0 in the 30 days ending on M (a refund is not a purchase);
  `avg_basket_value`: their mean amount (0 without any), to the cent;
  `days_since_last_purchase`: M minus the day of the last order with amount > 0 on or before M,
  None when the client never bought.
- The behavioural features are known only where the company's events cover their window: with
  `events_from` the day of the company's first event (None: it has none), a 30-day feature is known
  when events_from <= M-29, a 7-day one when events_from <= M-6; otherwise it is None (unknown,
  never 0). `site_visits_30d` and `visits_7d` count visits, `newsletter_opened` says whether any
  newsletter was opened and `ad_clicks_7d` counts ad clicks in their windows; `time_on_site_7d` sums
  the durations of the week's visits in minutes (a visit without one counts 0), to 2 decimals.
- The outcomes are filled only once their window has closed on or before `through`:
  `sales_next_month` is the net amount (refunds included) of the orders in the calendar month after
  M's, floored at 0, known when that month's last day <= `through`; `purchased_next_14d` says whether
  an order with amount > 0 fell on M+1 .. M+14, known when M+14 <= `through`.

Every derived snapshot says so (`SnapshotSource.DERIVED`).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from domain.activity import ActivitySnapshot, SnapshotSource
from domain.clients import first_of_next_month
from domain.orders import Event, EventKind, Order

MONTH_WINDOW_DAYS = 30
WEEK_WINDOW_DAYS = 7
PURCHASE_HORIZON_DAYS = 14


def month_end_of(day: date) -> date:
    """The last day of `day`'s calendar month."""
    return first_of_next_month(day) - timedelta(days=1)


def last_month_end_on_or_before(day: date) -> date:
    """`day` itself when it ends its month, else the last day of the month before."""
    end = month_end_of(day)
    return end if end == day else day.replace(day=1) - timedelta(days=1)


def month_ends(first: date, through: date) -> Iterator[date]:
    """Every calendar month end M with first <= M <= through, oldest first."""
    end = month_end_of(first)
    while end <= through:
        yield end
        end = month_end_of(end + timedelta(days=1))


@dataclass(frozen=True, slots=True)
class _Days:
    """Sorted day numbers (ordinals) with a value for each: what windows are counted over."""

    days: list[int]
    values: list[float]

    @classmethod
    def of(cls, pairs: Sequence[tuple[int, float]]) -> _Days:
        ordered = sorted(pairs)
        return cls([day for day, _ in ordered], [value for _, value in ordered])

    def span(self, first: int, last: int) -> tuple[int, int]:
        """The positions [lo, hi) of the entries on days first .. last inclusive."""
        return bisect_left(self.days, first), bisect_right(self.days, last)

    def count(self, first: int, last: int) -> int:
        lo, hi = self.span(first, last)
        return hi - lo

    def total(self, first: int, last: int) -> float:
        lo, hi = self.span(first, last)
        return sum(self.values[lo:hi])


@dataclass(frozen=True, slots=True)
class ClientLog:
    """One client's orders and events, arranged for counting windows."""

    purchases: _Days
    """Orders with amount > 0."""
    orders: _Days
    """Every order, refunds included."""
    visits: _Days
    """Visits, each with its duration in seconds (0 when not known)."""
    newsletter_opens: _Days
    ad_clicks: _Days
    first_day: date | None
    """The day of the client's first order or event."""

    @classmethod
    def of(cls, orders: Sequence[Order], events: Sequence[Event]) -> ClientLog:
        order_days = [(order.ordered_on.toordinal(), order.amount) for order in orders]
        by_kind: dict[EventKind, list[tuple[int, float]]] = {kind: [] for kind in EventKind}
        for event in events:
            by_kind[event.kind].append((event.occurred_on.toordinal(), event.duration_s or 0.0))
        days = [day for day, _ in order_days] + [day for pairs in by_kind.values() for day, _ in pairs]
        return cls(
            purchases=_Days.of([(day, amount) for day, amount in order_days if amount > 0]),
            orders=_Days.of(order_days),
            visits=_Days.of(by_kind[EventKind.VISIT]),
            newsletter_opens=_Days.of(by_kind[EventKind.NEWSLETTER_OPEN]),
            ad_clicks=_Days.of(by_kind[EventKind.AD_CLICK]),
            first_day=date.fromordinal(min(days)) if days else None,
        )


def derive_snapshots(
    client_id: int,
    registered_on: date,
    orders: Sequence[Order],
    events: Sequence[Event],
    through: date,
    events_from: date | None,
) -> list[ActivitySnapshot]:
    """A client's derived snapshots, oldest first, by the rule of this module; none without a log."""
    log = ClientLog.of(orders, events)
    if log.first_day is None:
        return []
    first = max(log.first_day, registered_on)
    return [
        derive_snapshot(client_id, log, month_end, through, events_from)
        for month_end in month_ends(first, through)
    ]


def derive_snapshot(
    client_id: int, log: ClientLog, observed_on: date, through: date, events_from: date | None
) -> ActivitySnapshot:
    """The snapshot of one month end `observed_on`."""
    m = observed_on.toordinal()
    month = m - MONTH_WINDOW_DAYS + 1, m
    week = m - WEEK_WINDOW_DAYS + 1, m
    purchases = log.purchases.count(*month)
    covered_from = None if events_from is None else events_from.toordinal()
    knows_month = covered_from is not None and covered_from <= month[0]
    knows_week = covered_from is not None and covered_from <= week[0]
    last_purchase = bisect_right(log.purchases.days, m)
    return ActivitySnapshot(
        client_id=client_id,
        observed_on=observed_on,
        purchases_30d=purchases,
        avg_basket_value=round(log.purchases.total(*month) / purchases, 2) if purchases else 0.0,
        days_since_last_purchase=m - log.purchases.days[last_purchase - 1] if last_purchase else None,
        site_visits_30d=log.visits.count(*month) if knows_month else None,
        visits_7d=log.visits.count(*week) if knows_week else None,
        newsletter_opened=log.newsletter_opens.count(*week) > 0 if knows_week else None,
        ad_clicks_7d=log.ad_clicks.count(*week) if knows_week else None,
        time_on_site_7d=round(log.visits.total(*week) / 60, 2) if knows_week else None,
        sales_next_month=_sales_next_month(log, observed_on, through),
        purchased_next_14d=_purchased_next_14d(log, observed_on, through),
        source=SnapshotSource.DERIVED,
    )


def _sales_next_month(log: ClientLog, observed_on: date, through: date) -> float | None:
    start = first_of_next_month(observed_on)
    end = month_end_of(start)
    if end > through:
        return None
    return max(0.0, round(log.orders.total(start.toordinal(), end.toordinal()), 2))


def _purchased_next_14d(log: ClientLog, observed_on: date, through: date) -> bool | None:
    m = observed_on.toordinal()
    if m + PURCHASE_HORIZON_DAYS > through.toordinal():
        return None
    return log.purchases.count(m + 1, m + PURCHASE_HORIZON_DAYS) > 0
