"""The Bootstrap web panel: pages, forms, languages and the formatting that templates share."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from domain.users import Permission
from entrypoints.auth import login_manager
from entrypoints.web import account, clients, imports, ml, pages, sign_in, users  # noqa: F401  (routes register on bp)
from entrypoints.web.blueprint import bp
from entrypoints.web.formatting import init_formatting
from entrypoints.web.i18n import DEFAULT_LOCALE, LANGUAGES, init_i18n
from entrypoints.web.labels import (
    FEATURE_LABELS,
    LIFETIME_UNAVAILABLE_LABELS,
    METRIC_LABELS,
    MODEL_ALGORITHMS,
    MODEL_LABELS,
    OUT_OF_DATE_LABELS,
    ROLE_LABELS,
    SEGMENT_LABELS,
    STATUS_LABELS,
    STATUS_TONES,
    TIER_LABELS,
    field_label,
    requester_label,
)
from entrypoints.web.navigation import current_path, sections_for_current_user


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    init_i18n(app)
    init_formatting(app)
    _explain_sign_in_redirects()
    app.context_processor(_layout_context)
    app.jinja_env.globals.update(_TEMPLATE_GLOBALS)


def _explain_sign_in_redirects() -> None:
    login_manager.login_message = _l("Please sign in to open that page.")
    login_manager.localize_callback = str  # resolves the lazy text in the reader's language before flashing


def _layout_context() -> dict[str, Any]:
    return {
        "sections": sections_for_current_user(),
        "languages": LANGUAGES,
        "current_locale": str(get_locale() or DEFAULT_LOCALE),
        "current_path": current_path(),
    }


# Constants every template and macro may use, imported macros included (they see globals, not the context).
_TEMPLATE_GLOBALS: dict[str, Any] = {
    "Permission": Permission,
    "role_labels": ROLE_LABELS,
    "segment_labels": SEGMENT_LABELS,
    "tier_labels": TIER_LABELS,
    "lifetime_unavailable_labels": LIFETIME_UNAVAILABLE_LABELS,
    "out_of_date_labels": OUT_OF_DATE_LABELS,
    "model_labels": MODEL_LABELS,
    "model_algorithms": MODEL_ALGORITHMS,
    "status_labels": STATUS_LABELS,
    "status_tones": STATUS_TONES,
    "metric_labels": METRIC_LABELS,
    "feature_labels": FEATURE_LABELS,
    "field_label": field_label,
    "requester_label": requester_label,
}
