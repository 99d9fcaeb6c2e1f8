"""A client read for a caller whose token's owner is remembered: the overview the full path would give, or
None whenever the full path has to answer."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from adapters.clock import FixedClock
from application.known_callers import remembered_callers_overview
from application.queries import ClientReading, ScoredClient, overview_of
from application.tokens import TokenCache, hash_token
from contract.examples import a_client, a_forecast, a_purchase_prediction
from domain.predictions import DecisionThreshold, ModelKind, OutOfDate
from domain.segments import Segment, SegmentRule
from domain.tiers import TierCuts
from domain.users import Role, User

NOW = datetime(2024, 4, 2, 8, 0, tzinfo=UTC)
SECRET = "pzk_remembered"
REVISION = 7
ANNA = replace(a_client("Anna"), id=1)
SCORED = ScoredClient(
    ANNA,
    a_forecast(1, 300.0),
    a_purchase_prediction(1, 0.8),
    latest_observed_on=date(2024, 3, 31),
    active_versions={ModelKind.SALES: 1, ModelKind.PURCHASE: 2},
)
READING = ClientReading(
    credentials_revision=REVISION,
    scored=SCORED,
    segments=SegmentRule(medium_from=100, high_from=250),
    threshold=DecisionThreshold(0.7),
    tier_cuts=TierCuts(top_above=200, next_above=100, third_above=10),
)
EWA = User("ewa@example.pl", "hash", Role.ANALYST, id=3)


def overview(reading: ClientReading, cache: TokenCache, at: datetime = NOW) -> object:
    return remembered_callers_overview(SECRET, 1, lambda _client_id: reading, FixedClock(at), cache)


@pytest.fixture
def cache() -> TokenCache:
    remembered = TokenCache()
    remembered.remember(hash_token(SECRET), EWA, NOW + timedelta(days=1), REVISION)
    return remembered


def test_a_remembered_owner_gets_the_overview_the_full_path_gives(cache: TokenCache) -> None:
    given = overview(READING, cache)

    assert given == overview_of(SCORED, READING.segments, READING.threshold, READING.tier_cuts)
    assert given is not None
    assert given.segment is Segment.HIGH and given.out_of_date == (OutOfDate.PURCHASE_MODEL_CHANGED,)


@pytest.mark.parametrize(
    "why",
    ["token never seen", "credentials changed since", "token expired", "owner inactive", "no such client"],
)
def test_the_full_path_answers_whenever_the_read_alone_cannot(cache: TokenCache, why: str) -> None:
    reading, at = READING, NOW
    if why == "token never seen":
        cache = TokenCache()
    elif why == "credentials changed since":
        reading = replace(READING, credentials_revision=REVISION + 1)
    elif why == "token expired":
        at = NOW + timedelta(days=1)
    elif why == "owner inactive":
        cache.remember(hash_token(SECRET), replace(EWA, is_active=False), NOW + timedelta(days=1), REVISION)
    else:
        reading = replace(READING, scored=None)

    assert overview(reading, cache, at) is None
