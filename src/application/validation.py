"""Input validation: every entrypoint turns raw input into a command here, and only here.

A refusal keeps, for each field, pydantic's error `type` as its stable `code` and the rule's values
(`ctx`) as its `params`; rules of our own raise `PydanticCustomError(code, message, params)` alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import ErrorDetails

from domain.errors import DomainError, FieldError, Params

__all__ = ["Command", "FieldError", "InvalidInput"]


class InvalidInput(DomainError):
    """Input that breaks one or more rules; nothing was changed. Each error names its field."""

    code = "invalid_input"

    def __init__(self, errors: list[FieldError]) -> None:
        summary = "; ".join(f"{e.field}: {e.message}" for e in errors)
        super().__init__(f"Invalid input — {summary}")
        self.errors = tuple(errors)

    @classmethod
    def single(cls, field: str, code: str, message: str, **params: Any) -> InvalidInput:
        return cls([FieldError(field, code, message, params)])

    @classmethod
    def from_pydantic(cls, error: ValidationError) -> InvalidInput:
        return cls([_field_error(detail) for detail in error.errors(include_url=False)])


def _field_error(detail: ErrorDetails) -> FieldError:
    location = ".".join(str(part) for part in detail["loc"]) or "input"
    return FieldError(location, detail["type"], detail["msg"], _plain(detail.get("ctx", {})))


def _plain(context: Mapping[str, Any]) -> Params:
    """The rule's values as JSON values: dates as ISO text; anything not plain (an exception) is left out."""
    params: dict[str, str | int | float | bool | None] = {}
    for name, value in context.items():
        if isinstance(value, date):
            params[name] = value.isoformat()
        elif value is None or isinstance(value, str | int | float | bool):
            params[name] = value
    return params


class Command(BaseModel):
    """Base of every input command: strict about unknown fields, NaN and infinity."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        str_strip_whitespace=True,
        allow_inf_nan=False,
    )

    @classmethod
    def parse(cls, data: Mapping[str, Any] | BaseModel, *, today: date | None = None, **context: Any) -> Self:
        """Validate raw input (JSON, a form, a CSV row, CLI options) or raise InvalidInput listing every
        problem at once. With `today`, dates after it are refused too; `context` carries further facts
        that rules check (such as the client's registration date)."""
        raw = data.model_dump(exclude_unset=True) if isinstance(data, BaseModel) else dict(data)
        try:
            return cls.model_validate(raw, context={"today": today, **context})
        except ValidationError as error:
            raise InvalidInput.from_pydantic(error) from None
