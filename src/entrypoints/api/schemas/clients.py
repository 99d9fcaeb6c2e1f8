"""Clients: one client, a row of the list, a page of the list, and a client with its predictions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Protocol

from flask import url_for
from pydantic import Field

from application.commands import ListPosition
from application.queries import SEARCH_COUNTED_UP_TO, ClientListItem, ClientOverview, Page
from domain.clients import Client
from domain.predictions import OutOfDate
from domain.segments import Segment
from domain.tiers import ContactTier
from entrypoints.api.schemas.base import IN_CURRENCY, Schema
from entrypoints.api.schemas.predictions import PurchasePredictionOut, SalesForecastOut

TIER_DESCRIPTION = (
    "Contact tier by the worth of a contact (purchase probability x forecast): 1 the top 10%, 2 the next "
    "20%, 3 the next 30%, 4 the rest, by the cut points of the last scoring of every client; null before "
    "that scoring or until the client has both predictions."
)


class ClientOut(Schema):
    id: int
    first_name: str
    last_name: str
    email: str
    registered_on: date
    url: str

    @classmethod
    def of(cls, client: Client) -> ClientOut:
        return cls.reading(client, url=client_url(client))


UrlFor = Callable[..., str]
"""How an answer builds its links: Flask's `url_for`, or a router's `build` outside a request's context."""


def client_url(client: Client, url: UrlFor = url_for) -> str:
    return url("api.get_client", client_id=client.id)


class ClientSummaryOut(ClientOut):
    """A row of the client list: the client and what the models currently say about it."""

    predicted_sales: float | None = Field(
        description=f"Forecast sales next month, {IN_CURRENCY}; null until scored."
    )
    purchase_probability: float | None = Field(description="Chance of a purchase within 14 days.")
    will_buy: bool | None = Field(description="The decision at the threshold in force when it was made.")
    segment: Segment | None
    tier: ContactTier | None = Field(description=TIER_DESCRIPTION)

    @classmethod
    def of_item(cls, item: ClientListItem) -> ClientSummaryOut:
        return cls.reading(item, item.client, url=client_url(item.client))


class PageLink(Protocol):
    def __call__(self, number: int, **position: ListPosition) -> str: ...


class PageLinksOut(Schema):
    self: str
    first: str
    last: str | None = Field(description="The last page; null when the total is not exact.")
    prev: str | None
    next: str | None


class ClientPageOut(Schema):
    items: list[ClientSummaryOut]
    total: int = Field(
        description="How many clients match the filters, on every page. A search (`q`) counts its matches "
        f"up to {SEARCH_COUNTED_UP_TO:,}: when more match, `total` is that many and `total_exact` false."
    )
    total_exact: bool = Field(
        description="False when more clients match than `total` says: the list goes on past `pages`, "
        "page after page through `links.next`."
    )
    page: int
    per_page: int
    pages: int
    links: PageLinksOut

    @classmethod
    def of(cls, page: Page[ClientListItem], link: PageLink, here: str) -> ClientPageOut:
        """`link(page_number, after=position)` is the URL of another page of the same list; `here`
        this page's own. The page before and the one after are read from this page's first and last
        client (their positions), however deep the list."""
        links = PageLinksOut(
            self=here,
            first=link(1),
            last=link(page.pages) if page.total_exact else None,
            prev=None if page.previous is None else link(max(1, page.page - 1), before=page.previous),
            next=None if page.next is None else link(page.page + 1, after=page.next),
        )
        return cls.reading(page, items=[ClientSummaryOut.of_item(item) for item in page.items], links=links)


class ClientLinksOut(Schema):
    activity: str
    predictions: str


class ClientDetailOut(ClientOut):
    """A client with its current predictions and segment."""

    forecast: SalesForecastOut | None = Field(description="The current sales forecast; null until scored.")
    purchase: PurchasePredictionOut | None = Field(description="The current purchase prediction.")
    segment: Segment | None = Field(description="By the current forecast, under the segment rule in force.")
    tier: ContactTier | None = Field(description=TIER_DESCRIPTION)
    latest_observed_on: date | None = Field(description="The newest snapshot's date: what predictions use.")
    out_of_date: list[OutOfDate] = Field(
        description="Why the current predictions are out of date (empty when they are current): "
        "`newer_snapshot`, `sales_model_changed`, `purchase_model_changed`, `threshold_changed`. "
        "`POST .../predictions` scores the client again; a new snapshot does so on its own."
    )
    links: ClientLinksOut

    @classmethod
    def of_overview(cls, overview: ClientOverview, url: UrlFor = url_for) -> ClientDetailOut:
        client = overview.client
        links = ClientLinksOut(
            activity=url("api.list_activity", client_id=client.id),
            predictions=url("api.list_predictions", client_id=client.id),
        )
        return cls.reading(overview, client, url=client_url(client, url), links=links)
