"""A purchase prediction records what contacting the client was worth when it was made (its probability
times the forecast made with it), indexed over the current ones, so that the client list filters by
contact tier through the index instead of multiplying both predictions of every client.

Revision ID: 0014_contact_worth
Revises: 0013_calibration
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_contact_worth"
down_revision: str | None = "0013_calibration"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_purchase_predictions_current_expected_value"
IS_CURRENT = {"sqlite_where": sa.text("is_current = 1"), "postgresql_where": sa.text("is_current")}


def upgrade() -> None:
    op.add_column("purchase_predictions", sa.Column("expected_value", sa.Float(), nullable=True))
    # The current predictions get their worth from the current forecast; older ones stay NULL.
    op.execute(
        sa.text(
            "UPDATE purchase_predictions SET expected_value = probability * (SELECT value"
            " FROM sales_predictions WHERE sales_predictions.client_id = purchase_predictions.client_id"
            " AND sales_predictions.is_current = :yes) WHERE is_current = :yes"
        ).bindparams(yes=True)
    )
    op.create_index(INDEX, "purchase_predictions", ["expected_value"], **IS_CURRENT)


def downgrade() -> None:
    op.drop_index(INDEX, table_name="purchase_predictions")
    op.drop_column("purchase_predictions", "expected_value")
