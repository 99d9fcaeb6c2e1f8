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
- Every derived snapshot carries the client's `OrderHistory` at M, from the purchases (orders with
  amount > 0, each taken to the cent) on or before M: `spend_90d`, `spend_180d` and `spend_365d` sum
  the amounts of the purchases in the 90, 180 and 365 days ending on M; `purchases_365d` counts the
  purchases in the 365 days ending on M and `active_months_365d` the calendar months (year, month)
  holding at least one of them; `purchase_days` counts the distinct days with a purchase on or
  before M (two orders on one day are one purchase day); `days_since_first_purchase` is M minus the
  day of the first purchase (None without one); `avg_order_value` is the mean amount of every
  purchase on or before M, to the cent (half a cent rounded up), 0 without any. A client known only
  by events has a history too, of zeros: the orders were read and hold no purchase of theirs.

Every derived snapshot says so (`SnapshotSource.DERIVED`).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, timedelta
from functools import lru_cache
from itertools import accumulate

from domain.activity import ActivitySnapshot, OrderHistory
from domain.clients import first_of_next_month
from domain.orders import Event, EventKind, Order

MONTH_WINDOW_DAYS = 30
WEEK_WINDOW_DAYS = 7
PURCHASE_HORIZON_DAYS = 14
QUARTER_WINDOW_DAYS, HALF_YEAR_WINDOW_DAYS, YEAR_WINDOW_DAYS = 90, 180, 365

NO_PURCHASES = OrderHistory(
    spend_90d=0.0,
    spend_180d=0.0,
    spend_365d=0.0,
    purchases_365d=0,
    active_months_365d=0,
    purchase_days=0,
    days_since_first_purchase=None,
    avg_order_value=0.0,
)
"""The history at a month end before any purchase: shared, as a history is immutable."""

OrderEntry = tuple[date, float]
"""What the derivation needs of an order: its UTC day and its amount."""
EventEntry = tuple[date, str, float | None]
"""What the derivation needs of an event: its UTC day, its kind (`EventKind`'s value) and its duration."""

_VISIT, _NEWSLETTER_OPEN, _AD_CLICK = (
    EventKind.VISIT.value,
    EventKind.NEWSLETTER_OPEN.value,
    EventKind.AD_CLICK.value,
)


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


def derive_snapshots(
    client_id: int,
    registered_on: date,
    orders: Sequence[Order],
    events: Sequence[Event],
    through: date,
    events_from: date | None,
) -> list[ActivitySnapshot]:
    """A client's derived snapshots, oldest first, by the rule of this module; none without a log."""
    return derive_from_entries(
        client_id,
        registered_on,
        [(order.ordered_on, order.amount) for order in orders],
        [(event.occurred_on, event.kind.value, event.duration_s) for event in events],
        through,
        events_from,
    )


def derive_from_entries(
    client_id: int,
    registered_on: date,
    orders: Sequence[OrderEntry],
    events: Sequence[EventEntry],
    through: date,
    events_from: date | None,
) -> list[ActivitySnapshot]:
    """`derive_snapshots` from what the rule needs of each order and event (in any order).

    Each of the client's logs is sorted once, by day (then value); every window of every month end is
    then found by bisection in it, so a client costs its log plus a few bisections per month end.
    """
    if not orders and not events:
        return []
    order_log = sorted([(day.toordinal(), amount) for day, amount in orders])
    purchase_log = [entry for entry in order_log if entry[1] > 0]
    visit_log: list[tuple[int, float]] = []
    opens: list[int] = []
    clicks: list[int] = []
    for day, kind, duration in events:
        if kind == _VISIT:
            visit_log.append((day.toordinal(), duration or 0.0))
        elif kind == _NEWSLETTER_OPEN:
            opens.append(day.toordinal())
        elif kind == _AD_CLICK:
            clicks.append(day.toordinal())
    visit_log.sort()
    opens.sort()
    clicks.sort()
    order_days, order_amounts = [day for day, _ in order_log], [amount for _, amount in order_log]
    bought, baskets = [day for day, _ in purchase_log], [amount for _, amount in purchase_log]
    visits, seconds = [day for day, _ in visit_log], [duration for _, duration in visit_log]
    first_day = min(order_days[:1] + visits[:1] + opens[:1] + clicks[:1])
    first = max(first_day, registered_on.toordinal())
    covered_from = None if events_from is None else events_from.toordinal()
    last_known_purchase_start = through.toordinal() - PURCHASE_HORIZON_DAYS
    derived = ActivitySnapshot.derived
    found = []
    table = _month_ends_table(month_end_of(date.fromordinal(first)), through)
    histories = _order_histories(bought, baskets, [m for m, *_ in table])
    for (m, observed_on, next_first, next_last), history in zip(table, histories, strict=True):
        lo, hi = bisect_left(bought, m - MONTH_WINDOW_DAYS + 1), bisect_right(bought, m)
        purchases = hi - lo
        week_start = m - WEEK_WINDOW_DAYS + 1
        if covered_from is not None and covered_from <= week_start:
            week_lo, week_hi = bisect_left(visits, week_start), bisect_right(visits, m)
            visits_7d: int | None = week_hi - week_lo
            time_on_site: float | None = round(sum(seconds[week_lo:week_hi]) / 60, 2)
            opened: bool | None = bisect_right(opens, m) > bisect_left(opens, week_start)
            ad_clicks: int | None = bisect_right(clicks, m) - bisect_left(clicks, week_start)
            month_visits = (
                week_hi - bisect_left(visits, m - MONTH_WINDOW_DAYS + 1)
                if covered_from <= m - MONTH_WINDOW_DAYS + 1
                else None
            )
        else:
            visits_7d = time_on_site = opened = ad_clicks = month_visits = None
        sales = None
        if next_last is not None:
            next_month = order_amounts[
                bisect_left(order_days, next_first) : bisect_right(order_days, next_last)
            ]
            sales = max(0.0, round(sum(next_month), 2))
        found.append(
            derived(
                client_id,
                observed_on,
                purchases,
                round(sum(baskets[lo:hi]) / purchases, 2) if purchases else 0.0,
                month_visits,
                m - bought[hi - 1] if hi else None,
                visits_7d,
                opened,
                ad_clicks,
                time_on_site,
                sales,
                bisect_right(bought, m + PURCHASE_HORIZON_DAYS) > hi
                if m <= last_known_purchase_start
                else None,
                history,
            )
        )
    return found


def _order_histories(days: list[int], amounts: list[float], month_ends: Iterable[int]) -> list[OrderHistory]:
    """The `OrderHistory` at each month end (its day number) from the client's purchases, sorted by day.

    Running totals over the purchases make each month end cost three bisections and a few subtractions,
    whatever the length of the log. Amounts are summed in whole cents: the sums are exact, and a mean's
    half cent rounds up on every platform.
    """
    cents = [0, *accumulate(round(amount * 100) for amount in amounts)]  # of the first i purchases, at i
    day_runs = _runs(days)
    dates = {day: date.fromordinal(day) for day in days}
    month_runs = _runs(dates[day].year * 12 + dates[day].month for day in days)
    histories = []
    for m in month_ends:
        hi = bisect_right(days, m)
        if not hi:
            histories.append(NO_PURCHASES)
            continue
        quarter_lo = bisect_left(days, m - QUARTER_WINDOW_DAYS + 1, 0, hi)
        half_year_lo = bisect_left(days, m - HALF_YEAR_WINDOW_DAYS + 1, 0, quarter_lo)
        year_lo = bisect_left(days, m - YEAR_WINDOW_DAYS + 1, 0, half_year_lo)
        total = cents[hi]
        histories.append(
            OrderHistory(
                (total - cents[quarter_lo]) / 100,
                (total - cents[half_year_lo]) / 100,
                (total - cents[year_lo]) / 100,
                hi - year_lo,
                month_runs[hi] - month_runs[year_lo + 1] + 1 if hi > year_lo else 0,
                day_runs[hi],
                m - days[0],
                (2 * total + hi) // (2 * hi) / 100,  # total / hi cents, a half cent rounded up
            )
        )
    return histories


def _runs(keys: Iterable[int]) -> list[int]:
    """At index i, how many runs of equal keys the first i keys make (`keys` sorted): the distinct days
    or months among the first i purchases; those among purchases lo..hi-1 are runs[hi] - runs[lo+1] + 1."""
    runs, count, previous = [0], 0, None
    for key in keys:
        if key != previous:
            count, previous = count + 1, key
        runs.append(count)
    return runs


@lru_cache(maxsize=256)
def _month_ends_table(first_end: date, through: date) -> tuple[tuple[int, date, int, int | None], ...]:
    """Each month end M from `first_end` through `through`: its day number, the date itself, and the first
    and last day numbers of the month after it (the last None when that month has not closed by
    `through`, so its sales are not known yet). Shared by every client observed from `first_end`."""
    table = []
    for end in month_ends(first_end, through):
        next_first = end + timedelta(days=1)
        next_last = month_end_of(next_first)
        table.append(
            (
                end.toordinal(),
                end,
                next_first.toordinal(),
                next_last.toordinal() if next_last <= through else None,
            )
        )
    return tuple(table)
