"""Client search through an index: on PostgreSQL, trigram (pg_trgm) GIN indexes of the folded full name
and email; on SQLite, an FTS5 table of trigrams of both, kept in step with `clients` by triggers.

Either finds the clients whose name or email contains a text of three letters or more without reading
every client; shorter texts are still searched, by reading every client.

Revision ID: 0016_client_search
Revises: 0015_jobs
Create Date: 2026-12-04
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from alembic import op

revision: str = "0016_client_search"
down_revision: str | None = "0015_jobs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")

FULL_NAME = "lower(first_name || ' ' || last_name)"

SQLITE_UPGRADE = (
    "CREATE VIRTUAL TABLE client_search USING fts5(name, email, tokenize = 'trigram')",
    "INSERT INTO client_search (rowid, name, email) SELECT id, first_name || ' ' || last_name, email"
    " FROM clients",
    "CREATE TRIGGER client_search_added AFTER INSERT ON clients BEGIN"
    " INSERT INTO client_search (rowid, name, email)"
    " VALUES (new.id, new.first_name || ' ' || new.last_name, new.email); END",
    "CREATE TRIGGER client_search_changed AFTER UPDATE OF first_name, last_name, email ON clients BEGIN"
    " UPDATE client_search SET name = new.first_name || ' ' || new.last_name, email = new.email"
    " WHERE rowid = new.id; END",
    "CREATE TRIGGER client_search_removed AFTER DELETE ON clients BEGIN"
    " DELETE FROM client_search WHERE rowid = old.id; END",
)
SQLITE_DOWNGRADE = (
    "DROP TRIGGER client_search_removed",
    "DROP TRIGGER client_search_changed",
    "DROP TRIGGER client_search_added",
    "DROP TABLE client_search",
)
POSTGRESQL_INDEXES = (
    f"CREATE INDEX ix_clients_name_trigrams ON clients USING gin ({FULL_NAME} gin_trgm_ops)",
    "CREATE INDEX ix_clients_email_trigrams ON clients USING gin (lower(email) gin_trgm_ops)",
)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_UPGRADE:
            op.execute(statement)
    elif dialect == "postgresql" and _has_trigrams():
        for statement in POSTGRESQL_INDEXES:
            op.execute(statement)


def _has_trigrams() -> bool:
    """pg_trgm comes with PostgreSQL and is trusted: a database's owner may add it. Without it (a role
    that may not), search reads every client, as before."""
    connection = op.get_bind()
    try:
        with connection.begin_nested():
            op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception as error:  # the role may not create extensions: search still works, unindexed
        log.warning("pg_trgm is not available (%s): client search reads every client", error)
        return False
    return True


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_DOWNGRADE:
            op.execute(statement)
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_clients_email_trigrams")
        op.execute("DROP INDEX IF EXISTS ix_clients_name_trigrams")
