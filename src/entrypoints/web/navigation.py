"""Where people can go: the navbar's sections and the rule for following a `next` link safely."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import request
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from domain.users import Permission


@dataclass(frozen=True)
class Section:
    endpoint: str
    label: LazyString
    icon: str
    permission: Permission
    includes: tuple[str, ...] = ()  # further endpoints that belong to the section, e.g. a client's page

    @property
    def is_current(self) -> bool:
        return request.endpoint == self.endpoint or request.endpoint in self.includes


SECTIONS = (
    Section("web.dashboard", _l("Dashboard"), "speedometer2", Permission.READ),
    Section(
        "web.clients",
        _l("Clients"),
        "people",
        Permission.READ,
        ("web.client_page", "web.new_client", "web.edit_client", "web.add_snapshot", "web.fill_in_outcomes"),
    ),
    Section("web.import_page", _l("Import"), "upload", Permission.EDIT_CLIENTS, ("web.import_file",)),
    Section(
        "web.ml",
        _l("ML"),
        "cpu",
        Permission.READ,
        ("web.set_threshold", "web.set_segments", "web.set_currency"),
    ),
    Section("web.users", _l("Users"), "person-gear", Permission.MANAGE_USERS, ("web.add_user",)),
)


def sections_for_current_user() -> list[Section]:
    if not current_user.is_authenticated:
        return []
    return [section for section in SECTIONS if current_user.can(section.permission)]


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None: a login link must never lead elsewhere."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(char) < 32 or ord(char) == 127 for char in target):
        return None  # browsers read "/\evil.example" as "//evil.example" and drop control characters
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def current_path() -> str:
    """The path and query of this page, for coming back here after a detour.

    A page shown in answer to a form (a refusal, say) is not one a link can reopen: coming back
    there means the page the form was sent from.
    """
    if request.method == "GET":
        return request.full_path.removesuffix("?")
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc and referrer.netloc != request.host:
        return "/"
    back = referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return safe_next(back) or "/"
