"""Calibration of the purchase model: each run records its hold-out's reliability curve, and the
calibrations its backtest compared with the one it kept.

Revision ID: 0013_calibration
Revises: 0012_training_profile
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_calibration"
down_revision: str | None = "0012_training_profile"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # NULL for the runs trained before: their models are used as fitted.
    with op.batch_alter_table("model_runs") as table:
        table.add_column(sa.Column("reliability", sa.JSON(none_as_null=True), nullable=True))
        table.add_column(sa.Column("calibration", sa.JSON(none_as_null=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("model_runs") as table:
        table.drop_column("calibration")
        table.drop_column("reliability")
