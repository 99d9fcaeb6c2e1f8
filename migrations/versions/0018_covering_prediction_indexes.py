"""The indexes of the current predictions' values hold the client id too (and `is_current`, their own
condition, which SQLite would otherwise read from the table), so that a page of the client list sorted
by a prediction is picked from that index alone: a numbered page deep in the list steps over index
entries, not over the predictions and clients behind them. The client ids are held descending, so that
the index read backwards gives the list sorted by the prediction descending, ties by client id.

Revision ID: 0018_covering_prediction_indexes
Revises: 0017_kept_summaries
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_covering_prediction_indexes"
down_revision: str | None = "0017_kept_summaries"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

IS_CURRENT = {"sqlite_where": sa.text("is_current = 1"), "postgresql_where": sa.text("is_current")}
VALUES = [
    ("sales_predictions", ["value"]),
    ("purchase_predictions", ["will_buy", "probability"]),
    ("purchase_predictions", ["expected_value"]),
]


def upgrade() -> None:
    for table, values in VALUES:
        op.drop_index(_name(table, values), table_name=table)
        columns = [*values, sa.text("client_id DESC"), "is_current"]
        op.create_index(_name(table, [*values, "client_id"]), table, columns, **IS_CURRENT)


def downgrade() -> None:
    for table, values in VALUES:
        op.drop_index(_name(table, [*values, "client_id"]), table_name=table)
        op.create_index(_name(table, values), table, values, **IS_CURRENT)


def _name(table: str, columns: list[str]) -> str:
    return f"ix_{table}_current_{'_'.join(columns)}"
