"""Personal API tokens: as issued (the only time a secret is shown), and as listed, without it."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from application.tokens import IssuedToken
from entrypoints.api.schemas.base import Schema


class IssuedTokenOut(Schema):
    token: str = Field(
        description="The secret: shown this once, stored only as its hash. Send it as a Bearer token."
    )
    token_type: Literal["Bearer"] = "Bearer"
    created_at: datetime
    expires_at: datetime

    @classmethod
    def of(cls, issued: IssuedToken) -> IssuedTokenOut:
        return cls.reading(issued.token, token=issued.secret)


class TokenOut(Schema):
    """A token without its secret, which is never stored."""

    id: int
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


class TokenListOut(Schema):
    items: list[TokenOut] = Field(
        description="Every token of yours, revoked and expired ones too, newest first."
    )
