"""Languages of the panel: English by default, Polish on request or when the browser prefers it."""

from __future__ import annotations

from flask import Flask, abort, has_request_context, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import Babel

from entrypoints.web.blueprint import bp
from entrypoints.web.navigation import safe_next

# Each language is named in itself, so it can be recognised by someone who cannot read the current one.
LANGUAGES = {"en": "English", "pl": "Polski"}
DEFAULT_LOCALE = "en"
DEFAULT_TIMEZONE = "Europe/Warsaw"
LOCALE_KEY = "locale"

babel = Babel()


def select_locale() -> str:
    """The language the person chose in the panel, else the best one their browser accepts."""
    if not has_request_context():
        return DEFAULT_LOCALE
    chosen = session.get(LOCALE_KEY)
    if chosen in LANGUAGES:
        return str(chosen)
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LOCALE


@bp.post("/language/<code>")
def choose_language(code: str) -> ResponseReturnValue:
    if code not in LANGUAGES:
        abort(404)
    session[LOCALE_KEY] = code
    return redirect(safe_next(request.form.get("next")) or url_for("web.dashboard"))


def init_i18n(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", DEFAULT_TIMEZONE)
    babel.init_app(app, locale_selector=select_locale)
