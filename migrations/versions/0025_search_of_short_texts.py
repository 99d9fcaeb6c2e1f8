"""The search index finds texts of one and two letters too (SQLite).

Each indexed name and email ends in two unit separators (U+001F, a control character no name or email
holds), so that every letter of it begins a trigram of the index: the clients whose name or email contains
a short text are among those holding a trigram that begins with it. `client_search_terms` (FTS5's
vocabulary of the index) lists those trigrams, a range of its terms. A dotted capital I (U+0130), which
the index's own folding keeps while its lower case is two characters (i and a combining dot above), is
indexed as those two, so that a search for "i" finds it among the candidates too.

PostgreSQL is left as it was: its trigram indexes cannot serve a text shorter than a trigram.

Revision ID: 0025_search_of_short_texts
Revises: 0024_scored_list_by_predictions
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from alembic import op

revision: str = "0025_search_of_short_texts"
down_revision: str | None = "0024_scored_list_by_predictions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def as_indexed(text: str) -> str:
    """A name or email (SQL) as the index holds it: its dotted capital I (U+0130, `char(304)`) as the
    two characters of its lower case, and two unit separators (`char(31)`) after it."""
    return f"replace({text}, char(304), 'i' || char(775)) || char(31, 31)"


def as_indexed_before(text: str) -> str:
    return text


def _search_index(indexed: Callable[[str], str]) -> tuple[str, ...]:
    """The FTS5 table of the clients' names and emails as `indexed` gives them, filled from `clients` and
    kept in step with it by triggers."""

    def texts(row: str) -> str:
        name = f"{row}first_name || ' ' || {row}last_name"
        return f"{indexed(name)}, {indexed(row + 'email')}"

    return (
        "CREATE VIRTUAL TABLE client_search USING fts5(name, email, tokenize = 'trigram')",
        f"INSERT INTO client_search (rowid, name, email) SELECT id, {texts('')} FROM clients",
        "CREATE TRIGGER client_search_added AFTER INSERT ON clients BEGIN"
        f" INSERT INTO client_search (rowid, name, email) VALUES (new.id, {texts('new.')}); END",
        "CREATE TRIGGER client_search_changed AFTER UPDATE OF first_name, last_name, email ON clients BEGIN"
        f" UPDATE client_search SET (name, email) = ({texts('new.')}) WHERE rowid = new.id; END",
        "CREATE TRIGGER client_search_removed AFTER DELETE ON clients BEGIN"
        " DELETE FROM client_search WHERE rowid = old.id; END",
    )


DROP_SEARCH_INDEX = (
    "DROP TRIGGER client_search_removed",
    "DROP TRIGGER client_search_changed",
    "DROP TRIGGER client_search_added",
    "DROP TABLE client_search",
)
SEARCH_TERMS = "CREATE VIRTUAL TABLE client_search_terms USING fts5vocab(client_search, 'row')"


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for statement in (*DROP_SEARCH_INDEX, *_search_index(as_indexed), SEARCH_TERMS):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for statement in (
        "DROP TABLE client_search_terms",
        *DROP_SEARCH_INDEX,
        *_search_index(as_indexed_before),
    ):
        op.execute(statement)
