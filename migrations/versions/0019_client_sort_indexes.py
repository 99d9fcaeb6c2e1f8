"""The indexes of the client list's own sorts (last name, first name, registration date) end with the
client id, the tie-breaker of every sort, so that PostgreSQL reads a page of the list from the index alone
instead of visiting the table for each client it steps over (page 20,000 by last name at 1,000,000
clients: 535 ms against 60 ms). On PostgreSQL the names' indexes also include the name their key is
folded from (it reads an expression's columns from the index only when the index holds them), and the
email's unique index includes the client id.

Revision ID: 0019_client_sort_indexes
Revises: 0018_covering_prediction_indexes
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019_client_sort_indexes"
down_revision: str | None = "0018_covering_prediction_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAMES = {"ix_clients_lower_last_name": "last_name", "ix_clients_lower_first_name": "first_name"}


def upgrade() -> None:
    for index, column in NAMES.items():
        op.drop_index(index, table_name="clients")
        op.create_index(index, "clients", [sa.text(f"lower({column})"), "id"], postgresql_include=[column])
    op.drop_index("ix_clients_registered_on", table_name="clients")
    op.create_index("ix_clients_registered_on", "clients", ["registered_on", "id"])
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("uq_clients_email_key", table_name="clients")
        op.create_index(
            "uq_clients_email_key", "clients", ["email_key"], unique=True, postgresql_include=["id"]
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("uq_clients_email_key", table_name="clients")
        op.create_index("uq_clients_email_key", "clients", ["email_key"], unique=True)
    op.drop_index("ix_clients_registered_on", table_name="clients")
    op.create_index("ix_clients_registered_on", "clients", ["registered_on"])
    for index, column in NAMES.items():
        op.drop_index(index, table_name="clients")
        op.create_index(index, "clients", [sa.text(f"lower({column})")])
