"""Clients: one client, a row of the list, a page of the list, and a client with its predictions."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import url_for
from pydantic import Field

from application.queries import ClientListItem, ClientOverview, Page
from domain import clients
from domain.segments import Segment
from entrypoints.api.schemas.base import Schema
from entrypoints.api.schemas.predictions import PurchasePredictionOut, SalesForecastOut


class ClientOut(Schema):
    id: int
    first_name: str
    last_name: str
    email: str
    registered_on: date
    url: str

    @classmethod
    def of(cls, client: clients.Client) -> ClientOut:
        client_id = client.id or 0
        return cls(
            id=client_id,
            first_name=client.first_name,
            last_name=client.last_name,
            email=client.email,
            registered_on=client.registered_on,
            url=url_for("api.get_client", client_id=client_id),
        )


class ClientSummaryOut(ClientOut):
    """A row of the client list: the client and what the models currently say about it."""

    predicted_sales: float | None = Field(description="Forecast sales next month, PLN; null until scored.")
    purchase_probability: float | None = Field(description="Chance of a purchase within 14 days.")
    will_buy: bool | None = Field(description="The decision at the threshold in force when it was made.")
    segment: Segment | None

    @classmethod
    def of_item(cls, item: ClientListItem) -> ClientSummaryOut:
        return cls(
            **ClientOut.of(item.client).model_dump(),
            predicted_sales=item.predicted_sales,
            purchase_probability=item.purchase_probability,
            will_buy=item.will_buy,
            segment=item.segment,
        )


class PageLinksOut(Schema):
    self: str
    first: str
    last: str
    prev: str | None
    next: str | None


class ClientPageOut(Schema):
    items: list[ClientSummaryOut]
    total: int = Field(description="How many clients match the filters, on every page.")
    page: int
    per_page: int
    pages: int
    links: PageLinksOut

    @classmethod
    def of(cls, page: Page[ClientListItem], link: Any) -> ClientPageOut:
        """`link(page_number)` is the URL of another page of the same list."""
        return cls(
            items=[ClientSummaryOut.of_item(item) for item in page.items],
            total=page.total,
            page=page.page,
            per_page=page.per_page,
            pages=page.pages,
            links=PageLinksOut(
                self=link(page.page),
                first=link(1),
                last=link(page.pages),
                prev=link(page.page - 1) if page.page > 1 else None,
                next=link(page.page + 1) if page.page < page.pages else None,
            ),
        )


class ClientLinksOut(Schema):
    activity: str
    predictions: str


class ClientDetailOut(ClientOut):
    """A client with its current predictions and segment."""

    forecast: SalesForecastOut | None = Field(description="The current sales forecast; null until scored.")
    purchase: PurchasePredictionOut | None = Field(description="The current purchase prediction.")
    segment: Segment | None = Field(description="By the current forecast, under the segment rule in force.")
    latest_observed_on: date | None = Field(description="The newest snapshot's date: what predictions use.")
    links: ClientLinksOut

    @classmethod
    def of(cls, overview: ClientOverview) -> ClientDetailOut:  # type: ignore[override]
        client_id = overview.client.id or 0
        return cls(
            **ClientOut.of(overview.client).model_dump(),
            forecast=None if overview.forecast is None else SalesForecastOut.of(overview.forecast),
            purchase=None if overview.purchase is None else PurchasePredictionOut.of(overview.purchase),
            segment=overview.segment,
            latest_observed_on=overview.latest_observed_on,
            links=ClientLinksOut(
                activity=url_for("api.list_activity", client_id=client_id),
                predictions=url_for("api.list_predictions", client_id=client_id),
            ),
        )
