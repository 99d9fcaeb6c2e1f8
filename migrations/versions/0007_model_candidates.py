"""Model candidates: each run records its feature set and model family, the comparison it was trained
in (`train --auto`), and its rolling backtest.

Revision ID: 0007_model_candidates
Revises: 0006_order_history
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_model_candidates"
down_revision: str | None = "0006_order_history"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("model_runs") as table:
        table.add_column(sa.Column("features", sa.String(16), nullable=False, server_default="basic"))
        table.add_column(sa.Column("family", sa.String(16), nullable=False, server_default="linear"))
        table.add_column(sa.Column("comparison", sa.Integer(), nullable=True))
        table.add_column(sa.Column("backtest", sa.JSON(none_as_null=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("model_runs") as table:
        table.drop_column("backtest")
        table.drop_column("comparison")
        table.drop_column("family")
        table.drop_column("features")
