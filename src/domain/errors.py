"""Errors the domain speaks of. Entrypoints map each one to a status or message in one place."""

from __future__ import annotations


class DomainError(Exception):
    """Base class of every error that a user or another system may be shown."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidValue(DomainError):
    """A value breaks a rule of the domain; `field` names the offending attribute."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message


class NotFound(DomainError):
    """Something asked for by its identity does not exist."""


class ClientNotFound(NotFound):
    def __init__(self, client_ref: object) -> None:
        super().__init__(f"Client {client_ref} not found.")
        self.client_ref = client_ref


class SnapshotNotFound(NotFound):
    def __init__(self, client_id: int, observed_on: object) -> None:
        super().__init__(f"Client {client_id} has no activity snapshot on {observed_on}.")


class UserNotFound(NotFound):
    def __init__(self, user_ref: object) -> None:
        super().__init__(f"User {user_ref} not found.")


class Conflict(DomainError):
    """The request clashes with what is already stored."""


class DuplicateEmail(Conflict):
    def __init__(self, email: str) -> None:
        super().__init__(f"The email {email} is already taken.")
        self.field = "email"
        self.email = email


class DuplicateSnapshot(Conflict):
    def __init__(self, client_id: int, observed_on: object) -> None:
        super().__init__(f"Client {client_id} already has an activity snapshot on {observed_on}.")
        self.field = "observed_on"


class AuthenticationFailed(DomainError):
    """Wrong email or password; deliberately does not say which."""

    def __init__(self) -> None:
        super().__init__("Invalid email or password.")


class PermissionDenied(DomainError):
    def __init__(self, action: str) -> None:
        super().__init__(f"Your role does not allow you to {action}.")
