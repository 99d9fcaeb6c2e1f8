"""Values far outside the company's usual ones are stored only when confirmed."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from adapters.clock import FixedClock
from adapters.memory import InMemoryStore, InMemoryUnitOfWork
from application.clients import record_activity, record_outcomes, register_client
from application.commands import Outcomes
from application.plausibility import MIN_KNOWN_VALUES, UnusualValues
from domain.activity import ActivitySnapshot
from unit.conftest import CLIENT, SNAPSHOT

CLOCK = FixedClock(datetime(2024, 4, 10, 12, 0, tzinfo=UTC))
TYPICAL = ActivitySnapshot(
    client_id=0,
    observed_on=date(2023, 1, 1),
    purchases_30d=2,
    avg_basket_value=150.0,
    site_visits_30d=20,
    days_since_last_purchase=3,
    visits_7d=5,
    newsletter_opened=True,
    ad_clicks_7d=1,
    time_on_site_7d=15.0,
)


def company_with(uow: InMemoryUnitOfWork, snapshots: int, **changes: Any) -> int:
    """A client of a company whose data holds `snapshots` snapshots like TYPICAL (with `changes`)."""
    client = register_client({**CLIENT, "registered_on": "2022-01-01"}, uow, CLOCK)
    assert client.id is not None
    with uow:
        for day in range(snapshots):
            uow.activity.add(
                replace(
                    TYPICAL, client_id=client.id, observed_on=date(2023, 1, 1) + timedelta(day), **changes
                )
            )
        uow.commit()
    return client.id


def test_a_basket_more_than_ten_times_the_usual_is_refused_naming_the_field_and_its_typical_range(
    uow: InMemoryUnitOfWork, store: InMemoryStore
) -> None:
    client_id = company_with(uow, MIN_KNOWN_VALUES)
    before = dict(store.activity)

    with pytest.raises(UnusualValues) as refused:
        record_activity(client_id, {**SNAPSHOT, "avg_basket_value": 14990.0}, uow, CLOCK)

    assert refused.value.code == "implausible_value"
    [error] = refused.value.errors
    assert (error.field, error.code) == ("avg_basket_value", "implausible_value")
    assert error.params == {"value": 14990.0, "typical_max": 150.0, "percent": 99, "multiple": 10}
    assert store.activity == before


def test_unusual_visits_are_named_too(uow: InMemoryUnitOfWork) -> None:
    client_id = company_with(uow, MIN_KNOWN_VALUES)

    with pytest.raises(UnusualValues) as refused:
        record_activity(client_id, {**SNAPSHOT, "site_visits_30d": 2000, "visits_7d": 60}, uow, CLOCK)

    assert {e.field for e in refused.value.errors} == {"site_visits_30d", "visits_7d"}


def test_a_confirmed_unusual_value_is_stored(uow: InMemoryUnitOfWork) -> None:
    client_id = company_with(uow, MIN_KNOWN_VALUES)

    stored = record_activity(
        client_id, {**SNAPSHOT, "avg_basket_value": 14990.0, "confirm_unusual": True}, uow, CLOCK
    )

    assert stored.avg_basket_value == 14990.0


def test_values_up_to_ten_times_the_usual_need_no_confirmation(uow: InMemoryUnitOfWork) -> None:
    client_id = company_with(uow, MIN_KNOWN_VALUES)

    stored = record_activity(client_id, {**SNAPSHOT, "avg_basket_value": 1500.0}, uow, CLOCK)

    assert stored.avg_basket_value == 1500.0


def test_too_little_data_says_nothing_of_what_is_usual(uow: InMemoryUnitOfWork) -> None:
    client_id = company_with(uow, MIN_KNOWN_VALUES - 1)

    stored = record_activity(client_id, {**SNAPSHOT, "avg_basket_value": 14990.0}, uow, CLOCK)

    assert stored.avg_basket_value == 14990.0


def test_unusual_sales_filled_in_later_are_stored_only_once_confirmed(uow: InMemoryUnitOfWork) -> None:
    client_id = company_with(uow, MIN_KNOWN_VALUES, sales_next_month=300.0)
    observed_on = TYPICAL.observed_on
    unusual = {"sales_next_month": 300_000.0}

    with pytest.raises(UnusualValues) as refused:
        record_outcomes(client_id, observed_on, Outcomes.parse(unusual), uow)
    stored = record_outcomes(
        client_id, observed_on, Outcomes.parse({**unusual, "confirm_unusual": True}), uow
    )

    assert [e.field for e in refused.value.errors] == ["sales_next_month"]
    assert stored.sales_next_month == 300_000.0
