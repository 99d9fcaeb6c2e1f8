"""Orders and events: the raw logs snapshots can be derived from; derived snapshots are marked, and the
behavioural features may be unknown (NULL) where no events tell them. Money is in the company's currency,
so the forecast's column stops saying PLN.

Revision ID: 0004_orders_and_events
Revises: 0003_api_tokens
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_orders_and_events"
down_revision: str | None = "0003_api_tokens"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ORDER_ID_LENGTH = 100
BEHAVIOUR_COLUMNS = {
    "site_visits_30d": sa.Integer(),
    "visits_7d": sa.Integer(),
    "newsletter_opened": sa.Boolean(),
    "ad_clicks_7d": sa.Integer(),
    "time_on_site_7d": sa.Numeric(10, 2),
}


def upgrade() -> None:
    with op.batch_alter_table("client_activity") as table:
        for name, type_ in BEHAVIOUR_COLUMNS.items():
            table.alter_column(name, existing_type=type_, nullable=True)
        table.add_column(sa.Column("source", sa.String(16), nullable=False, server_default="entered"))
        table.create_check_constraint(
            op.f("ck_client_activity_source_known"), "source IN ('entered', 'derived')"
        )
    create_orders()
    create_events()
    rename_forecast_value("value_pln", "value")


def rename_forecast_value(old: str, new: str) -> None:
    """The forecast column, its check and its partial index under a name that names no currency."""
    op.drop_index(f"ix_sales_predictions_current_{old}", table_name="sales_predictions")
    with op.batch_alter_table("sales_predictions") as table:
        table.drop_constraint(op.f(f"ck_sales_predictions_{old}_non_negative"), type_="check")
        table.alter_column(old, new_column_name=new, existing_type=sa.Numeric(12, 2), existing_nullable=False)
        table.create_check_constraint(op.f(f"ck_sales_predictions_{new}_non_negative"), f"{new} >= 0")
    is_current = {"sqlite_where": sa.text("is_current = 1"), "postgresql_where": sa.text("is_current")}
    op.create_index(f"ix_sales_predictions_current_{new}", "sales_predictions", [new], **is_current)


def create_orders() -> None:
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer, sa.Identity(), nullable=False),
        sa.Column("client_id", sa.Integer, nullable=False),
        sa.Column("order_id", sa.String(ORDER_ID_LENGTH), nullable=True),
        sa.Column("ordered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("amount", sa.Numeric(12, 2), nullable=False),
        sa.Column("key", sa.String(ORDER_ID_LENGTH + 64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_orders_client_id_clients"), ondelete="CASCADE"
        ),
        sa.UniqueConstraint("key", name=op.f("uq_orders_key")),
    )
    op.create_index("ix_orders_client_id_ordered_at", "orders", ["client_id", "ordered_at"])


def create_events() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, sa.Identity(), nullable=False),
        sa.Column("client_id", sa.Integer, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("duration_s", sa.Float, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_events_client_id_clients"), ondelete="CASCADE"
        ),
        sa.UniqueConstraint(
            "client_id", "occurred_at", "kind", name=op.f("uq_events_client_id_occurred_at_kind")
        ),
        sa.CheckConstraint(
            "kind IN ('visit', 'newsletter_open', 'ad_click')", name=op.f("ck_events_kind_known")
        ),
        sa.CheckConstraint("duration_s >= 0", name=op.f("ck_events_duration_s_non_negative")),
    )
    op.create_index("ix_events_occurred_at", "events", ["occurred_at"])


def downgrade() -> None:
    rename_forecast_value("value", "value_pln")
    op.drop_table("events")
    op.drop_table("orders")
    # Unknown behavioural features cannot go back into NOT NULL columns: those snapshots go, as the
    # derived ones do (they can be derived again after an upgrade).
    behaviour_unknown = " OR ".join(f"{name} IS NULL" for name in BEHAVIOUR_COLUMNS)
    op.execute(f"DELETE FROM client_activity WHERE source = 'derived' OR {behaviour_unknown}")
    with op.batch_alter_table("client_activity") as table:
        table.drop_constraint(op.f("ck_client_activity_source_known"), type_="check")
        table.drop_column("source")
        for name, type_ in BEHAVIOUR_COLUMNS.items():
            table.alter_column(name, existing_type=type_, nullable=False)
