"""A trained model keeps the profile of its training values, per feature, so drift can be measured.

Revision ID: 0012_training_profile
Revises: 0011_prediction_snapshot
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_training_profile"
down_revision: str | None = "0011_prediction_snapshot"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # NULL for the runs trained before: their drift cannot be measured until a new version is trained.
    with op.batch_alter_table("model_runs") as table:
        table.add_column(sa.Column("training_profile", sa.JSON(none_as_null=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("model_runs") as table:
        table.drop_column("training_profile")
