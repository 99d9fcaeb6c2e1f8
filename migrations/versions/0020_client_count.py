"""On PostgreSQL, the number of clients kept by the database itself: the sum of `client_count`, a row per
statement that added or removed clients, written by statement triggers on `clients`. Counting a million
clients reads a million index entries (40-50 ms on PostgreSQL, where SQLite counts a table's pages in
under a millisecond), and every page of the client list and the dashboard shows the number. A row per
statement, not one row updated by each, so that writers of clients never wait for one another; bulk
writes fold the rows into one (`SqlAlchemyUnitOfWork.refresh_statistics`). SQLite needs none of it.

Revision ID: 0020_client_count
Revises: 0019_client_sort_indexes
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0020_client_count"
down_revision: str | None = "0019_client_sort_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPGRADE = (
    "CREATE TABLE client_count (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, clients bigint NOT NULL)",
    "INSERT INTO client_count (clients) SELECT count(*) FROM clients",
    "CREATE FUNCTION client_count_added() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
    " INSERT INTO client_count (clients) SELECT count(*) FROM added HAVING count(*) > 0;"
    " RETURN NULL; END $$",
    "CREATE FUNCTION client_count_removed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
    " INSERT INTO client_count (clients) SELECT -count(*) FROM removed HAVING count(*) > 0;"
    " RETURN NULL; END $$",
    "CREATE FUNCTION client_count_emptied() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
    " DELETE FROM client_count; RETURN NULL; END $$",
    "CREATE TRIGGER client_count_added AFTER INSERT ON clients REFERENCING NEW TABLE AS added"
    " FOR EACH STATEMENT EXECUTE FUNCTION client_count_added()",
    "CREATE TRIGGER client_count_removed AFTER DELETE ON clients REFERENCING OLD TABLE AS removed"
    " FOR EACH STATEMENT EXECUTE FUNCTION client_count_removed()",
    "CREATE TRIGGER client_count_emptied AFTER TRUNCATE ON clients"
    " FOR EACH STATEMENT EXECUTE FUNCTION client_count_emptied()",
)
DOWNGRADE = (
    "DROP TRIGGER client_count_emptied ON clients",
    "DROP TRIGGER client_count_removed ON clients",
    "DROP TRIGGER client_count_added ON clients",
    "DROP FUNCTION client_count_emptied()",
    "DROP FUNCTION client_count_removed()",
    "DROP FUNCTION client_count_added()",
    "DROP TABLE client_count",
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in UPGRADE:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in DOWNGRADE:
            op.execute(statement)
