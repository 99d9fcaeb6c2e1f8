"""A client's activity snapshots."""

from __future__ import annotations

from datetime import date
from typing import Literal

from flask import url_for
from pydantic import Field

from domain.activity import ActivitySnapshot
from entrypoints.api.schemas.base import IN_CURRENCY, Schema

UNKNOWN = "null: unknown (no data tells it), which is not zero."

UNKNOWN = "null: unknown, the company's events do not cover the window."


class SnapshotOut(Schema):
    """What was true of a client in the window before `observed_on`, and the outcomes once known."""

    client_id: int
    observed_on: date
    purchases_30d: int
    avg_basket_value: float = Field(description=IN_CURRENCY)
    site_visits_30d: int | None = Field(description=UNKNOWN)
    days_since_last_purchase: int | None = Field(description="null: the client never bought.")
    visits_7d: int | None = Field(description=UNKNOWN)
    newsletter_opened: bool | None = Field(description=UNKNOWN)
    ad_clicks_7d: int | None = Field(description=UNKNOWN)
    time_on_site_7d: float | None = Field(description=f"minutes; {UNKNOWN}")
    has_purchase_history: bool
    sales_next_month: float | None = Field(
        description=f"Spent in the 30 days after, {IN_CURRENCY}; null until known."
    )
    purchased_next_14d: bool | None = Field(description="Bought within 14 days after; null until known.")
    source: Literal["entered", "derived"] = Field(
        description="entered (typed, sent or imported) or derived from the orders and events."
    )
    url: str

    @classmethod
    def of(cls, snapshot: ActivitySnapshot) -> SnapshotOut:
        url = url_for(
            "api.get_snapshot", client_id=snapshot.client_id, observed_on=snapshot.observed_on.isoformat()
        )
        return cls.reading(snapshot, url=url)


class SnapshotListOut(Schema):
    items: list[SnapshotOut] = Field(description="Newest first.")
