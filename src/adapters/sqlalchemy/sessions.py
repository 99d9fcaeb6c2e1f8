"""Remember-me tokens on SQLAlchemy Core, found by their id."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from adapters.sqlalchemy.integrity import Translation, Violation, savepoint
from adapters.sqlalchemy.rows import REMEMBER_TOKENS
from adapters.sqlalchemy.statements import revoke_secrets, rows_changed
from adapters.sqlalchemy.tables import remember_tokens
from domain.errors import Conflict, NotFound, UserNotFound
from domain.sessions import RememberToken


class SqlAlchemyRememberTokenRepository:
    """Tokens in `remember_tokens`; they go with their user. Never commits."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, token: RememberToken) -> RememberToken:
        with savepoint(self.session, _refuse(token)):
            values = REMEMBER_TOKENS.values(token)
            statement = insert(remember_tokens).values(values).returning(remember_tokens.c.id)
            token_id = self.session.execute(statement).scalar_one()
        return replace(token, id=token_id)

    def get(self, token_id: int) -> RememberToken | None:
        statement = select(remember_tokens).where(remember_tokens.c.id == token_id)
        row = self.session.execute(statement).one_or_none()
        return None if row is None else REMEMBER_TOKENS.from_row(row)

    def update(self, token: RememberToken) -> None:
        statement = (
            update(remember_tokens)
            .where(remember_tokens.c.id == token.id)
            .values(revoked_at=token.revoked_at)
        )
        if rows_changed(self.session, statement) == 0:
            raise NotFound(f"Remember-me token {token.id} not found.")

    def revoke_all(self, user_id: int, at: datetime) -> int:
        return revoke_secrets(self.session, remember_tokens, user_id, at)


def _refuse(token: RememberToken) -> Translation:
    def translate(violation: Violation) -> Conflict | UserNotFound | None:
        if violation is Violation.UNIQUE:
            return Conflict("A remember-me token with this hash exists already.")
        if violation is Violation.FOREIGN_KEY:
            return UserNotFound(token.user_id)
        return None

    return translate
