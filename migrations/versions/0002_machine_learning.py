"""Machine learning: predictions with their history, model runs and activations, business settings.

Revision ID: 0002_machine_learning
Revises: 0001_foundation
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_machine_learning"
down_revision: str | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EMAIL_LENGTH = 254


def upgrade() -> None:
    create_sales_predictions()
    create_purchase_predictions()
    create_model_runs()
    create_model_activations()
    create_app_settings()


def downgrade() -> None:
    op.drop_table("app_settings")
    op.drop_table("model_activations")
    op.drop_table("model_runs")
    op.drop_table("purchase_predictions")
    op.drop_table("sales_predictions")


def create_sales_predictions() -> None:
    op.create_table(
        "sales_predictions",
        sa.Column("id", sa.Integer, sa.Identity(), nullable=False),
        sa.Column("client_id", sa.Integer, nullable=False),
        sa.Column("value_pln", sa.Numeric(12, 2, asdecimal=False), nullable=False),
        *prediction_columns("sales_predictions"),
        sa.CheckConstraint("value_pln >= 0", name=op.f("ck_sales_predictions_value_pln_non_negative")),
    )
    create_prediction_indexes("sales_predictions", "value_pln")


def create_purchase_predictions() -> None:
    op.create_table(
        "purchase_predictions",
        sa.Column("id", sa.Integer, sa.Identity(), nullable=False),
        sa.Column("client_id", sa.Integer, nullable=False),
        sa.Column("probability", sa.Float, nullable=False),
        sa.Column("will_buy", sa.Boolean, nullable=False),
        sa.Column("threshold", sa.Float, nullable=False),
        *prediction_columns("purchase_predictions"),
        sa.CheckConstraint(
            "probability >= 0 AND probability <= 1",
            name=op.f("ck_purchase_predictions_probability_within_0_1"),
        ),
        sa.CheckConstraint(
            "threshold > 0 AND threshold < 1", name=op.f("ck_purchase_predictions_threshold_within_0_1")
        ),
    )
    create_prediction_indexes("purchase_predictions", "will_buy", "probability")


def prediction_columns(table: str) -> list[sa.SchemaItem]:
    """What every prediction shares: who it is about, which model made it, when, and whether it is current."""
    return [
        sa.Column("model_version", sa.Integer, nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("is_current", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f(f"fk_{table}_client_id_clients"), ondelete="CASCADE"
        ),
    ]


def create_prediction_indexes(table: str, *values: str) -> None:
    # At most one current prediction per client; the client list joins on it.
    op.create_index(
        f"uq_{table}_current_client_id", table, ["client_id"], unique=True, **where_set("is_current")
    )
    # The client list filters and counts on the current values; the dashboard sums and counts them.
    # Covering the current rows only, it is not touched by the history a new batch leaves behind.
    op.create_index(f"ix_{table}_current_{'_'.join(values)}", table, list(values), **where_set("is_current"))
    # A client's history, newest first (the index read backwards).
    op.create_index(f"ix_{table}_client_id_made_at", table, ["client_id", "made_at"])


def create_model_runs() -> None:
    op.create_table(
        "model_runs",
        sa.Column("id", sa.Integer, sa.Identity(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("requested_by", sa.String(EMAIL_LENGTH), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        # The evaluation on the hold-out set: NULL until the run has succeeded.
        sa.Column("train_size", sa.Integer, nullable=True),
        sa.Column("test_size", sa.Integer, nullable=True),
        sa.Column("metrics", sa.JSON, nullable=True),
        sa.Column("baseline_metrics", sa.JSON, nullable=True),
        sa.Column("coefficients", sa.JSON, nullable=True),
        sa.Column("intercept", sa.Float, nullable=True),
        sa.Column("confusion_matrix", sa.JSON, nullable=True),
        sa.Column("threshold", sa.Float, nullable=True),
        sa.Column("threshold_curve", sa.JSON, nullable=True),
        sa.Column("artifact_path", sa.Text, nullable=True),
        sa.Column("artifact_sha256", sa.String(64), nullable=True),
        sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_runs")),
        sa.UniqueConstraint("kind", "version", name=op.f("uq_model_runs_kind_version")),
        sa.CheckConstraint("kind IN ('sales', 'purchase')", name=op.f("ck_model_runs_kind_known")),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'succeeded', 'failed')", name=op.f("ck_model_runs_status_known")
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_model_runs_version_positive")),
    )
    # At most one active version of each kind.
    op.create_index(
        "uq_model_runs_active_kind", "model_runs", ["kind"], unique=True, **where_set("is_active")
    )


def create_model_activations() -> None:
    op.create_table(
        "model_activations",
        sa.Column("id", sa.Integer, sa.Identity(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("activated_by", sa.String(EMAIL_LENGTH), nullable=False),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_activations")),
        sa.ForeignKeyConstraint(
            ["kind", "version"],
            ["model_runs.kind", "model_runs.version"],
            name=op.f("fk_model_activations_kind_model_runs"),
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_model_activations_kind_activated_at", "model_activations", ["kind", "activated_at"])


def create_app_settings() -> None:
    op.create_table(
        "app_settings",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.JSON, nullable=False),
        sa.Column("updated_by", sa.String(EMAIL_LENGTH), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_app_settings")),
    )


def where_set(flag: str) -> dict[str, sa.TextClause]:
    """A partial index's condition, spelt as each database's queries spell a true flag: SQLite only
    uses a partial index whose condition reads exactly like the query's, and there that is `flag = 1`."""
    return {"sqlite_where": sa.text(f"{flag} = 1"), "postgresql_where": sa.text(flag)}
