"""Staff accounts."""

from __future__ import annotations

from flask import url_for
from pydantic import Field

from domain.users import Role, User
from entrypoints.api.schemas.base import Schema


class UserOut(Schema):
    id: int
    email: str
    role: Role
    is_active: bool = Field(description="A deactivated user can neither sign in nor use their tokens.")
    url: str

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls.reading(user, url=url_for("api.get_user", user_id=user.id))


class UserListOut(Schema):
    items: list[UserOut] = Field(description="By email.")
