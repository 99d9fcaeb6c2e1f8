"""Staff who use Prognoza and what their role lets them do."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace

from domain.clients import _require_email


class Permission(enum.Enum):
    READ = "read"
    EDIT_CLIENTS = "edit clients and activity"
    RUN_PREDICTIONS = "run predictions"
    """For one client at a time."""
    SCORE_ALL_CLIENTS = "score every client"
    """A batch over every client: heavy, and it replaces everyone's current predictions."""
    TRAIN_MODELS = "train or activate models"
    CHANGE_THRESHOLD = "change the decision threshold"
    MANAGE_USERS = "manage users"


class Role(enum.Enum):
    ADMIN = "admin"
    ANALYST = "analyst"

    @property
    def permissions(self) -> frozenset[Permission]:
        return _PERMISSIONS[self]


_PERMISSIONS = {
    Role.ADMIN: frozenset(Permission),
    Role.ANALYST: frozenset({Permission.READ, Permission.EDIT_CLIENTS, Permission.RUN_PREDICTIONS}),
}


@dataclass(frozen=True, slots=True)
class User:
    email: str
    password_hash: str
    role: Role
    is_active: bool = True
    id: int | None = None
    session_generation: int = 0
    """Stored in each session at sign-in; a session of an older generation is over. Bumped when the
    user signs out, signs out everywhere, changes their password or is deactivated."""

    def __post_init__(self) -> None:
        _require_email(self.email)

    def can(self, permission: Permission) -> bool:
        return self.is_active and permission in self.role.permissions

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def with_role(self, role: Role) -> User:
        return replace(self, role=role)

    def deactivated(self) -> User:
        return replace(self, is_active=False, session_generation=self.session_generation + 1)

    def reactivated(self) -> User:
        return replace(self, is_active=True)

    def with_password_hash(self, password_hash: str) -> User:
        return replace(self, password_hash=password_hash, session_generation=self.session_generation + 1)

    def with_sessions_ended(self) -> User:
        """Every session signed in so far is over."""
        return replace(self, session_generation=self.session_generation + 1)
