"""Kept summaries: aggregates of many rows (the dashboard's figures) kept with the state of the data they
were computed from, so that they are computed once per change instead of once per request; and the
revision of the snapshots, counted up by every write to them, which that state names.

Revision ID: 0017_kept_summaries
Revises: 0016_client_search
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_kept_summaries"
down_revision: str | None = "0016_client_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "kept_summaries",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("computed_from", sa.JSON, nullable=False),
        sa.Column("summary", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_kept_summaries")),
    )
    op.create_table(
        "revisions",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_revisions")),
    )


def downgrade() -> None:
    op.drop_table("revisions")
    op.drop_table("kept_summaries")
