"""The schema as SQLAlchemy Core tables. Alembic migrations create it; tests check that both agree."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    true,
)

from domain.clients import EMAIL_MAX_LENGTH, NAME_MAX_LENGTH
from domain.users import Role

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


def money() -> Numeric[float]:
    """PLN to the grosz, read back as float like the domain holds it."""
    return Numeric(12, 2, asdecimal=False)


def minutes() -> Numeric[float]:
    return Numeric(10, 2, asdecimal=False)


def _created_at() -> Column[object]:
    return Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now())


def _non_negative(*columns: str) -> list[CheckConstraint]:
    return [CheckConstraint(f"{column} >= 0", name=f"{column}_non_negative") for column in columns]


_ROLES = ", ".join(f"'{role.value}'" for role in Role)

users = Table(
    "users",
    metadata,
    Column("id", Integer, Identity(), primary_key=True),
    Column("email", String(EMAIL_MAX_LENGTH), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("role", String(16), nullable=False),
    Column("is_active", Boolean, nullable=False, server_default=true()),
    _created_at(),
    CheckConstraint(f"role IN ({_ROLES})", name="role_known"),
)
Index("uq_users_lower_email", func.lower(users.c.email), unique=True)

clients = Table(
    "clients",
    metadata,
    Column("id", Integer, Identity(), primary_key=True),
    Column("first_name", String(NAME_MAX_LENGTH), nullable=False),
    Column("last_name", String(NAME_MAX_LENGTH), nullable=False),
    Column("email", String(EMAIL_MAX_LENGTH), nullable=False),
    Column("registered_on", Date, nullable=False),
    _created_at(),
)
Index("uq_clients_lower_email", func.lower(clients.c.email), unique=True)
Index("ix_clients_lower_last_name", func.lower(clients.c.last_name))
Index("ix_clients_lower_first_name", func.lower(clients.c.first_name))
Index("ix_clients_registered_on", clients.c.registered_on)

client_activity = Table(
    "client_activity",
    metadata,
    Column("id", Integer, Identity(), primary_key=True),
    Column("client_id", Integer, ForeignKey(clients.c.id, ondelete="CASCADE"), nullable=False),
    Column("observed_on", Date, nullable=False),
    Column("purchases_30d", Integer, nullable=False),
    Column("avg_basket_value", money(), nullable=False),
    Column("site_visits_30d", Integer, nullable=False),
    Column("days_since_last_purchase", Integer, nullable=True),
    Column("visits_7d", Integer, nullable=False),
    Column("newsletter_opened", Boolean, nullable=False),
    Column("ad_clicks_7d", Integer, nullable=False),
    Column("time_on_site_7d", minutes(), nullable=False),
    Column("sales_next_month", money(), nullable=True),
    Column("purchased_next_14d", Boolean, nullable=True),
    # Its index, read backwards, also serves a client's history newest first.
    UniqueConstraint("client_id", "observed_on"),
    *_non_negative(
        "purchases_30d",
        "avg_basket_value",
        "site_visits_30d",
        "days_since_last_purchase",
        "visits_7d",
        "ad_clicks_7d",
        "time_on_site_7d",
        "sales_next_month",
    ),
    CheckConstraint("visits_7d <= site_visits_30d", name="visits_7d_within_month"),
)
