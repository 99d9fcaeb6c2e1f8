"""Input validation: every entrypoint turns raw input into a command here, and only here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, ValidationError

from domain.errors import DomainError, InvalidValue


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    message: str


class InvalidInput(DomainError):
    """Input that breaks one or more rules; nothing was changed. Each error names its field."""

    def __init__(self, errors: list[FieldError]) -> None:
        summary = "; ".join(f"{e.field}: {e.message}" for e in errors)
        super().__init__(f"Invalid input — {summary}")
        self.errors = tuple(errors)

    @classmethod
    def single(cls, field: str, message: str) -> InvalidInput:
        return cls([FieldError(field, message)])

    @classmethod
    def from_invalid_value(cls, error: InvalidValue) -> InvalidInput:
        return cls.single(error.field, error.reason)

    @classmethod
    def from_pydantic(cls, error: ValidationError) -> InvalidInput:
        return cls([_field_error(detail) for detail in error.errors(include_url=False)])


def _field_error(detail: Any) -> FieldError:
    location = ".".join(str(part) for part in detail["loc"]) or "input"
    message = str(detail["msg"])
    if message.startswith("Value error, "):
        message = message.removeprefix("Value error, ")
    return FieldError(location, message)


class Command(BaseModel):
    """Base of every input command: strict about unknown fields, NaN and infinity."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        str_strip_whitespace=True,
        allow_inf_nan=False,
    )

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> Self:
        """Validate raw input (JSON, a form, a CSV row, CLI options) or raise InvalidInput."""
        try:
            return cls.model_validate(dict(data))
        except ValidationError as error:
            raise InvalidInput.from_pydantic(error) from None
