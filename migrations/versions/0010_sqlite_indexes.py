"""Indexes that any tool can check: unique emails by a stored key instead of the app's own lower().

On SQLite the app used to register a function named `lower` (folding every letter, where SQLite's own
folds ASCII letters only) and the indexes on lower(...) were built with it, so the sqlite3 shell, which
has only the built-in, found them broken (PRAGMA integrity_check). Emails are now unique by a plain
column, `email_key` (the email stripped and in lower case, as domain.clients.email_key has it), and
the name indexes are rebuilt with the built-in lower().

Revision ID: 0010_sqlite_indexes
Revises: 0009_session_revocation
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_sqlite_indexes"
down_revision: str | None = "0009_session_revocation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EMAIL_MAX_LENGTH = 254
BATCH = 5_000
NAME_INDEXES = {"ix_clients_lower_last_name": "last_name", "ix_clients_lower_first_name": "first_name"}


# Rebuilding a table in batch mode (SQLite) loses the expression indexes, which it cannot reflect:
# they are dropped before and created after.


def upgrade() -> None:
    _drop_name_indexes()
    for table in ("users", "clients"):
        op.drop_index(f"uq_{table}_lower_email", table_name=table)
        op.add_column(table, sa.Column("email_key", sa.String(EMAIL_MAX_LENGTH), nullable=True))
        _fill_email_keys(table)
        with op.batch_alter_table(table) as batch:
            batch.alter_column("email_key", existing_type=sa.String(EMAIL_MAX_LENGTH), nullable=False)
        op.create_index(f"uq_{table}_email_key", table, ["email_key"], unique=True)
    _create_name_indexes()


def downgrade() -> None:
    _drop_name_indexes()
    for table in ("clients", "users"):
        op.drop_index(f"uq_{table}_email_key", table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("email_key")
        op.create_index(f"uq_{table}_lower_email", table, [sa.text("lower(email)")], unique=True)
    _create_name_indexes()


def _fill_email_keys(table: str) -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.text(f"SELECT id, email FROM {table}")).all()
    keys = [{"id": row.id, "email_key": row.email.strip().lower()} for row in rows]
    statement = sa.text(f"UPDATE {table} SET email_key = :email_key WHERE id = :id")
    for start in range(0, len(keys), BATCH):
        connection.execute(statement, keys[start : start + BATCH])


def _drop_name_indexes() -> None:
    for name in NAME_INDEXES:
        op.drop_index(name, table_name="clients")


def _create_name_indexes() -> None:
    # Built by whoever runs the migration: with the built-in lower() from now on.
    for name, column in NAME_INDEXES.items():
        op.create_index(name, "clients", [sa.text(f"lower({column})")])
