"""On PostgreSQL, every letter the clients' names and emails hold (in lower case), in
`client_search_letters`, kept by triggers on `clients`. A text of two letters is then found through the
trigram indexes of migration 0016_client_search: a name or an email holds it where a trigram of the text
and one more letter begins, or where the text ends it, and a regular expression of the text followed by a
class of these letters is one pg_trgm finds those trigrams for (`found_by_trigram_indexes` in
adapters/sqlalchemy/statements.py). Before, such a text read every client: `q=qx` took 1.5 s at 1,000,000
clients.

A statement adds the letters the table does not hold yet, and no key makes a letter unique: writers of
clients never wait for one another (two adding the same new letter at once both keep it, and the class
names it twice). A letter stays when the last client holding it goes: a class with one letter too many
finds the same clients. SQLite needs none of it (migration 0025_search_of_short_texts).

Revision ID: 0027_search_letters
Revises: 0026_searchable_name_indexes
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0027_search_letters"
down_revision: str | None = "0026_searchable_name_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _new_letters_of(rows: str) -> str:
    """Adds the letters of the names and emails of `rows` (a table, or `(SELECT new.*)`) not held yet."""
    return (
        "INSERT INTO client_search_letters (letter) SELECT DISTINCT held"
        f" FROM {rows} AS written, unnest(string_to_array(lower("
        "written.first_name || written.last_name || written.email), NULL)) AS held"
        " WHERE NOT EXISTS (SELECT FROM client_search_letters WHERE letter = held)"
    )


UPGRADE = (
    "CREATE TABLE client_search_letters (letter text NOT NULL)",
    _new_letters_of("clients"),
    "CREATE FUNCTION client_search_letters_added() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
    f" {_new_letters_of('added')}; RETURN NULL; END $$",
    "CREATE FUNCTION client_search_letters_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
    f" {_new_letters_of('(SELECT new.*)')}; RETURN NULL; END $$",
    "CREATE TRIGGER client_search_letters_added AFTER INSERT ON clients REFERENCING NEW TABLE AS added"
    " FOR EACH STATEMENT EXECUTE FUNCTION client_search_letters_added()",
    "CREATE TRIGGER client_search_letters_changed AFTER UPDATE OF first_name, last_name, email ON clients"
    " FOR EACH ROW WHEN (old.first_name IS DISTINCT FROM new.first_name"
    " OR old.last_name IS DISTINCT FROM new.last_name OR old.email IS DISTINCT FROM new.email)"
    " EXECUTE FUNCTION client_search_letters_changed()",
)
DOWNGRADE = (
    "DROP TRIGGER client_search_letters_changed ON clients",
    "DROP TRIGGER client_search_letters_added ON clients",
    "DROP FUNCTION client_search_letters_changed()",
    "DROP FUNCTION client_search_letters_added()",
    "DROP TABLE client_search_letters",
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in UPGRADE:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in DOWNGRADE:
            op.execute(statement)
