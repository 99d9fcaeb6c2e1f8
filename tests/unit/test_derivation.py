"""Snapshots derived from a client's orders and events follow the documented rule, day for day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.activity import ActivitySnapshot, OrderHistory, SnapshotSource, forecast_month
from domain.derivation import derive_snapshots, last_month_end_on_or_before, month_ends
from domain.orders import Event, EventKind, Order

CLIENT = 7
CET, CEST = timezone(timedelta(hours=1)), timezone(timedelta(hours=2))
REGISTERED = date(2024, 1, 10)
THROUGH = date(2024, 3, 31)
EVENTS_FROM = date(2024, 1, 1)


def at(day: str, time: str = "12:00", tz: timezone = UTC) -> datetime:
    return datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=tz)


ORDERS = [
    Order(CLIENT, at("2024-01-15", "10:00"), 50.0),
    Order(CLIENT, at("2024-01-31", "23:00"), 100.0),  # on a month end
    Order(CLIENT, at("2024-02-10"), -50.0),  # a refund of the first
    Order(CLIENT, at("2024-02-20", "09:00"), 20.0),  # two orders on one day
    Order(CLIENT, at("2024-02-20", "18:00"), 40.0),
    Order(CLIENT, at("2024-02-29", "23:30", CET), 60.0),  # 22:30 in UTC: still 29 February
    Order(CLIENT, at("2024-03-21", "00:30", CET), 10.0),  # 23:30 on 20 March in UTC
]
EVENTS = [
    Event(CLIENT, at("2024-01-05"), EventKind.VISIT, duration_s=600.0),  # before registering
    Event(CLIENT, at("2024-01-28"), EventKind.VISIT, duration_s=120.0),
    Event(CLIENT, at("2024-01-29"), EventKind.AD_CLICK),
    Event(CLIENT, at("2024-01-30"), EventKind.VISIT),  # no duration: counts 0 minutes
    Event(CLIENT, at("2024-02-25"), EventKind.NEWSLETTER_OPEN),
    Event(CLIENT, at("2024-02-27"), EventKind.VISIT, duration_s=300.0),
]


def derive(
    orders: list[Order] = ORDERS,
    events: list[Event] = EVENTS,
    registered_on: date = REGISTERED,
    through: date = THROUGH,
    events_from: date | None = EVENTS_FROM,
) -> list[ActivitySnapshot]:
    return derive_snapshots(CLIENT, registered_on, orders, events, through, events_from)


def snapshot(observed_on: str, **values: object) -> ActivitySnapshot:
    return ActivitySnapshot(
        client_id=CLIENT, observed_on=date.fromisoformat(observed_on), source=SnapshotSource.DERIVED, **values
    )  # type: ignore[arg-type]


def test_a_small_log_gives_what_a_hand_computation_gives() -> None:
    assert derive() == [
        snapshot(
            "2024-01-31",
            purchases_30d=2,
            avg_basket_value=75.0,
            days_since_last_purchase=0,
            site_visits_30d=3,
            visits_7d=2,
            newsletter_opened=False,
            ad_clicks_7d=1,
            time_on_site_7d=2.0,
            sales_next_month=70.0,  # 20 + 40 + 60 bought, 50 refunded
            purchased_next_14d=False,  # the refund of 10 February is no purchase
            history=OrderHistory(150.0, 150.0, 150.0, 2, 1, 2, 16, 75.0),
        ),
        snapshot(
            "2024-02-29",
            purchases_30d=4,  # the order of 31 January is still in the window
            avg_basket_value=55.0,
            days_since_last_purchase=0,
            site_visits_30d=1,
            visits_7d=1,
            newsletter_opened=True,
            ad_clicks_7d=0,
            time_on_site_7d=5.0,
            sales_next_month=10.0,
            purchased_next_14d=False,
            # The refund is no purchase; two orders on 20 February make two purchases, one purchase day.
            history=OrderHistory(270.0, 270.0, 270.0, 5, 2, 4, 45, 54.0),
        ),
        snapshot(
            "2024-03-31",
            purchases_30d=1,
            avg_basket_value=10.0,
            days_since_last_purchase=11,
            site_visits_30d=0,
            visits_7d=0,
            newsletter_opened=False,
            ad_clicks_7d=0,
            time_on_site_7d=0.0,
            sales_next_month=None,  # April has not ended by `through`
            purchased_next_14d=None,
            history=OrderHistory(280.0, 280.0, 280.0, 6, 3, 5, 76, 46.67),  # 280 / 6 = 46.666...
        ),
    ]


def test_a_client_whose_first_order_is_in_the_last_month_has_one_snapshot_without_outcomes() -> None:
    orders = [Order(CLIENT, at("2024-03-05"), 80.0)]

    [only] = derive(orders, [], registered_on=date(2023, 5, 1))

    assert (only.observed_on, only.purchases_30d, only.avg_basket_value) == (THROUGH, 1, 80.0)
    assert only.days_since_last_purchase == 26
    assert (only.sales_next_month, only.purchased_next_14d) == (None, None)


def test_a_month_end_before_registration_is_never_derived() -> None:
    events = [Event(CLIENT, at("2024-01-28"), EventKind.VISIT)]

    derived = derive([], events, registered_on=date(2024, 2, 3))

    assert [s.observed_on for s in derived] == [date(2024, 2, 29), date(2024, 3, 31)]


def test_a_client_who_never_bought_has_no_days_since_a_purchase_and_no_basket() -> None:
    derived = derive([Order(CLIENT, at("2024-01-20"), -30.0)], EVENTS)

    assert all(s.days_since_last_purchase is None for s in derived)
    assert all((s.purchases_30d, s.avg_basket_value) == (0, 0.0) for s in derived)
    assert {s.history for s in derived} == {OrderHistory(0.0, 0.0, 0.0, 0, 0, 0, None, 0.0)}
    assert [s.sales_next_month for s in derived] == [0.0, 0.0, None]  # a refund alone is no negative sale


def test_behaviour_is_unknown_where_the_companys_events_do_not_cover_the_window() -> None:
    january, february, march = derive(events_from=date(2024, 2, 10))

    assert _behaviour(january) == (None, None, None, None, None)
    assert _behaviour(february) == (None, 1, True, 0, 5.0)  # its week is covered, not its month
    assert _behaviour(march) == (0, 0, False, 0, 0.0)
    assert all(_behaviour(s) == (None,) * 5 for s in derive(events_from=None))


def test_a_second_months_orders_fill_in_the_outcomes_of_the_first() -> None:
    first = [Order(CLIENT, at("2024-01-20"), 30.0)]
    [before] = derive(first, [], through=date(2024, 1, 31))

    january, _ = derive([*first, Order(CLIENT, at("2024-02-03"), 45.5)], [], through=date(2024, 2, 29))

    assert (before.sales_next_month, before.purchased_next_14d) == (None, None)
    assert (january.sales_next_month, january.purchased_next_14d) == (45.5, True)


def test_the_purchase_outcome_is_known_once_fourteen_days_have_passed() -> None:
    [january] = derive([Order(CLIENT, at("2024-01-20"), 30.0)], [], through=date(2024, 2, 14))

    assert (january.sales_next_month, january.purchased_next_14d) == (None, False)


def test_month_ends_and_the_last_one_before_a_day() -> None:
    assert list(month_ends(date(2023, 12, 31), date(2024, 3, 30))) == [
        date(2023, 12, 31),
        date(2024, 1, 31),
        date(2024, 2, 29),
    ]
    assert last_month_end_on_or_before(date(2024, 3, 30)) == date(2024, 2, 29)
    assert last_month_end_on_or_before(date(2024, 3, 31)) == date(2024, 3, 31)


def test_a_snapshot_forecasts_the_month_holding_the_day_after_it() -> None:
    assert forecast_month(date(1998, 5, 31)) == date(1998, 6, 1)
    assert forecast_month(date(1998, 6, 1)) == date(1998, 6, 1)
    assert forecast_month(date(1998, 12, 31)) == date(1999, 1, 1)


def _behaviour(s: ActivitySnapshot) -> tuple[object, ...]:
    return (s.site_visits_30d, s.visits_7d, s.newsletter_opened, s.ad_clicks_7d, s.time_on_site_7d)


# --- An independent derivation, day by day, agrees on random logs -------------------------------

START = date(2024, 1, 1)
zones = st.sampled_from([UTC, CET, CEST, timezone(timedelta(hours=-5))])
moments = st.builds(
    lambda days, minutes, tz: (
        datetime.combine(START + timedelta(days=days), datetime.min.time(), tz) + timedelta(minutes=minutes)
    ),
    st.integers(0, 150),
    st.integers(0, 24 * 60 - 1),
    zones,
)
orders = st.lists(
    st.builds(lambda m, a: Order(CLIENT, m, float(a)), moments, st.integers(-200, 400)), max_size=25
)
events = st.lists(
    st.one_of(
        st.builds(
            lambda m, s: Event(CLIENT, m, EventKind.VISIT, duration_s=None if s is None else float(s)),
            moments,
            st.none() | st.integers(0, 3_600),
        ),
        st.builds(
            lambda m, k: Event(CLIENT, m, k),
            moments,
            st.sampled_from([EventKind.AD_CLICK, EventKind.NEWSLETTER_OPEN]),
        ),
    ),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(
    orders=orders,
    events=events,
    registered_on=st.dates(date(2023, 12, 1), date(2024, 4, 1)),
    through=st.dates(date(2024, 1, 1), date(2024, 8, 1)),
    events_from=st.none() | st.dates(date(2023, 11, 1), date(2024, 6, 1)),
)
def test_an_independent_day_by_day_derivation_agrees(
    orders: list[Order], events: list[Event], registered_on: date, through: date, events_from: date | None
) -> None:
    expected = day_by_day(orders, events, registered_on, through, events_from)

    assert derive(orders, events, registered_on, through, events_from) == expected


def day_by_day(
    orders: list[Order], events: list[Event], registered_on: date, through: date, events_from: date | None
) -> list[ActivitySnapshot]:
    active = [o.ordered_at.astimezone(UTC).date() for o in orders]
    active += [e.occurred_at.astimezone(UTC).date() for e in events]
    if not active:
        return []
    found, day = [], max(min(active), registered_on)
    while day <= through:
        if (day + timedelta(days=1)).day == 1:
            found.append(observe(orders, events, day, through, events_from))
        day += timedelta(days=1)
    return found


def observe(
    orders: list[Order], events: list[Event], m: date, through: date, events_from: date | None
) -> ActivitySnapshot:
    def days(n: int) -> set[date]:
        return {m - timedelta(days=k) for k in range(n)}

    def on(moment: datetime) -> date:
        return moment.astimezone(UTC).date()

    bought = [o for o in orders if o.amount > 0]
    month = [o.amount for o in bought if on(o.ordered_at) in days(30)]
    past = [on(o.ordered_at) for o in bought if on(o.ordered_at) <= m]
    week_events = [e for e in events if on(e.occurred_at) in days(7)]
    week_visits = [e for e in week_events if e.kind is EventKind.VISIT]
    knows_month = events_from is not None and all(d >= events_from for d in days(30))
    knows_week = events_from is not None and all(d >= events_from for d in days(7))
    next_month = {
        m + timedelta(days=k)
        for k in range(1, 32)
        if (m + timedelta(days=k)).month == (m + timedelta(days=1)).month
    }
    fortnight = {m + timedelta(days=k) for k in range(1, 15)}
    return ActivitySnapshot(
        client_id=CLIENT,
        observed_on=m,
        purchases_30d=len(month),
        avg_basket_value=round(sum(month) / len(month), 2) if month else 0.0,
        days_since_last_purchase=(m - max(past)).days if past else None,
        site_visits_30d=sum(e.kind is EventKind.VISIT and on(e.occurred_at) in days(30) for e in events)
        if knows_month
        else None,
        visits_7d=len(week_visits) if knows_week else None,
        newsletter_opened=any(e.kind is EventKind.NEWSLETTER_OPEN for e in week_events)
        if knows_week
        else None,
        ad_clicks_7d=sum(e.kind is EventKind.AD_CLICK for e in week_events) if knows_week else None,
        time_on_site_7d=round(sum(e.duration_s or 0 for e in week_visits) / 60, 2) if knows_week else None,
        sales_next_month=max(0.0, sum(o.amount for o in orders if on(o.ordered_at) in next_month))
        if max(next_month) <= through
        else None,
        purchased_next_14d=any(on(o.ordered_at) in fortnight for o in bought)
        if max(fortnight) <= through
        else None,
        source=SnapshotSource.DERIVED,
        history=history_day_by_day(orders, m),
    )


def history_day_by_day(orders: list[Order], m: date) -> OrderHistory:
    """The history at `m`, walking back over every day on or before it, in decimal arithmetic."""
    bought: dict[date, list[Decimal]] = {}
    for o in orders:
        if o.amount > 0:
            bought.setdefault(o.ordered_at.astimezone(UTC).date(), []).append(Decimal(str(o.amount)))
    spent = {90: Decimal(0), 180: Decimal(0), 365: Decimal(0)}
    purchases, months, days, amounts = 0, set(), [], []
    for back in range((m - min(bought, default=m)).days + 1):
        day = m - timedelta(days=back)
        on_day = bought.get(day, [])
        for window in spent:
            if back < window:
                spent[window] += sum(on_day, Decimal(0))
        if on_day:
            days.append(day)
            amounts += on_day
            if back < 365:
                purchases += len(on_day)
                months.add((day.year, day.month))
    mean = sum(amounts, Decimal(0)) / len(amounts) if amounts else Decimal(0)
    return OrderHistory(
        spend_90d=float(spent[90]),
        spend_180d=float(spent[180]),
        spend_365d=float(spent[365]),
        purchases_365d=purchases,
        active_months_365d=len(months),
        purchase_days=len(days),
        days_since_first_purchase=(m - days[-1]).days if days else None,
        avg_order_value=float(mean.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)),
    )
