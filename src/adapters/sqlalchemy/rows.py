"""Explicit conversion between table rows and domain entities, which know nothing of SQLAlchemy."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row

from domain.activity import ActivitySnapshot
from domain.clients import Client
from domain.users import Role, User

Values = dict[str, Any]


def client_values(client: Client) -> Values:
    return {
        "first_name": client.first_name,
        "last_name": client.last_name,
        "email": client.email,
        "registered_on": client.registered_on,
    }


def client_from_row(row: Row[Any]) -> Client:
    return Client(
        first_name=row.first_name,
        last_name=row.last_name,
        email=row.email,
        registered_on=row.registered_on,
        id=row.id,
    )


def snapshot_values(snapshot: ActivitySnapshot) -> Values:
    """Money and minutes are kept to two decimals, as the columns hold them on every database."""
    return {
        "client_id": snapshot.client_id,
        "observed_on": snapshot.observed_on,
        "purchases_30d": snapshot.purchases_30d,
        "avg_basket_value": _cents(snapshot.avg_basket_value),
        "site_visits_30d": snapshot.site_visits_30d,
        "days_since_last_purchase": snapshot.days_since_last_purchase,
        "visits_7d": snapshot.visits_7d,
        "newsletter_opened": snapshot.newsletter_opened,
        "ad_clicks_7d": snapshot.ad_clicks_7d,
        "time_on_site_7d": _cents(snapshot.time_on_site_7d),
        **outcome_values(snapshot),
    }


def outcome_values(snapshot: ActivitySnapshot) -> Values:
    return {
        "sales_next_month": _cents(snapshot.sales_next_month),
        "purchased_next_14d": snapshot.purchased_next_14d,
    }


def snapshot_from_row(row: Row[Any]) -> ActivitySnapshot:
    return ActivitySnapshot(
        client_id=row.client_id,
        observed_on=row.observed_on,
        purchases_30d=row.purchases_30d,
        avg_basket_value=float(row.avg_basket_value),
        site_visits_30d=row.site_visits_30d,
        days_since_last_purchase=row.days_since_last_purchase,
        visits_7d=row.visits_7d,
        newsletter_opened=row.newsletter_opened,
        ad_clicks_7d=row.ad_clicks_7d,
        time_on_site_7d=float(row.time_on_site_7d),
        sales_next_month=None if row.sales_next_month is None else float(row.sales_next_month),
        purchased_next_14d=row.purchased_next_14d,
        id=row.id,
    )


def user_values(user: User) -> Values:
    return {
        "email": user.email,
        "password_hash": user.password_hash,
        "role": user.role.value,
        "is_active": user.is_active,
    }


def user_from_row(row: Row[Any]) -> User:
    return User(
        email=row.email,
        password_hash=row.password_hash,
        role=Role(row.role),
        is_active=row.is_active,
        id=row.id,
    )


def _cents(amount: float | None) -> float | None:
    return None if amount is None else round(amount, 2)
