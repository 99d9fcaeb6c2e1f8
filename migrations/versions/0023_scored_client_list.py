"""The scored clients' list: every client with a current prediction, with the keys of the list's sorts by
a client's own column and the predicted values its filters read, in one index per sort. A page of the
list filtered by a prediction and sorted by name is read from one of them alone (the middle page of
`segment=high` by last name at 1,000,000 clients read every client before it and looked each one up
among the predictions). It is written whole when a batch scoring ends; until then the list reads the
predictions as before.

Revision ID: 0023_scored_client_list
Revises: 0022_ties_in_the_sorts_direction
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023_scored_client_list"
down_revision: str | None = "0022_ties_in_the_sorts_direction"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "scored_client_list"
SORT_KEYS = ("last_name_key", "first_name_key", "email_key", "registered_on")
FILTERED = ("value", "will_buy", "expected_value")


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("client_id", sa.Integer, nullable=False),
        sa.Column("last_name_key", sa.String(100), nullable=False),
        sa.Column("first_name_key", sa.String(100), nullable=False),
        sa.Column("email_key", sa.String(254), nullable=False),
        sa.Column("registered_on", sa.Date, nullable=False),
        sa.Column("value", sa.Numeric(12, 2, asdecimal=False), nullable=True),
        sa.Column("will_buy", sa.Boolean, nullable=True),
        sa.Column("expected_value", sa.Float, nullable=True),
        sa.PrimaryKeyConstraint("client_id", name=op.f(f"pk_{TABLE}")),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f(f"fk_{TABLE}_client_id_clients"), ondelete="CASCADE"
        ),
    )
    for key in SORT_KEYS:
        op.create_index(f"ix_{TABLE}_{key}", TABLE, [key, "client_id", *FILTERED])


def downgrade() -> None:
    op.drop_table(TABLE)
