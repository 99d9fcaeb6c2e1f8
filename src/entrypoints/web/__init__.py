"""The Bootstrap web panel: pages, forms, languages and the formatting that templates share."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from domain.users import Role
from entrypoints.auth import login_manager
from entrypoints.web import admin, pages, sign_in  # noqa: F401  (their routes register on the blueprint)
from entrypoints.web.blueprint import bp
from entrypoints.web.formatting import init_formatting
from entrypoints.web.i18n import DEFAULT_LOCALE, LANGUAGES, init_i18n
from entrypoints.web.navigation import current_path, sections_for_current_user

ROLE_LABELS = {Role.ADMIN: _l("Administrator"), Role.ANALYST: _l("Analyst")}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    init_i18n(app)
    init_formatting(app)
    _explain_sign_in_redirects()
    app.context_processor(_layout_context)


def _explain_sign_in_redirects() -> None:
    login_manager.login_message = _l("Please sign in to open that page.")
    login_manager.localize_callback = str  # resolves the lazy text in the reader's language before flashing


def _layout_context() -> dict[str, Any]:
    return {
        "sections": sections_for_current_user(),
        "languages": LANGUAGES,
        "current_locale": str(get_locale() or DEFAULT_LOCALE),
        "current_path": current_path(),
        "role_labels": ROLE_LABELS,
    }
