"""Sessions that end: a session generation on each user, and remember-me tokens stored as hashes.

Revision ID: 0009_session_revocation
Revises: 0008_run_leases
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_session_revocation"
down_revision: str | None = "0008_run_leases"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTER TABLE, not a batch: SQLite rebuilding `users` would lose its expression indexes.
    op.add_column("users", sa.Column("session_generation", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "remember_tokens",
        sa.Column("id", sa.Integer, sa.Identity(), nullable=False),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remember_tokens")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_remember_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.UniqueConstraint("token_hash", name=op.f("uq_remember_tokens_token_hash")),
        sa.CheckConstraint("expires_at > created_at", name=op.f("ck_remember_tokens_expires_after_creation")),
    )
    op.create_index("ix_remember_tokens_user_id", "remember_tokens", ["user_id"])


def downgrade() -> None:
    op.drop_table("remember_tokens")
    op.drop_column("users", "session_generation")  # SQLite drops a column in place since 3.35
