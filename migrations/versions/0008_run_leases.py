"""Run leases: a run in progress records the worker holding it and its last heartbeat, so a run whose
worker died is failed instead of blocking every later training.

Revision ID: 0008_run_leases
Revises: 0007_model_candidates
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_run_leases"
down_revision: str | None = "0007_model_candidates"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("model_runs") as table:
        table.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("worker", sa.String(255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("model_runs") as table:
        table.drop_column("worker")
        table.drop_column("heartbeat_at")
