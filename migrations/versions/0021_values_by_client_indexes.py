"""The current predictions' values by client: the client list filtered by a prediction (segment,
decision, contact tier) and sorted by a client's own column checks each client it reads in that order
from one of these indexes alone, instead of the unique index of current rows and the row behind it
(the middle page of `segment=low` by last name at 1,000,000 clients reads half a million clients).

Revision ID: 0021_values_by_client_indexes
Revises: 0020_client_count
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021_values_by_client_indexes"
down_revision: str | None = "0020_client_count"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

IS_CURRENT = {"sqlite_where": sa.text("is_current = 1"), "postgresql_where": sa.text("is_current")}
VALUES = [
    ("sales_predictions", ["value"]),
    ("purchase_predictions", ["will_buy", "expected_value"]),
    ("purchase_predictions", ["expected_value"]),
]


def upgrade() -> None:
    for table, values in VALUES:
        op.create_index(_name(table, values), table, ["client_id", *values, "is_current"], **IS_CURRENT)


def downgrade() -> None:
    for table, values in VALUES:
        op.drop_index(_name(table, values), table_name=table)


def _name(table: str, values: list[str]) -> str:
    return f"ix_{table}_current_{values[0]}_by_client"
