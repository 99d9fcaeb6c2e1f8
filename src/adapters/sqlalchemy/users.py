"""Staff accounts on SQLAlchemy Core."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from adapters.sqlalchemy.integrity import Translation, Violation, savepoint
from adapters.sqlalchemy.kept import CREDENTIALS_REVISION, revised
from adapters.sqlalchemy.rows import USERS
from adapters.sqlalchemy.statements import rows_changed
from adapters.sqlalchemy.tables import users
from domain.clients import email_key
from domain.errors import DuplicateEmail, UserNotFound
from domain.users import User


class SqlAlchemyUserRepository:
    """Users in the `users` table; emails are unique regardless of case. Never commits."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, user: User) -> User:
        with savepoint(self.session, _refuse_email(user.email)):
            statement = insert(users).values(USERS.values(user)).returning(users.c.id)
            user_id = self.session.execute(statement).scalar_one()
        return replace(user, id=user_id)

    def get(self, user_id: int) -> User | None:
        row = self.session.execute(select(users).where(users.c.id == user_id)).one_or_none()
        return None if row is None else USERS.from_row(row)

    def get_by_email(self, email: str) -> User | None:
        statement = select(users).where(users.c.email_key == email_key(email))
        row = self.session.execute(statement).one_or_none()
        return None if row is None else USERS.from_row(row)

    def update(self, user: User) -> None:
        revised(self.session, CREDENTIALS_REVISION)
        with savepoint(self.session, _refuse_email(user.email)):
            statement = update(users).where(users.c.id == user.id).values(USERS.values(user))
            if rows_changed(self.session, statement) == 0:
                raise UserNotFound(user.id)

    def list(self) -> list[User]:
        """Every user, by email."""
        statement = select(users).order_by(users.c.email_key, users.c.id)
        return [USERS.from_row(row) for row in self.session.execute(statement)]


def _refuse_email(email: str) -> Translation:
    return lambda violation: DuplicateEmail(email) if violation is Violation.UNIQUE else None
