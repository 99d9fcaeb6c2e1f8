"""Staff accounts."""

from __future__ import annotations

from flask import url_for
from pydantic import Field

from domain import users
from domain.users import Role
from entrypoints.api.schemas.base import Schema


class UserOut(Schema):
    id: int
    email: str
    role: Role
    is_active: bool = Field(description="A deactivated user can neither sign in nor use their tokens.")
    url: str

    @classmethod
    def of(cls, user: users.User) -> UserOut:
        user_id = user.id or 0
        return cls(
            id=user_id,
            email=user.email,
            role=user.role,
            is_active=user.is_active,
            url=url_for("api.get_user", user_id=user_id),
        )


class UserListOut(Schema):
    items: list[UserOut] = Field(description="By email.")
