"""On SQLite, each client's full name and email folded into one text, kept by the database itself in a
stored generated column (`folded_text`), which a search checks with one call of the engine's own `instr`
instead of building the full name and folding both texts: at 1,000,000 clients, checking `ak` took
0.17 us a client from an index holding the text against 0.8 us from one holding the names, and
1.3 us reading the client's row. The indexes of the sorts by last and first name hold it instead of the
names and the email, so that a walk in either order still checks each client from the index alone.

The text is the full name, a unit separator (U+001F, a control character no name, email or search may
hold, so that no search finds a text across it) and the email, in the built-in lower case, which folds
ASCII letters only, with İ (U+0130) and the Kelvin sign (U+212A) then written as their lower case
(`statements.FOLDING_TO_ASCII`). So a text of ASCII characters is in it exactly where it is in the name
or the email folded as Python's str.lower folds them, and any other text is in it folded again by that
function. SQLite adds a stored column only by building the table again: the clients are copied into a new
table with their ids, and their indexes and triggers made again. PostgreSQL keeps its own folded columns
(migration 0028_folded_search_texts).

Revision ID: 0029_sqlite_folded_text
Revises: 0028_folded_search_texts
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0029_sqlite_folded_text"
down_revision: str | None = "0028_folded_search_texts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FOLDED_TEXT = "folded_text"
FOLDING = (
    "replace(replace(lower(first_name || ' ' || last_name || char(31) || email),"
    " char(304), char(105, 775)), char(8490), 'k')"
)
"""İ becomes i and a combining dot above, the Kelvin sign k: their lower case in Python."""
NAMES = {"ix_clients_lower_last_name": "last_name", "ix_clients_lower_first_name": "first_name"}
CHECKED = ["first_name", "last_name", "email"]
COLUMNS = ["id", "first_name", "last_name", "email", "registered_on", "created_at", "email_key"]
BUILT = "clients_built_again"


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    _build_clients_again(folded=True)
    for index, column in NAMES.items():
        op.drop_index(index, table_name="clients")
        op.create_index(index, "clients", [sa.text(f"lower({column})"), "id", FOLDED_TEXT])


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for index, column in NAMES.items():
        op.drop_index(index, table_name="clients")
        op.create_index(index, "clients", [sa.text(f"lower({column})"), "id", *CHECKED])
    _build_clients_again(folded=False)


def _build_clients_again(folded: bool) -> None:
    """The clients copied, ids and all, into a table of the same columns (and `folded_text` when `folded`),
    which then takes the name `clients`, with the indexes and triggers of the old one. Foreign keys are off
    while migrating (migrations/env.py): dropping the old table deletes no row that refers to a client."""
    connection = op.get_bind()
    kept = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE tbl_name = 'clients' AND type IN ('index', 'trigger')"
        " AND sql IS NOT NULL ORDER BY type"  # the indexes first
    ).all()
    folding = [sa.Column(FOLDED_TEXT, sa.Text(), sa.Computed(FOLDING, persisted=True))] if folded else []
    op.create_table(
        BUILT,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("first_name", sa.String(100), nullable=False),
        sa.Column("last_name", sa.String(100), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("email_key", sa.String(254), nullable=False),
        *folding,
        sa.PrimaryKeyConstraint("id", name="pk_clients"),
    )
    names = ", ".join(COLUMNS)
    op.execute(f"INSERT INTO {BUILT} ({names}) SELECT {names} FROM clients ORDER BY id")
    op.drop_table("clients")
    op.rename_table(BUILT, "clients")
    for (statement,) in kept:
        op.execute(statement)
