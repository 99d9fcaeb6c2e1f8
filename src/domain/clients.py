"""Clients of the company and the rules about their identity."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from domain.errors import InvalidValue

NAME_MAX_LENGTH = 100
EMAIL_MAX_LENGTH = 254
_EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def email_key(email: str) -> str:
    """The form under which emails are compared: they are unique regardless of case."""
    return email.strip().lower()


def months_between(start: date, end: date) -> int:
    """Whole calendar months from `start` to `end` (0 when `end` is earlier)."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < start.day:
        months -= 1
    return max(months, 0)


def first_of_next_month(day: date) -> date:
    """The first day of the calendar month after `day`'s."""
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


@dataclass(frozen=True, slots=True)
class Client:
    first_name: str
    last_name: str
    email: str
    registered_on: date
    id: int | None = None

    def __post_init__(self) -> None:
        _require_name("first_name", self.first_name)
        _require_name("last_name", self.last_name)
        _require_email(self.email)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def tenure_months(self, on: date) -> int:
        """Tenure at the time of an observation, derived rather than stored so it never goes stale."""
        return months_between(self.registered_on, on)

    def with_changes(self, **changes: object) -> Client:
        return replace(self, **changes)  # type: ignore[arg-type]


def _require_name(field: str, value: str) -> None:
    if not value or not value.strip():
        raise InvalidValue(field, "missing", "must not be empty")
    if len(value) > NAME_MAX_LENGTH:
        raise InvalidValue(
            field,
            "string_too_long",
            f"must be at most {NAME_MAX_LENGTH} characters",
            max_length=NAME_MAX_LENGTH,
        )


def _require_email(value: str) -> None:
    if len(value) > EMAIL_MAX_LENGTH:
        raise InvalidValue(
            "email",
            "string_too_long",
            f"must be at most {EMAIL_MAX_LENGTH} characters",
            max_length=EMAIL_MAX_LENGTH,
        )
    if not _EMAIL_SHAPE.match(value):
        raise InvalidValue("email", "invalid_email", "is not a valid email address")
