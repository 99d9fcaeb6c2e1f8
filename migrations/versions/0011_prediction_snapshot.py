"""A prediction records the date of the snapshot it was made from, so a newer one shows it out of date.

Revision ID: 0011_prediction_snapshot
Revises: 0010_sqlite_indexes
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_prediction_snapshot"
down_revision: str | None = "0010_sqlite_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("sales_predictions", "purchase_predictions")


def upgrade() -> None:
    # NULL for the predictions made before: when their snapshot was is not known.
    for table in TABLES:
        op.add_column(table, sa.Column("observed_on", sa.Date(), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        op.drop_column(table, "observed_on")
