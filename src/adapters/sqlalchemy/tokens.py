"""Personal API tokens on SQLAlchemy Core, found by the hash of their secret."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from adapters.sqlalchemy.integrity import Translation, Violation, savepoint
from adapters.sqlalchemy.kept import CREDENTIALS_REVISION, revised, revision
from adapters.sqlalchemy.rows import TOKENS
from adapters.sqlalchemy.statements import revoke_secrets, rows_changed
from adapters.sqlalchemy.tables import api_tokens
from domain.errors import Conflict, NotFound, UserNotFound
from domain.tokens import ApiToken


class SqlAlchemyTokenRepository:
    """Tokens in `api_tokens`; they go with their user. Never commits."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, token: ApiToken) -> ApiToken:
        with savepoint(self.session, _refuse(token)):
            statement = insert(api_tokens).values(TOKENS.values(token)).returning(api_tokens.c.id)
            token_id = self.session.execute(statement).scalar_one()
        return replace(token, id=token_id)

    def get(self, token_id: int) -> ApiToken | None:
        statement = select(api_tokens).where(api_tokens.c.id == token_id)
        row = self.session.execute(statement).one_or_none()
        return None if row is None else TOKENS.from_row(row)

    def get_by_hash(self, token_hash: str) -> ApiToken | None:
        statement = select(api_tokens).where(api_tokens.c.token_hash == token_hash)
        row = self.session.execute(statement).one_or_none()
        return None if row is None else TOKENS.from_row(row)

    def list_for_user(self, user_id: int) -> list[ApiToken]:
        statement = (
            select(api_tokens)
            .where(api_tokens.c.user_id == user_id)
            .order_by(api_tokens.c.created_at.desc(), api_tokens.c.id.desc())
        )
        return [TOKENS.from_row(row) for row in self.session.execute(statement)]

    def update(self, token: ApiToken) -> None:
        """Its expiry and revocation; the owner and the hash never change."""
        revised(self.session, CREDENTIALS_REVISION)
        statement = (
            update(api_tokens)
            .where(api_tokens.c.id == token.id)
            .values(expires_at=token.expires_at, revoked_at=token.revoked_at)
        )
        if rows_changed(self.session, statement) == 0:
            raise NotFound(f"API token {token.id} not found.")

    def revoke_all(self, user_id: int, at: datetime) -> int:
        revised(self.session, CREDENTIALS_REVISION)
        return revoke_secrets(self.session, api_tokens, user_id, at)

    def credentials_revision(self) -> int:
        return revision(self.session, CREDENTIALS_REVISION)


def _refuse(token: ApiToken) -> Translation:
    def translate(violation: Violation) -> Conflict | UserNotFound | None:
        if violation is Violation.UNIQUE:
            return Conflict("An API token with this hash exists already.")
        if violation is Violation.FOREIGN_KEY:
            return UserNotFound(token.user_id)
        return None

    return translate
