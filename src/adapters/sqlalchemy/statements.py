"""Small helpers for executing Core statements through a session."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Delete, String, Table, Update, update
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import GenericFunction

from adapters.sqlalchemy.engine import UNICODE_LOWER

# Rows per executemany: large enough to amortise round trips, small enough to bound memory.
CHUNK_SIZE = 5_000


def rows_changed(session: Session, statement: Update | Delete) -> int:
    return cast(CursorResult[Any], session.execute(statement)).rowcount


def revoke_secrets(session: Session, secrets: Table, user_id: int, at: datetime) -> int:
    """Revoke every stored secret of the user (API or remember-me tokens) not revoked yet; how many."""
    statement = (
        update(secrets)
        .where(secrets.c.user_id == user_id, secrets.c.revoked_at.is_(None))
        .values(revoked_at=at)
    )
    return rows_changed(session, statement)


class folded(GenericFunction[str]):  # noqa: N801 (named like the SQL functions of `func`)
    """`text` in lower case, every letter folded as Python's str.lower does: PostgreSQL's lower(),
    and on SQLite the engine's own function (its built-in lower() folds ASCII letters only)."""

    type = String()
    inherit_cache = True


@compiles(folded)
def _compile_folded(element: folded, compiler: SQLCompiler, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(folded, "sqlite")
def _compile_folded_on_sqlite(element: folded, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{UNICODE_LOWER}({compiler.process(element.clauses, **kw)})"
