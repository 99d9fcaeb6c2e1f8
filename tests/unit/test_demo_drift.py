"""The drifting demo company: the same company as the plain one until its newest month, then busier."""

from __future__ import annotations

from datetime import date

from application.demo import generate_company
from domain.orders import EventKind

START, THROUGH = date(2026, 6, 1), date(2026, 11, 30)
NEWEST = date(2026, 11, 1)


def logs(drift_from: date | None) -> list:  # type: ignore[type-arg]
    return [
        synthetic.log_of(number, START, THROUGH, drift_from)
        for number, synthetic in enumerate(generate_company(200, START, seed=7), 1)
    ]


def test_before_its_newest_month_the_drifting_company_is_the_plain_one() -> None:
    for (plain_orders, plain_events), (orders, events) in zip(logs(None), logs(NEWEST), strict=True):
        assert [o for o in orders if o.ordered_at.date() < NEWEST] == [
            o for o in plain_orders if o.ordered_at.date() < NEWEST
        ]
        assert [e for e in events if e.occurred_on < NEWEST] == [
            e for e in plain_events if e.occurred_on < NEWEST
        ]


def test_in_its_newest_month_clients_visit_more_and_spend_more_per_order() -> None:
    def newest_month(company: list) -> tuple[int, float]:  # type: ignore[type-arg]
        visits = sum(
            1
            for _, events in company
            for e in events
            if e.kind is EventKind.VISIT and e.occurred_on >= NEWEST
        )
        amounts = [
            o.amount
            for orders, _ in company
            for o in orders
            if o.ordered_at.date() >= NEWEST and o.amount > 0
        ]
        return visits, sum(amounts) / len(amounts)

    plain_visits, plain_basket = newest_month(logs(None))
    visits, basket = newest_month(logs(NEWEST))

    assert visits > 2 * plain_visits
    assert basket > 1.4 * plain_basket
