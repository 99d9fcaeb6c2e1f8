"""The scored clients' list in the orders of the predictions: the purchase probability beside the values it
held, and one index per prediction sort, each entry with the values filtered on. A page of the list
filtered by one prediction and sorted by another is read from one of them alone (the middle page of
`segment=high` by worth at 1,000,000 clients looked up the forecast of every client it stepped over in
the worths' index).

A list written before is given its probabilities from the current purchase predictions, so that it stays
as exact as it was.

Revision ID: 0024_scored_list_by_predictions
Revises: 0023_scored_client_list
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024_scored_list_by_predictions"
down_revision: str | None = "0023_scored_client_list"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "scored_client_list"
FILTERED = ("value", "will_buy", "expected_value")
PREDICTION_KEYS = ("value", "probability", "expected_value")


def upgrade() -> None:
    op.add_column(TABLE, sa.Column("probability", sa.Float, nullable=True))
    op.execute(
        f"UPDATE {TABLE} SET probability = (SELECT probability FROM purchase_predictions"
        f" WHERE purchase_predictions.client_id = {TABLE}.client_id AND purchase_predictions.is_current)"
    )
    for key in PREDICTION_KEYS:
        filtered = [value for value in FILTERED if value != key]
        op.create_index(f"ix_{TABLE}_{key}", TABLE, [key, "client_id", *filtered])


def downgrade() -> None:
    for key in PREDICTION_KEYS:
        op.drop_index(f"ix_{TABLE}_{key}", TABLE)
    with op.batch_alter_table(TABLE) as table:
        table.drop_column("probability")
