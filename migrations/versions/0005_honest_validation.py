"""Honest validation: a run records its warnings (features left out, a model no better than its
baselines), and its baseline metrics are kept per named baseline.

Revision ID: 0005_honest_validation
Revises: 0004_orders_and_events
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_honest_validation"
down_revision: str | None = "0004_orders_and_events"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RUNS = sa.table(
    "model_runs",
    sa.column("id", sa.Integer()),
    sa.column("kind", sa.String(16)),
    sa.column("baseline_metrics", sa.JSON(none_as_null=True)),
)
OLD_BASELINE = {"sales": "mean", "purchase": "base_rate"}


def upgrade() -> None:
    with op.batch_alter_table("model_runs") as table:
        table.add_column(
            sa.Column("warnings", sa.JSON(none_as_null=True), nullable=False, server_default="[]")
        )
    _rename_baselines(lambda kind, metrics: {OLD_BASELINE[kind]: metrics})


def downgrade() -> None:
    _rename_baselines(lambda kind, metrics: metrics.get(OLD_BASELINE[kind], {}))
    with op.batch_alter_table("model_runs") as table:
        table.drop_column("warnings")


def _rename_baselines(change: object) -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(RUNS).where(RUNS.c.baseline_metrics.is_not(None))).all()
    for row in rows:
        metrics = change(row.kind, row.baseline_metrics)  # type: ignore[operator]
        connection.execute(sa.update(RUNS).where(RUNS.c.id == row.id).values(baseline_metrics=metrics))
