"""Errors the domain speaks of. Entrypoints map each one to a status or message in one place.

Every error carries a stable `code` and the `params` its message is made of, so that an entrypoint can
say it in the reader's language (or a program can act on it) without reading the English `message`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import ClassVar

Value = str | int | float | bool | None
Params = Mapping[str, Value]
"""The values a message is made of: plain JSON values, so they travel unchanged to any caller."""


class DomainError(Exception):
    """Base class of every error that a user or another system may be shown."""

    code: ClassVar[str] = "refused"

    def __init__(self, message: str, **params: Value) -> None:
        super().__init__(message)
        self.message = message
        self.params: Params = params


@dataclasses.dataclass(frozen=True, slots=True)
class FieldError:
    """One problem with one field of the input: which field, what rule (`code`), and with what values."""

    field: str
    code: str
    message: str
    params: Params = dataclasses.field(default_factory=dict)


class InvalidValue(DomainError):
    """A value breaks a rule of the domain; `field` names the offending attribute."""

    code = "invalid_value"

    def __init__(self, field: str, code: str, message: str, **params: Value) -> None:
        super().__init__(f"{field}: {message}", **params)
        self.field = field
        self.error = FieldError(field, code, message, params)


class NotFound(DomainError):
    """Something asked for by its identity does not exist."""

    code = "not_found"


class ClientNotFound(NotFound):
    code = "client_not_found"

    def __init__(self, client_ref: object) -> None:
        super().__init__(f"Client {client_ref} not found.", client=str(client_ref))
        self.client_ref = client_ref


class SnapshotNotFound(NotFound):
    code = "snapshot_not_found"

    def __init__(self, client_id: int, observed_on: object) -> None:
        super().__init__(
            f"Client {client_id} has no activity snapshot on {observed_on}.",
            client=client_id,
            observed_on=str(observed_on),
        )


class UserNotFound(NotFound):
    code = "user_not_found"

    def __init__(self, user_ref: object) -> None:
        super().__init__(f"User {user_ref} not found.", user=str(user_ref))


class Conflict(DomainError):
    """The request clashes with what is already stored."""

    code = "conflict"


class DuplicateEmail(Conflict):
    code = "email_taken"

    def __init__(self, email: str) -> None:
        super().__init__(f"The email {email} is already taken.", email=email)
        self.field = "email"
        self.email = email


class DuplicateSnapshot(Conflict):
    code = "snapshot_exists"

    def __init__(self, client_id: int, observed_on: object) -> None:
        super().__init__(
            f"Client {client_id} already has an activity snapshot on {observed_on}.",
            client=client_id,
            observed_on=str(observed_on),
        )
        self.field = "observed_on"


class AuthenticationFailed(DomainError):
    """Wrong email or password; deliberately does not say which."""

    code = "authentication_failed"

    def __init__(self) -> None:
        super().__init__("Invalid email or password.")


class PermissionDenied(DomainError):
    code = "permission_denied"

    def __init__(self, action: str) -> None:
        super().__init__(f"Your role does not allow you to {action}.", action=action)
