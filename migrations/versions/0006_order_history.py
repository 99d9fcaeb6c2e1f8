"""A snapshot holds the client's order history where it is derived from orders: what was spent in the
last 90, 180 and 365 days, purchases and active months in the last year, purchase days, days since the
first purchase and the mean order value. NULL on snapshots it is not known of (entered ones, and derived
ones until they are built again).

Revision ID: 0006_order_history
Revises: 0005_honest_validation
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_order_history"
down_revision: str | None = "0005_honest_validation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HISTORY_COLUMNS = {
    "spend_90d": sa.Numeric(12, 2),
    "spend_180d": sa.Numeric(12, 2),
    "spend_365d": sa.Numeric(12, 2),
    "purchases_365d": sa.Integer(),
    "active_months_365d": sa.Integer(),
    "purchase_days": sa.Integer(),
    "days_since_first_purchase": sa.Integer(),
    "avg_order_value": sa.Numeric(12, 2),
}


def upgrade() -> None:
    with op.batch_alter_table("client_activity") as table:
        for name, type_ in HISTORY_COLUMNS.items():
            table.add_column(sa.Column(name, type_, nullable=True))
            table.create_check_constraint(op.f(f"ck_client_activity_{name}_non_negative"), f"{name} >= 0")


def downgrade() -> None:
    with op.batch_alter_table("client_activity") as table:
        for name in HISTORY_COLUMNS:
            table.drop_constraint(op.f(f"ck_client_activity_{name}_non_negative"), type_="check")
            table.drop_column(name)
