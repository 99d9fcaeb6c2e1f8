"""Foundation: users, clients and their activity snapshots.

Revision ID: 0001_foundation
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_foundation"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME_LENGTH = 100
EMAIL_LENGTH = 254

ACTIVITY_NON_NEGATIVE = (
    "purchases_30d",
    "avg_basket_value",
    "site_visits_30d",
    "days_since_last_purchase",
    "visits_7d",
    "ad_clicks_7d",
    "time_on_site_7d",
    "sales_next_month",
)


def upgrade() -> None:
    create_users()
    create_clients()
    create_client_activity()


def downgrade() -> None:
    op.drop_table("client_activity")
    op.drop_table("clients")
    op.drop_table("users")


def create_users() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, sa.Identity(), nullable=False),
        sa.Column("email", sa.String(EMAIL_LENGTH), nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.true()),
        created_at(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.CheckConstraint("role IN ('admin', 'analyst')", name=op.f("ck_users_role_known")),
    )
    op.create_index("uq_users_lower_email", "users", [sa.text("lower(email)")], unique=True)


def create_clients() -> None:
    op.create_table(
        "clients",
        sa.Column("id", sa.Integer, sa.Identity(), nullable=False),
        sa.Column("first_name", sa.String(NAME_LENGTH), nullable=False),
        sa.Column("last_name", sa.String(NAME_LENGTH), nullable=False),
        sa.Column("email", sa.String(EMAIL_LENGTH), nullable=False),
        sa.Column("registered_on", sa.Date, nullable=False),
        created_at(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clients")),
    )
    # Emails are unique regardless of case; names are filtered and sorted regardless of case.
    op.create_index("uq_clients_lower_email", "clients", [sa.text("lower(email)")], unique=True)
    op.create_index("ix_clients_lower_last_name", "clients", [sa.text("lower(last_name)")])
    op.create_index("ix_clients_lower_first_name", "clients", [sa.text("lower(first_name)")])
    op.create_index("ix_clients_registered_on", "clients", ["registered_on"])


def create_client_activity() -> None:
    op.create_table(
        "client_activity",
        sa.Column("id", sa.Integer, sa.Identity(), nullable=False),
        sa.Column("client_id", sa.Integer, nullable=False),
        sa.Column("observed_on", sa.Date, nullable=False),
        sa.Column("purchases_30d", sa.Integer, nullable=False),
        sa.Column("avg_basket_value", money(), nullable=False),
        sa.Column("site_visits_30d", sa.Integer, nullable=False),
        sa.Column("days_since_last_purchase", sa.Integer, nullable=True),
        sa.Column("visits_7d", sa.Integer, nullable=False),
        sa.Column("newsletter_opened", sa.Boolean, nullable=False),
        sa.Column("ad_clicks_7d", sa.Integer, nullable=False),
        sa.Column("time_on_site_7d", sa.Numeric(10, 2, asdecimal=False), nullable=False),
        sa.Column("sales_next_month", money(), nullable=True),
        sa.Column("purchased_next_14d", sa.Boolean, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_activity")),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_client_activity_client_id_clients"),
            ondelete="CASCADE",
        ),
        # One snapshot per client per date; the index, read backwards, serves the history newest first.
        sa.UniqueConstraint(
            "client_id", "observed_on", name=op.f("uq_client_activity_client_id_observed_on")
        ),
        *[
            sa.CheckConstraint(f"{column} >= 0", name=op.f(f"ck_client_activity_{column}_non_negative"))
            for column in ACTIVITY_NON_NEGATIVE
        ],
        sa.CheckConstraint(
            "visits_7d <= site_visits_30d", name=op.f("ck_client_activity_visits_7d_within_month")
        ),
    )


def created_at() -> sa.Column[object]:
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())


def money() -> sa.Numeric[float]:
    return sa.Numeric(12, 2, asdecimal=False)
